"""One open evaluation as the window sees it: a view over the store, refreshed after every write.

The store is the truth. The session keeps what the views read often (the current values, the
report, the comparisons) and refreshes them from what each write returns: ``store.record``
returns the change that is now the item's only head, so the session does not re-read the whole
evaluation after every mark. Scores always come from :func:`inspector.rubric.scoring.score`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from inspector.errors import InspectorError
from inspector.i18n import _
from inspector.rubric.comparison import (
    ItemComparison,
    SelfComparison,
    compare_previous,
    compare_self,
    rectification,
)
from inspector.rubric.model import Group, Item, Section
from inspector.rubric.observations import Observation, parse_observation
from inspector.rubric.scoring import ItemResult, Report, VetoMark, refusal_words, score_as_recorded
from inspector.store.changes import OBSERVE, Change, canonical
from inspector.store.disallowed_marks import DisallowedMark, clear_mark, disallowed_marks
from inspector.store.evaluations import VETO_PREFIX, Current, Evaluation, EvaluationStore
from inspector.store.folder_role import station_signed
from inspector.store.signing_checks import missing_evidence, missing_label
from inspector.store.ui_state import current_item, flagged_items, set_current_item, set_flagged


def normal_payload(payload: dict[str, Any] | None, item_id: str) -> str | None:
    """A payload in its stored form, for telling whether an edit changed anything."""
    if payload is None:
        return None
    try:
        return canonical(parse_observation(dict(payload), item_id).to_dict())
    except InspectorError:
        return canonical(payload)


class EvaluationSession(QObject):
    #: item ids (or "veto:ID") whose value changed; an empty tuple means everything (reload, team)
    changed = Signal(object)
    #: a write is on disk: the local time it returned, "HH:MM:SS"
    saved = Signal(str)

    def __init__(self, store: EvaluationStore, data_dir: Path, eval_id: str) -> None:
        super().__init__()
        self.store = store
        self.data_dir = data_dir
        self.eval_id = eval_id
        self.reload(emit=False)

    # -- loading ------------------------------------------------------------------------------
    def reload(self, *, emit: bool = True) -> None:
        s = self.store
        self.evaluation: Evaluation = s.get(self.eval_id)
        e = self.evaluation
        self.rubric = s.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
        self.items: list[Item] = list(self.rubric.items())
        self._order = {item.id: n for n, item in enumerate(self.items)}
        self.current: dict[str, Current] = s.current(self.eval_id)
        answers, vetoes = s.observations(self.eval_id)
        self._answers: dict[str, Observation] = answers
        self._vetoes: dict[str, VetoMark] = {v.id: v for v in vetoes}
        self.self_eval = s.self_assessment_for(e)
        self.self_report: Report | None = s.report(self.self_eval.id) if self.self_eval else None
        # who signed it at the station (issue 19); None: typed in at the centre, or not signed
        self.self_signed_by: str | None = (
            station_signed(s.conn, [self.self_eval.id]).get(self.self_eval.id) if self.self_eval else None
        )
        self.previous = s.previous_for(e) if e.kind == "recheck" else None
        self.previous_report: Report | None = s.report(self.previous.id) if self.previous else None
        # what was found last time, shown beside the item on a re-check (not only the points)
        self.previous_notes: dict[str, str] = {}
        if self.previous is not None:
            for item_id, obs in s.observations(self.previous.id)[0].items():
                said = (obs.note or "").strip() or (obs.reason or "").strip()
                if said:
                    self.previous_notes[item_id] = said
        self.flags: set[str] = flagged_items(s.db, self.eval_id)  # 待核实 (ui_state: see there)
        self._failed_before: set[str] | None = None
        self._rescore()
        if emit:
            self.changed.emit(())

    def _rescore(self) -> None:
        # marks the form disallows show no total, as signing refuses them and the kept figures say
        # (scoring.disallowed); a mark on an item or veto the form lacks, the engine refuses whole:
        # the form's own marks are still scored for the items' view, the total is not shown
        vetoes = list(self._vetoes.values())
        self.refused: str | None
        report, parts = score_as_recorded(self.rubric, self._answers, vetoes)  # the kept figures' parts
        self.refused = None if parts is None else refusal_words(parts)
        self.report: Report = report
        # read again only while there are some (rare): a mark's write pays nothing for it
        self.disallowed: list[DisallowedMark] = (
            disallowed_marks(self.store, self.eval_id) if self.refused is not None else []
        )
        self.results: dict[str, ItemResult] = {r.id: r for r in self.report.items}
        self.self_comparison: SelfComparison | None = (
            compare_self(self.report, self.self_report) if self.self_report else None
        )
        self.previous_comparison: dict[str, ItemComparison] = (
            compare_previous(self.report, self.previous_report) if self.previous_report else {}
        )

    # -- reading ------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self.evaluation.state == "signed"

    def item(self, item_id: str) -> Item:
        return self.rubric.item(item_id)

    def locate(self, item_id: str) -> tuple[Section, Group, Item]:
        return self.rubric.locate(item_id)

    def position(self, item_id: str) -> int:
        return self._order[item_id]

    def payload(self, item_id: str) -> dict[str, Any] | None:
        cur = self.current.get(item_id)
        if cur is None or cur.change.kind != OBSERVE or cur.change.payload is None:
            return None
        return dict(cur.change.payload)

    def conflict(self, item_id: str) -> list[Change]:
        """Every current value of an item in conflict (merged team work), the latest first; else []."""
        cur = self.current.get(item_id)
        return [cur.change, *cur.rivals] if cur is not None and cur.rivals else []

    def note(self, item_id: str) -> str:
        """What the inspector wrote about an item: its note, or the reason of their own points."""
        p = self.payload(item_id) or {}
        return str(p.get("note") or p.get("reason") or "").strip()

    def evidence_count(self, item_id: str) -> int:
        """How many evidence files the item's current value carries."""
        return len((self.payload(item_id) or {}).get("evidence") or [])

    def missing_evidence(self, item_id: str) -> str:
        """What a deduction lacks that the rubric requires (缺照片…), "" when nothing is missing."""
        item = self.item(item_id)
        lacks = missing_evidence(item, self._answers.get(item_id), self.results[item_id])
        return missing_label(lacks, item.evidence.requires) if lacks and item.evidence else ""

    def conflicted(self) -> list[str]:
        """The items whose value is in conflict (merged team work), in form order."""
        return [i.id for i in self.items if self.conflict(i.id)]

    def outcome_text(self) -> tuple[str, bool]:
        """The conclusion as it stands, and whether it is final: "未完成" until every item is scored
        (a blank form's total is not a refusal), except that a veto decides whatever the points."""
        r = self.report
        if self.refused is not None:  # no total, so no conclusion either (what signing refuses)
            return _("无结论：有评估表不允许的记录"), False
        if r.outcome is None:
            return _("本表未规定评估结论"), False
        if r.vetoed:
            return r.outcome.label, True
        if r.unanswered:
            return _("未完成"), False
        return r.outcome.label, not self.conflicted()

    def veto(self, veto_id: str) -> tuple[bool, str]:
        mark = self._vetoes.get(veto_id)
        if mark is not None:
            return True, mark.note or ""
        cur = self.current.get(VETO_PREFIX + veto_id)
        note = (cur.change.payload or {}).get("note", "") if cur else ""
        return False, note or ""

    def owners(self, section_code: str) -> list[str]:
        return [m.get("name", "") for m in self.evaluation.team if section_code in m.get("sections", [])]

    def self_result(self, item_id: str) -> ItemComparison | None:
        return self.self_comparison.items.get(item_id) if self.self_comparison else None

    def previous_result(self, item_id: str) -> ItemComparison | None:
        return self.previous_comparison.get(item_id)

    def rectified(self, item_id: str) -> str | None:
        c = self.previous_comparison.get(item_id)
        return rectification(c.theirs, c.mine) if c else None

    def failed_before(self) -> set[str]:
        """The items that lost points at this station's last signed inspection on this form (a
        re-check's own previous one); empty when there was none. Read once, when first asked."""
        if self._failed_before is None:
            e = self.evaluation
            report = self.previous_report
            if report is None and e.kind != "self":
                before = self.store.previous_for(e)
                if before is not None and before.id != e.previous_id:  # not this one's own earlier revision
                    report = self.store.report(before.id)
            self._failed_before = (
                {r.id for r in report.items if r.answered and r.points < r.max_points} if report else set()
            )
        return self._failed_before

    def next_unanswered(self, after: str | None) -> str | None:
        """The first unanswered item after ``after``, wrapping round; None when all are answered."""
        start = self._order[after] + 1 if after is not None else 0
        n = len(self.items)
        for k in range(n):
            item = self.items[(start + k) % n]
            if not self.results[item.id].answered or self.conflict(item.id):
                return item.id
        return None

    def neighbour(self, item_id: str, step: int) -> str | None:
        k = self._order[item_id] + step
        return self.items[k].id if 0 <= k < len(self.items) else None

    def resume_item(self) -> str:
        """Where work stopped: the remembered item, else the first unanswered, else the first."""
        remembered = current_item(self.store.db, self.eval_id)
        if remembered is not None and self.rubric.has_item(remembered):
            return remembered
        return self.next_unanswered(None) or self.items[0].id

    # -- writing (each is durable when it returns) ---------------------------------------------
    def _saved(self) -> None:
        self.evaluation = self.store.get(self.eval_id)
        self.saved.emit(time.strftime("%H:%M:%S"))

    def record(self, item_id: str, payload: dict[str, Any] | None) -> None:
        # parsed once here (a refused value raises before anything is written); the store scores
        # this typed observation and the session keeps the same object
        observation = None if payload is None else parse_observation(dict(payload), item_id)
        change = self.store.record(self.eval_id, item_id, observation)
        self.current[item_id] = Current(change, ())
        if observation is None:
            self._answers.pop(item_id, None)
        else:
            self._answers[item_id] = observation
        self._rescore()
        self._saved()
        self.changed.emit((item_id,))

    def clear_disallowed(self, item_id: str) -> None:
        """Clear a mark the form disallows (the window's confirmed act; ``eval clear`` on the command
        line): one change appended to the log, then everything read again."""
        clear_mark(self.store, self.eval_id, item_id)
        self.reload(emit=False)
        self._saved()
        self.changed.emit(())

    def set_veto(self, veto_id: str, found: bool, note: str) -> None:
        change = self.store.set_veto(self.eval_id, veto_id, found, note or None)
        self.current[VETO_PREFIX + veto_id] = Current(change, ())
        if found:
            self._vetoes[veto_id] = VetoMark(veto_id, note or None)
        else:
            self._vetoes.pop(veto_id, None)
        self._rescore()
        self._saved()
        self.changed.emit((VETO_PREFIX + veto_id,))

    def set_team(self, team: list[dict[str, Any]]) -> None:
        self.store.set_meta(self.eval_id, team=team)
        self._saved()
        self.changed.emit(())

    def set_flag(self, item_id: str, flagged: bool) -> None:
        """Flag an item 待核实 (or clear the flag): durable on return, allowed on a signed evaluation."""
        self.flags = set_flagged(self.store.db, self.eval_id, item_id, flagged)
        self.changed.emit((item_id,))

    def remember(self, item_id: str) -> None:
        """Where the window is now, for the next start (not part of the audited log)."""
        set_current_item(self.store.db, self.eval_id, item_id)
