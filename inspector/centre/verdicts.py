"""The evaluation group's verdict where the form sets no pass line (河南 2011).

Henan's notice has the city's evaluation group (评估工作小组) "评定出质量管理合格、不合格" stations and
"提出参加示范评估推荐意见", but its forms give no score threshold. The group's verdict is recorded
here with its reason (and, for a station rated 合格, whether the group recommends it for the
demonstration evaluation, with the opinion); the results desk and the statistics use it as the
outcome. Only where the plan's rulebook has ``group_verdict`` and the rubric defines no outcome.
A correction is a new row: the latest counts, the earlier stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from inspector.clock import now
from inspector.errors import StoreError, UsageError
from inspector.i18n import _
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore, default_author

if TYPE_CHECKING:
    import sqlite_utils

VERDICTS = ("pass", "fail")


def verdict_label(code: str) -> str:
    return _("合格") if code == "pass" else _("不合格")


def record_verdict(
    db: sqlite_utils.Database,
    eval_id: str,
    verdict: str,
    reason: str,
    *,
    recommend: bool = False,
    opinion: str | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    store = EvaluationStore(db)
    e = store.get(eval_id)
    if verdict not in VERDICTS:
        raise UsageError(_("评定结论应为 pass（合格）或 fail（不合格）"), verdict)
    if not reason.strip():
        raise UsageError(_("评定须写明理由"), eval_id)
    if e.state == "draft":
        raise StoreError(_("评估尚未完成，不能评定"), eval_id)
    if store.rubric(e.rubric_id, e.rubric_version).outcomes:
        raise StoreError(_("该评估表自有评估结论，不由评估工作小组另行评定"), eval_id)
    if recommend and verdict != "pass":
        raise UsageError(_("示范评估推荐只能从评定为合格的机构中提出"), eval_id)
    if recommend and not (opinion or "").strip():
        raise UsageError(_("示范评估推荐须附评估工作小组的推荐意见"), eval_id)
    with transaction(db) as conn:
        conn.execute(
            "INSERT INTO group_verdicts (eval_id, verdict, reason, recommend, opinion, recorded_by,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (eval_id, verdict, reason.strip(), int(recommend), (opinion or "").strip() or None,
             by or default_author(), now()),
        )  # fmt: skip
    return latest_verdicts(db, [eval_id])[eval_id]


def latest_verdicts(db: sqlite_utils.Database, eval_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = set(eval_ids)
    out: dict[str, dict[str, Any]] = {}
    for row in db.conn.execute(
        "SELECT eval_id, verdict, reason, recommend, opinion, recorded_by, recorded_at FROM group_verdicts"
        " ORDER BY recorded_at, rowid"
    ):
        if row[0] in wanted:
            out[row[0]] = {
                "eval": row[0],
                "verdict": row[1],
                "label": verdict_label(row[1]),
                "reason": row[2],
                "recommend": bool(row[3]),
                "opinion": row[4],
                "recorded_by": row[5],
                "recorded_at": row[6],
            }
    return out
