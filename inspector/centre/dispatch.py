"""Random dispatch of supervision teams under the rules ("双随机、一公开").

Pure functions over plain dataclasses: the store feeds the roster (with each person's past visits)
and the targets, and records the result; nothing here reads or writes anything.

The rules, each a named :class:`Rule` checked per person and target (``explain`` lists the ones a
person fails), plus the team-level rules checked on the arguments:

* **Certificate** (证卡): valid on the visit date. A card is valid three years (郑州办法 第五条
  "有效期为三年"; 福建办法 第二章二 "聘期三年，聘期届满自动解聘"). Unless the card states its own last
  day (``cert_valid_until``, included), the term starts on the issue day and 届满 on the same date
  three years later, so the last valid day is the day before that anniversary: issued 2023-05-10,
  valid through 2026-05-09, refused from 2026-05-10 (a card issued on 29 February runs through
  28 February). This is how many three-year cards print their term ("2023.05.10–2026.05.09");
  the Civil Code's period rules (民法典 第二百零一、二百零二条: the first day does not
  count, the period ends on the corresponding day) would allow one day more. Of the two we take
  the earlier end because sending someone whose card may have lapsed voids a supervision, while
  refusing them for one day only narrows one pool.
* **Kind** (类别): when the plan asks for it (``kind_required``), only that kind, e.g. only external
  supervisors (外督) for an external supervision.
* **Recusal** (回避, 福建办法 第三章六; 郑州办法 第十四、十八条): nobody supervises their employer, nor an
  organisation where they act as internal supervisor, assessor or exam staff (``roles_at``).
* **Rotation** (轮换, 郑州办法 第十九条 "在同一个被督导单位连续从事督导工作不能超过三次"): see below.
* **Same day** (同日): a person takes part in at most one supervision per day, counting past
  visits and the teams drawn earlier in the same run.
* **Team**: a person appears at most once in a team (the draw is without replacement), and a
  special supervision (专项督导) has a team of three or more (福建办法 第三章四 "督导小组原则上由3名及以上
  质量督导员组成") — a smaller ``team_size`` for a special plan is refused outright.

**"连续" (consecutive), precisely.** A *supervision of an organisation* is one (organisation, date):
everyone with a visit to that organisation on that date was on that team. The organisation's
supervisions form a sequence in date order, built from every roster member's history and from
the teams drawn earlier in the same run. A person has supervised the organisation *n times in a
row* when they were on each of its last *n* supervisions before the visit date. "超过" does not
include the number (民法典 第一千二百五十九条), so three in a row are allowed and a person on all of
the organisation's last three supervisions may not be drawn for the next. The sequence is the
organisation's, not the person's: the point of 轮换 is that a station does not meet the same
supervisor on every visit, so a supervision of the station by others breaks the run, while the
person's visits elsewhere in between do not. A visit by someone missing from the roster cannot
break a run (the draw only knows what it is given), which errs towards refusing.

**The draw, reproducibly.** Targets are processed in (date, organisation id) order, each draw
updating the history that rotation and the same-day rule see for the targets after it. For each
target the eligible pool is sorted by supervisor id and the team is drawn from it with
``random.Random`` seeded, version 2, with the text ``f"{seed}:{org_id}:{date:%Y-%m-%d}"``: a partial
Fisher–Yates shuffle that only calls ``random()``, pick *i* swapping position *i* with
``i + int(random() * (len(pool) - i))``. Python guarantees only ``random()`` and the version-2
seeder to stay the same across versions (library docs, "Notes on Reproducibility"); ``sample`` and
``randrange`` have changed before, so they are not used. Anyone with the published seed, targets
and pools can re-run the draw with a few lines of any Python from 3.2 on.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from itertools import filterfalse
from typing import Literal

from inspector.centre.workdays import due_date
from inspector.errors import DispatchError, UsageError
from inspector.i18n import _

SupervisorKind = Literal["internal", "external"]
PlanKind = Literal["routine", "special"]
SUPERVISOR_KINDS: tuple[SupervisorKind, ...] = ("internal", "external")
PLAN_KINDS: tuple[PlanKind, ...] = ("routine", "special")

# The numbers below are those of the rulebook every record made before rulebooks was drawn under
# (DrawRules.legacy); a plan's draw reads its own rulebook (inspector.centre.rulebooks.draw_rules).
CERT_YEARS = 3
MAX_CONSECUTIVE = 3  # 郑州办法 第十九条
SPECIAL_TEAM_MIN = 3  # 福建办法 第三章四
RECORD_DUE_WORKING_DAYS = 5  # 福建办法 第三章七
NAMES_SHOWN = 3  # per rule in a blocked message; the rest is a count

_ONE_DAY = dt.timedelta(days=1)
_NOBODY: frozenset[str] = frozenset()


class Rule(Enum):
    """The per-person rules, in the order they are checked and reported."""

    CERTIFICATE = "certificate"
    KIND = "kind"
    RECUSAL_EMPLOYER = "recusal_employer"
    RECUSAL_ROLE = "recusal_role"
    RECUSAL_GROUND = "recusal_ground"
    ROTATION = "rotation"
    SAME_DAY = "same_day"
    SUSPENDED = "suspended"
    ANNUAL = "annual"


def rule_title(rule: Rule) -> str:
    """The rule as the documents state it, for the window's explanation."""
    titles = {
        Rule.CERTIFICATE: _("证卡有效：督导当日须持有效的质量督导员证卡（有效期三年）"),
        Rule.KIND: _("类别：本次督导须由指定类别（内督或外督）的质量督导员担任"),
        Rule.RECUSAL_EMPLOYER: _("回避：不得督导本人所在单位"),
        Rule.RECUSAL_ROLE: _("回避：不得督导本人担任内督、考评或考务工作的机构"),
        Rule.RECUSAL_GROUND: _("回避：登记的其他回避事由（亲属、曾任职、咨询服务等）"),
        Rule.ROTATION: _("轮换：在同一机构连续从事督导工作不能超过规定次数"),
        Rule.SAME_DAY: _("同日：一人同一天只参加一项督导任务"),
        Rule.SUSPENDED: _("暂停委派：暂停期内不抽取"),
        Rule.ANNUAL: _("年度考核不合格：本中心自定不予委派"),
    }
    return titles[rule]


