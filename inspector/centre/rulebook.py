"""Rulebooks: each jurisdiction's people and procedure rules as data, one file per source document.

A rubric (``rubrics/*.toml``) says how a station is scored; a rulebook (``rulebooks/*.toml``) says
who may supervise whom, what is due when, what is published. Each rule names the clause it comes
from (document, article, quote) and its *strength*:

* ``must`` — the text commands it; the program refuses what breaks it;
* ``principle`` — the text says 原则上 (in principle): the program warns, and a user may go ahead
  only by recording who overrode it and why (kept in the published record);
* ``centre`` — not in any document: the centre's own choice, labelled as such wherever it shows.

The program knows a fixed set of rule *keys* (:data:`RULE_KINDS`); a rulebook switches them on and
sets their parameters. A plan names its rulebook (by default the one shipped for its rubric); a
centre composes its own (``based_on`` shipped ones, plus local rules). A rulebook is identified by
the SHA-256 of its resolved content (:attr:`Rulebook.content_hash`): the published draw record
names it, so ``plan verify`` re-runs a draw under the rules it was made with.

This module is the model and the derived settings; reading files is :mod:`.rulebook_toml`, storing
and choosing them :mod:`.rulebooks`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from inspector.i18n import _

Strength = Literal["must", "principle", "centre"]
STRENGTHS: tuple[Strength, ...] = ("must", "principle", "centre")


def strength_name(strength: str) -> str:
    names = {
        "must": _("必须（违反即拒绝）"),
        "principle": _("原则上（提示，越过须记录何人何因）"),
        "centre": _("本中心自定（非文件规定）"),
    }
    return names.get(strength, strength)


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind: its type and, for text, the allowed values."""

    kind: type
    choices: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class RuleKind:
    title: str
    params: dict[str, Param] = field(default_factory=dict)


def rule_kinds() -> dict[str, RuleKind]:
    """Every rule key the program can enforce, with what it does (translated at call time)."""
    kinds = ("internal", "external", "any")
    plan_kinds = ("routine", "special", "any")
    return {
        "card_term": RuleKind(
            _("证卡有效期：督导当日须持有效证卡（期间按民法典第二百零一、二百零二条计算）"),
            {"years": Param(int)},
        ),
        "internal_own_institution": RuleKind(_("内督只督导本评价机构；外督不督导本人所在单位")),
        "recusal_employer": RuleKind(_("回避：不督导本人所在单位")),
        "recusal_posts": RuleKind(_("回避：不兼任同场次内督、考评、考务工作")),
        "recusal_grounds": RuleKind(
            _("回避：登记的其他回避事由（亲属、曾任职、咨询服务、可能影响客观公正），按起止日期")
        ),
        "rotation": RuleKind(
            _("轮换：在同一被督导单位连续督导不超过规定次数（按督导日期，前后两个方向）"),
            {"max": Param(int)},
        ),
        "team_min": RuleKind(_("督导小组人数下限"), {"min": Param(int), "plan_kind": Param(str, plan_kinds)}),
        "team_leader": RuleKind(
            _("组长：由中心指定或随机抽取并标明"), {"mode": Param(str, ("designated", "drawn"))}
        ),
        "default_kind": RuleKind(_("未指明类别时抽取的督导员类别"), {"kind": Param(str, kinds)}),
        "record_due": RuleKind(
            _("督导情况记录表提交期限（工作日）"),
            {
                "working_days": Param(int),
                "supervisor_kind": Param(str, kinds),
                "plan_kind": Param(str, plan_kinds),
            },
        ),
        "annual_assessment": RuleKind(
            _("年度考核结果作为委派依据：上一年度不合格者在抽取时标出（排除须为中心自定）"),
            {"action": Param(str, ("flag", "exclude"))},
        ),
        "cancellation_final": RuleKind(_("取消资格者不得再从事质量督导工作（不可恢复、不可换证）")),
        "double_random": RuleKind(_("双随机：被督导机构也可按公布的种子随机抽取")),
        "announcement": RuleKind(
            _("向社会公告的名单"), {"list": Param(str, ("passed_with_scope", "all_results"))}
        ),
        "demonstration": RuleKind(_("示范评估推荐：从质量管理评估合格的机构中，由评估工作小组提出推荐意见")),
        "group_verdict": RuleKind(_("评估表不设分数线：由评估工作小组评定合格或不合格并写明理由")),
        "rectification_term": RuleKind(_("整改期限"), {"months": Param(int)}),
        "rectification_pass": RuleKind(_("整改合格须经重新评估合格")),
        "recheck": RuleKind(_("抽查复核：对部分机构抽查复核"), {"share": Param(str, required=False)}),
        "milestones": RuleKind(_("工作时间表（各阶段截止日期）")),
        "renewal_window": RuleKind(_("延续备案申请期限：备案有效期届满前若干日"), {"days": Param(int)}),
        "procedure": RuleKind(_("督导程序：各步骤依次记录日期"), {"plan_kind": Param(str, plan_kinds)}),
        "reregistration": RuleKind(
            _("登记事项变更须重新登记：中心接受所列项目的更正时，登记条目标为“需重新登记”"),
            {"fields": Param(list)},
        ),
        # 重庆 延续备案通知 三（二）: the applicant types (inspector.centre.applicants.APPLICANT_TYPES)
        "unscored_review": RuleKind(
            _("该类评价机构只审核、不评分：收到申报材料后若干工作日内提出审核意见"),
            {
                "applicant_type": Param(str, ("employer", "technical_school", "social_org")),
                "working_days": Param(int),
            },
        ),
        "decision_due": RuleKind(
            _("评分评估的处理期限：收到申报材料起若干工作日内"), {"working_days": Param(int)}
        ),
    }


