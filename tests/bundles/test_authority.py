"""Who may change what: the hostile-bundle suite of issue 14 (items 1-4 and 7).

Every test is one attack, tried with real keys against a real centre and real laptops (a centre,
two teams, an outsider CA: tests/bundles/authority_support.py). Each one succeeded before these
rules: a signed total changed, a veto or a team was forged, a stranger's rubric became the default.
Now each is refused (nothing written) or held apart for an explicit decision (the log untouched).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from inspector.bundles.held import accept_held, held_changes, reject_held
from inspector.crypto import keys, pdfsign
from inspector.crypto.identity import Keyring, issue_pair, load_identity, open_pair, record_issued
from inspector.errors import BundleError, NotFoundError, StoreError, UsageError
from inspector.rubric.scoring import disallowed
from inspector.rubric.toml_form import parse_rubric_text
from inspector.store.audit import audit_evaluation
from inspector.store.changes import CREATE, LOCK, META, OBSERVE, SIGN, VETO, Change, canonical
from inspector.store.rubrics import get_rubric, install_builtin_rubrics, store_rubric
from tests.bundle_support import CA_PASS, RUBRIC, dump, signed_pdf
from tests.bundles.authority_support import (
    OUTSIDER_PASS,
    Teams,
    chain,
    change,
    minutes_ago,
    teams,
    teams_template,
)
from tests.helpers import refused, run

__all__ = ["teams", "teams_template"]  # fixtures


def score_everything(t: Teams, laptop: Path, author: str, *, problems: int = 0) -> None:
    store = t.w.store(laptop, author)
    for item in store.rubric(RUBRIC, 1).items():
        store.record(t.w.eval_id, item.id, {"points": item.points, "reason": "符合要求"})
    if problems:
        store.record(t.w.eval_id, "4.1.1", {"problems": problems, "note": "台账缺页"})


def signed_at_centre(t: Teams) -> Decimal:
    """The lead scores everything, signs, sends: the centre holds a signed evaluation."""
    lead = t.w.laptops[0]
    score_everything(t, lead, "张建国", problems=1)
    t.w.store(lead, "张建国").sign(t.w.eval_id, [{"name": "张建国", "role": "组长"}])
    report = t.import_(t.w.centre, t.results(lead))
    assert not report.held
    centre = t.w.store(t.w.centre)
    assert centre.get(t.w.eval_id).state == "signed"
    return centre.report(t.w.eval_id).total


def centre_heads(t: Teams, item: str) -> list[str]:
    rows = t.w.db(t.w.centre).conn.execute(
        "SELECT change_id FROM heads WHERE eval_id = ? AND item_id = ?", (t.w.eval_id, item)
    )
    return [r[0] for r in rows]


def held_rules(t: Teams, folder: Path) -> list[tuple[str, str]]:
    return [(h.change.kind, h.rule) for h in held_changes(t.w.db(folder))]


# --- rule 1: a signed evaluation is final --------------------------------------------------------------


def test_member_with_the_evaluation_still_open_cannot_change_a_signed_total(teams: Teams) -> None:
    t = teams
    total = signed_at_centre(t)
    second = t.w.laptops[1]
    t.w.store(second, "李秀英").record(t.w.eval_id, "4.1.1", {"problems": 3, "note": "我看到三处"})
    report = t.import_(t.w.centre, t.results(second))
    centre = t.w.store(t.w.centre)
    assert centre.report(t.w.eval_id).total == total and centre.get(t.w.eval_id).state == "signed"
    assert [(h["kind"], h["rule"]) for h in report.held] == [(OBSERVE, "final")]
    assert any("待中心逐条接受或拒绝" in line for line in report.summary()), report.summary()
    assert audit_evaluation(centre, t.w.centre, t.w.eval_id).ok
    (h,) = held_changes(t.w.db(t.w.centre))
    with pytest.raises(StoreError, match="修订版"):
        accept_held(t.w.db(t.w.centre), h.id, "试图接受")
    assert reject_held(t.w.db(t.w.centre), h.id, "已签署，须另建修订版") == [h.id]
    assert held_changes(t.w.db(t.w.centre)) == []
    assert centre.report(t.w.eval_id).total == total


def test_crafted_change_claiming_a_time_before_the_lock_cannot_rewrite_the_score(teams: Teams) -> None:
    t = teams
    total = signed_at_centre(t)
    forged = change(
        t.w.eval_id, OBSERVE, "1.1.1", {"met": False, "note": "改低"},
        device="a" * 32, parents=centre_heads(t, "1.1.1"), author="李秀英", wall=minutes_ago(30),
    )  # fmt: skip
    report = t.import_(t.w.centre, t.send(t.w.laptops[1], t.w.centre, [forged], device="a" * 32))
    centre = t.w.store(t.w.centre)
    assert centre.report(t.w.eval_id).total == total and not centre.get(t.w.eval_id).conflicts
    assert [h["rule"] for h in report.held] == ["final"]
    assert audit_evaluation(centre, t.w.centre, t.w.eval_id).ok


def test_forged_veto_after_signing_cannot_fail_the_station(teams: Teams) -> None:
    t = teams
    signed_at_centre(t)
    before = t.w.store(t.w.centre).report(t.w.eval_id)
    veto = change(t.w.eval_id, VETO, "veto:V1", {"veto": True, "note": "伪造"}, device="b" * 32)
    t.import_(t.w.centre, t.send(t.w.laptops[1], t.w.centre, [veto], device="b" * 32))
    after = t.w.store(t.w.centre).report(t.w.eval_id)
    assert after.outcome == before.outcome and not after.vetoed
    assert held_rules(t, t.w.centre) == [(VETO, "final")]


def test_forged_meta_after_signing_cannot_rewrite_team_or_visit_date(teams: Teams) -> None:
    t = teams
    signed_at_centre(t)
    before = t.w.store(t.w.centre).get(t.w.eval_id)
    meta = change(
        t.w.eval_id, META, None, {"team": [{"name": "外人"}], "visit_date": "2026-01-01"}, device="c" * 32
    )
    t.import_(t.w.centre, t.send(t.w.laptops[1], t.w.centre, [meta], device="c" * 32))
    after = t.w.store(t.w.centre).get(t.w.eval_id)
    assert (after.team, after.visit_date) == (before.team, before.visit_date)
    assert held_rules(t, t.w.centre) == [(META, "final")]


def test_forged_sign_and_lock_cannot_sign_an_empty_draft(teams: Teams) -> None:
    t = teams
    d = "d" * 32
    made = chain(
        change(t.w.eval_id, SIGN, None, {"name": "李秀英", "role": "组员"}, device=d, author="李秀英"),
        change(t.w.eval_id, LOCK, None, {"signers": 1, "past": {d: 1}}, device=d, author="李秀英"),
    )
    report = t.import_(t.w.centre, t.send(t.w.laptops[1], t.w.centre, made, device=d))
    assert t.w.store(t.w.centre).get(t.w.eval_id).state == "draft"
    assert [(h["kind"], h["rule"]) for h in report.held] == [(LOCK, "final")]
    (h,) = held_changes(t.w.db(t.w.centre))
    assert "尚未完成" in h.reason or "未见过" in h.reason
    with pytest.raises(StoreError):  # accepting cannot sign an incomplete evaluation either
        accept_held(t.w.db(t.w.centre), h.id, "试试")


def test_lock_claiming_a_total_its_marks_do_not_give_is_held(teams: Teams) -> None:
    """A member signs with the right past but writes 100 and 合格 into the lock's figures: the signed
    result (fixed at signing, shown 以此为准) would then contradict its own marks on the desk."""
    t = teams
    lead = t.w.laptops[0]
    score_everything(t, lead, "张建国", problems=1)
    t.import_(t.w.centre, t.results(lead))
    centre = t.w.store(t.w.centre)
    truth = centre.report(t.w.eval_id)
    assert truth.total < 100
    d = t.device(lead)
    seq, tip = t.tip(lead, t.w.eval_id, d)
    past = {  # everything the centre holds: the past is right, only the figures lie
        str(r[0]): int(r[1])
        for r in t.w.db(t.w.centre).conn.execute(
            "SELECT device_id, MAX(device_seq) FROM changes WHERE eval_id = ? GROUP BY device_id",
            (t.w.eval_id,),
        )
    }
    figures = {"total": "100", "base": "100", "bonus": "0", "outcome": "pass", "outcome_label": "合格"}
    payload = {"signers": 1, "past": past, **figures}
    lock = change(t.w.eval_id, LOCK, None, payload, device=d, seq=seq + 1, prev=tip, author="张建国")
    report = t.import_(t.w.centre, t.send(lead, t.w.centre, [lock], device=d))
    assert [h["rule"] for h in report.held] == ["final"]
    (h,) = held_changes(t.w.db(t.w.centre))
    assert "不符" in h.reason
    assert centre.get(t.w.eval_id).state == "complete" and centre.fixed(t.w.eval_id) is None
    assert centre.totals([centre.get(t.w.eval_id)])[t.w.eval_id].total == truth.total
    with pytest.raises(StoreError):  # nor can the centre accept it into the evaluation
        accept_held(t.w.db(t.w.centre), h.id, "试试")


def test_lock_without_its_causal_past_is_held(teams: Teams) -> None:
    """A crafted lock naming no past: it would sign whatever the centre happens to hold."""
    t = teams
    lead = t.w.laptops[0]
    score_everything(t, lead, "张建国")
    t.import_(t.w.centre, t.results(lead))
    d = t.device(lead)
    seq, tip = t.tip(lead, t.w.eval_id, d)
    lock = change(t.w.eval_id, LOCK, None, {"signers": 1}, device=d, seq=seq + 1, prev=tip, author="张建国")
    report = t.import_(t.w.centre, t.send(lead, t.w.centre, [lock], device=d))
    assert [h["rule"] for h in report.held] == ["final"]
    assert t.w.store(t.w.centre).get(t.w.eval_id).state == "complete"


# --- rule 2: only the assigned may write -----------------------------------------------------------------


def test_supervisor_of_another_team_cannot_write_this_evaluation(teams: Teams) -> None:
    t = teams
    before = t.w.store(t.w.centre).report(t.w.eval_id).total
    forged = change(t.w.eval_id, OBSERVE, "1.1.1", {"met": True}, device="e" * 32, author="赵敏")
    report = t.import_(t.w.centre, t.send(t.laptop_b, t.w.centre, [forged], device="e" * 32))
    assert [h["rule"] for h in report.held] == ["assigned"]
    assert t.w.store(t.w.centre).report(t.w.eval_id).total == before
    assert "1.1.1" not in t.w.store(t.w.centre).current(t.w.eval_id)
    # the centre decides explicitly: accepted (a substitute it sent by phone), the value applies
    (h,) = held_changes(t.w.db(t.w.centre))
    assert accept_held(t.w.db(t.w.centre), h.id, "中心电话指派赵敏替补") == [h.id]
    assert "1.1.1" in t.w.store(t.w.centre).current(t.w.eval_id)
    assert held_changes(t.w.db(t.w.centre)) == []
    assert held_changes(t.w.db(t.w.centre), everything=True)[0].decision == "accepted"


def _created_elsewhere(t: Teams, org_id: str, name: str, device: str) -> list[object]:
    rubric = t.w.store(t.w.centre).rubric(RUBRIC, 1)
    header = {
        "rubric": RUBRIC, "rubric_version": 1, "rubric_hash": rubric.content_hash,
        "org": {"id": org_id, "name": name, "code": None}, "kind": "inspection", "visit_date": "2026-12-03",
        "team": [{"name": "张建国", "role": "组长"}], "revision": 1, "previous_id": None,
        "amend_reason": None,
    }  # fmt: skip
    eval_id = "f0" * 16
    made = [change(eval_id, CREATE, None, header, device=device, author="张建国")]
    for item in rubric.items():
        made.append(
            change(eval_id, OBSERVE, item.id, {"points": item.points, "reason": "符合"}, device=device)
        )
    made.append(change(eval_id, SIGN, None, {"name": "张建国", "role": "组长"}, device=device))
    made.append(change(eval_id, LOCK, None, {"signers": 1, "past": {device: len(made) + 0}}, device=device))
    return chain(*made)  # type: ignore[arg-type]


def test_supervisor_cannot_create_a_signed_evaluation_for_another_teams_target(teams: Teams) -> None:
    t = teams
    before = dump(t.w.centre)
    made = _created_elsewhere(t, t.org_b, "绵阳市测试职业技能鉴定所", "1" * 32)
    with pytest.raises(BundleError, match="规则2"):
        t.import_(t.w.centre, t.send(t.w.laptops[0], t.w.centre, made, device="1" * 32))  # type: ignore[arg-type]
    assert dump(t.w.centre) == before


def test_supervisor_cannot_create_a_signed_evaluation_of_a_station_nobody_was_sent_to(teams: Teams) -> None:
    t = teams
    before = dump(t.w.centre)
    made = _created_elsewhere(t, t.org_c, "宜宾市未派督导的鉴定所", "2" * 32)
    with pytest.raises(BundleError, match="规则2"):
        t.import_(t.w.centre, t.send(t.w.laptops[0], t.w.centre, made, device="2" * 32))  # type: ignore[arg-type]
    assert dump(t.w.centre) == before


def test_member_cannot_rewrite_the_team_the_centre_dispatched(teams: Teams) -> None:
    t = teams
    second = t.w.laptops[1]
    t.w.store(second, "李秀英").set_meta(t.w.eval_id, team=[{"name": "李秀英", "role": "组长"}])
    report = t.import_(t.w.centre, t.results(second))
    assert [(h["kind"], h["rule"]) for h in report.held] == [(META, "assigned")]
    assert t.w.store(t.w.centre).get(t.w.eval_id).team[0]["name"] == "张建国"


def test_the_team_may_divide_its_sections_among_itself(teams: Teams) -> None:
    """What the window's 评估组分工 saves: the same people, their sections and roles."""
    t = teams
    lead = t.w.laptops[0]
    team = [
        {"name": n, "role": "组长" if i == 0 else "组员", "sections": [str(i + 1)]}
        for i, n in enumerate(("张建国", "李秀英", "王志强"))
    ]
    t.w.store(lead, "张建国").set_meta(t.w.eval_id, team=team)
    report = t.import_(t.w.centre, t.results(lead))
    assert not report.held
    assert t.w.store(t.w.centre).get(t.w.eval_id).team[1]["sections"] == ["2"]


