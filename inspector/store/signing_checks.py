"""Before anyone signs: what the signature vouches for, and what stops it.

One function, :func:`sign_check`, answers both for the window's sign page and for
``inspector eval sign`` (through :meth:`EvaluationStore.sign`, which refuses with
:func:`refusal`'s one line while anything blocks). What it holds: the total and the outcome, the
vetoes, the unanswered items, the unresolved team conflicts, and every deduction that does not say
what was found.

Every lost point needs the fact behind it (issue 15, "every deduction says what was found"). A
grouped criterion names the fact itself (the unmet line is the finding); an inspector's own points
(discretion, an override) carry their mandatory reason. A deduction by count, tier, proportion or
all-or-nothing says only how much was found, not what: it needs the inspector's note. Bonus items
are not deductions ("不满足的，不得分、不扣分"), nor are the lines of an unscored record form.

Where the rubric requires more (an item's ``evidence``: a note, a photo, either or both, with the
clause that requires it), a deduction without it blocks too, named by item.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from inspector.i18n import _
from inspector.rubric.model import Item
from inspector.rubric.observations import Observation
from inspector.rubric.rules import Grouped
from inspector.rubric.scoring import ItemResult, Report, VetoMark, disallowed

if TYPE_CHECKING:
    from inspector.store.evaluations import EvaluationStore

#: how a deduction was measured, in the inspector's words (what a note must then explain)
COUNT, TIER, RATIO, ALL_OR_NOTHING = "count", "tier", "ratio", "all_or_nothing"


def deduction_kind(obs: Observation) -> str:
    if obs.tier is not None:
        return TIER
    if obs.ratio is not None:
        return RATIO
    if obs.problems is not None or obs.unmet is not None:
        return COUNT
    return ALL_OR_NOTHING


def kind_label(kind: str) -> str:
    return {
        COUNT: _("按个数扣分"),
        TIER: _("按档次扣分"),
        RATIO: _("按比例扣分"),
        ALL_OR_NOTHING: _("不符合即不得分"),
    }[kind]


def is_deduction(item: Item, obs: Observation | None, result: ItemResult) -> bool:
    """The item lost points an inspector must account for (not a bonus, not a record form's line)."""
    if obs is None or not result.answered or item.in_bonus or not item.rule.scored or obs.na:
        return False
    return result.points < result.max_points


def missing_evidence(item: Item, obs: Observation | None, result: ItemResult) -> tuple[str, ...]:
    """What a deduction on an item whose rubric requires evidence still lacks ("note", "photo")."""
    if item.evidence is None or obs is None or not is_deduction(item, obs, result):
        return ()
    has_note = bool((obs.note or "").strip() or (obs.reason or "").strip())
    return item.evidence.missing(has_note, bool(obs.evidence))


def missing_label(missing: tuple[str, ...], requires: str) -> str:
    """The missing evidence in words: 缺备注 / 缺照片 / 缺备注或照片 / 缺备注和照片."""
    if set(missing) == {"note", "photo"}:
        return _("缺备注或照片") if requires == "either" else _("缺备注和照片")
    return _("缺备注") if missing == ("note",) else _("缺照片")


def needs_note(item: Item, obs: Observation | None, result: ItemResult) -> str | None:
    """The kind of deduction when this item lost points without saying what was found; else None."""
    if obs is None or not result.answered or item.in_bonus or not item.rule.scored:
        return None
    if result.points >= result.max_points or obs.na:
        return None
    if obs.points is not None:  # the inspector's own points: discretion or an override, reason required
        return None if (obs.reason or "").strip() else deduction_kind(obs)
    if isinstance(item.rule, Grouped) and obs.unmet:
        return None  # the unmet criteria are named by the form itself
    if (obs.note or "").strip():
        return None
    return deduction_kind(obs)


@dataclass(frozen=True)
class Unexplained:
    item_id: str
    text: str
    points: Decimal
    max_points: Decimal
    kind: str


@dataclass(frozen=True)
class MissingEvidence:
    item_id: str
    missing: tuple[str, ...]
    label: str  # 缺备注 / 缺照片 / …
    clause: str


@dataclass(frozen=True)
class SignCheck:
    """Everything the sign page shows and everything that blocks a signature."""

    eval_id: str
    state: str
    signed_at: str | None
    report: Report
    unanswered: tuple[str, ...]
    conflicts: tuple[str, ...]
    unexplained: tuple[Unexplained, ...]
    vetoes_without_note: tuple[str, ...]
    without_evidence: tuple[MissingEvidence, ...] = ()
    #: marks the form disallows (scoring.disallowed: what every unsigned total shows instead)
    disallowed: str | None = None

    @property
    def total(self) -> Decimal:
        return self.report.total

    @property
    def vetoed(self) -> tuple[VetoMark, ...]:
        return self.report.vetoed

    @property
    def signed(self) -> bool:
        return self.state == "signed"

    def blockers(self) -> list[str]:
        """Each reason signing is refused, one short sentence naming the items; empty: may sign."""
        out = []
        if self.signed:
            out.append(_("该评估已签署"))
            return out
        if self.unanswered:
            out.append(
                _("评估尚未完成，{n} 个小项未评分：{ids}").format(
                    n=len(self.unanswered), ids=_ids(self.unanswered)
                )
            )
        if self.conflicts:
            out.append(
                _("{n} 个小项有评估组冲突未解决：{ids}").format(
                    n=len(self.conflicts), ids=_ids(self.conflicts)
                )
            )
        if self.unexplained:
            ids = tuple(u.item_id for u in self.unexplained)
            out.append(_("{n} 项扣分未写明发现的情况（备注）：{ids}").format(n=len(ids), ids=_ids(ids)))
        if self.without_evidence:
            ids = tuple(f"{m.item_id}（{m.label}）" for m in self.without_evidence)
            out.append(_("{n} 项扣分缺评估表要求的证据：{ids}").format(n=len(ids), ids=_ids(ids)))
        if self.vetoes_without_note:
            out.append(_("否决项未写明发现的情况：{ids}").format(ids=_ids(self.vetoes_without_note)))
        if self.disallowed:
            out.append(self.disallowed)
        return out

    @property
    def ok(self) -> bool:
        return not self.blockers()


def _ids(ids: tuple[str, ...], limit: int = 12) -> str:
    shown = "、".join(ids[:limit])
    return shown + (_("等") if len(ids) > limit else "")


def refusal(check: SignCheck) -> str:
    """The one line ``eval sign`` and the window print when signing is refused."""
    return _("不能签署：") + "；".join(check.blockers())


def sign_check(store: EvaluationStore, eval_id: str) -> SignCheck:
    e = store.get(eval_id)
    rubric = store.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
    current = store.current(eval_id)
    report = store.report(eval_id)
    answers, _vetoes = store.observations(eval_id)
    results = {r.id: r for r in report.items}
    conflicts = tuple(i.id for i in rubric.items() if (c := current.get(i.id)) is not None and c.rivals)
    unexplained = []
    for item in rubric.items():
        kind = needs_note(item, answers.get(item.id), results[item.id])
        if kind is not None:
            r = results[item.id]
            unexplained.append(Unexplained(item.id, item.text, r.points, r.max_points, kind))
    without_evidence = []
    for item in rubric.items():
        if item.evidence is not None:
            lacks = missing_evidence(item, answers.get(item.id), results[item.id])
            if lacks:
                label = missing_label(lacks, item.evidence.requires)
                without_evidence.append(MissingEvidence(item.id, lacks, label, item.evidence.clause))
    bare_vetoes = tuple(v.id for v in report.vetoed if not (v.note or "").strip())
    return SignCheck(
        eval_id=eval_id,
        state=e.state,
        signed_at=e.signed_at,
        report=report,
        unanswered=report.unanswered,
        conflicts=conflicts,
        unexplained=tuple(unexplained),
        vetoes_without_note=bare_vetoes,
        without_evidence=tuple(without_evidence),
        disallowed=disallowed(report),
    )
