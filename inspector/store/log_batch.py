"""One evaluation's run of marks applied at once: what :func:`inspector.store.log.apply_change` would
write for each of them in turn, in a few set-based statements (issue 18, P4).

A results bundle brings an evaluation's marks by the dozen; applied one by one, every mark paid
eight statements (its change, the evaluation's ``updated_at``, its item's heads read, counted and
written, the kept figures read and rewritten) and the JSON of the figures. Here the same run is
followed in memory against the item heads as stored, and written once: the changes and their
``supersedes`` with ``executemany``, the heads removed and added, ``updated_at`` and the figures
(:mod:`inspector.store.figures`) moved by exactly the steps ``item_changed`` takes per mark.

Only a *plain* run is taken this way: marks, vetoes and sign-offs (never a creation, a header
change or a lock, which keep their own path), none superseded already (a later change that arrived earlier),
and none leaving its item with two heads (a conflict, whose winner ``_refresh_winner`` picks by
the instant in SQL). Anything else returns False having written nothing, and the caller applies
the run change by change. tests/bundles/test_batch_apply.py compares every table of both paths.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from inspector.rubric.model import Rubric
from inspector.store import figures
from inspector.store.changes import OBSERVE, SIGN, VETO, Change, canonical, loads
from inspector.store.figures import CENT, VETO_PREFIX, Figures
from inspector.store.log import HeadValue, head_row, write_run

# what a run may hold: marks, vetoes, and the sign-offs (a change and ``updated_at``, nothing more)
RUN_KINDS = (OBSERVE, VETO, SIGN)

# one stored or new head of an item: change id -> (device_id, device_seq, section, points, answered, winner)
_Head = tuple[str, int, str | None, int | None, int, int]


def _winner(heads: dict[str, _Head]) -> tuple[tuple[str | None, int | None, int] | None, int]:
    """What ``figures.item_heads`` reads: the winning head's (section, points, answered), and the count."""
    won = None
    for h in heads.values():
        if h[5]:
            won = (h[2], h[3], h[4])
    return won, len(heads)


def apply_run(
    conn: sqlite3.Connection,
    eval_id: str,
    run: Sequence[tuple[Change, HeadValue | None]],
    rubric_for: Any,
    received_at: str,
) -> bool:
    """Apply ``run`` (one evaluation's marks and vetoes, in apply order, each with the head computed
    in the checks or None) as ``apply_change`` would one by one; False, nothing written, when the
    run is not plain (see the module docstring)."""
    if not run or any(c.kind not in RUN_KINDS or c.eval_id != eval_id for c, _h in run):
        return False
    row = conn.execute(
        "SELECT e.rubric_id, e.rubric_version, e.rubric_hash, f.refused, f.answered, f.conflicts,"
        " f.sections, f.vetoes, f.lost FROM evaluations e LEFT JOIN eval_figures f ON f.eval_id = e.id"
        " WHERE e.id = ?",
        (eval_id,),
    ).fetchone()
    if row is None or row[4] is None or row[3] is not None:
        return False  # no evaluation, no kept figures to move, or marks the engine refuses: the long path
    rubric: Rubric = rubric_for(row[0], row[1], row[2])
    for c, _h in run:  # an item or a veto the pinned form lacks, a mark it disallows: the engine's to judge
        if c.kind != SIGN and not figures.accepts(
            rubric, c.item_id, c.payload if c.kind == OBSERVE else None
        ):
            return False
    ids = [c.id for c, _h in run]
    named: set[str] = set()  # every parent named so far, stored or in this run
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        named |= {
            r[0]
            for r in conn.execute(
                f"SELECT parent_id FROM supersedes WHERE parent_id IN ({','.join('?' * len(chunk))})", chunk
            )
        }
    items: dict[str, dict[str, _Head]] = {}
    for item_id, change_id, device, seq, section, points, answered, winner in conn.execute(
        "SELECT item_id, change_id, device_id, device_seq, section, points_c, answered, winner"
        " FROM heads WHERE eval_id = ?",
        (eval_id,),
    ):
        items.setdefault(item_id, {})[change_id] = (device, seq, section, points, int(answered), int(winner))
    stored = {(item, cid) for item, heads in items.items() for cid in heads}

    # the figures as item_changed keeps them, moved mark by mark in memory
    f = Figures(answered=row[4], conflicts=row[5], sections=loads(row[6]))
    vetoes: set[str] = set(loads(row[7]))
    lost: dict[str, int] = loads(row[8])
    dirty = {"sections": False, "vetoes": False, "lost": False, "any": False}
    updated_at = run[0][0].wall_time
    for c, head in run:
        updated_at = max(updated_at, c.wall_time)
        if c.kind == SIGN:
            named.update(c.parents)
            continue
        assert c.item_id is not None
        if c.id in named:  # superseded already: apply_change's other path
            return False
        heads = items.setdefault(c.item_id, {})
        before = _winner(heads)
        for parent in c.parents:
            heads.pop(parent, None)
        if heads:  # a conflict: the winner is SQL's to pick
            return False
        named.update(c.parents)
        section, points, answered = head if head is not None else head_row(rubric, c)
        heads[c.id] = (c.device_id, c.device_seq, section, points, answered, 1)
        after = _winner(heads)
        if after == before:
            continue
        dirty["any"] = True
        for sign, (_w, count) in ((-1, before), (1, after)):
            f.conflicts += sign * max(0, count - 1)
        if c.item_id.startswith(VETO_PREFIX):
            vid, found = c.item_id[len(VETO_PREFIX) :], after[0] is not None and after[0][2] == 1
            vetoes = vetoes | {vid} if found else vetoes - {vid}
            dirty["vetoes"] = True
        else:
            for sign, (winner, _count) in ((-1, before), (1, after)):
                if winner is not None and winner[0] is not None:
                    f.answered += sign * winner[2]
                    f.sections[winner[0]] = f.sections.get(winner[0], 0) + sign * (winner[1] or 0)
            lost.pop(c.item_id, None)
            won = after[0]
            full = int(rubric.item(c.item_id).points * CENT) if rubric.has_item(c.item_id) else None
            if won is not None and won[0] is not None and won[2] and full is not None and won[1] != full:
                lost[c.item_id] = won[1] or 0
            dirty["sections"] = dirty["lost"] = True

    now_heads = {(item, cid) for item, heads in items.items() for cid in heads}
    write_run(
        conn,
        eval_id,
        [
            (
                c.id, c.eval_id, c.item_id, c.kind,
                canonical(c.payload) if c.payload is not None else None,
                canonical(list(c.parents)) if c.parents else "[]", c.author, c.device_id, c.device_seq,
                c.wall_time, c.prev_hash, c.hash, received_at,
            )
            for c, _h in run
        ],
        [(parent, c.id) for c, _h in run for parent in c.parents],
        sorted(stored - now_heads),
        [(item, cid, *items[item][cid]) for item, cid in sorted(now_heads - stored)],
    )  # fmt: skip
    if dirty["any"]:
        f.vetoes = sorted(vetoes)
        f.settle(rubric, vetoed=bool(vetoes))
        figures.write_moved(
            conn,
            eval_id,
            f,
            canonical(dict(sorted(f.sections.items()))) if dirty["sections"] else row[6],
            canonical(sorted(vetoes)) if dirty["vetoes"] else row[7],
            canonical(dict(sorted(lost.items()))) if dirty["lost"] else row[8],
        )
    figures.touched(conn, eval_id, updated_at)  # the latest change time, kept with the figures (v13)
    return True
