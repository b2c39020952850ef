"""The set-based desk and statistics (issue 18 S1/S3) against the computation they replaced.

tests/centre/results_oracle.py and stats_oracle.py are the code as it was before (one Evaluation
object per target, the whole register entry per station, every counted evaluation read into an
object); they are the oracle. A folder with the demo in it, plus a plan of every kind of target the
desk knows (signed, vetoed, failed with and without a notice, draft, complete, in conflict, amended,
linked, found by the plan's period, missing, cancelled, with a self-assessment typed in), a Chongqing
plan (an employer reviewed, not scored, one scored outside the plan, a school scored, an applicant
without a type) and a Henan plan (the group's verdicts, demonstration): every plan's JSON, on several
days and with several re-check draws, and the statistics of every scope, must be the same bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import random
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from inspector.centre import results_json
from inspector.centre.plans import add_target, cancel_target, link_evaluation, list_plans, new_plan
from inspector.centre.rectifications import open_rectification
from inspector.centre.register import set_register
from inspector.centre.results import plan_desk, plan_results
from inspector.centre.results_json import desk_json_chunks
from inspector.centre.reviews import record_review
from inspector.centre.stats import statistics
from inspector.centre.verdicts import record_verdict
from inspector.cli import common
from inspector.store.changes import OBSERVE, Change
from inspector.store.db import transaction
from inspector.store.demo import _fill
from inspector.store.evaluations import EvaluationStore
from inspector.store.log import apply_change
from inspector.store.orgs import add_org
from tests.centre import results_oracle, stats_oracle
from tests.centre_support import copy_folder, demo_folder

SC, CQ, HN = "sichuan-2017-inspection", "chongqing-2024-renewal", "henan-2011-quality"
SIGNERS = [{"name": "张建国", "role": "组长"}]


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _station(db: sqlite_utils.Database, name: str, n: int, **more: Any) -> str:
    org = add_org(db, name, f"EQ{n:03d}")["id"]
    fields: dict[str, Any] = {"region": f"市{n % 3}", "category": "ABC"[n % 3]}
    if n % 2:
        fields["appraisals"] = [{"year": 2025, "occupation": "电工", "junior": 3, "senior": n}]
    fields.update(more)
    set_register(db, org, fields)
    return org


def _evaluation(
    store: EvaluationStore,
    rubric: str,
    org: str,
    quality: float,
    day: str | None,
    kind: str = "inspection",
) -> str:
    e = store.create(rubric, org, kind, visit_date=day)
    _fill(
        store,
        e.id,
        store.rubric(rubric, e.rubric_version),
        random.Random(len(org) + int(quality * 100)),
        quality,
    )
    return e.id


def _rival(store: EvaluationStore, eval_id: str, item: str, payload: dict[str, Any]) -> None:
    """Another laptop's concurrent mark of the same item: a conflict until resolved."""
    parents = store.changes(eval_id, item)[0].parents  # made beside our first mark, not after it
    theirs = Change(
        id=uuid.uuid4().hex,
        eval_id=eval_id,
        item_id=item,
        kind=OBSERVE,
        payload=payload,
        parents=parents,
        author="李四",
        device_id="laptop-b",
        device_seq=1,
        wall_time="2026-03-02T10:00:00.000+08:00",
        prev_hash="0" * 64,
    ).sealed()
    with transaction(store.db) as conn:
        apply_change(conn, theirs, store.rubric)


