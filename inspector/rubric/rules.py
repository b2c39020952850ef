"""How observations become points: one class per kind of rule the documents use.

A rule knows nothing of its item but its maximum. ``score`` turns one observation into points and,
when points are lost, the reason: what was observed plus the rule's own words. Rules are immutable
values; they round-trip through a dict (the TOML form, :func:`rule_from_dict`) and a short text
(the workbook form, :mod:`inspector.rubric.ruletext`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any, ClassVar

from inspector.errors import ObservationError
from inspector.i18n import _
from inspector.rubric.conditions import PROBLEMS, RATIO, Condition, parse_condition
from inspector.rubric.observations import Observation
from inspector.rubric.points import ZERO, fmt, json_number, to_points


@dataclass(frozen=True)
class Scored:
    """Points for one observation, and why any were lost (None when none were)."""

    points: Decimal
    reason: str | None


class Rule:
    kind: ClassVar[str]
    #: the observation shapes the rule turns into points (``points`` and ``na`` are handled by
    #: the scorer for every rule: override and not-applicable)
    accepts: ClassVar[tuple[str, ...]]
    scored: ClassVar[bool] = True

    def check(self, max_points: Decimal) -> list[str]:
        """What is wrong with this rule for an item worth ``max_points`` (empty when fine)."""
        return []

    def score(self, max_points: Decimal, obs: Observation, where: str) -> Scored:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def grid(self, max_points: Decimal) -> frozenset[Decimal] | None:
        """Every value this rule can give an item worth ``max_points`` (None: any on its step).

        An override must land on one of them: a point the method cannot produce is not the form's.
        """
        return frozenset({ZERO, max_points})

    def params(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.params()}

    def to_json(self) -> dict[str, Any]:
        """The rule as ``rubric show --json`` prints it: its parameters plus its words."""
        return {**_jsonable(self.to_dict()), "text": self.describe()}

    def refuse(self, obs: Observation, where: str) -> ObservationError:
        return ObservationError(
            _("计分规则“{rule}”不接受“{measure}”；可用：{accepts}").format(
                rule=self.describe(), measure=obs.measure, accepts="、".join(self.accepts)
            ),
            where,
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class AllOrNothing(Rule):
    """发现问题不得分: full marks with no problem, nothing with any."""

    kind: ClassVar[str] = "all_or_nothing"
    accepts: ClassVar[tuple[str, ...]] = ("problems", "met")

    def describe(self) -> str:
        return _("未发现问题得满分，发现问题不得分")

    def score(self, max_points: Decimal, obs: Observation, where: str) -> Scored:
        if obs.problems is not None:
            if obs.problems == 0:
                return Scored(max_points, None)
            return Scored(
                ZERO,
                _("发现{n}个问题，不得分（{rule}）").format(n=obs.problems, rule=self.describe()),
            )
        if obs.met is not None:
            if obs.met:
                return Scored(max_points, None)
            return Scored(ZERO, _("不符合要求，不得分（{rule}）").format(rule=self.describe()))
        raise self.refuse(obs, where)


@dataclass(frozen=True)
class YesNo(AllOrNothing):
    """有…得分，没有的不得分: a yes/no requirement."""

    kind: ClassVar[str] = "yes_no"
    accepts: ClassVar[tuple[str, ...]] = ("met", "problems")

    def describe(self) -> str:
        return _("符合要求得满分，不符合不得分")


@dataclass(frozen=True)
class Deduct(Rule):
    """每个问题扣 per 分 — down to zero, or to zero at once from ``zero_at`` problems on.

    ``unit`` names what is counted (问题, 缺少的岗位, 不合格批次…); ``of`` is how many there are
    to count when the document lists them (ten posts: no more than ten can be missing).
    """

    kind: ClassVar[str] = "deduct"
    accepts: ClassVar[tuple[str, ...]] = ("problems", "met")
    per: Decimal
    unit: str = "问题"
    zero_at: int | None = None
    of: int | None = None

    def check(self, max_points: Decimal) -> list[str]:
        out = []
        if self.per <= 0:
            out.append(_("每次扣分应大于 0"))
        if self.per > max_points:
            out.append(_("每次扣分大于该项分值"))
        if self.zero_at is not None and self.zero_at < 1:
            out.append(_("“不得分”的起点应至少为 1"))
        if self.of is not None and self.of < 1:
            out.append(_("“最多”应至少为 1"))
        return out

    def describe(self) -> str:
        text = _("每个{unit}扣{per}分").format(unit=self.unit, per=fmt(self.per))
        if self.zero_at is not None:
            text += _("，{n}个以上不得分").format(n=self.zero_at)
        else:
            text += _("，扣完为止")
        return text

    def score(self, max_points: Decimal, obs: Observation, where: str) -> Scored:
        if obs.met is True:
            return Scored(max_points, None)
        if obs.problems is None:
            if obs.met is False:
                raise ObservationError(
                    _("该项按个数扣分，请记录{unit}的个数（problems）").format(unit=self.unit), where
                )
            raise self.refuse(obs, where)
        n = obs.problems
        if self.of is not None and n > self.of:
            raise ObservationError(
                _("{unit}最多{of}个，记录了{n}个").format(unit=self.unit, of=self.of, n=n), where
            )
        if n == 0:
            return Scored(max_points, None)
        if self.zero_at is not None and n >= self.zero_at:
            points = ZERO
        else:
            points = max(ZERO, max_points - self.per * n)
        return Scored(
            points,
            _("{unit}{n}个，扣{lost}分（{rule}）").format(
                unit=self.unit, n=n, lost=fmt(max_points - points), rule=self.describe()
            ),
        )

    def grid(self, max_points: Decimal) -> frozenset[Decimal]:
        out = {max_points}
        n = 1
        while max_points - self.per * n > 0 and (self.of is None or n <= self.of):
            if self.zero_at is not None and n >= self.zero_at:
                break
            out.add(max_points - self.per * n)
            n += 1
        if self.of is None or n <= self.of:
            out.add(ZERO)
        return frozenset(out)

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"per": self.per, "unit": self.unit}
        if self.zero_at is not None:
            out["zero_at"] = self.zero_at
        if self.of is not None:
            out["of"] = self.of
        return out


@dataclass(frozen=True)
class Tier:
    points: Decimal
    label: str
    when: Condition | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"points": self.points, "label": self.label}
        if self.when is not None:
            out["when"] = self.when.text()
        return out


@dataclass(frozen=True)
class Tiers(Rule):
    """Graded tiers, best first: chosen by the inspector, or by a count or a proportion.

    A count or a proportion that falls in no tier is a gap the document leaves open (5.1's
    "2个以内" and "超过3个" say nothing of exactly three problems): it is refused with the
    tiers to choose from, rather than guessed.
    """

    kind: ClassVar[str] = "tiers"
    accepts: ClassVar[tuple[str, ...]] = ("tier", "problems", "ratio", "met")
    tiers: tuple[Tier, ...] = field(default_factory=tuple)

    def measures(self) -> set[str]:
        return {t.when.measure for t in self.tiers if t.when is not None}

    def check(self, max_points: Decimal) -> list[str]:
        out = []
        if len(self.tiers) < 2:
            out.append(_("分档至少需要两档"))
            return out
        if self.tiers[0].points != max_points:
            out.append(_("第一档（最好的一档）应为满分 {m} 分").format(m=fmt(max_points)))
        for a, b in pairwise(self.tiers):
            if b.points > a.points:
                out.append(_("档次应从高分到低分排列"))
                break
        if any(t.points < 0 for t in self.tiers):
            out.append(_("档次分值不能为负"))
        if len(self.measures()) > 1:
            out.append(_("同一项的档次条件不能既按问题数又按比例"))
        return out

    def describe(self) -> str:
        return "；".join(f"{fmt(t.points)}{_('分')}：{t.label}" for t in self.tiers)

    def _pick(self, index: int, observed: str, max_points: Decimal) -> Scored:
        tier = self.tiers[index]
        if tier.points == max_points:
            return Scored(tier.points, None)
        return Scored(
            tier.points,
            _("{observed}，属“{label}”档，得{p}分（{rule}）").format(
                observed=observed, label=tier.label, p=fmt(tier.points), rule=self.describe()
            ),
        )

    def _by_condition(
        self, measure: str, value: Decimal, observed: str, max_points: Decimal, where: str
    ) -> Scored:
        if measure not in self.measures():
            raise ObservationError(
                _("该项的档次不按{what}划分，请选择档次（第1–{n}档）").format(
                    what=_("问题数") if measure == PROBLEMS else _("比例"), n=len(self.tiers)
                ),
                where,
            )
        for i, t in enumerate(self.tiers):
            if t.when is not None and t.when.holds(value):
                return self._pick(i, observed, max_points)
        choices = "；".join(
            _("第{k}档：{label}").format(k=i + 1, label=t.label) for i, t in enumerate(self.tiers)
        )
        raise ObservationError(
            _("{observed}不在文件规定的任何一档内，请按实际情况选择档次：{choices}").format(
                observed=observed, choices=choices
            ),
            where,
        )

    def score(self, max_points: Decimal, obs: Observation, where: str) -> Scored:
        if obs.tier is not None:
            if obs.tier >= len(self.tiers):
                raise ObservationError(
                    _("没有第 {k} 档：该项共 {n} 档（0–{last}）").format(
                        k=obs.tier, n=len(self.tiers), last=len(self.tiers) - 1
                    ),
                    where,
                )
            # counted from 1 as the sheet prints tiers; the stored ``tier`` stays 0-based (the contract)
            return self._pick(obs.tier, _("选择第{k}档").format(k=obs.tier + 1), max_points)
        if obs.problems is not None:
            observed = _("发现{n}个问题").format(n=obs.problems)
            return self._by_condition(PROBLEMS, Decimal(obs.problems), observed, max_points, where)
        if obs.ratio is not None:
            observed = _("比例为{r}%").format(r=fmt(obs.ratio * 100))
            return self._by_condition(RATIO, obs.ratio, observed, max_points, where)
        if obs.met is True:
            return self._pick(0, _("符合要求"), max_points)
        if obs.met is False:
            if len(self.tiers) == 2:
                return self._pick(1, _("不符合要求"), max_points)
            raise ObservationError(_("该项分多档，请选择档次"), where)
        raise self.refuse(obs, where)

    def grid(self, max_points: Decimal) -> frozenset[Decimal]:
        return frozenset(t.points for t in self.tiers)

    def params(self) -> dict[str, Any]:
        return {"tiers": [t.to_dict() for t in self.tiers]}


@dataclass(frozen=True)
class Criterion:
    text: str
    deduct: Decimal


@dataclass(frozen=True)
class Grouped(Rule):
    """Criteria sharing the item's points: 每不符合一项扣 n 分，直至不得分."""

    kind: ClassVar[str] = "grouped"
    accepts: ClassVar[tuple[str, ...]] = ("unmet", "problems", "met")
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)

    def check(self, max_points: Decimal) -> list[str]:
        out = []
        if not self.criteria:
            out.append(_("分组评分至少需要一个条目"))
        if any(c.deduct <= 0 for c in self.criteria):
            out.append(_("每个条目的扣分应大于 0"))
        return out

    def uniform(self) -> Decimal | None:
        amounts = {c.deduct for c in self.criteria}
        return amounts.pop() if len(amounts) == 1 else None

    def describe(self) -> str:
        per = self.uniform()
        if len(self.criteria) == 1:
            return _("{text}扣{per}分；其他情形不扣分").format(
                text=self.criteria[0].text, per=fmt(self.criteria[0].deduct)
            )
        if per is not None:
            return _("每不符合一项扣{per}分（共{n}项）").format(per=fmt(per), n=len(self.criteria))
        parts = "；".join(f"{c.text}{_('扣')}{fmt(c.deduct)}{_('分')}" for c in self.criteria)
        return _("{parts}；扣完为止").format(parts=parts)

    def score(self, max_points: Decimal, obs: Observation, where: str) -> Scored:
        n = len(self.criteria)
        if obs.met is True or obs.problems == 0:
            return Scored(max_points, None)
        if obs.unmet is not None:
            bad = [k for k in obs.unmet if not 1 <= k <= n]
            if bad:
                raise ObservationError(
                    _("没有第 {k} 条：该项共 {n} 条（1–{n}）").format(k=bad[0], n=n), where
                )
            failed = [self.criteria[k - 1] for k in obs.unmet]
            what = _("不符合：{named}").format(
                named="；".join(f"{k}. {self.criteria[k - 1].text}" for k in obs.unmet)
            )
        elif obs.problems is not None:
            if obs.problems > n:
                raise ObservationError(_("该项共{n}条，记录了{m}条不符合").format(n=n, m=obs.problems), where)
            if self.uniform() is None:
                raise ObservationError(_("各条扣分不同，请指明哪几条不符合（unmet）"), where)
            failed = list(self.criteria[: obs.problems])
            what = _("{m}项不符合").format(m=obs.problems)
        elif obs.met is False and n == 1:  # the one fact the form deducts for
            failed = [self.criteria[0]]
            what = _("不符合：{named}").format(named=self.criteria[0].text)
        elif obs.met is False:
            raise ObservationError(_("请指明哪几条不符合（unmet）"), where)
        else:
            raise self.refuse(obs, where)
        if not failed:
            return Scored(max_points, None)
        lost = min(max_points, sum((c.deduct for c in failed), ZERO))
        return Scored(
            max_points - lost,
            _("{what}，扣{lost}分（{rule}）").format(what=what, lost=fmt(lost), rule=self.describe()),
        )

    def grid(self, max_points: Decimal) -> frozenset[Decimal]:
        lost = {ZERO}
        for c in self.criteria:
            lost |= {x + c.deduct for x in lost}
        return frozenset(max_points - min(max_points, x) for x in lost)

    def params(self) -> dict[str, Any]:
        return {"criteria": [{"text": c.text, "deduct": c.deduct} for c in self.criteria]}


