"""The change log's one write path: a sealed change stored, and the derived tables brought up to it.

Every change, made on this laptop or imported from a bundle, goes through :func:`apply_change` (a
bundle's plain run of marks through :mod:`inspector.store.log_batch`, which writes exactly the rows
this would, change by change: tests/bundles/test_batch_apply.py); the ``evaluations`` and ``heads``
tables are indexes derived from the log (``audit`` rebuilds them and compares). This module also
keeps the device's identity and each chain's tip, which a new change needs to be sealed.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from inspector.clock import now
from inspector.rubric.model import Rubric
from inspector.rubric.observations import parse_observation
from inspector.rubric.scoring import score_item
from inspector.store import figures
from inspector.store.changes import CREATE, GENESIS, LOCK, META, OBSERVE, VETO, Change, canonical, loads
from inspector.store.meta import read_meta, write_meta
from inspector.store.orgs import insert_org

CENT = Decimal(100)

# -- the device ---------------------------------------------------------------------------------


def device_id(conn: sqlite3.Connection) -> str:
    """This data folder's identity, made once: the author of its changes' chain."""
    known = read_meta(conn, "device_id")
    if known is not None:
        return known
    return write_meta(conn, "device_id", uuid.uuid4().hex, keep_existing=True)


def chain_tip(conn: sqlite3.Connection, device: str, eval_id: str) -> tuple[int, str]:
    """The (seq, hash) of this device's last change to the evaluation, or (0, GENESIS)."""
    row = conn.execute(
        "SELECT device_seq, hash FROM changes WHERE eval_id = ? AND device_id = ?"
        " ORDER BY device_seq DESC LIMIT 1",
        (eval_id, device),
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


# -- applying a change to the derived tables ------------------------------------------------------


def _insert_change(conn: sqlite3.Connection, c: Change, received_at: str | None = None) -> None:
    conn.execute(
        "INSERT INTO changes (id, eval_id, item_id, kind, payload, parents, author, device_id,"
        " device_seq, wall_time, prev_hash, hash, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            c.id,
            c.eval_id,
            c.item_id,
            c.kind,
            canonical(c.payload) if c.payload is not None else None,
            canonical(list(c.parents)),
            c.author,
            c.device_id,
            c.device_seq,
            c.wall_time,
            c.prev_hash,
            c.hash,
            received_at or now(),
        ),
    )


HeadValue = tuple[str | None, int | None, int]  # an item head's (section, points × 100, answered)


def points_c(points: Decimal | None) -> int | None:
    return None if points is None else int(points * CENT)


def head_row(rubric: Rubric, c: Change) -> HeadValue:
    """(section, points in hundredths, answered) of an item head."""
    assert c.item_id is not None
    if c.kind == VETO:
        return None, None, int(bool(c.payload and c.payload.get("veto")))
    if c.payload is None or not rubric.has_item(c.item_id):  # cleared, or an item the form lacks: no point
        return (rubric.locate(c.item_id)[0].code if rubric.has_item(c.item_id) else None), None, 0
    section, _g, item = rubric.locate(c.item_id)
    result = score_item(item, parse_observation(c.payload, c.item_id), recorded=True)
    return section.code, points_c(result.points) if result.answered else None, int(result.answered)


def _refresh_winner(conn: sqlite3.Connection, eval_id: str, item_id: str) -> None:
    """Among an item's heads, the latest by wall time (then device) counts until resolved.

    Times are compared as instants (julianday reads the UTC offset), never as text: two laptops
    in different offsets, or a crafted offset, must not decide a conflict by spelling."""
    conn.execute("UPDATE heads SET winner = 0 WHERE eval_id = ? AND item_id = ?", (eval_id, item_id))
    conn.execute(
        "UPDATE heads SET winner = 1 WHERE eval_id = ? AND item_id = ? AND change_id = ("
        " SELECT h.change_id FROM heads h JOIN changes c"
        " ON c.eval_id = h.eval_id AND c.device_id = h.device_id AND c.device_seq = h.device_seq"
        " WHERE h.eval_id = ? AND h.item_id = ?"
        " ORDER BY julianday(c.wall_time) DESC, c.wall_time DESC, c.device_id DESC LIMIT 1)",
        (eval_id, item_id, eval_id, item_id),
    )