def _varied(db: sqlite_utils.Database) -> None:
    store = EvaluationStore(db, "张建国")
    plan = new_plan(db, SC, "等价测试", "routine", starts="2026-01-01", ends="2026-12-31")
    orgs = [_station(db, f"等价站{n:02d}", n) for n in range(14)]
    for n, org in enumerate(orgs):
        add_target(db, plan.id, org, None if n in (6, 7, 12) else f"2026-03-{n + 1:02d}")
    day = [f"2026-03-{n + 1:02d}" for n in range(14)]
    # 0: signed, passing, with a self-assessment typed in at the centre that differs
    e = _evaluation(store, SC, orgs[0], 0.95, day[0])
    store.sign(e, SIGNERS)
    _evaluation(store, SC, orgs[0], 1.0, day[0], "self")
    # 1: signed with a veto found (fails): a notice is due
    e = _evaluation(store, SC, orgs[1], 0.97, day[1])
    store.set_veto(e, "V2", True, "伪造证书信息2份")
    store.sign(e, SIGNERS)
    # 2: signed, failing on points, a notice sent
    e = _evaluation(store, SC, orgs[2], 0.3, day[2])
    store.sign(e, SIGNERS)
    open_rectification(db, e, notice_sent="2026-04-01", months=3, plan_id=plan.id)
    # 3: a draft (a third answered); 4: complete, not signed
    e = store.create(SC, orgs[3], "inspection", visit_date=day[3]).id
    _fill(store, e, store.rubric(SC, store.get(e).rubric_version), random.Random(1), 0.8, upto=20)
    _evaluation(store, SC, orgs[4], 0.8, day[4])
    # 5: complete but in conflict with another laptop's mark
    e = _evaluation(store, SC, orgs[5], 0.9, day[5])
    first = next(iter(store.rubric(SC, store.get(e).rubric_version).items()))
    _rival(store, e, first.id, {"met": False} if first.rule.kind == "check" else {"problems": 2})
    # 6 (no day): found by the plan's period; 7 (no day): outside it, so none
    e = _evaluation(store, SC, orgs[6], 0.92, "2026-05-05")
    store.sign(e, SIGNERS)
    _evaluation(store, SC, orgs[7], 0.92, "2025-05-05")
    cancel_target(db, plan.id, orgs[7], "机构已注销")
    # 8: signed, then amended (the latest revision is the target's result)
    e = _evaluation(store, SC, orgs[8], 0.99, day[8])
    store.sign(e, SIGNERS)
    store.amend(e, "补充现场记录")
    # 9: linked by hand, a different visit day
    e = _evaluation(store, SC, orgs[9], 0.85, "2026-02-02")
    store.sign(e, SIGNERS)
    link_evaluation(db, plan.id, orgs[9], e)
    # 10: no evaluation at all; 11: cancelled (its evaluation is still shown)
    e = _evaluation(store, SC, orgs[11], 0.9, day[11])
    cancel_target(db, plan.id, orgs[11], "机构已合并")
    # 12 (no day): a self-assessment only; 13: signed with a station that flatters itself by much
    _evaluation(store, SC, orgs[12], 0.9, "2026-06-01", "self")
    e = _evaluation(store, SC, orgs[13], 0.6, day[13])
    store.sign(e, SIGNERS)
    _evaluation(store, SC, orgs[13], 1.0, day[13], "self")

    # Chongqing 三（二）: an employer reviewed (and scored outside the plan), a school scored, no type
    cq = new_plan(db, CQ, "等价·延续备案", "routine")
    employer = _station(db, "等价集团公司", 50, applicant_type="用人单位", application_received="2026-09-25")
    school = _station(db, "等价技师学院", 51, applicant_type="技工院校", application_received="2026-09-25")
    untyped = _station(db, "等价无类型", 52, filing_expires="2026-12-31")
    for org in (employer, school, untyped):
        add_target(db, cq.id, org, None)
    e = _evaluation(store, CQ, school, 0.97, "2026-10-09")
    store.sign(e, SIGNERS)
    link_evaluation(db, cq.id, school, e)
    record_review(db, cq.id, employer, "eligible", "申报材料齐全", "2026-10-12", "审核员")
    e = _evaluation(store, CQ, employer, 0.9, "2026-10-09")
    store.sign(e, SIGNERS)

    # Henan 2011: no pass line, the group's verdicts and recommendations
    hn = new_plan(db, HN, "等价·河南", "routine")
    for n, (quality, verdict) in enumerate(((0.95, "pass"), (0.6, "fail"), (0.9, None))):
        org = _station(db, f"等价所{n}", 60 + n)
        add_target(db, hn.id, org, "2026-03-02")
        e = _evaluation(store, HN, org, quality, "2026-03-02")
        store.sign(e, SIGNERS)
        link_evaluation(db, hn.id, org, e)
        if verdict == "pass":
            record_verdict(db, e, "pass", "各项制度健全", recommend=True, opinion="推荐参加示范评估")
        elif verdict:
            record_verdict(db, e, "fail", "档案管理缺失严重")


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = demo_folder(tmp_path_factory.mktemp("eq") / "data")
    from inspector.folder import open_folder

    opened = open_folder(folder)
    _varied(opened)
    opened.conn.close()
    return folder


@pytest.fixture
def db(varied: Path, tmp_path: Path) -> sqlite_utils.Database:
    return copy_folder(varied, tmp_path / "data")


