"""A move back's fetch of a server centre's evidence files, one connection each (before) against
batches over one connection (after, ``store/pg.py: fetch_files``), side by side in one run.

A fresh database on a local PostgreSQL server (the store's own migrations) is given N evidence
files (random bytes, ``--size`` each) in ``inspector_files``; then each side fetches every one of
them into an empty desk folder, in a fresh process of its own timed from outside (wall, CPU of the
process, its peak resident memory), the sides interleaved ``--rounds`` times. Every file written is
checked against its digest by both sides.

Usage (by hand)::

    eval "$(.ci/pg-cluster.sh start)"
    .venv/bin/python bench/bench_fetch.py --server "$INSPECTOR_TEST_PG" [--files 5000] [--write]
    .ci/pg-cluster.sh stop "$PG_CLUSTER_DIR"
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_move import drop_database, fresh_database, measured
from perfdoc import replace_section

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## A move back's evidence files"
NAME = "bench_fetch"


def fill(url: str, files: int, size: int) -> None:
    """``files`` evidence files of ``size`` random bytes each, with their evidence rows."""
    from inspector.store.db import open_server_database

    db = open_server_database(url)
    try:
        conn = db.conn
        conn.execute("BEGIN")
        for i in range(files):
            body = os.urandom(size)
            sha = hashlib.sha256(body).hexdigest()
            conn.execute("INSERT INTO inspector_files (sha256, content) VALUES (?, ?)", (sha, body))
            conn.execute(
                "INSERT INTO evidence (sha256, size, name, mime, added_at) VALUES (?, ?, ?, ?, ?)",
                (sha, size, f"照片{i}.jpg", "image/jpeg", "2026-12-06T00:00:00"),
            )
        conn.execute("COMMIT")
    finally:
        db.conn.close()


def fetch(side: str, url: str, folder: Path) -> None:
    """One side's fetch of every evidence file into ``folder`` (a desk of the server centre)."""
    from inspector.store.db import SERVER_FILE, open_database
    from inspector.store.evidence import evidence_dir, fetch_evidence, file_sha256
    from inspector.store.pg import fetch_file

    folder.mkdir(parents=True)
    (folder / SERVER_FILE).write_text(url, encoding="utf-8")
    db = open_database(folder)
    shas = [str(r[0]) for r in db.conn.execute("SELECT sha256 FROM evidence")]
    db.conn.close()
    if side == "before":  # what the move back did: evidence_path per file, a connection each
        for sha in shas:
            fetch_file(url, sha, evidence_dir(folder) / sha[:2] / sha)
    else:
        fetch_evidence(folder, shas)
    bad = [s for s in shas if file_sha256(evidence_dir(folder) / s[:2] / s) != s]
    if bad:
        raise SystemExit(f"{side}: {len(bad)} files wrong")
    print(len(shas))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write the section of docs/performance.md")
    parser.add_argument("--side", nargs=3, metavar=("SIDE", "URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        fetch(args.side[0], args.side[1], Path(args.side[2]))
        return
    if not args.server:
        parser.error("--server is needed")
    url = fresh_database(args.server, NAME)
    fill(url, args.files, args.size)
    scratch = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("INSPECTOR_DB", None)
    runs: dict[str, list[tuple[float, float, float]]] = {"before": [], "after": []}
    loads = [os.getloadavg()[0]]
    try:
        for n in range(args.rounds):
            for side in ("before", "after"):
                folder = scratch / f"{side}{n}"
                wall, cpu, peak, _text = measured(
                    [sys.executable, __file__, "--side", side, url, str(folder)], env
                )
                shutil.rmtree(folder)
                runs[side].append((wall, cpu, peak))
                print(f"{side}: {wall:.2f} s wall, {cpu:.2f} s CPU, {peak:.0f} MB", flush=True)
            loads.append(os.getloadavg()[0])
    finally:
        drop_database(args.server, NAME)
        shutil.rmtree(scratch, ignore_errors=True)
    if args.write:
        write(runs, args, f"{min(loads):.1f}–{max(loads):.1f}")


def write(runs: dict[str, list[tuple[float, float, float]]], args: argparse.Namespace, load: str) -> None:
    total = args.files * args.size / 2**20
    lines = [
        SECTION,
        "",
        f"`bench/bench_fetch.py`, {platform.python_version()}, {platform.machine()},"
        f" {dt.date.today().isoformat()}, load average {load} on the shared 2-core machine. A server"
        f" centre's {args.files:,} evidence files ({args.size:,} bytes each, {total:.0f} MB) fetched into"
        " an empty desk folder, as `centre move --to NEWFOLDER` does before it copies: each side a fresh"
        f" process, medians of {args.rounds} interleaved rounds. *before*: a connection per file (as"
        " the move did, through `evidence_path`); *after*: `fetch_files`, one connection, the sizes"
        " asked first, then the contents in batches of at most 8 MB and 1,000 names.",
        "",
        "| side | wall | CPU | peak RSS |",
        "|---|---:|---:|---:|",
    ]
    for side, rows in runs.items():
        wall, cpu, peak = (statistics.median(r[i] for r in rows) for i in range(3))
        lines.append(f"| {side} | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MB |")
    lines += ["", *NOTES, ""]
    replace_section(SECTION, "\n".join(lines))


NOTES: list[str] = [
    "Reading the figures (issue 20):",
    "",
    "- **Connections.** Before, the move back asked for each file on a connection of its own (a"
    " connection, its authentication and the bookkeeping check, one statement, closed): at 2,000"
    " files that was most of the wall, spent waiting for the server; after, one connection, two"
    " statements per batch. The machine was shared (load 8–10): compare the ratio within a round.",
    "- **Memory: bounded by the batch.** The first run of this bench, with batches of 32 MB, peaked"
    " at 139 MB (before: 42 MB, 2.4–2.8 s CPU after, 15.9–41.0 s wall against 104.6–120.0 s): a"
    " batch is held about three times over (the server's reply as hex text, the bytes, a file"
    " being written), so batches are now 8 MB (a photograph or two). A single file larger than"
    " that goes alone, as the store's limit for one file (200 MB) allows.",
    "- **Checked as before.** Each file is written (temporary name, synced, renamed) only when its"
    " content matches its digest: a damaged row on the server is never written"
    " (`tests/store/test_move.py`).",
]


if __name__ == "__main__":
    main()