def rule_label(rule: Rule) -> str:
    """A few words naming the rule, for counts in a blocked-draw message."""
    labels = {
        Rule.CERTIFICATE: _("证卡无效"),
        Rule.KIND: _("类别不符"),
        Rule.RECUSAL_EMPLOYER: _("回避：本单位职工"),
        Rule.RECUSAL_ROLE: _("回避：在该机构任内督、考评或考务"),
        Rule.RECUSAL_GROUND: _("回避：登记的回避事由"),
        Rule.ROTATION: _("轮换：连续督导该机构已达上限"),
        Rule.SAME_DAY: _("同日已有督导任务"),
        Rule.SUSPENDED: _("暂停委派"),
        Rule.ANNUAL: _("年度考核不合格"),
    }
    return labels[rule]


def kind_name(kind: SupervisorKind) -> str:
    return _("外督") if kind == "external" else _("内督")


CardReading = Literal["civil_code", "anniversary_eve"]


def certificate_last_day(
    issued: dt.date, years: int = CERT_YEARS, reading: CardReading = "civil_code"
) -> dt.date:
    """The last day a card issued on ``issued`` with a term of ``years`` is valid.

    民法典 第二百零一条: the day the period starts is not counted; 第二百零二条: a period in years
    ends on the corresponding day of the last month, or on that month's last day when it has no
    such day. Issued 2023-05-10, three years: valid through 2026-05-10; issued 2024-02-29: through
    2027-02-28. ``anniversary_eve`` is the reading the program used before rulebooks (the day
    before), kept only so that draws published then still verify.
    """
    try:
        same_day = issued.replace(year=issued.year + years)
    except ValueError:  # 29 February: no corresponding day, the month's last day (Civil Code 202)
        same_day = dt.date(issued.year + years, 2, 28)
        if reading == "anniversary_eve":  # the old reading: the anniversary was 1 March
            return same_day
    return same_day - _ONE_DAY if reading == "anniversary_eve" else same_day