# --- rule 3: a change's origin is bound to its sender -----------------------------------------------------


def test_change_on_a_teammates_device_carried_by_another_is_held_until_she_sends_it(teams: Teams) -> None:
    t = teams
    lead, second, centre = t.w.laptops[0], t.w.laptops[1], t.w.centre
    t.w.store(second, "李秀英").record(t.w.eval_id, "4.1.1", {"problems": 0})
    t.import_(centre, t.results(second))  # her device is hers from now on, at the centre
    d = t.device(second)
    seq, tip = t.tip(centre, t.w.eval_id, d)
    forged = change(
        t.w.eval_id, OBSERVE, "4.1.1", {"problems": 3}, device=d, seq=seq + 1, prev=tip,
        parents=centre_heads(t, "4.1.1"), author="李秀英",
    )  # fmt: skip
    report = t.import_(centre, t.send(lead, centre, [forged], device=t.device(lead)))
    assert [h["rule"] for h in report.held] == ["relay"]
    assert t.w.store(centre).current(t.w.eval_id)["4.1.1"].change.payload == {"problems": 0}


def test_relayed_change_applies_when_its_owner_sends_it(teams: Teams) -> None:
    """The honest case of the same rule: the lead forwards a member's marks; they wait for her."""
    t = teams
    lead, second, centre = t.w.laptops[0], t.w.laptops[1], t.w.centre
    store = t.w.store(second, "李秀英")
    store.record(t.w.eval_id, "4.1.1", {"problems": 0})
    t.import_(centre, t.results(second))
    store.record(t.w.eval_id, "4.2.1", {"problems": 0})
    t.import_(lead, t.results(second, to=t.w.people[0]))
    relayed = t.import_(centre, t.results(lead))
    assert [h["rule"] for h in relayed.held] == ["relay"]
    direct = t.import_(centre, t.results(second))
    assert direct.added["changes"] == 1 and not direct.held
    assert "4.2.1" in t.w.store(centre).current(t.w.eval_id)
    assert held_changes(t.w.db(centre)) == []


