"""Issue 19, the whole loop with real folders, keys and bundles: the centre sends self-assessment
requests → two stations fill and sign → the centre imports → the inspection team scores → the
results desk shows the differences from the stations' own signed figures. And the station's limits:
a station writes only its own self-assessment, never an inspection or another station's data."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from inspector.bundles.credentials import issue_for_station
from inspector.bundles.export import export_bundle
from inspector.bundles.format import SELF_REQUEST, SELF_RESULTS
from inspector.bundles.importer import import_bundle
from inspector.bundles.self_assessment import start_self_assessment
from inspector.bundles.station_loop import Station, station_round
from inspector.centre.plans import add_target, link_evaluation, new_plan
from inspector.centre.register import set_register
from inspector.centre.results import plan_results
from inspector.centre.self_requests import requests_for_plan
from inspector.crypto import keys
from inspector.crypto.identity import STATION, init_centre, load_identity, unlock_identity
from inspector.errors import BundleError, UsageError
from inspector.folder import open_folder, opened_folder
from inspector.store.demo import _fill
from inspector.store.evaluations import EvaluationStore
from inspector.store.folder_role import folder_role, station_org, station_signed
from inspector.store.orgs import add_org, insert_org

CA_PASS = "centre-secret-19"
STATION_PASS = "station-secret-19"
SICHUAN = "sichuan-2017-inspection"


def _points(store: EvaluationStore, eval_id: str, item_id: str) -> object:
    return next(i.points for i in store.report(eval_id).items if i.id == item_id)


def _filler(seed: int, quality: float):  # type: ignore[no-untyped-def]
    def fill(store: EvaluationStore, eval_id: str) -> None:
        rubric = store.rubric(SICHUAN, store.get(eval_id).rubric_version)
        _fill(store, eval_id, rubric, random.Random(seed), quality)

    return fill


@pytest.fixture
def centre(tmp_path: Path):  # type: ignore[no-untyped-def]
    data = tmp_path / "centre"
    db = open_folder(data, rubrics=True)
    init_centre(data, data / "ca", "四川省职业技能鉴定指导中心", CA_PASS)
    orgs = []
    for name, code in (
        ("成都市第一鉴定站", "5101A"),
        ("绵阳市第二鉴定站", "5107B"),
        ("德阳市第三鉴定站", "5106C"),
    ):
        org = add_org(db, name, code)
        set_register(db, org["id"], {"category": "A", "region": "四川", "head": "王站长"})
        orgs.append(org["id"])
    plan = new_plan(db, SICHUAN, "2026年度检查评估", "routine", year=2026)
    for org_id in orgs:
        add_target(db, plan.id, org_id)
    yield data, db, plan.id, orgs
    db.conn.close()


def _stations(tmp_path: Path, orgs: list[str]) -> list[Station]:
    return [
        Station(
            orgs[0], "李站长", tmp_path / "station1", _filler(1, 0.99), ({"name": "李站长", "role": "站长"},)
        ),
        Station(
            orgs[1], "周站长", tmp_path / "station2", _filler(2, 0.97), ({"name": "周站长", "role": "站长"},)
        ),
    ]


def test_the_whole_loop_from_request_to_the_desk(centre, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, db, plan_id, orgs = centre
    keyring = unlock_identity(data, CA_PASS)
    stations = _stations(tmp_path, orgs)
    returned = station_round(db, data, keyring, CA_PASS, plan_id, stations, tmp_path / "stick", STATION_PASS)

    # each station's folder is a station's, of its own organisation, with its representative's key
    for s, r in zip(stations, returned, strict=True):
        with opened_folder(s.folder) as sdb:
            assert folder_role(sdb.conn) == "station" and station_org(sdb.conn) == s.org_id
            ident = load_identity(s.folder)
            assert ident is not None and ident.role == STATION and ident.name == s.representative
            req = sdb.conn.execute(
                "SELECT deadline, deadline_source FROM self_assessment_requests"
            ).fetchone()
            assert req["deadline"] == "2026-04-30"  # Sichuan 2017 三（一）自查自评（4月30日前）
            assert "4月30日前" in req["deadline_source"]
        assert r.report.added["changes"] > 0 and not r.report.held

    # the centre: both requests returned with who signed; the third station was never asked
    rows = {r.org_id: r for r in requests_for_plan(db, plan_id, on=dt.date(2026, 4, 1))}
    assert set(rows) == set(orgs[:2])
    for s, r in zip(stations, returned, strict=True):
        assert rows[s.org_id].eval_id == r.eval_id
        assert rows[s.org_id].state == "returned" or rows[s.org_id].state == "returned_late"
        assert s.representative in (rows[s.org_id].signed_by or "")
    # received today, after 30 April 2026? then late; the test's clock decides, the rule does not move
    for r in rows.values():
        assert r.late == (dt.date.fromisoformat(r.returned_at[:10]) > dt.date(2026, 4, 30))  # type: ignore[index]

    # a centre-typed self-assessment of station 1 exists too: the station's signed one must win
    typed = EvaluationStore(db, "中心录入").create(SICHUAN, orgs[0], "self", visit_date="2026-12-31")
    EvaluationStore(db, "中心录入").record(typed.id, "1.1.1", {"met": False})

    # the inspection team scores (at the centre here: the team's bundles are tests/bundles' subject)
    team = EvaluationStore(db, "检查组")
    inspections = {}
    for n, org_id in enumerate(orgs[:2]):
        e = team.create(SICHUAN, org_id, "inspection", visit_date="2026-06-10", team=[{"name": "张督导"}])
        link_evaluation(db, plan_id, org_id, e.id)
        _fill(team, e.id, team.rubric(SICHUAN, e.rubric_version), random.Random(100 + n), 0.8)
        team.sign(e.id, [{"name": "张督导", "role": "组长"}])
        inspections[org_id] = e.id

    desk = plan_results(db, plan_id)
    by_org = {row.org_id: row for row in desk.targets}
    signed = station_signed(db.conn, [r.eval_id for r in returned])
    for s, r in zip(stations, returned, strict=True):
        row = by_org[s.org_id]
        assert row.self_eval_id == r.eval_id  # the station's own, not the one typed at the centre
        assert row.self_signed_by == signed[r.eval_id] and s.representative in (row.self_signed_by or "")
        theirs = team.report(r.eval_id)
        assert row.self_total == theirs.total  # the figures the station signed
    assert typed.id not in signed
    diffs = [d for d in desk.differences if d.org_id in (orgs[0], orgs[1])]
    assert diffs and all(d.station_signed for d in diffs)
    # every difference is exactly the station's signed mark minus the team's
    for d in diffs:
        own = next(r.eval_id for r in returned if r.org_id == d.org_id)
        assert d.self_points == _points(team, own, d.item_id) != d.inspection_points
        assert d.inspection_points == _points(team, inspections[d.org_id], d.item_id)
    assert by_org[orgs[2]].self_eval_id is None


def test_import_again_changes_nothing(centre, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, db, plan_id, orgs = centre
    keyring = unlock_identity(data, CA_PASS)
    (r,) = station_round(
        db, data, keyring, CA_PASS, plan_id, _stations(tmp_path, orgs)[:1], tmp_path / "s", STATION_PASS
    )
    before = [tuple(x) for x in db.conn.execute("SELECT * FROM self_assessment_requests")]
    again = import_bundle(db, data, r.answer, keyring=keyring)
    assert again.already
    assert [tuple(x) for x in db.conn.execute("SELECT * FROM self_assessment_requests")] == before
    with opened_folder(tmp_path / "station1") as sdb:  # the request imported again at the station
        again = import_bundle(sdb, tmp_path / "station1", r.request, passphrase=STATION_PASS)
        assert again.already


def _station_ready(centre, tmp_path: Path):  # type: ignore[no-untyped-def]
    data, db, plan_id, orgs = centre
    keyring = unlock_identity(data, CA_PASS)
    issue_for_station(db, data / "ca", CA_PASS, orgs[0], "李站长", STATION_PASS)
    request = tmp_path / "request.inspbundle"
    export_bundle(db, data, keyring, SELF_REQUEST, request, plan_id=plan_id, org=orgs[0])
    folder = tmp_path / "station"
    sdb = open_folder(folder, rubrics=True)
    ident = load_identity(data)
    assert ident is not None
    import_bundle(sdb, folder, request, passphrase=STATION_PASS, ca_fingerprint=keys.fingerprint(ident.ca))
    return data, db, plan_id, orgs, keyring, folder, sdb


def test_a_station_writes_only_its_own_self_assessment(centre, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, _db, _plan_id, orgs, _keyring, folder, sdb = _station_ready(centre, tmp_path)
    store = EvaluationStore(sdb, "李站长")
    with pytest.raises(UsageError, match="不能新建检查评估"):
        store.create(SICHUAN, orgs[0], "inspection")
    with pytest.raises(UsageError, match="其他机构"):
        store.create(SICHUAN, orgs[1], "self")
    # nothing signed yet: nothing to send (the centre compares signed figures only)
    eval_id = start_self_assessment(sdb)
    with pytest.raises(UsageError, match="没有已签署的自查自评"):
        export_bundle(
            sdb, folder, unlock_identity(folder, STATION_PASS), SELF_RESULTS, tmp_path / "x.inspbundle"
        )
    # a station cannot send a results bundle (of an inspection)
    with pytest.raises(UsageError, match="自查自评数据包"):
        export_bundle(
            sdb, folder, unlock_identity(folder, STATION_PASS), "results", tmp_path / "y.inspbundle"
        )
    assert start_self_assessment(sdb) == eval_id  # the same one, opened once
    sdb.conn.close()


def test_the_centre_refuses_a_station_sending_an_inspection(centre, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A hostile station folder (its guard bypassed) sends an inspection and another station's
    self-assessment: the centre refuses the whole bundle under rule 'station', naming the member."""
    data, db, _plan_id, orgs, keyring, folder, sdb = _station_ready(centre, tmp_path)
    sdb.conn.execute("DELETE FROM meta WHERE key = 'folder_role'")  # the local guard, bypassed
    other = db.conn.execute("SELECT id, name, code FROM orgs WHERE id = ?", (orgs[1],)).fetchone()
    insert_org(sdb.conn, other[0], other[1], other[2], {})
    store = EvaluationStore(sdb, "李站长")
    for kind, org in (("inspection", orgs[0]), ("self", orgs[1])):
        e = store.create(SICHUAN, org, kind)
        _fill(store, e.id, store.rubric(SICHUAN, e.rubric_version), random.Random(3), 1.0)
        store.sign(e.id, [{"name": "李站长"}])
        sdb.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('folder_role', 'station')")
        out = tmp_path / f"{kind}.inspbundle"
        # the station's export only sends its own: gather by hand as a forger would
        from inspector.bundles.export import seal, write_bundle
        from inspector.bundles.gather import results_content
        from inspector.crypto.identity import find_recipient

        station_keys = unlock_identity(folder, STATION_PASS)
        content = results_content(sdb, folder, find_recipient(sdb, None), [e.id], True)
        _m, members = seal(content, SELF_RESULTS, station_keys, store.device, find_recipient(sdb, None))
        write_bundle(out, members)
        before = db.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
        with pytest.raises(BundleError) as refused:
            import_bundle(db, data, out, keyring=keyring)
        assert "鉴定站（所）只能填写本站的自查自评" in refused.value.message
        assert refused.value.where.startswith("changes.jsonl")
        assert db.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == before
        sdb.conn.execute("DELETE FROM meta WHERE key = 'folder_role'")
    sdb.conn.close()