@dataclass(frozen=True)
class DrawRules:
    """What a plan's rulebook asks of the draw, as plain settings (stored in the published record).

    None / False: the rulebook has no such rule and the draw does not apply it. Beside these the
    draw always keeps two things no document needs to say: a person appears once in a team, and
    takes part in one supervision a day; a suspended (in their term) or cancelled person is in no
    pool.
    """

    card_years: int | None = None
    card_reading: CardReading = "civil_code"
    internal_own_institution: bool = False
    recusal_employer: bool = False
    recusal_posts: bool = False
    recusal_grounds: bool = False
    rotation_max: int | None = None
    rotation_both_ways: bool = True
    team_min: int | None = None
    team_min_principle: bool = False  # 原则上: may be overridden with who and why on record
    team_min_plan_kind: str = "special"
    default_kind: SupervisorKind | None = None
    record_due_days: int | None = None
    record_due_kind: str = "any"
    record_due_plan_kind: str = "any"
    annual: str | None = None  # "flag" (shown and recorded) or "exclude" (the centre's own choice)
    leader: str = "drawn"  # "drawn" (the first drawn, marked as drawn) or "designated" by the centre

    @classmethod
    def legacy(cls) -> DrawRules:
        """The one mixed rulebook every draw published before rulebooks was made under."""
        return cls(
            card_years=CERT_YEARS,
            card_reading="anniversary_eve",
            recusal_employer=True,
            recusal_posts=True,
            rotation_max=MAX_CONSECUTIVE,
            rotation_both_ways=False,
            team_min=SPECIAL_TEAM_MIN,
            record_due_days=RECORD_DUE_WORKING_DAYS,
        )

    def as_json(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DrawRules:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)  # type: ignore[arg-type]

    def team_min_for(self, plan_kind: str) -> int | None:
        if self.team_min is None or self.team_min_plan_kind not in ("any", plan_kind):
            return None
        return self.team_min

    def record_due_applies(self, plan_kind: str, team_kinds: Iterable[str]) -> bool:
        if self.record_due_days is None or self.record_due_plan_kind not in ("any", plan_kind):
            return False
        return self.record_due_kind == "any" or self.record_due_kind in set(team_kinds)


# the rules of every draw published before rulebooks (and of callers that name none)
LEGACY_RULES = DrawRules.legacy()


@dataclass(frozen=True)
class Ground:
    """A recorded ground for recusal beyond employer and posts: relative, former employer, …"""

    org_id: str
    ground: str
    since: dt.date | None = None
    until: dt.date | None = None

    def applies(self, org: str, day: dt.date) -> bool:
        return (
            self.org_id == org
            and (self.since is None or self.since <= day)
            and (self.until is None or day <= self.until)
        )


@dataclass(frozen=True)
class Visit:
    """One past supervision task of a person: the organisation and the day."""

    org_id: str
    date: dt.date


