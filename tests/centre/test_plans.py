"""Plans and the dispatch through the store: rules never broken, reproducible, blocked draws explained,
record deadlines on the Chinese calendar, the published record."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.centre.dispatch import certificate_last_day
from inspector.centre.people import add_person, list_people, set_active
from inspector.centre.plans import (
    add_target,
    assigned,
    cancel_target,
    dispatches,
    explain_dispatch,
    get_dispatch,
    link_evaluation,
    run_dispatch,
    start_evaluation,
    targets,
    verify_dispatch,
    withdraw,
)
from inspector.errors import DispatchError, NotFoundError, StoreError, UsageError
from inspector.folder import open_folder
from inspector.store.changes import loads
from inspector.store.db import DB_NAME
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from tests.centre.rulebook_helpers import new_plan
from tests.centre_support import new_db

D = date.fromisoformat
RUBRIC = "sichuan-2017-inspection"
DAYS = ["2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]


@dataclass(frozen=True)
class Base:
    folder: Path
    plan: str
    orgs: list[str]
    people: list[str]


def _base(folder: Path) -> Base:
    """12 organisations, 24 people (cards of every age, employers, roles, both kinds, one
    suspended), a history in which three people were on each of org 0's last three supervisions."""
    db = new_db(folder)
    orgs = [add_org(db, f"机构{i:02d}", f"ORG-{i:02d}")["id"] for i in range(12)]
    people = []
    for i in range(24):
        issued = ["2023-03-05", "2023-03-06", "2024-01-01", "2025-06-01", "2026-03-05", "2020-01-01"][i % 6]
        p = add_person(
            db,
            name=f"督导{i:02d}",
            kind="external" if i % 3 else "internal",
            cert_no=f"CARD-{i:02d}",
            cert_issued=issued,
            employer_org=orgs[i % 12] if i % 4 == 0 else None,
            roles=[(orgs[(i + 5) % 12], "assessor")] if i % 5 == 0 else (),
        )
        people.append(p.id)
    set_active(db, people[7], False, "暂停")
    store = EvaluationStore(db, "测试")
    for day in ("2025-05-06", "2025-08-12", "2025-11-18"):
        team = [{"name": "x", "person_id": p} for p in people[1:4]]
        store.create(RUBRIC, orgs[0], visit_date=day, team=team)
    plan = new_plan(db, RUBRIC, "2026年春季日常督导", "routine")
    for i, org in enumerate(orgs):
        add_target(db, plan.id, org, DAYS[i % 4])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return Base(folder, plan.id, orgs, people)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return _base(tmp_path_factory.mktemp("base") / "data")


def _copy(folder: Path, target: Path) -> sqlite_utils.Database:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(folder / DB_NAME, target / DB_NAME)
    return open_folder(target)


# ---------------------------------------------------------------- an independent statement of the rules


def card_valid(issued: date, until: date | None, day: date) -> bool:
    if day < issued:
        return False
    if until is not None:
        return day <= until
    # 民法典 第二百零一、二百零二条: through the corresponding day three years on
    return day <= certificate_last_day(issued)


def visits(conn: sqlite3.Connection) -> set[tuple[str, str, date]]:
    """Every (person, org, day) on record: current teams and evaluations naming the person."""
    out = set()
    for person, org, day in conn.execute(
        "SELECT m.person_id, a.org_id, a.visit_date FROM assignment_members m JOIN assignments a"
        " ON a.dispatch_id = m.dispatch_id AND a.org_id = m.org_id WHERE a.withdrawn_at IS NULL"
    ):
        out.add((person, org, D(day)))
    for org, day, team in conn.execute(
        "SELECT org_id, visit_date, team FROM evaluations WHERE kind != 'self'"
    ):
        for m in loads(team):
            if m.get("person_id") and day:
                out.add((m["person_id"], org, D(day)))
    return out


