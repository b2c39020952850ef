"""Random dispatch: never breaks a rule, re-runs identically from the seed, explains a blocked draw."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.centre.dispatch import (
    Draw,
    DrawRules,
    PlanKind,
    Rule,
    Supervisor,
    SupervisorKind,
    Target,
    Visit,
    certificate_last_day,
    dispatch,
    draw,
    draw_key,
    explain,
)
from inspector.centre.workdays import add_working_days
from inspector.errors import DispatchError, UsageError

D = date.fromisoformat
VISIT = D("2026-05-08")  # a Friday


def person(
    sid: str,
    *,
    name: str | None = None,
    kind: SupervisorKind = "external",
    issued: str = "2025-01-01",
    until: str | None = None,
    employer: str | None = None,
    roles: frozenset[str] = frozenset(),
    history: tuple[tuple[str, str], ...] = (),
) -> Supervisor:
    return Supervisor(
        id=sid,
        name=name or f"姓名{sid}",
        kind=kind,
        cert_no=f"NO-{sid}",
        cert_issued=D(issued),
        cert_valid_until=D(until) if until else None,
        employer_org=employer,
        roles_at=roles,
        history=tuple(Visit(org, D(day)) for org, day in history),
    )


def one(roster: list[Supervisor], target: Target, k: int = 1, seed: str | int = "s", **kw: object) -> Draw:
    return draw(roster, [target], plan_kind="routine", team_size=k, seed=seed, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- an independent statement of the rules


def card_valid(s: Supervisor, day: date) -> bool:
    if day < s.cert_issued:
        return False
    if s.cert_valid_until is not None:
        return day <= s.cert_valid_until
    # valid strictly before the third anniversary (a 29 February card: through 28 February)
    return (day.year, day.month, day.day) < (s.cert_issued.year + 3, s.cert_issued.month, s.cert_issued.day)


def failing(
    s: Supervisor, org: str, day: date, required: str | None, past: set[tuple[str, str, date]]
) -> set[Rule]:
    """The rules ``s`` fails, given every (person, org, day) supervision so far."""
    out = set()
    if not card_valid(s, day):
        out.add(Rule.CERTIFICATE)
    if required is not None and s.kind != required:
        out.add(Rule.KIND)
    if s.employer_org == org:
        out.add(Rule.RECUSAL_EMPLOYER)
    if org in s.roles_at:
        out.add(Rule.RECUSAL_ROLE)
    org_days = sorted({d for _p, o, d in past if o == org and d < day})
    last3 = org_days[-3:]
    if len(last3) == 3 and all((s.id, org, d) in past for d in last3):
        out.add(Rule.ROTATION)
    if any(p == s.id and d == day for p, _o, d in past):
        out.add(Rule.SAME_DAY)
    return out


def check_draw(
    result: Draw,
    roster: list[Supervisor],
    targets: list[Target],
    plan_kind: str,
    team_size: int,
    required: str | None,
) -> None:
    past = {(s.id, v.org_id, v.date) for s in roster for v in s.history}
    assert list(result.order) == sorted(targets, key=lambda t: (t.date, t.org_id))
    assigned = {(a.org_id, a.date): a for a in result.assignments}
    blocked = {(b.org_id, b.date): b for b in result.blocked}
    assert len(assigned) + len(blocked) == len(targets)
    for t in result.order:
        eligible = sorted(s.id for s in roster if not failing(s, t.org_id, t.date, required, past))
        a = assigned.get((t.org_id, t.date))
        if a is None:
            b = blocked[(t.org_id, t.date)]
            assert len(eligible) < team_size
            assert list(b.pool) == eligible
            by_id = {s.id: s for s in roster}
            for e in b.excluded:
                rules = {r for r, _text in e.reasons}
                assert rules == failing(by_id[e.supervisor_id], t.org_id, t.date, required, past)
            assert len(b.excluded) == len(roster) - len(eligible)
            continue
        assert list(a.pool) == eligible  # nobody eligible is left out of the draw
        assert len(a.team) == team_size == len(set(a.team))
        assert set(a.team) <= set(eligible)
        if plan_kind == "special":
            assert len(a.team) >= 3
        assert a.record_due == add_working_days(t.date, 5)
        for p in a.team:
            past.add((p, t.org_id, t.date))
    # after the run nobody is on two organisations the same day
    per_day = Counter((p, d) for p, _o, d in past if any(a.date == d for a in result.assignments))
    for a in result.assignments:
        for p in a.team:
            assert per_day[(p, a.date)] == 1


# ---------------------------------------------------------------- property tests

ORGS = ["A", "B", "C", "D"]


# built once: strategies made inside a composite are re-validated on every draw, which is slow
# Dates as day offsets: one integer is much cheaper to generate (and shrink) than st.dates().
ISSUED = st.integers(0, 1276).map(lambda k: date(2023, 1, 1) + timedelta(days=k))  # to 2026-06-30
UNTIL_AFTER = st.none() | st.integers(0, 1500)
VISIT_DAY = st.integers(0, 200).map(lambda k: date(2025, 11, 1) + timedelta(days=k))  # to 2026-05-20
HISTORY = st.lists(st.builds(Visit, st.sampled_from(ORGS), VISIT_DAY), max_size=8)
KIND: st.SearchStrategy[SupervisorKind] = st.sampled_from(["internal", "external"])
EMPLOYER = st.none() | st.sampled_from(ORGS)
ROLES = st.frozensets(st.sampled_from(ORGS), max_size=1)


@st.composite
def rosters(draw_: st.DrawFn) -> list[Supervisor]:
    n = draw_(st.integers(0, 14))
    ids = draw_(st.permutations([f"P{i:02d}" for i in range(n)]))  # roster order is not id order
    out = []
    for sid in ids:
        issued = draw_(ISSUED)
        after = draw_(UNTIL_AFTER)
        out.append(
            Supervisor(
                id=sid,
                name=f"姓名{sid}",
                kind=draw_(KIND),
                cert_no=sid,
                cert_issued=issued,
                cert_valid_until=None if after is None else issued + timedelta(days=after),
                employer_org=draw_(EMPLOYER),
                roles_at=draw_(ROLES),
                history=tuple(draw_(HISTORY)),
            )
        )
    return out


targets_st = st.lists(
    st.builds(Target, st.sampled_from(ORGS), st.integers(0, 19).map(lambda k: VISIT + timedelta(days=k - 7))),
    max_size=10,
    unique=True,
)
seeds = st.text(min_size=1, max_size=8).filter(str.strip) | st.integers(0, 10**12)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    rosters(),
    targets_st,
    st.sampled_from(["routine", "special"]),
    st.integers(1, 4),
    st.none() | st.sampled_from(["internal", "external"]),
    seeds,
)
def test_no_draw_breaks_a_rule(
    roster: list[Supervisor],
    targets: list[Target],
    plan_kind: PlanKind,
    size: int,
    required: SupervisorKind | None,
    seed: str | int,
) -> None:
    if plan_kind == "special":
        size = max(size, 3)
    kw = {"plan_kind": plan_kind, "team_size": size, "seed": seed, "kind_required": required}
    result = draw(roster, targets, **kw)  # type: ignore[arg-type]
    check_draw(result, roster, targets, plan_kind, size, required)
    # the same inputs in any order give the same draw
    again = draw(roster[::-1], targets[::-1], **kw)  # type: ignore[arg-type]
    assert again == result
    if result.blocked:
        with pytest.raises(DispatchError) as e:
            dispatch(roster, targets, **kw)  # type: ignore[arg-type]
        assert str(e.value).startswith(result.blocked[0].message())
    else:
        done = dispatch(roster, targets, **kw)  # type: ignore[arg-type]
        assert done.assignments == result.assignments and done.seed == str(seed)


# ---------------------------------------------------------------- reproducibility and randomness

ROSTER10 = [person(f"P{i}") for i in range(10)]


def test_published_draw_reruns_identically() -> None:
    # A golden value: if this changes, draws published earlier could no longer be re-run.
    r = dispatch(ROSTER10, [Target("ORG1", VISIT)], plan_kind="special", team_size=3, seed="2026-campaign-1")
    assert r.assignments[0].team == ("P3", "P6", "P5")
    assert r.assignments[0].pool == tuple(f"P{i}" for i in range(10))


def test_the_documented_recipe() -> None:
    # What the module docstring tells the public: seed version 2 with the key, Fisher–Yates on random().
    target = Target("ORG1", VISIT)
    pool = sorted(s.id for s in ROSTER10)
    rng = random.Random()
    rng.seed("2026-campaign-1:ORG1:2026-05-08", version=2)
    assert draw_key("2026-campaign-1", target) == "2026-campaign-1:ORG1:2026-05-08"
    for i in range(3):
        j = i + int(rng.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    expected = tuple(pool[:3])
    got = dispatch(ROSTER10, [target], plan_kind="routine", team_size=3, seed="2026-campaign-1")
    assert got.assignments[0].team == expected


def test_int_and_text_seed_are_the_same_record() -> None:
    t = [Target("ORG1", VISIT)]
    assert dispatch(ROSTER10, t, plan_kind="routine", team_size=3, seed=7) == dispatch(
        ROSTER10, t, plan_kind="routine", team_size=3, seed="7"
    )


def test_different_seeds_give_different_teams() -> None:
    t = [Target("ORG1", VISIT)]
    teams = {
        dispatch(ROSTER10, t, plan_kind="routine", team_size=3, seed=s).assignments[0].team for s in range(30)
    }
    assert len(teams) > 10


def test_every_eligible_person_has_a_fair_chance() -> None:
    roster = ROSTER10[:6]
    picks: Counter[str] = Counter()
    runs = 3000
    for s in range(runs):
        picks.update(one(roster, Target("ORG1", VISIT), 2, seed=s).assignments[0].team)
    for p in roster:
        assert abs(picks[p.id] / runs - 2 / 6) < 0.04, picks


def test_targets_differ_within_one_seed() -> None:
    targets = [Target(f"ORG{i}", VISIT + timedelta(days=7 * i)) for i in range(8)]
    r = dispatch(ROSTER10, targets, plan_kind="routine", team_size=3, seed="x")
    assert len({a.team for a in r.assignments}) > 1


# ---------------------------------------------------------------- certificates


def test_default_term_is_counted_as_the_civil_code_counts() -> None:
    # 民法典 第二百零一条 (the first day is not counted), 第二百零二条 (ends on the corresponding day
    # of the last month; its last day when there is none); 福建办法 第二章二 "聘期三年"
    assert certificate_last_day(D("2023-05-10")) == D("2026-05-10")
    assert certificate_last_day(D("2024-02-29")) == D("2027-02-28")
    civil = DrawRules(card_years=3)
    s = person("P1", issued="2023-05-08")
    assert explain(s, Target("X", D("2026-05-08")), rules=civil) == []
    assert explain(s, Target("X", D("2026-05-09")), rules=civil) == ["证卡已过期（有效期至 2026-05-08）"]


def test_draws_published_before_rulebooks_keep_the_day_before_reading() -> None:
    # the legacy rules re-run old records exactly as they were drawn
    assert certificate_last_day(D("2023-05-10"), reading="anniversary_eve") == D("2026-05-09")
    s = person("P1", issued="2023-05-08")
    assert explain(s, Target("X", D("2026-05-08"))) == ["证卡已过期（有效期至 2026-05-07）"]


def test_card_expiring_the_day_before_the_visit_is_refused_on_the_day_it_is_valid() -> None:
    # A card that states its last day: that day is included (有效期至 = through that day).
    day_before = person("P1", until="2026-05-07")
    on_the_day = person("P2", until="2026-05-08")
    r = one([day_before, on_the_day], Target("X", VISIT))
    assert r.assignments[0].pool == ("P2",)
    assert explain(day_before, Target("X", VISIT)) == ["证卡已过期（有效期至 2026-05-07）"]


def test_card_not_yet_issued_is_refused() -> None:
    s = person("P1", issued="2026-05-09")
    assert explain(s, Target("X", VISIT)) == ["证卡尚未颁发（颁发日期 2026-05-09）"]
    assert explain(person("P2", issued="2026-05-08"), Target("X", VISIT)) == []


def test_bad_roster_entries_are_refused() -> None:
    with pytest.raises(UsageError, match="P1"):
        person("P1", issued="2026-05-09", until="2026-05-08")
    with pytest.raises(UsageError, match="P2"):
        person("P2", kind="visiting")  # type: ignore[arg-type]


# ---------------------------------------------------------------- recusal, kind, same day


def test_recusal_and_kind() -> None:
    roster = [
        person("P1", employer="X"),
        person("P2", roles=frozenset({"X"})),
        person("P3", kind="internal"),
        person("P4"),
    ]
    t = Target("X", VISIT)
    assert one(roster, t).assignments[0].pool == ("P3", "P4")
    assert one(roster, t, kind_required="external").assignments[0].pool == ("P4",)
    assert explain(roster[0], t) == ["回避：本单位职工"]
    assert explain(roster[1], t) == ["回避：在该机构担任内督、考评或考务工作"]
    assert explain(roster[2], t, kind_required="external") == ["类别不符：本次须由外督担任，此人为内督"]
    assert explain(roster[0], Target("Y", VISIT)) == []


def test_nobody_on_two_targets_the_same_day() -> None:
    roster = [person(f"P{i}") for i in range(3)]
    r = draw(roster, [Target("X", VISIT), Target("Y", VISIT)], plan_kind="routine", team_size=2, seed=1)
    assert len(r.assignments) == 1 and r.assignments[0].org_id == "X"  # (date, org) order: X first
    (b,) = r.blocked
    assert b.org_id == "Y" and b.count(Rule.SAME_DAY) == 2
    assert "同日已有督导任务 2 人" in b.message()


def test_a_past_visit_the_same_day_makes_a_person_busy() -> None:
    s = person("P1", history=(("Y", "2026-05-08"),))
    assert explain(s, Target("X", VISIT)) == ["同日已有督导任务：Y"]


# ---------------------------------------------------------------- rotation


def test_fourth_consecutive_supervision_is_prevented() -> None:
    three = (("X", "2025-11-03"), ("X", "2026-01-05"), ("X", "2026-03-02"))
    s = person("P1", history=three)
    reasons = explain(s, Target("X", VISIT))
    assert reasons == ["轮换：已连续 3 次督导该机构（2025-11-03、2026-01-05、2026-03-02），不能超过 3 次"]
    # two in a row is fine: 不能超过三次 allows the third
    assert explain(person("P1", history=three[1:]), Target("X", VISIT)) == []
    # other organisations in between do not break the run; rotation is about X only
    busy_elsewhere = person("P1", history=(*three, ("Y", "2026-04-01")))
    assert explain(busy_elsewhere, Target("X", VISIT)) != []
    assert explain(busy_elsewhere, Target("Y", VISIT)) == []


def test_a_supervision_by_someone_else_breaks_the_run() -> None:
    three = (("X", "2025-11-03"), ("X", "2026-01-05"), ("X", "2026-03-02"))
    s = person("P1", history=three)
    other = person("P2", history=(("X", "2026-04-01"),))
    assert explain(s, Target("X", VISIT), roster=[s, other]) == []
    # a colleague on the same teams does not break it
    colleague = person("P3", history=three)
    assert explain(s, Target("X", VISIT), roster=[s, colleague]) != []


def test_rotation_counts_teams_drawn_earlier_in_the_same_run() -> None:
    roster = [person("P1")]
    targets = [Target("X", VISIT + timedelta(days=7 * i)) for i in range(4)]
    r = draw(roster, targets, plan_kind="routine", team_size=1, seed="s")
    assert [a.date for a in r.assignments] == [t.date for t in targets[:3]]
    (b,) = r.blocked
    assert b.date == targets[3].date and b.count(Rule.ROTATION) == 1
    with pytest.raises(DispatchError, match="轮换：连续督导该机构已达上限 1 人"):
        dispatch(roster, targets, plan_kind="routine", team_size=1, seed="s")


# ---------------------------------------------------------------- blocked draws and team size


def test_special_supervision_with_fewer_than_three_eligible_is_blocked() -> None:
    roster = [
        person("P1", name="张三", until="2026-05-01"),
        person("P2", name="李四", employer="X"),
        person("P3", name="王五"),
        person("P4", name="赵六"),
    ]
    with pytest.raises(DispatchError) as e:
        dispatch(roster, [Target("X", VISIT)], plan_kind="special", team_size=3, seed="s")
    assert str(e.value) == (
        "机构 X 于 2026-05-08：合格督导员仅 2 人（需要 3 人）；"
        "被排除 2 人：证卡无效 1 人（张三）、回避：本单位职工 1 人（李四）"
    )


def test_blocked_message_counts_per_rule_and_shortens_long_lists() -> None:
    roster = [person(f"P{i}", employer="X") for i in range(5)]
    roster.append(person("Q", employer="X", until="2026-01-01"))  # fails two rules: counted under both
    b = one(roster, Target("X", VISIT)).blocked[0]
    assert b.count(Rule.RECUSAL_EMPLOYER) == 6 and b.count(Rule.CERTIFICATE) == 1
    assert (
        "被排除 6 人：证卡无效 1 人（姓名Q）、回避：本单位职工 6 人（姓名P0、姓名P1、姓名P2等）"
        in b.message()
    )


def test_several_blocked_targets_are_counted() -> None:
    with pytest.raises(DispatchError, match="另有 1 个督导任务也无法组队"):
        dispatch([], [Target("X", VISIT), Target("Y", VISIT)], plan_kind="routine", team_size=1, seed=1)
    with pytest.raises(DispatchError, match="名册中没有其他督导员"):
        dispatch([], [Target("X", VISIT)], plan_kind="routine", team_size=1, seed=1)


def test_special_plan_needs_teams_of_three() -> None:
    with pytest.raises(UsageError, match="3 名及以上"):
        dispatch(ROSTER10, [Target("X", VISIT)], plan_kind="special", team_size=2, seed=1)


@pytest.mark.parametrize(
    "change",
    [
        {"team_size": 0},
        {"seed": "  "},
        {"plan_kind": "weekly"},
        {"kind_required": "both"},
        {"roster": [*ROSTER10, ROSTER10[0]]},
        {"targets": [Target("X", VISIT), Target("X", VISIT)]},
    ],
)
def test_bad_arguments_are_refused(change: dict[str, object]) -> None:
    kw: dict[str, object] = {
        "roster": ROSTER10,
        "targets": [Target("X", VISIT)],
        "plan_kind": "routine",
        "team_size": 1,
        "seed": 1,
    }
    kw.update(change)
    with pytest.raises(UsageError):
        dispatch(**kw)  # type: ignore[arg-type]


def test_record_due_after_national_day() -> None:
    r = dispatch(ROSTER10, [Target("X", D("2025-09-30"))], plan_kind="routine", team_size=1, seed=1)
    assert r.assignments[0].record_due == D("2025-10-14")
    assert r.assignments[0].as_json()["record_due"] == "2025-10-14"


def test_replace_keeps_validation() -> None:
    # dataclasses.replace re-runs __post_init__: an edited roster entry is checked again
    with pytest.raises(UsageError):
        replace(ROSTER10[0], cert_valid_until=D("2000-01-01"))