@dataclass(frozen=True)
class Supervisor:
    id: str
    name: str
    kind: SupervisorKind
    cert_no: str
    cert_issued: dt.date
    # The last valid day when the card states one (included); otherwise see certificate_last_day.
    cert_valid_until: dt.date | None = None
    employer_org: str | None = None
    # Organisations where the person acts as internal supervisor, assessor or exam staff.
    roles_at: frozenset[str] = frozenset()
    history: tuple[Visit, ...] = ()
    # Of roles_at: where the person is the institution's own internal supervisor (内督), and where
    # they are assessor or exam staff; used when the rulebook sends 内督 to their own institution.
    internal_at: frozenset[str] = frozenset()
    staff_at: frozenset[str] = frozenset()
    grounds: tuple[Ground, ...] = ()
    suspended_until: dt.date | None = None  # 暂停 with its term (included); in no pool until then
    annual_fail_year: int | None = None  # the year of the latest annual assessment, when 不合格
    card_years: int = CERT_YEARS
    card_reading: CardReading = "civil_code"

    def __post_init__(self) -> None:
        if self.kind not in SUPERVISOR_KINDS:
            raise UsageError(
                _("督导员类别应为 internal（内督）或 external（外督），收到 {kind}").format(kind=self.kind),
                self.id,
            )
        if self.cert_valid_until is not None and self.cert_valid_until < self.cert_issued:
            raise UsageError(
                _("证卡有效期 {until} 早于颁发日期 {issued}").format(
                    until=self.cert_valid_until.isoformat(), issued=self.cert_issued.isoformat()
                ),
                self.id,
            )

    @property
    def cert_last_day(self) -> dt.date:
        if self.cert_valid_until is not None:
            return self.cert_valid_until
        return certificate_last_day(self.cert_issued, self.card_years, self.card_reading)

    def cert_valid_on(self, day: dt.date) -> bool:
        return self.cert_issued <= day <= self.cert_last_day


@dataclass(frozen=True)
class Target:
    """One supervision to staff: an organisation on a day."""

    org_id: str
    date: dt.date


@dataclass(frozen=True)
class Assignment:
    org_id: str
    date: dt.date
    team: tuple[str, ...]  # supervisor ids in the order drawn
    # 外督 record due: 5 working days after the visit (inspector.centre.workdays); None while the
    # calendar data does not cover the year (next year's holidays are published in November)
    record_due: dt.date | None
    pool: tuple[str, ...]  # every eligible supervisor id, sorted: what the team was drawn from
    # people on the team the rulebook asks to flag (annual assessment 不合格): (person, year)
    flags: tuple[tuple[str, int], ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "org": self.org_id,
            "date": self.date.isoformat(),
            "team": list(self.team),
            "record_due": self.record_due.isoformat() if self.record_due else None,
            "pool": list(self.pool),
        }


@dataclass(frozen=True)
class DispatchResult:
    assignments: list[Assignment]
    seed: str  # as text: the integer 7 and the text "7" draw the same teams


@dataclass(frozen=True)
class Exclusion:
    """A person left out of a target's pool, with every rule they fail."""

    supervisor_id: str
    name: str
    reasons: tuple[tuple[Rule, str], ...]


@dataclass(frozen=True)
class Blocked:
    """A target for which fewer people are eligible than the team needs."""

    org_id: str
    date: dt.date
    needed: int
    pool: tuple[str, ...]
    excluded: tuple[Exclusion, ...]

    def count(self, rule: Rule) -> int:
        return sum(1 for e in self.excluded if any(r is rule for r, _text in e.reasons))

    def message(self) -> str:
        """One line: the shortfall, then each rule with how many it excluded (a person counts under each)."""
        head = _("机构 {org} 于 {date}：合格督导员仅 {n} 人（需要 {k} 人）").format(
            org=self.org_id, date=self.date.isoformat(), n=len(self.pool), k=self.needed
        )
        if not self.excluded:
            return head + _("；名册中没有其他督导员")
        parts = []
        for rule in Rule:
            names = [e.name for e in self.excluded if any(r is rule for r, _text in e.reasons)]
            if not names:
                continue
            shown = "、".join(names[:NAMES_SHOWN]) + (_("等") if len(names) > NAMES_SHOWN else "")
            parts.append(
                _("{rule} {n} 人（{names}）").format(rule=rule_label(rule), n=len(names), names=shown)
            )
        return head + _("；被排除 {n} 人：{parts}").format(n=len(self.excluded), parts="、".join(parts))


@dataclass(frozen=True)
class Draw:
    """Everything a run produced: the teams drawn and the targets no valid team exists for."""

    assignments: list[Assignment]
    blocked: list[Blocked]
    seed: str
    order: tuple[Target, ...]  # the targets in the order they were drawn


