"""``inspector centre move`` at scale, before and after the streaming copy, side by side in one run.

A filled centre folder (``bench/bench_scale.py --folder DIR``: N signed 61-item evaluations; the
10,000 one has 1.3 million rows, 640,000 of them changes) is copied to a scratch folder for each run,
then moved onto a fresh database of a local PostgreSQL server (``centre move --to postgresql://…``)
and back into a new folder (``centre move --to NEWFOLDER``), each a fresh process of the command
line, timed from outside: wall seconds, CPU seconds (user + system) and peak resident memory of the
process (``wait4``'s ``ru_maxrss``). Both moves audit the copy (every table's digest, every
evaluation through ``eval audit``) as they always do.

- **before**: the program as it was, from an exported tree (``--before TREE``, made with
  ``git archive REV inspector resources rubrics rulebooks | tar -x -C TREE``): every table read
  into memory and sorted for its digest.
- **after**: this checkout: tables streamed in key order in batches, COPY into the server.
- **bare copy**: the baseline, in the same run: every row of every table of the SQLite file into a
  fresh database by ``COPY`` in one transaction (bench_engines.py's load: no audit, no digest, no
  foreign keys checked), in a process of its own.

Usage (by hand; the 10,000 folder is about 400 MB)::

    eval "$(.ci/pg-cluster.sh start)"
    nice .venv/bin/python bench/bench_move.py --folder DIR --server "$INSPECTOR_TEST_PG" \
        --before TREE [--write]
    .ci/pg-cluster.sh stop "$PG_CLUSTER_DIR"
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import psycopg.sql
from perfdoc import replace_section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Moving a centre at scale"


@dataclass
class Run:
    side: str
    direction: str
    wall: float
    cpu: float
    peak_mb: float
    rows: int
    evaluations: int
    ok: bool


def measured(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak resident MB of one process, and what it printed."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text, problem = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}\n{problem[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def fresh_database(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name))
        )
        admin.execute(
            psycopg.sql.SQL("CREATE DATABASE {} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'").format(
                psycopg.sql.Identifier(name)
            )
        )
    base, _sep, _db = server.rpartition("/")
    return f"{base}/{name}"


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name))
        )


def both_ways(side: str, tree: Path, folder: Path, server: str, scratch: Path) -> list[Run]:
    """The folder onto the server and back into a new folder, with the program at ``tree``."""
    from inspector.store.db import DB_NAME

    work = scratch / side
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    desk = work / "desk"
    desk.mkdir()
    shutil.copy(folder / DB_NAME, desk / DB_NAME)
    name = f"bench_move_{side.replace(' ', '_')}"
    url = fresh_database(server, name)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(tree),
        "INSPECTOR_LANG": "zh",
        "HOME": str(work),
    }
    runs = []
    for direction, to in (("folder → server", url), ("server → folder", str(work / "back"))):
        cmd = [sys.executable, "-m", "inspector", "--data", str(desk), "centre", "move", "--to", to, "--json"]
        wall, cpu, peak, text = measured(cmd, env, cwd=tree)  # ``-m`` imports from the cwd first
        report = json.loads(text)
        runs.append(
            Run(side, direction, wall, cpu, peak, report["rows"], report["evaluations"], report["ok"])
        )
        print(f"{side:>6} {direction}: {wall:.1f} s wall, {cpu:.1f} s CPU, {peak:.0f} MB", flush=True)
    drop_database(server, name)
    shutil.rmtree(work, ignore_errors=True)
    return runs


def bare(folder: Path, server: str) -> Run:
    url = fresh_database(server, "bench_move_bare")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    wall, cpu, peak, text = measured([sys.executable, __file__, "--bare-load", str(folder), url], env)
    drop_database(server, "bench_move_bare")
    print(f"  bare COPY: {wall:.1f} s wall, {cpu:.1f} s CPU, {peak:.0f} MB", flush=True)
    return Run("bare copy", "folder → server", wall, cpu, peak, int(text.split()[-1]), 0, True)


def bare_load(folder: Path, url: str) -> None:
    from bench_engines import load

    from inspector.store.db import open_server_database

    open_server_database(url).conn.close()  # the schema, by the store's own migrations
    counts = load(folder, url)
    print(sum(counts.values()))


def write(runs: list[Run], folder: Path, started: str, load: str) -> None:
    evaluations = max(r.evaluations for r in runs)
    rows = max(r.rows for r in runs)
    lines = [
        SECTION,
        "",
        f"`bench/bench_move.py`, {platform.python_version()}, {platform.machine()}, {started}, on the 2-core"
        f" machine shared with other work (load average {load}). `inspector centre move` of a"
        f" {evaluations:,}-evaluation centre folder (`bench_scale.py`'s, {rows:,} rows) onto a fresh"
        " database of a local PostgreSQL server (the throw-away cluster of `.ci/pg-cluster.sh`) and"
        " back into a new folder; each a fresh process of the command line, timed from outside (CPU:"
        " user + system of the process; peak: its resident memory). Every move audits its copy (each"
        " table's digest, each evaluation through `eval audit`). Before: the program as it was"
        " (commit cb3013c), every table read into memory and sorted for its digest. Baseline in the"
        " same run: *bare copy*, every row by `COPY` in one transaction, no audit.",
        "",
        "| side | direction | wall | CPU | peak RSS | audit |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.side} | {r.direction} | {r.wall:.1f} s | {r.cpu:.1f} s | {r.peak_mb:.0f} MB |"
            f" {'clean' if r.ok else 'problems'} |"
        )
    lines += ["", *NOTES, ""]
    replace_section(SECTION, "\n".join(lines))


# What the figures mean, written after reading them (kept here so that --write regenerates it whole).
NOTES: list[str] = [
    "Reading the figures (issue 20):",
    "",
    "- **Memory: bounded.** Before, a move read each table whole into Python tuples, then made a"
    " sorted list of JSON lines of it for the digest, and read it whole again from the copy for the"
    " audit: 2.1 GB at 10,000 evaluations (640,000 changes, 610,000 heads), which at 100,000 would"
    " have been some 20 GB. Now each table is read in key order 5,000 rows at a time (a server-side"
    " cursor on PostgreSQL), written (by `COPY` into a server) and hashed before the next batch;"
    " the audit reads the copy back the same way: about 80 MB, whatever the centre's size.",
    "- **Time.** The move's CPU time is mostly the audit of every evaluation (`eval audit`: its"
    " chains hashed again, its heads, its figures recomputed by the scoring engine), unchanged and"
    " the same on both sides; the copy itself went from a statement per row to `COPY`, and the"
    " digest from a JSON line per row to each batch's `repr` hashed at once. The machine was shared"
    " with six other engineers' suites and benches (load average 3–12), and wall times moved 2–7×"
    " with the load: compare CPU. Before, in the run just before this one (load 10–12; its move"
    " back was stopped to meet the deadline): onto the server 938.5 s wall, 169.2 s CPU, 2,057 MB"
    " (bare copy 38.7 s, 6.5 s CPU); after, this run: 960.1 s, 146.2 s CPU, 80 MB — CPU 0.86×."
    " By hand earlier the same day (load 5–6): before 126.6 s wall, 66.9 s CPU, 2,108 MB; after"
    " 158.4 s, 53.6 s CPU, 81 MB — CPU 0.80×. A move back also no longer asks the server for each"
    " evaluation's signed PDFs (a connection each: 10,000), only for those it keeps some of.",
    "- **A failed move** (the connection lost after some batches, either way; tested with batches"
    " of 5 rows in `tests/store/test_move.py`) leaves the target as it was: the server's database"
    " empty (one transaction), a new folder empty again, the source untouched, nothing switched.",
    "- **The desk log** (not in these runs: the target has no desks set up). Its trigger costs each"
    " written row: measured by hand on the same cluster, 100,000 rows of a `changes`-like table took"
    " 1.2 s by `COPY` without it, 7.4 s with the generic trigger function (the whole row made JSON,"
    " its key picked out by name, per row) and 3.8 s with the function per table that names its"
    " key's columns (now); by single-row INSERTs 11.0 s and 7.0 s. A move into a server whose desks"
    " are set up logs every row it copies; `centre roles` after the move does not.",
    "- **Re-measured on 2026-12-06 (issue 20's last round), 10,000 evaluations, `--sides` one at "
    "a time.** The program before this round (commit 92158e0, as an exported tree), load 0.2–1 "
    "when it started: onto the server 58.6 s wall, 40.0 s CPU, 80 MB (bare copy 6.3 s, 4.0 s "
    "CPU); back 151.3 s, 36.2 s CPU, 81 MB. This round (the audit inside the copy's transaction, "
    "the evidence fetched in batches), load 8–10 from other work: onto the server 234.0 s wall, "
    "45.7 s CPU, 80 MB (bare copy 18.5 s, 4.3 s CPU); back 130.9 s, 41.1 s CPU, 82 MB. The CPU is "
    "the same within this machine's load (a loaded core also runs slower per instruction); the "
    "audit's transaction costs nothing measurable; memory unchanged. Both audits clean.",
    "- **The audit, per evaluation** (61 items, some 64 changes each; 300 evaluations of the same "
    "folder, in one process, load 8–11): on a folder's SQLite file 4.6 ms wall, 1.8–2.0 ms CPU "
    "(about half re-reading and re-hashing the chains, 43% recomputing the figures with the "
    "scoring engine, the rest ten statements); on the server 25.7 ms wall, of which 3.6 ms is our "
    "CPU: the other 22 ms are the ten statements' round trips and the server's work, waiting for "
    "a core.",
    "- **100,000 evaluations, extrapolated** (the move is linear in rows: memory bounded, every "
    "table and every evaluation once): CPU about 400–460 s onto the server and 360–410 s back "
    "(10× the above); the audit alone 100,000 × 2 ms = 3.3 min CPU on a folder, 100,000 × 25.7 ms "
    "= 43 min wall on the server at load 10; the whole move, from the quiet run's 58.6 s onto the "
    "server and 151 s back at 10,000: about 10 and 25 minutes on a quiet machine. Not made "
    "cheaper this round: the audit now runs inside the copy's uncommitted transaction (a copy "
    "that fails it is rolled back, docs/centre-on-postgresql.md), which other processes cannot "
    "see, so checking evaluations in parallel processes would mean committing the copy first; on "
    "the server most of the wall is round trips, which reading many evaluations' changes and "
    "heads in one statement would cut (the same checks, fewer statements): left for later.",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--server")
    parser.add_argument("--before", type=Path, help="an exported tree of the program before")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "bench-move")
    parser.add_argument("--write", action="store_true", help="write the section of docs/performance.md")
    parser.add_argument(
        "--sides", default="before,after", help="which programs to run: before, after or both (the default)"
    )
    parser.add_argument("--bare-load", nargs=2, metavar=("FOLDER", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_load:
        bare_load(Path(args.bare_load[0]), args.bare_load[1])
        return
    if not (args.folder and args.server and (args.before or "before" not in args.sides)):
        parser.error("--folder, --server and --before are needed")
    started = dt.date.today().isoformat()
    loads = [os.getloadavg()[0]]
    runs = [bare(args.folder, args.server)]
    sides = args.sides.split(",")
    for side, tree in (("before", args.before), ("after", ROOT)):
        if side in sides:
            runs += both_ways(side, tree, args.folder, args.server, args.scratch)
        loads.append(os.getloadavg()[0])
    load = f"{min(loads):.1f}–{max(loads):.1f}"
    if args.write:
        write(runs, args.folder, started, load)


if __name__ == "__main__":
    main()