def _repin(conn: sqlite3.Connection, c: Change, rubric_for: Any) -> None:
    """A draft moved to another version of its form: the pin changes, every head is rescored."""
    row = conn.execute("SELECT rubric_id FROM evaluations WHERE id = ?", (c.eval_id,)).fetchone()
    rubric = rubric_for(row[0], c.payload["rubric_version"], c.payload["rubric_hash"])
    conn.execute(
        "UPDATE evaluations SET rubric_version = ?, rubric_hash = ?, items = ? WHERE id = ?",
        (rubric.version, rubric.content_hash, sum(1 for _i in rubric.items()), c.eval_id),
    )
    heads = conn.execute(
        "SELECT h.change_id, c.item_id, c.kind, c.payload FROM heads h JOIN changes c"
        " ON c.eval_id = h.eval_id AND c.device_id = h.device_id AND c.device_seq = h.device_seq"
        " WHERE h.eval_id = ?",
        (c.eval_id,),
    ).fetchall()
    for change_id, item_id, kind, payload in heads:
        if kind == VETO:
            continue
        value = None if payload is None else loads(payload)
        if value is None or not rubric.has_item(item_id):
            section = rubric.locate(item_id)[0].code if rubric.has_item(item_id) else None
            points, answered = None, 0
        else:
            section = rubric.locate(item_id)[0].code
            result = score_item(rubric.item(item_id), parse_observation(value, item_id), recorded=True)
            points, answered = (points_c(result.points), 1) if result.answered else (None, 0)
        conn.execute(
            "UPDATE heads SET section = ?, points_c = ?, answered = ? WHERE eval_id = ? AND change_id = ?",
            (section, points, answered, c.eval_id, change_id),
        )


def apply_change(
    conn: sqlite3.Connection,
    c: Change,
    rubric_for: Any,
    head: HeadValue | None = None,
    received_at: str | None = None,
    before: figures.ItemHeads | None = None,
    figures_row: Sequence[Any] | None = None,
    checked: bool = False,
) -> None:
    """Store a sealed change and update the derived tables; the same path for local and imported.

    ``head`` is the item's (section, points, answered) when the caller has just computed it: a
    change made here and now, which nothing can have superseded yet; ``received_at`` its wall time
    then (made and received in the same instant: the clock is read once); ``before`` the item's
    heads as the caller read them in this transaction (for the change's parents), not read again;
    ``figures_row`` the evaluation's form and kept figures as the caller read them in this
    transaction (``figures.item_changed``'s columns); ``checked``: the mark was scored by its
    item's rule as a new one (``EvaluationStore.record``), which refuses whatever the form
    disallows, so the figures need not read it again.
    """
    _insert_change(conn, c, received_at)
    for parent in c.parents:
        conn.execute("INSERT OR IGNORE INTO supersedes (parent_id, child_id) VALUES (?, ?)", (parent, c.id))
    if c.kind == CREATE:
        p = c.payload
        org = p["org"]
        insert_org(conn, org["id"], org["name"], org.get("code"), {}, c.wall_time, if_new=True)
        rubric = rubric_for(p["rubric"], p["rubric_version"], p["rubric_hash"])
        conn.execute(
            "INSERT INTO evaluations (id, rubric_id, rubric_version, rubric_hash, org_id, kind, visit_date,"
            " team, revision, previous_id, amend_reason, items, created_at, created_by, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                c.eval_id,
                p["rubric"],
                p["rubric_version"],
                p["rubric_hash"],
                org["id"],
                p["kind"],
                p.get("visit_date"),
                canonical(p.get("team", [])),
                p.get("revision", 1),
                p.get("previous_id"),
                p.get("amend_reason"),
                sum(1 for _i in rubric.items()),
                c.wall_time,
                c.author,
                c.wall_time,
            ),
        )
        figures.created(conn, c.eval_id, rubric, c.wall_time)
        return
    # the evaluation's latest change time is kept with its figures (figures.touched), in the row a
    # mark rewrites anyway: evaluations.updated_at stays as created, and a mark writes one page less
    if c.kind == META:
        for key in ("team", "visit_date"):
            if key in c.payload:
                value = canonical(c.payload[key]) if key == "team" else c.payload[key]
                conn.execute(f"UPDATE evaluations SET {key} = ? WHERE id = ?", (value, c.eval_id))
        if "rubric_version" in c.payload:
            _repin(conn, c, rubric_for)
            figures.recompute(conn, c.eval_id, rubric_for)
        else:
            figures.touched(conn, c.eval_id, c.wall_time)
    elif c.kind == LOCK:
        conn.execute(
            "UPDATE evaluations SET signed_at = COALESCE(signed_at, ?) WHERE id = ?", (c.wall_time, c.eval_id)
        )
        figures.locked(conn, c.eval_id, c.wall_time, c.payload)
    elif c.kind in (OBSERVE, VETO):
        assert c.item_id is not None
        # the evaluation's kept figures follow its heads, in this transaction (inspector.store.figures)
        if before is None:
            before = figures.item_heads(conn, c.eval_id, c.item_id)
        if head is None:
            superseded = conn.execute("SELECT 1 FROM supersedes WHERE parent_id = ?", (c.id,)).fetchone()
            if superseded is not None:  # a later change (arrived earlier) already replaced this one
                for parent in c.parents:
                    conn.execute(
                        "DELETE FROM heads WHERE eval_id = ? AND item_id = ? AND change_id = ?",
                        (c.eval_id, c.item_id, parent),
                    )
                _refresh_winner(conn, c.eval_id, c.item_id)
                figures.item_changed(
                    conn, c.eval_id, c.item_id, before, rubric_for, c.wall_time, read_winner=True
                )
                return
            row = conn.execute(
                "SELECT rubric_id, rubric_version, rubric_hash FROM evaluations WHERE id = ?", (c.eval_id,)
            ).fetchone()
            head = head_row(rubric_for(*row), c)
        section, points, answered = head
        replaced = False
        if len(c.parents) == 1:  # the usual mark: its one parent's head row becomes this change's
            # (the same rows as DELETE + INSERT below, in one statement; none if the parent is no head)
            replaced = (
                conn.execute(
                    "UPDATE heads SET change_id = ?, device_id = ?, device_seq = ?, section = ?,"
                    " points_c = ?, answered = ?, winner = ?"
                    " WHERE eval_id = ? AND item_id = ? AND change_id = ?",
                    (c.id, c.device_id, c.device_seq, section, points, answered, int(before[1] == 1),
                     c.eval_id, c.item_id, c.parents[0]),
                ).rowcount
                == 1
            )  # fmt: skip
        removed = int(replaced)
        if not replaced:
            for parent in c.parents:
                removed += conn.execute(
                    "DELETE FROM heads WHERE eval_id = ? AND item_id = ? AND change_id = ?",
                    (c.eval_id, c.item_id, parent),
                ).rowcount
        others = before[1] - removed  # the item's heads this change does not replace
        if not replaced:
            conn.execute(
                "INSERT INTO heads (eval_id, item_id, change_id, device_id, device_seq, section, points_c,"
                " answered, winner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    c.eval_id,
                    c.item_id,
                    c.id,
                    c.device_id,
                    c.device_seq,
                    section,
                    points,
                    answered,
                    int(others == 0),
                ),
            )
        if others:  # a conflict: pick the winner among all heads
            _refresh_winner(conn, c.eval_id, c.item_id)
            figures.item_changed(
                conn, c.eval_id, c.item_id, before, rubric_for, c.wall_time, read_winner=True
            )
        else:  # the one head now, and the winner: known without reading it back
            now_heads = ((section, points, answered), 1)
            mark = c.payload if c.kind == OBSERVE else None  # a team member's may be one the form disallows
            figures.item_changed(
                conn, c.eval_id, c.item_id, before, rubric_for, c.wall_time, now_heads, mark,
                row=figures_row, accepted=checked,
            )  # fmt: skip
    else:  # a sign-off: only the latest change's time moves
        figures.touched(conn, c.eval_id, c.wall_time)