def test_device_of_one_person_cannot_be_claimed_by_another(teams: Teams) -> None:
    t = teams
    second, centre = t.w.laptops[1], t.w.centre
    t.w.store(second, "李秀英").record(t.w.eval_id, "4.1.1", {"problems": 0})
    t.import_(centre, t.results(second))
    before = dump(centre)
    mark = change(t.w.eval_id, OBSERVE, "7.1.1", None, device="3" * 32)
    with pytest.raises(BundleError, match=r"规则3.*属于另一人"):
        t.import_(centre, t.send(t.w.laptops[0], centre, [mark], device=t.device(second)))
    assert dump(centre) == before


def test_change_claiming_the_centres_device_is_refused(teams: Teams) -> None:
    t = teams
    lead, centre = t.w.laptops[0], t.w.centre
    d = t.device(centre)
    seq, tip = t.tip(centre, t.w.eval_id, d)
    forged = change(t.w.eval_id, META, None, {"visit_date": "2026-12-24"}, device=d, seq=seq + 1, prev=tip)
    before = dump(centre)
    with pytest.raises(BundleError, match=r"规则3.*本机的数据文件夹"):  # at the centre: its own device
        t.import_(centre, t.send(lead, centre, [forged], device=t.device(lead)))
    assert dump(centre) == before
    before = dump(t.w.laptops[1])  # at a teammate's laptop, where the centre's device came by assignment
    with pytest.raises(BundleError, match=r"规则3.*中心的设备"):
        t.import_(t.w.laptops[1], t.send(lead, t.w.laptops[1], [forged], device=t.device(lead)))
    assert dump(t.w.laptops[1]) == before


