"""Marks the pinned form disallows, and clearing one by an explicit act (the window and ``eval clear``).

A team member's bundle, or a folder written by an older program, may hold a mark the form does not
take: on an item or a veto the pinned version lacks (the scoring engine refuses the evaluation as a
whole), or one the form disallows on its item (a not-applicable without the form's leave, an override
off the item's point grid: ``ItemResult.irregular``). The log keeps it (history); no total is shown
and signing is refused while it is current (:func:`inspector.rubric.scoring.disallowed`). The
inspector puts it right by scoring the item again or, where the form lacks the item, by clearing
the mark: :meth:`EvaluationStore.record` with None, one durable change appended to the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inspector.errors import ObservationError, UsageError
from inspector.i18n import _
from inspector.rubric.scoring import Report, refusal_words, score_as_recorded, score_item
from inspector.store.changes import Change
from inspector.store.evaluations import VETO_PREFIX, EvaluationStore, current_observations


@dataclass(frozen=True)
class DisallowedMark:
    """One current mark the pinned form does not take."""

    item_id: str  # "veto:ID" for a veto
    payload: Mapping[str, Any]  # the mark as recorded
    why: str  # the engine's words (what signing and the kept figures say)
    in_form: bool  # the form has the item (it may be scored again there instead of cleared)


def disallowed_marks(store: EvaluationStore, eval_id: str) -> list[DisallowedMark]:
    """The evaluation's current marks the form disallows, in the log's order of items."""
    e = store.get(eval_id)
    rubric = store.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
    out = []
    for item_id, cur in sorted(store.current(eval_id).items()):
        payload = cur.change.payload
        if not payload:
            continue
        if item_id.startswith(VETO_PREFIX):
            if payload.get("veto") and rubric.veto(item_id[len(VETO_PREFIX) :]) is None:
                why = _("评估表 {r} 没有这个否决项").format(r=rubric.id)
                out.append(DisallowedMark(item_id, payload, why, False))
            continue
        if not rubric.has_item(item_id):
            out.append(
                DisallowedMark(item_id, payload, _("评估表 {r} 没有这个小项").format(r=rubric.id), False)
            )
            continue
        obs = cur.observation
        if obs is None:
            continue
        try:
            irregular = score_item(rubric.item(item_id), obs, recorded=True).irregular
        except ObservationError as err:  # refused even as recorded (report() refuses it too)
            irregular = err.message
        if irregular:
            out.append(DisallowedMark(item_id, payload, irregular, True))
    return out


def scored_as_recorded(store: EvaluationStore, eval_id: str) -> tuple[Report, str | None]:
    """The evaluation's current marks scored, and why the form allows no total (None: it does),
    in the reader's language: where the engine refuses the marks as a whole (an item or a veto the
    form lacks), the report scores the form's own marks only (for the items, never a total), as the
    window shows them (``eval show``, the scoring page)."""
    e = store.get(eval_id)
    rubric = store.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
    answers, vetoes = current_observations(store.conn, eval_id)
    report, parts = score_as_recorded(rubric, answers, vetoes)
    return report, None if parts is None else refusal_words(parts)


def clear_mark(store: EvaluationStore, eval_id: str, item_id: str) -> Change:
    """Clear the current mark of one item (an explicit act: ``eval clear``, the window's confirmed
    button), as one change appended to the log; refused when the item has no current mark (nothing
    to clear is not written as if it were) and for a signed evaluation (``record`` refuses)."""
    cur = store.current(eval_id).get(item_id)
    if cur is None or cur.change.payload is None:
        raise UsageError(_("该小项没有可清除的记录"), item_id)
    if item_id.startswith(VETO_PREFIX):
        e = store.get(eval_id)
        rubric = store.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
        veto_id = item_id[len(VETO_PREFIX) :]
        if rubric.veto(veto_id) is not None:  # the form's own veto: withdrawn as a veto is
            return store.set_veto(eval_id, veto_id, False)
    return store.record(eval_id, item_id, None)