def test_a_station_folder_takes_only_requests_and_stays_one_station(centre, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, db, plan_id, orgs, keyring, folder, sdb = _station_ready(centre, tmp_path)
    # a second request for another organisation is refused at this station's folder
    issue_for_station(db, data / "ca", CA_PASS, orgs[1], "周站长", STATION_PASS)
    other = tmp_path / "other.inspbundle"
    export_bundle(db, data, keyring, SELF_REQUEST, other, plan_id=plan_id, org=orgs[1])
    with pytest.raises(BundleError):
        import_bundle(sdb, folder, other, passphrase=STATION_PASS)
    assert station_org(sdb.conn) == orgs[0]
    # the centre's request is for the plan's stations only
    outsider = add_org(db, "不在计划中的站", "9999Z")
    issue_for_station(db, data / "ca", CA_PASS, outsider["id"], "某人", STATION_PASS)
    with pytest.raises(UsageError, match="不在本计划"):
        export_bundle(
            db, data, keyring, SELF_REQUEST, tmp_path / "z.inspbundle", plan_id=plan_id, org=outsider["id"]
        )
    sdb.conn.close()


def test_no_deadline_when_the_rulebook_sets_none(centre) -> None:  # type: ignore[no-untyped-def]
    from inspector.centre.plans import get_plan
    from inspector.centre.self_requests import request_state, self_assessment_deadline

    _data, db, plan_id, _orgs = centre
    deadline = self_assessment_deadline(db, get_plan(db, plan_id))
    assert deadline is not None and deadline.day == dt.date(2026, 4, 30)
    assert deadline.source["article"] == "三" and "自查自评" in deadline.source["quote"]
    fujian = new_plan(db, "fujian-2021-supervision-record", "福建专项督导", "routine", year=2026)
    assert self_assessment_deadline(db, fujian) is None
    # a plan whose period begins after 4月30日 (a second half) holds no station to that day
    autumn = new_plan(db, SICHUAN, "下半年检查评估", "routine", year=2026, starts="2026-10-01")
    assert self_assessment_deadline(db, autumn) is None
    spring = new_plan(db, SICHUAN, "上半年检查评估", "routine", year=2026, starts="2026-03-01")
    assert self_assessment_deadline(db, spring).day == dt.date(2026, 4, 30)  # type: ignore[union-attr]
    # 4月30日前: the day itself is in time; unanswered after it is late; no deadline, never late
    assert request_state(dt.date(2026, 4, 30), None, dt.date(2026, 4, 30)) == "sent"
    assert request_state(dt.date(2026, 4, 30), None, dt.date(2026, 5, 1)) == "late"
    assert request_state(None, None, dt.date(2030, 1, 1)) == "sent"


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda r: r.pop("plan"), "plan"),
        (lambda r: r["org"].update(id=7), "org.id"),
        (lambda r: r["rubric"].update(version="1"), "rubric.version"),
        (lambda r: r["deadline"].update(date="2026-02-30"), "deadline.date"),
        (lambda r: r["representative"].pop("certificate"), "representative.certificate"),
    ],
)
def test_a_bad_request_is_refused_naming_the_member_and_key(edit, key) -> None:  # type: ignore[no-untyped-def]
    import json

    from inspector.bundles.self_assessment import read_request

    request = {
        "plan": {"id": "p", "title": "计划", "year": 2026},
        "org": {"id": "o", "name": "站", "code": None},
        "rubric": {"id": SICHUAN, "version": 1, "hash": "h"},
        "deadline": {"date": "2026-04-30", "quote": "（一）自查自评（4月30日前）"},
        "representative": {"name": "李站长", "certificate": "ab"},
    }
    assert read_request({"request.json": json.dumps(request).encode()})["org"]["id"] == "o"
    edit(request)
    with pytest.raises(BundleError) as refused:
        read_request({"request.json": json.dumps(request).encode()})
    assert refused.value.where == "request.json" and key in refused.value.message
    with pytest.raises(BundleError, match="JSON"):
        read_request({"request.json": b"{"})


def test_no_self_assessment_request_to_an_employer_the_form_does_not_score(centre, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """重庆 延续备案通知 一；三（二）1 (the rulebook's unscored_review): an employer (用人单位) is reviewed,
    not scored on 附件3; the centre sent it the form to score itself all the same. Now refused with
    the rule's clause, as the plan's start-eval and eval new are."""
    data, db, _plan, _orgs = centre
    keyring = unlock_identity(data, CA_PASS)
    employer = add_org(db, "重庆某集团公司", "50E001")["id"]
    set_register(db, employer, {"applicant_type": "用人单位"})
    plan = new_plan(db, "chongqing-2024-renewal", "2026年延续备案", "routine", year=2026)
    add_target(db, plan.id, employer)
    issue_for_station(db, data / "ca", CA_PASS, employer, "赵经理", STATION_PASS)
    out = tmp_path / "employer.inspbundle"
    with pytest.raises(UsageError, match=r"只审核、不评分.*三（二）1"):
        export_bundle(db, data, keyring, SELF_REQUEST, out, plan_id=plan.id, org=employer)
    assert not out.exists() and requests_for_plan(db, plan.id) == []