@dataclass(frozen=True)
class Discretionary(Rule):
    """视情况扣分，直至不得分: the inspector sets the points, with a reason when any are lost."""

    kind: ClassVar[str] = "discretionary"
    accepts: ClassVar[tuple[str, ...]] = ("points", "met", "problems")
    step: Decimal | None = None

    def check(self, max_points: Decimal) -> list[str]:
        if self.step is not None and (self.step <= 0 or max_points % self.step != 0):
            return [_("步长应大于 0 且能整除该项分值")]
        return []

    def grid(self, max_points: Decimal) -> frozenset[Decimal] | None:
        if self.step is None:
            return None
        return frozenset(self.step * k for k in range(int(max_points / self.step) + 1))

    def describe(self) -> str:
        text = _("由评估人员视情况给分（0 至满分），扣分须写明理由")
        if self.step is not None:
            text += _("，以{step}分为单位").format(step=fmt(self.step))
        return text

    def score(self, max_points: Decimal, obs: Observation, where: str) -> Scored:
        if obs.met is True or obs.problems == 0:
            return Scored(max_points, None)
        if obs.points is None:
            raise ObservationError(_("该项由评估人员给分，请记录分数和理由"), where)
        p = obs.points
        if p > max_points:
            raise ObservationError(_("分数 {p} 超过该项满分 {m}").format(p=fmt(p), m=fmt(max_points)), where)
        if self.step is not None and p % self.step != 0:
            raise ObservationError(_("分数应以{step}分为单位").format(step=fmt(self.step)), where)
        if p == max_points:
            return Scored(p, None)
        reason = (obs.reason or "").strip()
        if not reason:
            raise ObservationError(_("扣分必须写明理由"), where)
        return Scored(p, _("评估人员给{p}分：{reason}").format(p=fmt(p), reason=reason))