class _Ledger:
    """Who supervised which organisation when, and who is busy on which day; grows during a run."""

    def __init__(self, roster: Iterable[Supervisor]) -> None:
        self.teams: dict[str, dict[dt.date, set[str]]] = {}  # org → day → people on that supervision
        self.busy: dict[dt.date, dict[str, list[str]]] = {}  # day → person → organisations
        for s in roster:
            for v in s.history:
                self.record(s.id, v.org_id, v.date)

    def record(self, person: str, org: str, day: dt.date) -> None:
        self.teams.setdefault(org, {}).setdefault(day, set()).add(person)
        self.busy.setdefault(day, {}).setdefault(person, []).append(org)

    def _before(self, org: str, day: dt.date) -> list[dt.date]:
        return sorted(d for d in self.teams.get(org, {}) if d < day)

    def _after(self, org: str, day: dt.date) -> list[dt.date]:
        return sorted(d for d in self.teams.get(org, {}) if d > day)

    def rotation_blocked(self, org: str, day: dt.date, limit: int, both_ways: bool) -> frozenset[str]:
        """People for whom a supervision of ``org`` on ``day`` would make more than ``limit`` in a row."""
        before = self._before(org, day)[-limit:]
        after = self._after(org, day)[:limit] if both_ways else []
        teams = self.teams.get(org, {})
        near = set().union(*(teams[d] for d in before + after)) if before or after else set()
        return frozenset(p for p in near if len(self.run_of(p, org, day, both_ways)) + 1 > limit)

    def run_of(self, person: str, org: str, day: dt.date, both_ways: bool = True) -> list[dt.date]:
        """The organisation's supervisions next to ``day`` that ``person`` was on, unbroken, by date.

        Before ``day`` back to the first one without the person; with ``both_ways``, also after
        ``day`` up to the first one without them (a visit dated earlier than ones already drawn).
        """
        run: list[dt.date] = []
        teams = self.teams.get(org, {})
        for d in reversed(self._before(org, day)):
            if person not in teams[d]:
                break
            run.append(d)
        run.reverse()
        if both_ways:
            for d in self._after(org, day):
                if person not in teams[d]:
                    break
                run.append(d)
        return run

    def busy_people(self, day: dt.date) -> dict[str, list[str]]:
        return self.busy.get(day, {})


def effective_kind(rules: DrawRules, kind_required: SupervisorKind | None) -> SupervisorKind | None:
    return kind_required if kind_required is not None else rules.default_kind


