"""What has crossed to whom: the one writer of ``bundles``, ``bundle_marks`` and ``bundle_files``.

An export records what the recipient now holds (so the next export sends only what is new); an
import records what the sender holds (so an answer need not send it back), and every bundle that
went either way is kept with its counts and outcome. Both run inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from inspector.clock import now
from inspector.store.changes import canonical


def mark_chain(conn: sqlite3.Connection, holder: str, eval_id: str, device: str, seq: int) -> None:
    """``holder`` has every change of this chain up to ``seq`` (a mark never moves back)."""
    conn.execute(
        "INSERT INTO bundle_marks (recipient, eval_id, device_id, seq) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (recipient, eval_id, device_id)"
        " DO UPDATE SET seq = MAX(bundle_marks.seq, excluded.seq)",  # named: PostgreSQL asks which seq
        (holder, eval_id, device, seq),
    )


def mark_files(conn: sqlite3.Connection, holder: str, digests: Iterable[str]) -> None:
    """``holder`` has these files (evidence, signed PDFs, rubric texts), by SHA-256."""
    conn.executemany(
        "INSERT OR IGNORE INTO bundle_files (recipient, sha256) VALUES (?, ?)", [(holder, d) for d in digests]
    )


# The ledger's ``kind`` column keeps its two values (schema v4's CHECK; migrations are additive
# only): a self-assessment request is the centre's, like an assignment, and the station's answer
# a results bundle. Which request is which bundle, sent and returned, is in
# ``self_assessment_requests`` (inspector.centre.self_requests).
LEDGER_KIND = {"self-assessment-request": "assignment", "self-assessment": "results"}


def record_bundle(
    conn: sqlite3.Connection,
    manifest: Mapping[str, Any],
    *,
    direction: str,
    counts: Mapping[str, Any],
    outcome: str,
    file: str,
) -> None:
    """One bundle exported or imported, as its manifest names it."""
    conn.execute(
        "INSERT INTO bundles (id, direction, kind, sender, recipient, created, recorded_at, counts,"
        " outcome, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            manifest["bundle"],
            direction,
            LEDGER_KIND.get(manifest["kind"], manifest["kind"]),
            canonical(manifest["sender"]),
            canonical(manifest["recipient"]),
            manifest["created"],
            now(),
            canonical(dict(counts)),
            outcome,
            file,
        ),
    )