def test_change_signed_by_one_member_but_authored_as_another_is_refused(teams: Teams) -> None:
    t = teams
    before = dump(t.w.centre)
    mark = change(t.w.eval_id, OBSERVE, "4.1.1", {"problems": 4}, device="4" * 32, author="李秀英")
    with pytest.raises(BundleError, match=r"规则3.*署名为另一人"):
        t.import_(t.w.centre, t.send(t.w.laptops[0], t.w.centre, [mark], device="4" * 32))
    assert dump(t.w.centre) == before


@pytest.mark.parametrize(
    "wall", ["yesterday", "2026-12-01 10:00:00", "2026-12-01T10:00:00.000", "2026-13-01T10:00:00Z"]
)
def test_wall_time_that_does_not_parse_is_refused(teams: Teams, wall: str) -> None:
    t = teams
    before = dump(t.w.centre)
    mark = change(t.w.eval_id, OBSERVE, "4.1.1", {"problems": 0}, device="5" * 32, wall=wall)
    with pytest.raises(BundleError, match=r"规则3.*ISO 8601"):
        t.import_(t.w.centre, t.send(t.w.laptops[0], t.w.centre, [mark], device="5" * 32))
    assert dump(t.w.centre) == before


def test_wall_time_days_after_the_import_or_outside_the_certificate_is_held(teams: Teams) -> None:
    t = teams
    d = "6" * 32
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat(timespec="milliseconds")
    made = chain(
        change(t.w.eval_id, OBSERVE, "4.1.1", {"problems": 0}, device=d, wall=future),
        change(t.w.eval_id, OBSERVE, "4.2.1", {"problems": 0}, device=d),
    )
    report = t.import_(t.w.centre, t.send(t.w.laptops[0], t.w.centre, made, device=d))
    assert [h["rule"] for h in report.held] == ["time", "chain"]
    assert "24" in report.held[0]["reason"]
    d2 = "7" * 32
    old = change(t.w.eval_id, OBSERVE, "6.1.1", None, device=d2, wall="2019-05-01T09:00:00.000+08:00")
    report = t.import_(t.w.centre, t.send(t.w.laptops[0], t.w.centre, [old], device=d2))
    assert [h["rule"] for h in report.held] == ["time"] and "有效期" in report.held[0]["reason"]
    assert not {"4.1.1", "4.2.1", "6.1.1"} & set(t.w.store(t.w.centre).current(t.w.eval_id))
    # accepting the first releases the one held only because of it
    first = held_changes(t.w.db(t.w.centre))[0]
    assert len(accept_held(t.w.db(t.w.centre), first.id, "笔记本时钟快了三天，已核实")) == 2
    assert {"4.1.1", "4.2.1"} <= set(t.w.store(t.w.centre).current(t.w.eval_id))