def _reasons(
    s: Supervisor,
    target: Target,
    ledger: _Ledger,
    kind_required: SupervisorKind | None,
    rules: DrawRules = LEGACY_RULES,
) -> list[tuple[Rule, str]]:
    """Every rule ``s`` fails for ``target``, with a sentence saying why; empty when eligible."""
    day, org = target.date, target.org_id
    out: list[tuple[Rule, str]] = []
    if rules.card_years is not None:
        last = certificate_last_day(s.cert_issued, rules.card_years, rules.card_reading)
        last = s.cert_valid_until or last
        if day < s.cert_issued:
            out.append(
                (
                    Rule.CERTIFICATE,
                    _("证卡尚未颁发（颁发日期 {issued}）").format(issued=s.cert_issued.isoformat()),
                )
            )
        elif day > last:
            out.append((Rule.CERTIFICATE, _("证卡已过期（有效期至 {until}）").format(until=last.isoformat())))
    kind = effective_kind(rules, kind_required)
    if kind is not None and s.kind != kind:
        out.append(
            (
                Rule.KIND,
                _("类别不符：本次须由{required}担任，此人为{kind}").format(
                    required=kind_name(kind), kind=kind_name(s.kind)
                ),
            )
        )
    own = s.employer_org == org or org in s.internal_at
    if rules.internal_own_institution and s.kind == "internal":
        if not own:
            out.append((Rule.KIND, _("内督只督导本评价机构")))
    elif rules.recusal_employer and s.employer_org == org:
        out.append((Rule.RECUSAL_EMPLOYER, _("回避：本单位职工")))
    if rules.recusal_posts:
        posts = s.roles_at
        if rules.internal_own_institution and s.kind == "internal":
            posts = s.staff_at  # a 内督's own 内督 post is the task, not a ground
        if org in posts:
            out.append((Rule.RECUSAL_ROLE, _("回避：在该机构担任内督、考评或考务工作")))
    if rules.recusal_grounds:
        for g in s.grounds:
            if g.applies(org, day):
                out.append((Rule.RECUSAL_GROUND, _("回避：{ground}").format(ground=ground_name(g.ground))))
                break
    if rules.rotation_max is not None:
        run = ledger.run_of(s.id, org, day, rules.rotation_both_ways)
        if len(run) + 1 > rules.rotation_max:
            out.append(
                (
                    Rule.ROTATION,
                    _("轮换：已连续 {n} 次督导该机构（{dates}），不能超过 {max} 次").format(
                        n=len(run), dates="、".join(d.isoformat() for d in run), max=rules.rotation_max
                    ),
                )
            )
    elsewhere = ledger.busy_people(day).get(s.id)
    if elsewhere:
        out.append(
            (
                Rule.SAME_DAY,
                _("同日已有督导任务：{orgs}").format(orgs="、".join(sorted(set(elsewhere)))),
            )
        )
    if s.suspended_until is not None and day <= s.suspended_until:
        out.append((Rule.SUSPENDED, _("暂停委派至 {d}").format(d=s.suspended_until.isoformat())))
    if rules.annual == "exclude" and s.annual_fail_year is not None:
        out.append((Rule.ANNUAL, _("{y} 年度考核不合格（本中心自定不予委派）").format(y=s.annual_fail_year)))
    return out


def ground_name(ground: str) -> str:
    names = {
        "relative": _("亲属在该机构任职"),
        "former_employer": _("曾在该机构任职"),
        "consultancy": _("曾为该机构提供咨询或培训服务"),
        "other": _("其他可能影响客观公正的情形"),
    }
    return names.get(ground, ground)


def explain(
    supervisor: Supervisor,
    target: Target,
    *,
    roster: Iterable[Supervisor] = (),
    kind_required: SupervisorKind | None = None,
    rules: DrawRules = LEGACY_RULES,
) -> list[str]:
    """Why ``supervisor`` may not be drawn for ``target``; an empty list when they may.

    ``roster`` supplies everyone else's past visits: without them every past supervision of the
    organisation looks like one the person was on, which can only over-state rotation.
    """
    others = [s for s in roster if s.id != supervisor.id]
    ledger = _Ledger([*others, supervisor])
    return [text for _rule, text in _reasons(supervisor, target, ledger, kind_required, rules)]


def _draw_team(pool: Sequence[str], k: int, key: str) -> tuple[str, ...]:
    """``k`` ids from ``pool`` by a partial Fisher–Yates shuffle that only calls ``random()``."""
    # The constructor seeds with version 2, the default since Python 3.2 and the seeder the
    # reproducibility promise covers (a golden value in tests/centre/test_dispatch.py pins it).
    rng = random.Random(key)
    n = len(pool)
    # The shuffle's swaps kept sparsely: position → index now there, so a pool of hundreds is not
    # copied for a team of three. Same picks as swapping in a full copy of the list.
    moved: dict[int, int] = {}
    team = []
    for i in range(k):
        # random() < 1, so the product stays below n - i; min() is a belt against float rounding.
        j = i + min(int(rng.random() * (n - i)), n - i - 1)
        picked = moved.get(j, j)
        moved[j] = moved.get(i, i)
        team.append(pool[picked])
    return tuple(team)


def draw_key(seed: str, target: Target) -> str:
    """The text each target's generator is seeded with (published with the result)."""
    return f"{seed}:{target.org_id}:{target.date.isoformat()}"