# -- a bundle's run of marks, written at once (inspector.store.log_batch plans it) -----------------


def write_run(
    conn: sqlite3.Connection,
    eval_id: str,
    changes: list[tuple[Any, ...]],
    supersedes: list[tuple[str, str]],
    heads_gone: list[tuple[str, str]],
    heads_new: list[tuple[Any, ...]],
) -> None:
    """The rows :func:`inspector.store.log_batch.apply_run` found that ``apply_change`` would write
    for a run of one evaluation's marks: the change rows (in ``_insert_change``'s column order),
    their ``supersedes``, the (item, change) heads removed and the heads added (item, change,
    device, seq, section, points, answered, winner). The latest change time is the figures' to keep
    (``figures.touched``, as ``apply_change`` keeps it, schema v13)."""
    conn.executemany(
        "INSERT INTO changes (id, eval_id, item_id, kind, payload, parents, author, device_id,"
        " device_seq, wall_time, prev_hash, hash, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        changes,
    )
    conn.executemany("INSERT OR IGNORE INTO supersedes (parent_id, child_id) VALUES (?, ?)", supersedes)
    conn.executemany(
        "DELETE FROM heads WHERE eval_id = ? AND item_id = ? AND change_id = ?",
        [(eval_id, item, cid) for item, cid in heads_gone],
    )
    conn.executemany(
        "INSERT INTO heads (eval_id, item_id, change_id, device_id, device_seq, section, points_c,"
        " answered, winner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(eval_id, *h) for h in heads_new],
    )