def test_every_plans_desk_is_the_same_bytes_as_before(db: sqlite_utils.Database) -> None:
    plans = list_plans(db)
    assert {"等价测试", "等价·延续备案", "等价·河南"} <= {p.title for p in plans}
    seen: set[str] = set()
    for p in plans:
        for on in (dt.date(2026, 3, 1), dt.date(2026, 10, 14), dt.date(2026, 11, 22), dt.date(2027, 6, 1)):
            for seed, share in ((None, Decimal("0.1")), ("甲", Decimal("0.5")), ("乙", Decimal(1))):
                new = plan_results(db, p.id, on=on, recheck_seed=seed, recheck_share=share)
                old = results_oracle.plan_results(db, p.id, on=on, recheck_seed=seed, recheck_share=share)
                assert _text(new.as_json()) == _text(old.as_json()), (p.title, on, seed)
                # the typed rows the window and the workbook read, field by field
                assert [dataclasses.astuple(t) for t in new.targets] == [
                    dataclasses.astuple(t) for t in old.targets
                ]
                assert new.rectification_months == old.rectification_months
                # rows made without the dataclass's __init__ are the same immutable, comparable rows
                for t in new.targets[:3]:
                    assert t == dataclasses.replace(t) and hash(t) == hash(dataclasses.replace(t))
                    with pytest.raises(dataclasses.FrozenInstanceError):
                        t.state = "signed"  # type: ignore[misc]
                seen.update(t.state for t in new.targets)
    # the folder has what the comparison is meant to cover
    assert {"signed", "draft", "complete", "planned", "cancelled", "reviewed"} <= seen


def _compact(value: Any) -> str:
    """The document as ``emit_json`` writes it above ``INDENT_UP_TO``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=common.json_default)


def test_the_streamed_json_is_the_same_text_as_the_whole_document(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``results --json`` of a large plan is written in pieces from the desk's plain rows (issue 18
    S3): joined, they are the compact text of the whole document the code before made."""
    for chunk, cache in ((results_json.CHUNK, results_json._CACHE_LIMIT), (2, 1)):
        # small chunks and a cache cleared at every new part: the joins and the refills are exercised
        monkeypatch.setattr(results_json, "CHUNK", chunk)
        monkeypatch.setattr(results_json, "_CACHE_LIMIT", cache)
        for p in list_plans(db):
            for on in (dt.date(2026, 3, 1), dt.date(2026, 11, 22), dt.date(2027, 6, 1)):
                for seed, share in ((None, Decimal("0.1")), ("乙", Decimal(1))):
                    desk = plan_desk(db, p.id, on=on, recheck_seed=seed, recheck_share=share)
                    old = results_oracle.plan_results(db, p.id, on=on, recheck_seed=seed, recheck_share=share)
                    pieces = list(desk_json_chunks(desk, default=common.json_default))
                    assert "".join(pieces) == _compact(old.as_json()), (p.title, on, seed, chunk)
                    assert _text(desk.as_json()) == _text(old.as_json())  # what a small document is made of


def _emitted(value: Any) -> bytes:
    """What ``emit_json`` writes for the document."""
    out = io.BytesIO()

    class Stdout:
        buffer = out

        def flush(self) -> None:
            pass

    real = sys.stdout
    sys.stdout = Stdout()  # type: ignore[assignment]
    try:
        common.emit_json(value)
    finally:
        sys.stdout = real
    return out.getvalue()


@pytest.mark.parametrize("limit", ["as shipped", "at the size", "one below", "none"])
def test_results_json_on_the_command_line_is_what_emit_json_wrote(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch, limit: str
) -> None:
    """The command's output, byte for byte, on both sides of the indenting switch: indented from the
    whole document when it is small, compact in pieces when it is large."""
    from click.testing import CliRunner

    from inspector.cli.main import cli

    folder = Path(db.conn.execute("PRAGMA database_list").fetchone()[2]).parent
    for p in list_plans(db):
        old = results_oracle.plan_results(db, p.id, on=dt.date(2026, 11, 22), recheck_seed="甲")
        size = len(_compact(old.as_json()))
        threshold = {"as shipped": common.INDENT_UP_TO, "at the size": size, "one below": size - 1, "none": 0}
        monkeypatch.setattr(common, "INDENT_UP_TO", threshold[limit])
        monkeypatch.setenv("INSPECTOR_DATA", str(folder))
        args = ["results", p.id, "--today", "2026-11-22", "--recheck-seed", "甲", "--json"]
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 0, r.output
        assert r.stdout_bytes == _emitted(old.as_json()), (p.title, limit)
        assert r.stdout_bytes.startswith(b'{\n  "plan"' if threshold[limit] >= size else b'{"plan"')