@dataclass(frozen=True)
class Checklist(Rule):
    """An unscored line of a record form: met, not met, and a note."""

    kind: ClassVar[str] = "checklist"
    accepts: ClassVar[tuple[str, ...]] = ("met",)
    scored: ClassVar[bool] = False

    def check(self, max_points: Decimal) -> list[str]:
        return [] if max_points == 0 else [_("记录项不计分，分值应为 0")]

    def grid(self, max_points: Decimal) -> frozenset[Decimal]:
        return frozenset({ZERO})

    def describe(self) -> str:
        return _("记录是否符合（不计分）")

    def score(self, max_points: Decimal, obs: Observation, where: str) -> Scored:
        if obs.met is None:
            raise self.refuse(obs, where)
        if obs.met:
            return Scored(ZERO, None)
        return Scored(ZERO, _("不符合") + (f"：{obs.note}" if obs.note else ""))


KINDS: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (AllOrNothing, YesNo, Deduct, Tiers, Grouped, Discretionary, Checklist)
}


def _decimal(value: Any, name: str) -> Decimal:
    try:
        return to_points(value)
    except ValueError as e:
        raise ValueError(_("“{name}”应为数字：{e}").format(name=name, e=e)) from None


def _opt_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("“{name}”应为整数").format(name=name))
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("“{name}”应为非空文字").format(name=name))
    if "|" in value or "\n" in value:
        raise ValueError(_("“{name}”不能包含“|”或换行").format(name=name))
    return value.strip()