def test_conflicts_are_decided_on_parsed_times_not_text(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two members mark one item; the later instant wins, whatever the offsets spell."""
    import inspector.store.evaluations as ev

    t = teams
    lead, second, third = t.w.laptops
    instant = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)  # within the certificates' validity
    earlier = instant.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="milliseconds")
    later = (instant + dt.timedelta(seconds=1)).astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert earlier > later.isoformat(timespec="milliseconds")  # as text the earlier one sorts last
    monkeypatch.setattr(ev, "now", lambda: earlier)
    t.w.store(second, "李秀英").record(t.w.eval_id, "4.1.1", {"problems": 1, "note": "早"})
    monkeypatch.setattr(ev, "now", lambda: later.isoformat(timespec="milliseconds"))
    t.w.store(third, "王志强").record(t.w.eval_id, "4.1.1", {"problems": 2, "note": "晚"})
    monkeypatch.undo()
    t.import_(lead, t.results(second, to=t.w.people[0]))
    t.import_(lead, t.results(third, to=t.w.people[0]))
    cur = t.w.store(lead).current(t.w.eval_id)["4.1.1"]
    assert cur.change.payload["note"] == "晚" and len(cur.rivals) == 1


# --- rule 4: only the centre publishes rubrics and the register -----------------------------------------


def _version_99(t: Teams) -> object:
    text = (
        t.w.db(t.w.centre)
        .conn.execute("SELECT toml FROM rubrics WHERE id = ? AND version = 1", (RUBRIC,))
        .fetchone()[0]
    )
    text = text.replace("version = 1\n", "version = 99\n", 1).replace("min = 60\n", "min = 0\n", 1)
    return parse_rubric_text(text, "v99")


def test_laptops_rubric_version_is_refused_and_never_becomes_the_default(teams: Teams) -> None:
    t = teams
    lead, centre = t.w.laptops[0], t.w.centre
    v99 = _version_99(t)
    store_rubric(t.w.db(lead), v99, "laptop")  # type: ignore[arg-type]
    e = t.w.store(lead, "张建国").create(RUBRIC, t.w.org_id, "inspection", rubric_version=99)
    assert e.rubric_version == 99
    before = dump(centre)
    with pytest.raises(BundleError, match=r"规则4.*评估表") as e:
        t.import_(centre, t.results(lead))
    assert e.value.where == f"rubrics/{RUBRIC}-v99.toml"
    assert dump(centre) == before
    assert get_rubric(t.w.db(centre), RUBRIC).version == 3  # the shipped current version, not 99
    new = t.w.store(centre).create(RUBRIC, t.w.org_id)
    assert new.rubric_version == 3


def test_version_that_came_with_a_results_bundle_is_not_current(teams: Teams) -> None:
    """A centre upgraded from before rule 4 may hold such a row: new work never pins it."""
    t = teams
    db = t.w.db(t.w.centre)
    v99 = _version_99(t)
    store_rubric(db, v99, "bundle:1b2c3d4e-0000-4000-8000-000000000000")  # type: ignore[arg-type]
    db.conn.execute(
        "INSERT INTO bundles (id, direction, kind, sender, recipient, created, recorded_at, counts, outcome)"
        " VALUES (?, 'import', 'results', '{}', '{}', 'x', 'x', '{}', 'x')",
        ("1b2c3d4e-0000-4000-8000-000000000000",),
    )
    assert get_rubric(db, RUBRIC).version == 3  # the shipped current version, not 99
    assert t.w.store(t.w.centre).create(RUBRIC, t.w.org_id).rubric_version == 3
    assert install_builtin_rubrics(db, force=True) == 0


def test_results_bundle_cannot_add_a_station_to_the_register(teams: Teams) -> None:
    t = teams
    rubric = t.w.store(t.w.centre).rubric(RUBRIC, 1)
    header = {
        "rubric": RUBRIC, "rubric_version": 1, "rubric_hash": rubric.content_hash,
        "org": {"id": "fake0001", "name": "伪造的鉴定站", "code": None}, "kind": "inspection",
        "team": [], "revision": 1, "previous_id": None, "amend_reason": None,
    }  # fmt: skip
    create = change("ab" * 16, CREATE, None, header, device="8" * 32)
    orgs = [{"id": "fake0001", "name": "伪造的鉴定站", "code": None, "details": {}}]

    def count_orgs(m: dict[str, object]) -> None:
        m["counts"]["orgs"] = 1  # type: ignore[index]

    before = dump(t.w.centre)
    bundle = t.send(
        t.w.laptops[0], t.w.centre, [create], device="8" * 32,
        members={"orgs.json": canonical(orgs).encode()}, manifest_edit=count_orgs,
    )  # fmt: skip
    with pytest.raises(BundleError, match=r"规则4.*机构") as e:
        t.import_(t.w.centre, bundle)
    assert e.value.where == "orgs.json[0]"
    assert dump(t.w.centre) == before
    names = [r[0] for r in t.w.db(t.w.centre).conn.execute("SELECT name FROM orgs")]
    assert "伪造的鉴定站" not in names


def _pdf_bundle(t: Teams, pdf: bytes) -> Path:
    import hashlib

    digest = hashlib.sha256(pdf).hexdigest()
    index = [{"eval": t.w.eval_id, "sha256": digest, "name": "评分表.pdf"}]
    mark = change(t.w.eval_id, OBSERVE, "4.1.1", {"problems": 0}, device="9" * 32)
    return t.send(
        t.w.laptops[0], t.w.centre, [mark], device="9" * 32,
        members={"pdfs.json": canonical(index).encode(), f"pdfs/{t.w.eval_id}/{digest}.pdf": pdf},
    )  # fmt: skip


def test_any_bytes_filed_as_a_signed_pdf_are_refused(teams: Teams) -> None:
    t = teams
    before = dump(t.w.centre)
    with pytest.raises(BundleError, match=r"规则4.*PDF"):
        t.import_(t.w.centre, _pdf_bundle(t, b"%PDF-1.7 /ByteRange [0 1 2 3] forged\n%%EOF\n"))
    assert dump(t.w.centre) == before


def test_pdf_signed_under_an_outsider_ca_is_refused(teams: Teams) -> None:
    t = teams
    cred = keys.issue_certificate(t.outsider, OUTSIDER_PASS, "张建国", "510000201900", "组长", "999999")
    signer = keys.unlock(cred.p12, "999999")
    pdf = pdfsign.sign_pdf(
        _plain_pdf(), signer, name="张建国", role="组长", reason="确认", location="成都", field_name="sig1"
    )
    before = dump(t.w.centre)
    with pytest.raises(BundleError, match=r"规则4.*PDF"):
        t.import_(t.w.centre, _pdf_bundle(t, pdf))
    assert dump(t.w.centre) == before


def test_pdf_signed_by_another_team_is_refused_under_this_evaluation(teams: Teams) -> None:
    t = teams
    signer = keys.load_signer(t.laptop_b, "444444")
    pdf = pdfsign.sign_pdf(
        _plain_pdf(), signer, name="赵敏", role="组长", reason="确认", location="绵阳", field_name="sig1"
    )
    before = dump(t.w.centre)
    with pytest.raises(BundleError, match=r"规则4.*督导组"):
        t.import_(t.w.centre, _pdf_bundle(t, pdf))
    assert dump(t.w.centre) == before
    ok = t.import_(t.w.centre, _pdf_bundle(t, signed_pdf(t.w, t.w.laptops[0])))  # the lead's own: filed
    assert ok.added["pdfs"] == 1


def _plain_pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf, invariant=1)
    page.drawString(72, 760, "score 100")
    page.showPage()
    page.save()
    return buf.getvalue()


# --- rule 7: certificates judged at trustworthy times ------------------------------------------------


def _expired_member(t: Teams, days_ago: int) -> Keyring:
    from inspector.crypto.identity import Identity

    centre = t.w.centre
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago + 30)
    pair = issue_pair(
        centre / "ca", CA_PASS, "李秀英", "510000201901", "外督", "555555", valid_days=30, not_before=start
    )
    record_issued(t.w.db(centre), pair, t.w.people[1])
    opened = open_pair(pair.signing.p12, pair.encryption.p12, "555555")
    ident = Identity(opened.signing, opened.encryption, opened.ca, None)
    return Keyring(ident, opened.signing_key, opened.decryption_key)


def _backdated(t: Teams, keyring: Keyring, days_ago: int) -> Path:
    from tests.bundle_support import craft, write_members
    from tests.bundles.authority_support import lines

    created = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago + 2)).isoformat(timespec="milliseconds")
    wall = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago + 2)).isoformat(timespec="milliseconds")
    mark = change(t.w.eval_id, OBSERVE, "4.1.1", {"problems": 0}, device="c0" * 16, wall=wall)

    def backdate(m: dict[str, object]) -> None:
        m["created"] = created

    ident = load_identity(t.w.centre)
    assert ident is not None and ident.encryption is not None
    made = craft(
        keyring, ident.encryption, {"changes.jsonl": lines([mark])}, device="c0" * 16, manifest_edit=backdate
    )
    return write_members(t.w.path("backdated"), made)


def test_expired_certificate_with_a_backdated_manifest_is_refused(teams: Teams) -> None:
    t = teams
    keyring = _expired_member(t, days_ago=29)
    before = dump(t.w.centre)
    with pytest.raises(BundleError, match="导入时已过期"):
        t.import_(t.w.centre, _backdated(t, keyring, days_ago=29))
    assert dump(t.w.centre) == before


def test_certificate_expired_within_the_grace_period_is_accepted_with_a_warning(teams: Teams) -> None:
    t = teams
    keyring = _expired_member(t, days_ago=2)
    report = t.import_(t.w.centre, _backdated(t, keyring, days_ago=2))
    assert report.added["changes"] == 1 and any("宽限期" in w for w in report.warnings)


# --- the centre's desk: held changes on the command line ---------------------------------------------


def test_held_changes_on_the_command_line(teams: Teams) -> None:
    t = teams
    for n, item in enumerate(("1.1.1", "1.2.1")):
        forged = change(t.w.eval_id, OBSERVE, item, {"met": True}, device=f"{n}e" * 16, author="赵敏")
        t.import_(t.w.centre, t.send(t.laptop_b, t.w.centre, [forged], device=f"{n}e" * 16))
    t.w.close()
    env_data = t.w.centre
    listed = run("bundle", "held", "--json", data=env_data)
    assert listed.code == 0, listed.err
    rows = listed.json()
    assert [(r["item"], r["rule"], r["sender"]) for r in rows] == [
        ("1.1.1", "assigned", "赵敏"),
        ("1.2.1", "assigned", "赵敏"),
    ]
    text = run("bundle", "held", data=env_data)
    assert "规则2" in text.out and "赵敏" in text.out
    refused(run("bundle", "accept", str(rows[0]["id"]), "--reason", " ", data=env_data), "理由")
    ok = run("bundle", "accept", str(rows[0]["id"]), "--reason", "中心指派替补", "--json", data=env_data)
    assert ok.code == 0, ok.err and ok.json() == {"decision": "accepted", "ids": [rows[0]["id"]]}
    no = run("bundle", "reject", str(rows[1]["id"]), "--reason", "不是本组", data=env_data)
    assert no.code == 0 and "#" in no.out
    refused(run("bundle", "reject", str(rows[1]["id"]), "--reason", "再拒", data=env_data), "已有决定")
    assert run("bundle", "held", "--json", data=env_data).json() == []
    everything = run("bundle", "held", "--all", "--json", data=env_data).json()
    assert [r["decision"] for r in everything] == ["accepted", "rejected"]
    shown = run("eval", "show", t.w.eval_id, "--json", data=env_data).json()
    assert "1.1.1" in shown["observations"] and "1.2.1" not in shown["observations"]
    assert json.dumps(everything, ensure_ascii=False).count("中心指派替补") == 1


def test_verify_says_how_many_changes_an_import_would_hold(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = teams
    forged = change(t.w.eval_id, OBSERVE, "1.1.1", {"met": True}, device="f1" * 16, author="赵敏")
    bundle = t.send(t.laptop_b, t.w.centre, [forged], device="f1" * 16)
    t.w.close()
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", CA_PASS)
    v = run("bundle", "verify", bundle, "--json", data=t.w.centre)
    assert v.code == 0 and v.json()["valid"] and v.json()["would_hold"] == 1
    assert "将搁置 1 条" in run("bundle", "verify", bundle, data=t.w.centre).out
    assert run("bundle", "held", "--json", data=t.w.centre).json() == []  # a dry run holds nothing


def test_store_level_decisions_need_a_reason_and_an_existing_hold(teams: Teams) -> None:
    db = teams.w.db(teams.w.centre)
    with pytest.raises(UsageError):
        reject_held(db, 1, "")
    with pytest.raises(NotFoundError):
        accept_held(db, 12345, "没有这一条")


def test_member_may_open_an_evaluation_for_the_station_she_was_sent_to(teams: Teams) -> None:
    """The rules' honest side: a team member's own new evaluation of her station, with its marks,
    arrives whole; a member of the other team may not write into it."""
    t = teams
    lead = t.w.laptops[0]
    store = t.w.store(lead, "张建国")
    e = store.create(RUBRIC, t.w.org_id, "inspection", visit_date="2026-12-08")
    store.record(e.id, "1.1.1", {"met": True})
    report = t.import_(t.w.centre, t.results(lead))
    assert not report.held and report.added["changes"] == 2
    assert "1.1.1" in t.w.store(t.w.centre).current(e.id)
    forged = change(e.id, OBSERVE, "1.2.1", {"met": True}, device="ae" * 16, author="赵敏")
    other = t.import_(t.w.centre, t.send(t.laptop_b, t.w.centre, [forged], device="ae" * 16))
    assert [h["rule"] for h in other.held] == ["assigned"]


def test_evaluation_created_at_a_time_days_ahead_is_refused_not_half_held(teams: Teams) -> None:
    t = teams
    lead = t.w.laptops[0]
    store = t.w.store(lead, "张建国")
    e = store.create(RUBRIC, t.w.org_id, "inspection")
    store.record(e.id, "1.1.1", {"met": True})
    bundle = t.results(lead)
    # the same creation, claiming a time three days ahead, sealed again by a sender who holds the key
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat(timespec="milliseconds")
    create = next(c for c in t.w.store(lead).changes(e.id) if c.kind == CREATE)
    forged = chain(Change(**{**create.hashed_fields(), "parents": (), "wall_time": ahead}))
    before = dump(t.w.centre)
    with pytest.raises(BundleError, match=r"规则3.*24"):
        t.import_(t.w.centre, t.send(lead, t.w.centre, forged, device=t.device(lead)))
    assert dump(t.w.centre) == before
    assert t.import_(t.w.centre, bundle).added["changes"] == 2  # the honest one arrives whole


def test_reissued_credential_of_the_same_person_continues_her_device(teams: Teams) -> None:
    from inspector.crypto.identity import Identity

    t = teams
    second, centre = t.w.laptops[1], t.w.centre
    t.w.store(second, "李秀英").record(t.w.eval_id, "4.1.1", {"problems": 0})
    t.import_(centre, t.results(second))
    pair = issue_pair(centre / "ca", CA_PASS, "李秀英", "510000201901", "外督", "666666")
    record_issued(t.w.db(centre), pair, t.w.people[1])  # her card renewed: a new credential
    opened = open_pair(pair.signing.p12, pair.encryption.p12, "666666")
    renewed = Keyring(Identity(opened.signing, opened.encryption, opened.ca, None), opened.signing_key, None)
    d = t.device(second)
    seq, tip = t.tip(centre, t.w.eval_id, d)
    mark = change(
        t.w.eval_id, OBSERVE, "4.2.1", {"problems": 0}, device=d, seq=seq + 1, prev=tip, author="李秀英"
    )
    ident = load_identity(centre)
    assert ident is not None and ident.encryption is not None
    from tests.bundle_support import craft, write_members
    from tests.bundles.authority_support import lines

    made = craft(renewed, ident.encryption, {"changes.jsonl": lines([mark])}, device=d)
    report = t.import_(centre, write_members(t.w.path("renewed"), made))
    assert report.added["changes"] == 1 and not report.held


def test_lock_over_relayed_marks_applies_once_their_owner_sends_them(teams: Teams) -> None:
    """The lead merges a member's marks and signs; the centre already knows the member's device, so
    the forwarded marks wait for her, and the lock with them; her own bundle releases both."""
    t = teams
    lead, second, centre = t.w.laptops[0], t.w.laptops[1], t.w.centre
    mine = t.w.store(second, "李秀英")
    mine.record(t.w.eval_id, "4.1.1", {"problems": 0})
    t.import_(centre, t.results(second))  # her device is known at the centre
    for item in mine.rubric(RUBRIC, 1).items():
        if item.id.startswith(("4.", "5.", "6.")):
            mine.record(t.w.eval_id, item.id, {"points": item.points, "reason": "符合要求"})
    t.import_(lead, t.results(second, to=t.w.people[0]))
    lead_store = t.w.store(lead, "张建国")
    for item in lead_store.rubric(RUBRIC, 1).items():
        if not item.id.startswith(("4.", "5.", "6.")):
            lead_store.record(t.w.eval_id, item.id, {"points": item.points, "reason": "符合要求"})
    lead_store.sign(t.w.eval_id, [{"name": "张建国", "role": "组长"}])
    relayed = t.import_(centre, t.results(lead))
    assert {h["rule"] for h in relayed.held} == {"relay", "final"}
    assert t.w.store(centre).get(t.w.eval_id).state != "signed"
    t.import_(centre, t.results(second))
    at_centre = t.w.store(centre)
    assert at_centre.get(t.w.eval_id).state == "signed"
    assert at_centre.report(t.w.eval_id).total == lead_store.report(t.w.eval_id).total
    assert held_changes(t.w.db(centre)) == []


def test_lock_over_a_mark_the_form_does_not_allow_is_held(teams: Teams) -> None:
    """A laptop holds a mark the form refuses today (6.4.2 not applicable: Sichuan's form gives that
    item no such leave; an older program recorded it and scored it full). Signing it there is
    refused; a lock crafted with the right past and the very figures its marks give was applied at
    the centre, fixing a point the form does not allow into a signed result. Now held, with the
    local refusal's reason."""
    from inspector.store.db import transaction
    from inspector.store.evaluations import fixed_payload
    from inspector.store.log import apply_change

    t = teams
    lead = t.w.laptops[0]
    score_everything(t, lead, "张建国", problems=1)
    store = t.w.store(lead, "张建国")
    with transaction(store.db) as conn:  # as an older program recorded it
        heads = store._heads(conn, t.w.eval_id, "6.4.2")
        na = store._change(conn, t.w.eval_id, "6.4.2", OBSERVE, {"na": True, "reason": "无此情形"}, heads)
        apply_change(conn, na, store.rubric)
    with pytest.raises(StoreError, match=r"不能签署.*6\.4\.2"):
        store.sign(t.w.eval_id, [{"name": "张建国", "role": "组长"}])
    t.import_(t.w.centre, t.results(lead))
    centre = t.w.store(t.w.centre)
    truth = centre.report(t.w.eval_id)
    assert [i.id for i in truth.irregular] == ["6.4.2"]
    # no unsigned total either, on the laptop nor at the centre (the bundle's run of marks): the
    # kept figures refuse it with what signing says (scoring.disallowed)
    for s in (store, centre):
        kept = s.totals([s.get(t.w.eval_id)])[t.w.eval_id]
        assert kept.total is None and kept.outcome is None
        assert kept.refused == disallowed(truth) and "6.4.2" in kept.refused
    d = t.device(lead)
    seq, tip = t.tip(lead, t.w.eval_id, d)
    past = {
        str(r[0]): int(r[1])
        for r in t.w.db(t.w.centre).conn.execute(
            "SELECT device_id, MAX(device_seq) FROM changes WHERE eval_id = ? GROUP BY device_id",
            (t.w.eval_id,),
        )
    }
    payload = {"signers": 1, "past": past, **fixed_payload(truth)}  # figures true to the marks
    lock = change(t.w.eval_id, LOCK, None, payload, device=d, seq=seq + 1, prev=tip, author="张建国")
    report = t.import_(t.w.centre, t.send(lead, t.w.centre, [lock], device=d))
    assert [h["rule"] for h in report.held] == ["final"]
    (h,) = held_changes(t.w.db(t.w.centre))
    assert "不能签署" in h.reason and "6.4.2" in h.reason
    assert centre.get(t.w.eval_id).state == "complete" and centre.fixed(t.w.eval_id) is None
    with pytest.raises(StoreError):
        accept_held(t.w.db(t.w.centre), h.id, "试试")