class TeamBelowPrinciple(UsageError):
    """A team smaller than an in-principle (原则上) minimum, with no override on record."""


def _check_arguments(
    roster: Sequence[Supervisor],
    targets: Sequence[Target],
    plan_kind: str,
    team_size: int,
    seed: str,
    kind_required: str | None,
    rules: DrawRules,
    overridden: frozenset[str],
) -> None:
    if not seed.strip():
        raise UsageError(_("请给出随机种子：抽取结果须能用同一种子复现"))
    if plan_kind not in PLAN_KINDS:
        raise UsageError(
            _("督导类型应为 routine（日常）或 special（专项），收到 {kind}").format(kind=plan_kind)
        )
    if kind_required is not None and kind_required not in SUPERVISOR_KINDS:
        raise UsageError(
            _("督导员类别应为 internal（内督）或 external（外督），收到 {kind}").format(kind=kind_required)
        )
    if team_size < 1:
        raise UsageError(_("每组人数至少为 1，收到 {n}").format(n=team_size))
    least = rules.team_min_for(plan_kind)
    if least is not None and team_size < least:
        if not rules.team_min_principle:
            raise UsageError(
                _("专项督导小组须由 {min} 名及以上质量督导员组成，收到每组 {n} 人").format(
                    min=least, n=team_size
                )
            )
        if "team_min" not in overridden:
            raise TeamBelowPrinciple(
                _(
                    "督导小组原则上由 {min} 名及以上质量督导员组成，收到每组 {n} 人："
                    "如确需少于 {min} 人，请写明理由（将记入公开记录）"
                ).format(min=least, n=team_size)
            )
    seen: set[str] = set()
    for s in roster:
        if s.id in seen:
            raise UsageError(_("名册中督导员编号重复"), s.id)
        seen.add(s.id)
    places: set[Target] = set()
    for t in targets:
        if t in places:
            raise UsageError(
                _("同一机构同一天列了两次：{org} {date}").format(org=t.org_id, date=t.date.isoformat())
            )
        places.add(t)