@dataclass(frozen=True)
class Clause:
    document: str
    article: str
    quote: str

    def as_json(self) -> dict[str, str]:
        return {"document": self.document, "article": self.article, "quote": self.quote}


@dataclass(frozen=True)
class Milestone:
    name: str
    due: str  # "MM-DD" within the plan's year
    quote: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "due": self.due, "quote": self.quote}


@dataclass(frozen=True)
class Step:
    name: str
    quote: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "quote": self.quote}


@dataclass(frozen=True)
class Rule:
    key: str
    strength: Strength
    clause: Clause | None  # None only for the centre's own choice
    params: dict[str, Any] = field(default_factory=dict)
    reading: str = ""  # how an ambiguous text is read (Civil Code art. 1259, arts. 201-202 …)
    note: str = ""
    milestones: tuple[Milestone, ...] = ()
    steps: tuple[Step, ...] = ()  # a procedure's steps, in order
    source: str = ""  # the rulebook id it came from (a composed rulebook keeps its parts')

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "strength": self.strength,
            "clause": self.clause.as_json() if self.clause else None,
            "params": dict(sorted(self.params.items())),
            "reading": self.reading,
            "note": self.note,
            "source": self.source,
        }
        if self.milestones:
            out["milestones"] = [m.as_json() for m in self.milestones]
        if self.steps:
            out["steps"] = [st.as_json() for st in self.steps]
        return out

    @property
    def title(self) -> str:
        kind = rule_kinds().get(self.key)
        return kind.title if kind else self.key


@dataclass(frozen=True)
class NotModelled:
    """A rule of the document the program deliberately does not enforce, and why."""

    article: str
    quote: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"article": self.article, "quote": self.quote, "reason": self.reason}


@dataclass(frozen=True)
class Rulebook:
    id: str
    title: str
    issuer: str
    document: str
    year: int
    rubrics: tuple[str, ...]
    rules: tuple[Rule, ...]
    based_on: tuple[str, ...] = ()
    not_modelled: tuple[NotModelled, ...] = ()
    notes: str = ""

    def get(self, key: str) -> Rule | None:
        return next((r for r in self.rules if r.key == key), None)

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def param(self, key: str, name: str, default: Any = None) -> Any:
        rule = self.get(key)
        return default if rule is None else rule.params.get(name, default)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "issuer": self.issuer,
            "document": self.document,
            "year": self.year,
            "rubrics": list(self.rubrics),
            "based_on": list(self.based_on),
            "rules": [r.as_json() for r in self.rules],
            "not_modelled": [n.as_json() for n in self.not_modelled],
            "notes": self.notes,
        }

    def content(self) -> str:
        """The resolved rulebook as canonical JSON: what is hashed and stored."""
        return json.dumps(self.as_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.content().encode("utf-8")).hexdigest()


def rulebook_from_json(data: dict[str, Any]) -> Rulebook:
    """The inverse of :meth:`Rulebook.as_json` (a stored rulebook read back)."""
    return Rulebook(
        id=data["id"],
        title=data["title"],
        issuer=data["issuer"],
        document=data["document"],
        year=int(data["year"]),
        rubrics=tuple(data["rubrics"]),
        based_on=tuple(data.get("based_on", ())),
        notes=data.get("notes", ""),
        not_modelled=tuple(NotModelled(**n) for n in data.get("not_modelled", ())),
        rules=tuple(
            Rule(
                key=r["key"],
                strength=r["strength"],
                clause=Clause(**r["clause"]) if r.get("clause") else None,
                params=dict(r.get("params", {})),
                reading=r.get("reading", ""),
                note=r.get("note", ""),
                source=r.get("source", ""),
                milestones=tuple(Milestone(**m) for m in r.get("milestones", ())),
                steps=tuple(Step(**st) for st in r.get("steps", ())),
            )
            for r in data["rules"]
        ),
    )