def test_the_varied_plan_covers_what_it_claims(db: sqlite_utils.Database) -> None:
    plan = next(p for p in list_plans(db) if p.title == "等价测试")
    res = plan_results(db, plan.id, on=dt.date(2026, 11, 22)).as_json()
    rows = {t["org_name"]: t for t in res["targets"]}
    assert rows["等价站01"]["vetoes"] == ["V2"] and rows["等价站01"]["rectification"] == "notice_due"
    assert rows["等价站02"]["rectification"] in {"open", "overdue"}
    assert rows["等价站00"]["self_eval"] and res["differences"]
    assert rows["等价站05"]["state"] == "draft"  # in conflict
    assert rows["等价站06"]["eval"] and rows["等价站07"]["eval"] is None
    assert rows["等价站08"]["state"] == "complete"  # the amendment (its marks copied), not the signed one
    assert rows["等价站10"]["state"] == "planned" and rows["等价站07"]["state"] == "cancelled"
    assert rows["等价站11"]["state"] == "complete"  # cancelled, but its evaluation is shown
    assert any(
        r["reason"] == "difference"
        for r in plan_results(db, plan.id, recheck_share=Decimal(0)).as_json()["recheck"]
    )


@pytest.mark.parametrize(
    "scope",
    [{}, {"signed_only": False}, {"rubric_id": SC}, {"rubric_id": CQ}, {"rubric_id": HN}, {"year": 2026},
     {"year": 2025, "signed_only": False}, {"rubric_id": SC, "year": 2026, "signed_only": False}],
)  # fmt: skip
def test_statistics_are_the_same_bytes_as_before(db: sqlite_utils.Database, scope: dict[str, Any]) -> None:
    new, old = statistics(db, **scope), stats_oracle.statistics(db, **scope)
    assert _text(new.as_json()) == _text(old.as_json())
    assert new.evaluations == old.evaluations > 0 or scope.get("year") == 2025


def test_a_yearly_plan_finds_its_years_evaluations_among_ten_years(tmp_path: Path) -> None:
    """Issue 18 S3, a province over ten years: the candidates are filtered in SQL by the target's
    visit day or the plan's period; the choice is the oracle's. Covered: a station evaluated every
    year, one evaluated twice on the visit day (the later created wins), a day stored in another form
    date.fromisoformat takes (20250707: compared as a date, not as text), the day just outside."""
    from inspector.folder import open_folder

    db = open_folder(tmp_path / "data", rubrics=True)
    store = EvaluationStore(db, "张建国")
    orgs = [_station(db, f"十年站{n}", 70 + n) for n in range(4)]
    for org in orgs[:3]:
        for year in (2023, 2024, 2025, 2026):
            _evaluation(store, SC, org, 0.9, f"{year}-07-07")
    twice = _evaluation(store, SC, orgs[1], 0.5, "2025-07-07")  # created after the first on that day
    other_form = _evaluation(store, SC, orgs[3], 0.8, "20250707")
    _evaluation(store, SC, orgs[3], 0.7, "2024-12-31")
    by_day = new_plan(db, SC, "十年·按日", "routine")
    by_period = new_plan(db, SC, "十年·按期", "routine", starts="2025-01-01", ends="2025-12-31")
    open_start = new_plan(db, SC, "十年·止于", "routine", ends="2024-12-31")
    for org in orgs:
        add_target(db, by_day.id, org, "2025-07-07")
        add_target(db, by_period.id, org, None)
        add_target(db, open_start.id, org, None)
    chosen: dict[str, dict[str, str | None]] = {}
    for p in (by_day, by_period, open_start):
        for on in (dt.date(2025, 8, 1), dt.date(2027, 1, 1)):
            new = plan_results(db, p.id, on=on)
            old = results_oracle.plan_results(db, p.id, on=on)
            assert _text(new.as_json()) == _text(old.as_json()), p.title
        chosen[p.title] = {t.org_id: t.eval_id for t in plan_desk(db, p.id).targets}
    days = {e.id: e.visit_date for e in (store.get(i) for i in _ids(db))}
    assert {days[e] for e in chosen["十年·按日"].values() if e} == {"2025-07-07"}
    assert chosen["十年·按日"][orgs[1]] == twice and chosen["十年·按期"][orgs[1]] == twice
    assert chosen["十年·按日"][orgs[3]] is None  # 20250707 is not the text of the target's day
    assert chosen["十年·按期"][orgs[3]] == other_form
    assert {days[e] for o, e in chosen["十年·按期"].items() if e and o != orgs[3]} == {"2025-07-07"}
    # no start: the latest created on or before the end (2024-12-31 itself is within: 届满 includes it)
    ends = {o: days[e] if e else None for o, e in chosen["十年·止于"].items()}
    assert ends == {**{o: "2024-07-07" for o in orgs[:3]}, orgs[3]: "2024-12-31"}
    db.conn.close()


def _ids(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT id FROM evaluations")]