def draw(
    roster: Sequence[Supervisor],
    targets: Sequence[Target],
    *,
    plan_kind: PlanKind,
    team_size: int,
    seed: str | int,
    kind_required: SupervisorKind | None = None,
    rules: DrawRules = LEGACY_RULES,
    overridden: frozenset[str] = frozenset(),
) -> Draw:
    """Draw a team for every target that has enough eligible people; list the others as blocked.

    A blocked target gets no team and so changes nothing for the targets after it. ``overridden``
    names the in-principle rules a user chose to go past (recorded by the caller with who and why).
    """
    seed_text = str(seed)
    _check_arguments(roster, targets, plan_kind, team_size, seed_text, kind_required, rules, overridden)
    people = sorted(roster, key=lambda s: s.id)
    ledger = _Ledger(people)
    kind = effective_kind(rules, kind_required)
    by_id = {s.id: s for s in people}
    # Indexes for the fast path; _reasons gives the same answer one person at a time.
    employees: dict[str, set[str]] = {}
    staff: dict[str, set[str]] = {}
    internal_own: dict[str, set[str]] = {}
    internals: set[str] = set()
    grounded: dict[str, list[tuple[str, Ground]]] = {}
    suspended = {s.id: s.suspended_until for s in people if s.suspended_until is not None}
    annual_out = {s.id for s in people if rules.annual == "exclude" and s.annual_fail_year is not None}
    own_rule = rules.internal_own_institution
    for s in people:
        is_internal = own_rule and s.kind == "internal"
        if is_internal:
            internals.add(s.id)
            for org in {s.employer_org, *s.internal_at} - {None}:
                internal_own.setdefault(str(org), set()).add(s.id)
        elif rules.recusal_employer and s.employer_org is not None:
            employees.setdefault(s.employer_org, set()).add(s.id)
        if rules.recusal_posts:
            for org in s.staff_at if is_internal else s.roles_at:
                staff.setdefault(org, set()).add(s.id)
        if rules.recusal_grounds:
            for g in s.grounds:
                grounded.setdefault(g.org_id, []).append((s.id, g))

    def card_span(s: Supervisor) -> tuple[dt.date, dt.date]:
        if rules.card_years is None:
            return dt.date.min, dt.date.max
        last = s.cert_valid_until or certificate_last_day(s.cert_issued, rules.card_years, rules.card_reading)
        return s.cert_issued, last

    cards = [(s.id, *card_span(s)) for s in people if kind in (None, s.kind)]
    certified: dict[dt.date, list[str]] = {}  # day → ids with a valid card of the required kind

    order = tuple(sorted(targets, key=lambda t: (t.date, t.org_id)))
    assignments: list[Assignment] = []
    blocked: list[Blocked] = []
    for target in order:
        day, org = target.date, target.org_id
        if day not in certified:
            certified[day] = [sid for sid, first, last in cards if first <= day <= last]
        excluded = set(ledger.busy_people(day))
        excluded |= employees.get(org, _NOBODY)
        excluded |= staff.get(org, _NOBODY)
        excluded |= internals - internal_own.get(org, set())
        excluded |= {p for p, g in grounded.get(org, ()) if g.applies(org, day)}
        excluded |= {p for p, until in suspended.items() if until is not None and day <= until}
        excluded |= annual_out
        if rules.rotation_max is not None:
            excluded |= ledger.rotation_blocked(org, day, rules.rotation_max, rules.rotation_both_ways)
        # filterfalse keeps the loop over a pool of hundreds in C; the order (by id) is kept.
        pool = tuple(filterfalse(excluded.__contains__, certified[day]))
        if len(pool) < team_size:
            left_out = set(pool)
            blocked.append(
                Blocked(
                    org_id=org,
                    date=day,
                    needed=team_size,
                    pool=pool,
                    excluded=tuple(
                        Exclusion(s.id, s.name, tuple(_reasons(s, target, ledger, kind_required, rules)))
                        for s in people
                        if s.id not in left_out
                    ),
                )
            )
            continue
        team = _draw_team(pool, team_size, draw_key(seed_text, target))
        for person in team:
            ledger.record(person, org, day)
        due = None
        if rules.record_due_applies(plan_kind, (by_id[p].kind for p in team)):
            due = due_date(day, rules.record_due_days or 0)
        flags: tuple[tuple[str, int], ...] = ()
        if rules.annual == "flag":
            flags = tuple((p, y) for p in team if (y := by_id[p].annual_fail_year) is not None)
        assignments.append(Assignment(org, day, team, due, pool, flags))
    return Draw(assignments, blocked, seed_text, order)


def dispatch(
    roster: Sequence[Supervisor],
    targets: Sequence[Target],
    *,
    plan_kind: PlanKind,
    team_size: int,
    seed: str | int,
    kind_required: SupervisorKind | None = None,
    org_names: Mapping[str, str] | None = None,
    rules: DrawRules = LEGACY_RULES,
    overridden: frozenset[str] = frozenset(),
) -> DispatchResult:
    """A team for every target, or :class:`DispatchError` saying which rule blocks (nothing is drawn).

    The same roster (with histories), targets, plan, rules and seed give the same result on any machine.
    ``org_names`` lets the refusal name the station as the clerk knows it, not by its id.
    """
    result = draw(
        roster,
        targets,
        plan_kind=plan_kind,
        team_size=team_size,
        seed=seed,
        kind_required=kind_required,
        rules=rules,
        overridden=overridden,
    )
    if result.blocked:
        first, more = result.blocked[0], len(result.blocked) - 1
        names = org_names or {}
        message = replace(first, org_id=names.get(first.org_id, first.org_id)).message()
        if more:
            message += _("；另有 {n} 个督导任务也无法组队").format(n=more)
        raise DispatchError(message)
    return DispatchResult(result.assignments, result.seed)