def check_rules(db: sqlite_utils.Database, dispatch_id: str, team_size: int, kind: str | None = None) -> None:
    conn = db.conn
    people = {p.id: p for p in list_people(db)}
    everything = visits(conn)
    drawn = conn.execute(
        "SELECT org_id, visit_date FROM assignments WHERE dispatch_id = ?", (dispatch_id,)
    ).fetchall()
    assert drawn
    for org, day_text in drawn:
        day = D(day_text)
        team = [
            r[0]
            for r in conn.execute(
                "SELECT person_id FROM assignment_members WHERE dispatch_id = ? AND org_id = ?"
                " ORDER BY position",
                (dispatch_id, org),
            )
        ]
        assert len(team) == len(set(team)) == team_size
        # the org's earlier supervisions, as sets of people, oldest first
        earlier: dict[date, set[str]] = {}
        for person, o, d in everything:
            if o == org and d < day:
                earlier.setdefault(d, set()).add(person)
        last_three = [earlier[d] for d in sorted(earlier)[-3:]]
        for pid in team:
            p = people[pid]
            assert p.active, p.name
            assert card_valid(p.cert_issued, p.cert_valid_until, day), (p.name, day)
            assert p.employer_org != org, p.name
            assert org not in p.roles_at, p.name
            assert kind is None or p.kind == kind
            assert not (len(last_three) == 3 and all(pid in s for s in last_three)), ("rotation", p.name)
            same_day = [(o, d) for person, o, d in everything if person == pid and d == day]
            assert same_day == [(org, day)], ("same day", p.name, same_day)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.one_of(
        st.integers(min_value=0, max_value=10**9), st.text(min_size=1, max_size=8).filter(str.strip)
    )
)
def test_dispatch_through_the_store_never_breaks_a_rule(base: Base, seed: int | str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = _copy(base.folder, Path(tmp) / "data")
        try:
            rec = run_dispatch(db, base.plan, team_size=2, seed=seed)
            check_rules(db, rec.id, 2)
            assert verify_dispatch(db, rec.id) == []
        finally:
            db.conn.close()


def test_rules_hold_for_an_external_only_special_draw(base: Base, tmp_path: Path) -> None:
    db = _copy(base.folder, tmp_path / "data")
    plan = new_plan(db, RUBRIC, "专项督导", "special")
    for org in base.orgs[:2]:
        add_target(db, plan.id, org, "2026-03-10")
    with pytest.raises(UsageError, match="3 名及以上"):
        run_dispatch(db, plan.id, team_size=2, seed=1)
    rec = run_dispatch(db, plan.id, team_size=3, seed=1, kind_required="external")
    check_rules(db, rec.id, 3, "external")


def test_org0_meets_none_of_its_three_time_supervisors(base: Base, tmp_path: Path) -> None:
    org0 = base.orgs[0]
    for seed in range(20):
        db = _copy(base.folder, tmp_path / str(seed))
        run_dispatch(db, base.plan, team_size=3, seed=seed)
        assert not set(assigned(db, base.plan)[org0].team) & set(base.people[1:4])
        db.conn.close()


def test_the_same_seed_and_pool_give_the_same_teams(base: Base, tmp_path: Path) -> None:
    plan = base.plan
    results = []
    for name in ("a", "b"):
        db = _copy(base.folder, tmp_path / name)
        rec = run_dispatch(db, plan, team_size=2, seed="2026-春")
        results.append(rec.record["assignments"])
        assert rec.seed == "2026-春"
    assert results[0] == results[1]
    db = _copy(base.folder, tmp_path / "c")
    other = run_dispatch(db, plan, team_size=2, seed="2026-夏").record["assignments"]
    assert [a["team"] for a in other] != [a["team"] for a in results[0]]


def test_the_published_record(base: Base, tmp_path: Path) -> None:
    db = _copy(base.folder, tmp_path / "data")
    rec = run_dispatch(db, base.plan, team_size=2, seed=7)
    r = rec.record
    assert r["seed"] == "7" and r["team_size"] == 2 and r["plan"]["kind"] == "routine"
    assert len(r["roster"]) == 23  # the suspended person is in no pool
    assert [p["id"] for p in r["roster"]] == sorted(p["id"] for p in r["roster"])
    history = next(p for p in r["roster"] if p["id"] == base.people[1])["history"]
    assert [base.orgs[0], "2025-11-18"] in history
    for a in rec.assignments:
        assert set(a["team"]) <= set(a["pool"]) and a["pool"] == sorted(a["pool"])
    # the record is never changed once stored
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("UPDATE dispatches SET seed = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("DELETE FROM dispatches")
    assert verify_dispatch(db, rec.id) == []


def test_a_blocked_draw_says_which_rule_and_stores_nothing(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站", "A")["id"]
    add_person(db, name="过期", kind="external", cert_no="1", cert_issued="2020-01-01")
    add_person(db, name="职工", kind="external", cert_no="2", cert_issued="2025-01-01", employer_org=org)
    add_person(
        db, name="考评员", kind="external", cert_no="3", cert_issued="2025-01-01", roles=[(org, "assessor")]
    )
    add_person(db, name="可用", kind="external", cert_no="4", cert_issued="2025-01-01")
    plan = new_plan(db, RUBRIC, "计划", "routine")
    add_target(db, plan.id, org)
    with pytest.raises(DispatchError) as e:
        run_dispatch(db, plan.id, date="2026-03-03", team_size=2, seed=1)
    message = str(e.value)
    assert "\n" not in message
    for words in (
        "仅 1 人（需要 2 人）",
        "证卡无效 1 人（过期）",
        "回避：本单位职工 1 人（职工）",
        "考评或考务 1 人（考评员）",
    ):
        assert words in message, message
    assert dispatches(db, plan.id) == []
    assert [t.state for t in targets(db, plan.id)] == ["planned"]
    assert targets(db, plan.id)[0].visit_date is None
    # The window's explanation: the same draw, stored nowhere, with every exclusion and its rule.
    why = explain_dispatch(db, plan.id, date="2026-03-03", team_size=2, seed=1)
    assert why.assignments == [] and len(why.blocked) == 1
    blocked = why.blocked[0]
    # the refusal names the station as the clerk knows it (by name, as the window's dialog does)
    assert dataclasses.replace(blocked, org_id="甲站").message() in message and org not in message
    assert {e.name: [r.value for r, _text in e.reasons] for e in blocked.excluded} == {
        "过期": ["certificate"],
        "职工": ["recusal_employer"],
        "考评员": ["recusal_role"],
    }
    assert dispatches(db, plan.id) == []
    ok = explain_dispatch(db, plan.id, date="2026-03-03", team_size=1, seed=1)
    assert not ok.blocked and ok.assignments[0].team[0] in {p.id for p in list_people(db)}
    assert dispatches(db, plan.id) == []


@pytest.mark.parametrize(
    ("visit", "due"),
    [
        ("2025-09-30", "2025-10-14"),  # National Day 2025: 10-01..08 off, Saturday 10-11 worked
        ("2025-09-26", "2025-10-10"),  # Sunday 09-28 worked
        ("2026-02-13", "2026-02-27"),  # Spring Festival 2026: Saturday 02-14 worked, 02-15..23 off
        ("2026-02-11", "2026-02-25"),
        ("2026-12-24", "2026-12-31"),  # the last deadline the calendar data reaches
    ],
)
def test_record_due_on_the_chinese_calendar(tmp_path: Path, visit: str, due: str) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")["id"]
    add_person(db, name="张三", kind="external", cert_no="1", cert_issued="2025-01-01")
    plan = new_plan(db, RUBRIC, "计划", "routine")
    add_target(db, plan.id, org, visit)
    rec = run_dispatch(db, plan.id, team_size=1, seed=1)
    assert rec.record["assignments"][0]["record_due"] == due
    assert assigned(db, plan.id)[org].record_due == D(due)


def test_a_deadline_beyond_the_holiday_data_is_left_unknown_not_guessed(tmp_path: Path) -> None:
    """Next year's holiday arrangement is published in November: the draw goes on, the due date
    of a visit whose 5th working day falls in an uncovered year stays empty until the data exists."""
    db = new_db(tmp_path / "data")
    early, late = add_org(db, "甲站")["id"], add_org(db, "乙站")["id"]
    add_person(db, name="张三", kind="external", cert_no="1", cert_issued="2025-01-01")
    add_person(db, name="李四", kind="external", cert_no="2", cert_issued="2025-01-01")
    plan = new_plan(db, RUBRIC, "计划", "routine")
    add_target(db, plan.id, early, "2026-12-01")
    add_target(db, plan.id, late, "2026-12-25")  # the 5th working day after falls in 2027
    rec = run_dispatch(db, plan.id, team_size=1, seed=1)
    due = {a["org"]: a["record_due"] for a in rec.record["assignments"]}
    assert due == {early: "2026-12-08", late: None}
    assert assigned(db, plan.id)[late].record_due is None


def test_targets_dates_and_successive_draws(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    a, b, c = (add_org(db, n)["id"] for n in ("甲站", "乙站", "丙站"))
    for i in range(6):
        add_person(db, name=f"督导{i}", kind="external", cert_no=str(i), cert_issued="2025-01-01")
    plan = new_plan(db, RUBRIC, "计划", "routine", starts="2026-03-01", ends="2026-03-31")
    assert plan.year == 2026
    with pytest.raises(UsageError, match="没有待抽取"):  # nothing added yet
        run_dispatch(db, plan.id, team_size=2, seed=1)
    with pytest.raises(UsageError, match="不在计划期间"):
        add_target(db, plan.id, a, "2026-04-01")
    add_target(db, plan.id, a, "2026-03-10")
    add_target(db, plan.id, b)
    with pytest.raises(UsageError, match="已在本计划中"):
        add_target(db, plan.id, b)
    with pytest.raises(NotFoundError):
        add_target(db, plan.id, "no-such-org")
    with pytest.raises(UsageError, match="没有督导日期"):
        run_dispatch(db, plan.id, team_size=2, seed=1)
    first = run_dispatch(db, plan.id, team_size=2, seed=1, date="2026-03-12")
    assert {(x["org"], x["date"]) for x in first.record["assignments"]} == {
        (a, "2026-03-10"),
        (b, "2026-03-12"),
    }
    # drawn already: said so, naming the published record (not "add organisations first")
    with pytest.raises(UsageError, match=f"都已抽取.*{first.id}") as refused:
        run_dispatch(db, plan.id, team_size=2, seed=1)
    assert "没有待抽取" not in str(refused.value)
    add_target(db, plan.id, c, "2026-03-12")
    second = run_dispatch(db, plan.id, team_size=2, seed=1)
    assert [x["org"] for x in second.record["assignments"]] == [c]
    # nobody is on two teams on 03-12 (the first draw is history for the second)
    teams = assigned(db, plan.id)
    assert not set(teams[b].team) & set(teams[c].team)
    # a withdrawn team stays on record; the target is drawn again
    withdraw(db, plan.id, a, "督导员生病")
    assert a not in assigned(db, plan.id)
    third = run_dispatch(db, plan.id, team_size=2, seed=2)
    assert [x["org"] for x in third.record["assignments"]] == [a]
    assert len(get_dispatch(db, first.id).record["assignments"]) == 2
    cancel_target(db, plan.id, c, "机构已注销")
    assert c not in assigned(db, plan.id)
    assert {t.org_id: t.state for t in targets(db, plan.id)}[c] == "cancelled"


def test_start_and_link_evaluations(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org, other = add_org(db, "甲站")["id"], add_org(db, "乙站")["id"]
    for i in range(3):
        add_person(db, name=f"督导{i}", kind="external", cert_no=str(i), cert_issued="2025-01-01")
    plan = new_plan(db, RUBRIC, "计划", "routine")
    add_target(db, plan.id, org, "2026-03-10")
    add_target(db, plan.id, other, "2026-03-10")
    with pytest.raises(UsageError, match="请先抽取"):
        start_evaluation(db, plan.id, org)
    run_dispatch(db, plan.id, team_size=1, seed=3)
    e = start_evaluation(db, plan.id, org, "中心")
    team = assigned(db, plan.id)[org].team
    assert e.visit_date == "2026-03-10" and [m["person_id"] for m in e.team] == list(team)
    assert e.team[0]["role"] == "组长"
    assert {t.org_id: t.eval_id for t in targets(db, plan.id)}[org] == e.id
    with pytest.raises(UsageError, match="已有评估"):
        start_evaluation(db, plan.id, org)
    store = EvaluationStore(db, "x")
    wrong = store.create(RUBRIC, org, "self")
    with pytest.raises(StoreError):
        link_evaluation(db, plan.id, other, wrong.id)
    laptop = store.create(RUBRIC, other, visit_date="2026-03-10")
    link_evaluation(db, plan.id, other, laptop.id)


def test_large_draws_stay_inside_the_rules(tmp_path: Path) -> None:
    """Many targets on few days: the same-day rule does the work."""
    db = new_db(tmp_path / "data")
    orgs = [add_org(db, f"机构{i}")["id"] for i in range(30)]
    for i in range(40):
        add_person(db, name=f"督导{i}", kind="external", cert_no=str(i), cert_issued="2025-01-01",
                   employer_org=orgs[i % 30] if i % 2 else None)  # fmt: skip
    plan = new_plan(db, RUBRIC, "计划", "routine")
    start = D("2026-03-02")
    for i, org in enumerate(orgs):
        add_target(db, plan.id, org, (start + timedelta(days=i % 3)).isoformat())
    rec = run_dispatch(db, plan.id, team_size=3, seed="big")
    check_rules(db, rec.id, 3)