def _word(value: Any, name: str) -> str:
    """A one-word parameter: the text form separates parameters by spaces and ``=``."""
    text = _text(value, name)
    if any(c.isspace() for c in text) or "=" in text:
        raise ValueError(_("“{name}”应为一个词，不能有空格或“=”：{v}").format(name=name, v=text))
    return text


def rule_from_dict(data: Any) -> Rule:
    """A rule from its TOML table; raises ValueError with a message for the user."""
    if not isinstance(data, dict):
        raise ValueError(_('计分规则应为表，例如 {kind = "all_or_nothing"}'))
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(
            _("未知的计分规则类型“{kind}”；可用：{kinds}").format(kind=kind, kinds="、".join(KINDS))
        )
    allowed = {
        "all_or_nothing": set(),
        "yes_no": set(),
        "checklist": set(),
        "deduct": {"per", "unit", "zero_at", "of"},
        "tiers": {"tiers"},
        "grouped": {"per", "criteria"},
        "discretionary": {"step"},
    }[kind]
    unknown = sorted(set(data) - allowed - {"kind"})
    if unknown:
        raise ValueError(_("计分规则“{kind}”没有参数：{names}").format(kind=kind, names="、".join(unknown)))
    if kind == "deduct":
        if "per" not in data:
            raise ValueError(_("扣分规则需要“per”（每次扣几分）"))
        return Deduct(
            per=_decimal(data["per"], "per"),
            unit=_word(data.get("unit", "问题"), "unit"),
            zero_at=_opt_int(data.get("zero_at"), "zero_at"),
            of=_opt_int(data.get("of"), "of"),
        )
    if kind == "tiers":
        raw = data.get("tiers")
        if not isinstance(raw, list):
            raise ValueError(_("分档规则需要“tiers”列表"))
        tiers = []
        for t in raw:
            if not isinstance(t, dict) or set(t) - {"points", "label", "when"}:
                raise ValueError(_('每一档应为 {points = …, label = "…", when = "…"}'))
            when = parse_condition(t["when"]) if t.get("when") else None
            tiers.append(Tier(_decimal(t.get("points"), "points"), _text(t.get("label"), "label"), when))
        return Tiers(tiers=tuple(tiers))
    if kind == "grouped":
        raw = data.get("criteria")
        if not isinstance(raw, list):
            raise ValueError(_("分组规则需要“criteria”列表"))
        per = _decimal(data.get("per", 1), "per")
        criteria = []
        for c in raw:
            if isinstance(c, str):
                criteria.append(Criterion(_text(c, "criteria"), per))
            elif isinstance(c, dict) and not set(c) - {"text", "deduct"}:
                criteria.append(
                    Criterion(_text(c.get("text"), "text"), _decimal(c.get("deduct", per), "deduct"))
                )
            else:
                raise ValueError(_('每个条目应为文字或 {text = "…", deduct = …}'))
        return Grouped(criteria=tuple(criteria))
    if kind == "discretionary":
        step = data.get("step")
        return Discretionary(step=_decimal(step, "step") if step is not None else None)
    return KINDS[kind]()
