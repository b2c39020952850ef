"""Changes held apart: what arrived outside the rules of :mod:`inspector.bundles.authority`.

A held change is never in the log. The centre (or a laptop's user) sees each one with the rule and
the reason, and decides explicitly: **accept** applies it through the one write path
(:func:`inspector.store.log.apply_change`) as if it had arrived within the rules; **reject** keeps
it on record as refused. Both need a reason and are recorded with who and when. A signed
evaluation stays final: nothing is accepted into it (a correction is an amendment, a new revision).
A change held only because the one before it on its chain was held follows that one's decision.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from inspector.bundles.authority import ACCEPTABLE, CHAIN, FINAL, Hold, lock_problem, rule_label
from inspector.clock import now
from inspector.errors import NotFoundError, StoreError, UsageError
from inspector.i18n import _
from inspector.store.changes import LOCK, Change, canonical, loads
from inspector.store.db import transaction
from inspector.store.evaluations import default_author
from inspector.store.log import apply_change
from inspector.store.rubrics import get_rubric


def kind_label(kind: str) -> str:
    """A change's kind as the window and the command line name it."""
    return {
        "create": _("新建评估"),
        "observe": _("评分"),
        "veto": _("否决项"),
        "meta": _("评估信息"),
        "sign": _("签署人"),
        "lock": _("签署完成"),
    }.get(kind, kind)


def hold(conn: sqlite3.Connection, c: Change, why: Hold, bundle: str, sender: dict[str, Any]) -> bool:
    """Keep ``c`` apart (inside the import's transaction); returns whether it was new here."""
    done = conn.execute(
        "INSERT INTO held_changes (eval_id, device_id, device_seq, change_id, hash, change, rule,"
        " reason, bundle, sender, held_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (eval_id, device_id, device_seq) DO UPDATE SET rule = excluded.rule,"
        " reason = excluded.reason, bundle = excluded.bundle, sender = excluded.sender"
        " WHERE held_changes.decision IS NULL",
        (
            c.eval_id,
            c.device_id,
            c.device_seq,
            c.id,
            c.hash,
            canonical(c.to_json()),
            why.rule,
            why.reason,
            bundle,
            canonical(sender),
            now(),
        ),
    ).rowcount
    return bool(done)


@dataclass(frozen=True)
class Held:
    id: int
    change: Change
    rule: str
    reason: str
    bundle: str
    sender: dict[str, Any]
    held_at: str
    decision: str | None
    decided_at: str | None
    decided_by: str | None
    decision_reason: str | None
    org_name: str | None

    def as_json(self) -> dict[str, Any]:
        c = self.change
        return {
            "id": self.id,
            "eval": c.eval_id,
            "org_name": self.org_name,
            "item": c.item_id,
            "kind": c.kind,
            "payload": c.payload,
            "author": c.author,
            "device": c.device_id,
            "seq": c.device_seq,
            "wall_time": c.wall_time,
            "rule": self.rule,
            "rule_label": rule_label(self.rule),
            "reason": self.reason,
            "bundle": self.bundle,
            "sender": self.sender.get("name"),
            "held_at": self.held_at,
            "decision": self.decision,
            "decided_at": self.decided_at,
            "decided_by": self.decided_by,
            "decision_reason": self.decision_reason,
        }


def _held(row: sqlite3.Row) -> Held:
    return Held(
        id=int(row["id"]),
        change=Change.from_json(loads(row["change"])),
        rule=row["rule"],
        reason=row["reason"],
        bundle=row["bundle"],
        sender=loads(row["sender"]),
        held_at=row["held_at"],
        decision=row["decision"],
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
        decision_reason=row["decision_reason"],
        org_name=row["org_name"],
    )


_SELECT = (
    "SELECT h.*, o.name AS org_name FROM held_changes h"
    " LEFT JOIN evaluations e ON e.id = h.eval_id LEFT JOIN orgs o ON o.id = e.org_id"
)


def held_changes(db: sqlite_utils.Database, *, everything: bool = False) -> list[Held]:
    """The changes awaiting a decision (``everything``: decided ones too), oldest first."""
    where = "" if everything else " WHERE h.decision IS NULL"
    rows = db.conn.execute(_SELECT + where + " ORDER BY h.id").fetchall()
    return [_held(r) for r in rows]


def get_held(db: sqlite_utils.Database, hold_id: int) -> Held:
    row = db.conn.execute(_SELECT + " WHERE h.id = ?", (hold_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这条被搁置的更改"), str(hold_id))
    return _held(row)


def _followers(conn: sqlite3.Connection, h: Held) -> list[int]:
    """The held changes after ``h`` on its chain that were held only because of it."""
    out: list[int] = []
    seq = h.change.device_seq
    while True:
        row = conn.execute(
            "SELECT id, rule FROM held_changes WHERE eval_id = ? AND device_id = ? AND device_seq = ?"
            " AND decision IS NULL",
            (h.change.eval_id, h.change.device_id, seq + 1),
        ).fetchone()
        if row is None or row[1] != CHAIN:
            return out
        out.append(int(row[0]))
        seq += 1


def _decide(conn: sqlite3.Connection, hold_id: int, decision: str, by: str, reason: str) -> None:
    conn.execute(
        "UPDATE held_changes SET decision = ?, decided_at = ?, decided_by = ?, decision_reason = ?"
        " WHERE id = ? AND decision IS NULL",
        (decision, now(), by, reason, hold_id),
    )


def _rubric_for(db: sqlite_utils.Database) -> Any:
    def rubric(rubric_id: str, version: int, digest: str | None = None) -> Any:
        r = get_rubric(db, rubric_id, int(version))
        if digest is not None and r.content_hash != digest:
            raise StoreError(
                _("评估表 {id} 第{v}版的内容与评估所用版本不一致").format(id=rubric_id, v=version)
            )
        return r

    return rubric


def _accept_one(db: sqlite_utils.Database, conn: sqlite3.Connection, h: Held) -> None:
    c = h.change
    if h.decision is not None:
        raise UsageError(_("这条更改已有决定：{d}").format(d=h.decision), str(h.id))
    if h.rule not in ACCEPTABLE:
        raise UsageError(_("按 {rule} 被搁置的更改只能拒绝").format(rule=rule_label(h.rule)), str(h.id))
    row = conn.execute("SELECT signed_at FROM evaluations WHERE id = ?", (c.eval_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个评估"), c.eval_id)
    if row[0]:
        raise StoreError(_("该评估已签署，只读：如需更改请另建修订版（eval amend）"), c.eval_id)
    if c.device_seq > 1:
        prev = conn.execute(
            "SELECT hash FROM changes WHERE eval_id = ? AND device_id = ? AND device_seq = ?",
            (c.eval_id, c.device_id, c.device_seq - 1),
        ).fetchone()
        if prev is None:
            first = conn.execute(
                "SELECT id FROM held_changes WHERE eval_id = ? AND device_id = ? AND device_seq = ?",
                (c.eval_id, c.device_id, c.device_seq - 1),
            ).fetchone()
            raise UsageError(
                _("请先决定同一设备的前一条更改（#{n}）").format(n=first[0] if first else "?"), str(h.id)
            )
    if c.kind == LOCK:
        problem = lock_problem(conn, c)
        if problem is not None:
            raise StoreError(problem, str(h.id))
    apply_change(conn, c, _rubric_for(db))


def accept_held(db: sqlite_utils.Database, hold_id: int, reason: str, by: str | None = None) -> list[int]:
    """Apply a held change (and those held only because of it), by an explicit decision with a
    reason; returns the ids accepted. Refused for a signed evaluation: it stays final."""
    if not reason.strip():
        raise UsageError(_("接受或拒绝被搁置的更改须写明理由"))
    who = by or default_author()
    done: list[int] = []
    with transaction(db) as conn:
        first = get_held(db, hold_id)
        for h in [first, *(get_held(db, i) for i in _followers(conn, first))]:
            _accept_one(db, conn, h)
            _decide(conn, h.id, "accepted", who, reason.strip())
            done.append(h.id)
    return done


def reject_held(db: sqlite_utils.Database, hold_id: int, reason: str, by: str | None = None) -> list[int]:
    """Refuse a held change for good (and those held only because of it); it stays on record."""
    if not reason.strip():
        raise UsageError(_("接受或拒绝被搁置的更改须写明理由"))
    who = by or default_author()
    with transaction(db) as conn:
        first = get_held(db, hold_id)
        if first.decision is not None:
            raise UsageError(_("这条更改已有决定：{d}").format(d=first.decision), str(hold_id))
        ids = [first.id, *_followers(conn, first)]
        for i in ids:
            _decide(conn, i, "rejected", who, reason.strip())
    return ids


def release_locks(conn: sqlite3.Connection, eval_ids: list[str], rubric_for: Any) -> int:
    """Apply the held locks of these evaluations that would now apply (rule 1: their past has all
    arrived, nothing else is here, the evaluation is complete, the chain before them is stored);
    returns how many. Inside the import's transaction."""
    released = 0
    for eval_id in eval_ids:
        rows = conn.execute(
            "SELECT id, change FROM held_changes WHERE eval_id = ? AND rule = ? AND decision IS NULL"
            " AND json_extract(change, '$.kind') = 'lock' ORDER BY id",
            (eval_id, FINAL),
        ).fetchall()
        for hold_id, text in rows:
            c = Change.from_json(loads(text))
            prev = conn.execute(
                "SELECT 1 FROM changes WHERE eval_id = ? AND device_id = ? AND device_seq = ?",
                (c.eval_id, c.device_id, c.device_seq - 1),
            ).fetchone()
            if prev is None or lock_problem(conn, c) is not None:
                continue
            apply_change(conn, c, rubric_for)
            conn.execute(
                "UPDATE held_changes SET decision = 'accepted', decided_at = ?, decided_by = ?,"
                " decision_reason = ? WHERE id = ?",
                (dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), _("自动"),
                 _("签署时已有的更改已全部到达"), hold_id),
            )  # fmt: skip
            released += 1
    return released


def settle_relay(conn: sqlite3.Connection, c: Change, by: str) -> None:
    """The owner sent a change that had been held as relayed: it applied; the hold is settled."""
    conn.execute(
        "UPDATE held_changes SET decision = 'accepted', decided_at = ?, decided_by = ?, decision_reason = ?"
        " WHERE eval_id = ? AND device_id = ? AND device_seq = ? AND decision IS NULL",
        (now(), by, _("本人已发送"), c.eval_id,
         c.device_id, c.device_seq),
    )  # fmt: skip
