"""The centre's desk and statistics at province scale (issue 18, S1–S3), beside a bare read of the same rows.

A centre folder is filled with N signed Sichuan evaluations (61 answers each, findings drawn per
station, through the real change path: creation, 61 observations, sign, a lock with the figures
fixed at signing), one station each, all targets of one plan; a second plan holds one city's
stations. Then, in one process, each measured beside its baseline in the same run:

1. ``results``: ``plan_results(db, plan).as_json()`` serialised — the desk, every target's state,
   score, outcome, self-assessment difference, re-check draw, announcement list; for the plan of
   every station and for the city's plan.
2. ``stats``: ``statistics(db).as_json()`` serialised — what fails most, distributions, groups.
3. Baseline: one bare SQL pass over the same rows (every evaluation with its winning heads' points
   summed, joined to its organisation).

Peak memory is that of a fresh process opening the folder and doing one of these once.
The 100,000 size takes most of an hour to fill (about 6 million changes): it is not part of
``.ci/run`` (which runs no bench), only run by hand.

Usage: ``.venv/bin/python bench/bench_scale.py [--sizes 1000,10000] [--repeat 3] [--folder DIR]… [--write]``

``--folder DIR`` fills the centre folder there and keeps it (its plan id in ``DIR/PLAN``); run again
with the same DIR, it measures the folder as it is, without filling: the same rows measured by two
versions of the program (an older schema is migrated on opening, and the time it took printed).
Several ``--folder`` measure several kept folders in one run (10,000 and 100,000 in one document).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from perfdoc import replace_section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlite_utils

from inspector.centre.plans import insert_targets, new_plan, targets
from inspector.centre.results import plan_results
from inspector.centre.stats import statistics as centre_statistics
from inspector.clock import now
from inspector.folder import open_folder
from inspector.store.changes import CREATE, LOCK, OBSERVE, SIGN
from inspector.store.db import DB_NAME, SCHEMA_VERSION, transaction
from inspector.store.evaluations import EvaluationStore, fixed_payload, recorded_report
from inspector.store.log import apply_change
from inspector.store.orgs import insert_org

RUBRIC = "sichuan-2017-inspection"
SECTION = "## The desk and statistics at scale"
VISIT = dt.date(2026, 6, 1)
# What the figures mean, written after reading them (kept here so that --write regenerates it whole).
NOTES: list[str] = [
    "Reading the figures (issue 18, S1–S3):",
    "",
    "- Schema v9 keeps each evaluation's figures in one row (`eval_figures`, inspector/store/figures.py):"
    " answered and conflicting heads, every section's points before a bonus cap, base, bonus, total"
    " and outcome, the vetoes found, the items below full points, the figures its lock fixed."
    " `apply_change`, the one write path, moves an item's share in the same transaction as the"
    " change (a mark, a veto, a conflict and its resolution, a change arriving after its"
    " successor), a move to another version of the form recomputes the row, the migration"
    " backfills every evaluation with the scoring engine, and `eval audit` recomputes and names"
    " any figure that differs. tests/store/test_figures.py drives random sequences of marks,"
    " vetoes, another laptop's concurrent and late changes, resolutions, moves between versions,"
    " signing and amending, and compares the row with the recomputation after every step.",
    "- The desk and the statistics read those rows: no pass over the heads (610,000 at 10,000"
    " evaluations), no lock payload parsed per evaluation, no per-item count over every head"
    " (stats count each form version's items once and then the few items below full points of"
    " each evaluation), the register read only for the plan's stations, region and category"
    " read with `json_extract`. A large `--json` document is written compact by the C encoder"
    " (the indenting one is pure Python: 4.6 of 6 s of the command at 10,000 stations).",
    "- A mark pays for it: about 35 µs more CPU (0.08 → 0.12 ms with `synchronous=OFF`, two"
    " reads of the item's heads, one of the row, one UPDATE) and one more WAL page per commit"
    " (5.6 → 6.4 frames); see the store section for the durable record beside a bare commit.",
    "- Before (main at cd8149d, the same folders filled and measured by it on the same day, same"
    " bench): 10,000 — results 1.097 s (7.2× a bare pass of 0.153 s), stats 0.968 s (6.3×);"
    " 100,000 — results 23.2 s (6.5× 3.55 s), stats 14.6 s (4.1×), 604 MB (that process's peak,"
    " filling included). The machine was shared (load 2–7 on 2 cores): compare the ratios.",
    "- Goals: stats at 10,000 is met (0.28 s); memory at 100,000 is met for stats (243 MB) and for"
    " a city's plan (73 MB). **Not met**: results at 10,000 (0.67 s against 0.5 s); at 100,000"
    " stats (3.6 s against 2 s) and the desk of one plan holding all 100,000 stations (9.9 s,"
    " 577 MB). A realistic desk — one city's plan of 4,762 stations in the province's 100,000"
    " evaluations — takes 0.38 s.",
    "- What stands in the way (cProfile). The desk: no longer any pass over the folder, but per"
    " target about 65 µs of Python — the evaluation read into an object, the register row with"
    " every field, the totals, the typed row, its JSON; a plan of 100,000 targets holds them all"
    " at once. What would close it: a desk that pages (the shown rows and the counts read by"
    " SQL), JSON written from rows. The statistics at 100,000: listing the 100,000 evaluations"
    " into objects about 1.2 s, parsing their items below full points 0.7 s, the totals 0.5 s,"
    " queries carrying 100,000 ids 0.5 s; and the folder (4 GB) no longer fits the page cache —"
    " the bare pass takes 13× its 10,000 time for 10× the rows. What would close it: counts per"
    " form kept for signed evaluations (whose figures no longer change), so that the statistics"
    " read a few hundred sums instead of 100,000 rows.",
    "- Opening a schema v8 folder of 100,000 evaluations migrates it in 76 s (every evaluation"
    " recomputed from its marks by the scoring engine, once). The 10,000 folder's backfilled"
    " rows were compared with the rows kept mark by mark while it was filled: all 10,000 equal."
    " Filling 100,000 through the write path took 52 minutes (nice 10, load 5–7).",
    "",
]


def fill(db: sqlite_utils.Database, plan_id: str, start: int, count: int) -> None:
    """``count`` more stations, each a target of the plan with one signed evaluation.

    One transaction per station: its register row, its target row and its evaluation's changes
    (the register's and the plan's own insert helpers, the change log's one write path). Not
    ``add_org``/``add_target``: ``add_target`` reads the whole plan back to return the new target,
    quadratic in the plan's size (hours at 100,000). The lock carries the figures fixed at
    signing, as ``EvaluationStore.sign`` writes them."""
    store = EvaluationStore(db, "bench")
    rubric = store.rubric(RUBRIC, 1)
    items = list(rubric.items())
    for k in range(start, start + count):
        org_id = uuid.uuid4().hex
        name, code = f"鉴定站{k:06d}", f"B{k:06d}"
        eval_id = uuid.uuid4().hex
        with transaction(db) as conn:
            insert_org(conn, org_id, name, code, {"region": f"市{k % 21:02d}"})
            insert_targets(conn, plan_id, [org_id], VISIT, now())
            head = {
                "rubric": rubric.id, "rubric_version": 1, "rubric_hash": rubric.content_hash,
                "org": {"id": org_id, "name": name, "code": code},
                "kind": "inspection", "team": [], "visit_date": VISIT.isoformat(),
            }  # fmt: skip
            apply_change(conn, store._change(conn, eval_id, None, CREATE, head), store.rubric)
            draw = random.Random(k)  # each station its own findings: no two alike, the same every run
            for item in items:
                found = draw.random() < 1 / 7
                obs: dict[str, object] = (
                    {"tier": int(found)} if item.rule.kind == "tiers" else {"problems": int(found)}
                )
                if found:
                    obs["note"] = "现场发现的问题"
                apply_change(conn, store._change(conn, eval_id, item.id, OBSERVE, obs), store.rubric)
            apply_change(
                conn, store._change(conn, eval_id, None, SIGN, {"name": "组长", "role": "组长"}), store.rubric
            )
            fixed = fixed_payload(recorded_report(conn, eval_id, store.rubric))
            apply_change(conn, store._change(conn, eval_id, None, LOCK, fixed), store.rubric)
        if k and k % 1000 == 0:
            print(f"  … {k} evaluations", file=sys.stderr, flush=True)


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def bare(db: sqlite_utils.Database) -> int:
    if not isinstance(db.conn, sqlite3.Connection):
        # PostgreSQL (bench_engines.py): it refuses SQLite's bare columns beside GROUP BY e.id, and
        # its own best plan is the sums grouped on their own (the partial index), then joined
        rows = db.conn.execute(
            "SELECT e.id, o.name, o.details, e.signed_at, s.points FROM evaluations e"
            " JOIN orgs o ON o.id = e.org_id JOIN (SELECT eval_id, SUM(points_c) AS points FROM heads"
            " WHERE winner = 1 GROUP BY eval_id) s ON s.eval_id = e.id"
        ).fetchall()
        return len(rows)
    # +h.winner: the heads' own clustered order, the same plan on every schema version (schema v8's
    # partial index would otherwise tempt the planner into a scan and a sort, four times slower)
    rows = db.conn.execute(
        "SELECT e.id, o.name, o.details, e.signed_at, SUM(h.points_c) FROM evaluations e"
        " JOIN orgs o ON o.id = e.org_id JOIN heads h ON h.eval_id = e.id AND +h.winner = 1"
        " GROUP BY e.id"
    ).fetchall()
    return len(rows)


Row = tuple[int, int, dict[str, float], dict[str, float]]


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def region_plan(db: sqlite_utils.Database, plan_id: str) -> str:
    """A second plan, of one city's stations (every 21st, region 市00): a year's campaign of a city
    among the province's evaluations, beside the one plan holding every station."""
    found = db.conn.execute("SELECT id FROM plans WHERE title = ?", ("规模测试·市00",)).fetchone()
    if found:
        return str(found[0])
    region = new_plan(db, RUBRIC, "规模测试·市00", "routine", year=2026).id
    orgs = [
        r[0]
        for r in db.conn.execute(
            "SELECT t.org_id FROM plan_targets t JOIN orgs o ON o.id = t.org_id WHERE t.plan_id = ?"
            " AND json_extract(o.details, '$.region') = '市00'",
            (plan_id,),
        )
    ]
    with transaction(db) as conn:
        insert_targets(conn, region, orgs, VISIT, now())
    return region


def operations(db: sqlite_utils.Database, plan_id: str, region: str) -> dict[str, Callable[[], object]]:
    return {
        "bare": lambda: bare(db),
        "results": lambda: json.dumps(plan_results(db, plan_id).as_json(), default=str),
        "region": lambda: json.dumps(plan_results(db, region).as_json(), default=str),
        "stats": lambda: json.dumps(centre_statistics(db).as_json(), default=str),
    }


def peak(where: Path, op: str) -> float:
    """Peak resident MB of a fresh process that opens the folder and does ``op`` once (what one
    command run costs, apart from the filling and the other steps of this one)."""
    out = subprocess.run(
        [sys.executable, __file__, "--folder", str(where), "--peak", op],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.split()[-1])


def measure(where: Path, sizes: list[int], repeat: int) -> list[Row]:
    """Fill the folder to each size (or take a kept one as it is) and measure; one row per size."""
    rows = []
    kept = (where / "PLAN").is_file()
    if kept:
        with sqlite3.connect(where / DB_NAME) as raw:
            version = raw.execute("PRAGMA user_version").fetchone()[0]
        t0 = time.perf_counter()
        open_folder(where, rubrics=True).conn.close()
        if version < SCHEMA_VERSION:
            print(
                f"schema v{version} migrated to v{SCHEMA_VERSION} in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
    db = open_folder(where, rubrics=True)
    if kept:
        plan_id = (where / "PLAN").read_text().strip()
        made = int(db.conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0])
        sizes = [made]
    else:
        plan_id = new_plan(db, RUBRIC, "规模测试", "routine", year=2026).id
        made = 0
    for size in sizes:
        t0 = time.perf_counter()
        fill(db, plan_id, made, size - made)
        if size > made:
            print(f"filled {made:,}–{size:,} in {time.perf_counter() - t0:.0f} s", flush=True)
        made = size
        if not kept:  # a temporary folder too: the peak() child opens it by its plan
            (where / "PLAN").write_text(plan_id)
        region = region_plan(db, plan_id)
        in_region = len(targets(db, region))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ops = operations(db, plan_id, region)
        got = {op: timed(fn, repeat) for op, fn in ops.items()}
        mem = {op: peak(where, op) for op in ("bare", "results", "region", "stats")}
        rows.append((size, in_region, got, mem))
        print(
            f"{size}: results {got['results']:.3f} s ({got['results'] / got['bare']:.1f}× bare),"
            f" region plan of {in_region} {got['region']:.3f} s, stats {got['stats']:.3f} s"
            f" ({got['stats'] / got['bare']:.1f}× bare), bare {got['bare']:.3f} s;"
            f" peak MB bare {mem['bare']:.0f} results {mem['results']:.0f} region {mem['region']:.0f}"
            f" stats {mem['stats']:.0f}",
            flush=True,
        )
    db.conn.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--folder", type=Path, action="append", help="keep the filled folder there, or reuse it (repeatable)"
    )
    parser.add_argument("--peak", help=argparse.SUPPRESS)  # the child process of peak()
    args = parser.parse_args()
    if args.peak:
        where = args.folder[0]
        db = open_folder(where, rubrics=True)
        plan_id = (where / "PLAN").read_text().strip()
        operations(db, plan_id, region_plan(db, plan_id))[args.peak]()
        # VmHWM: this process's own high-water mark (ru_maxrss would carry the forking parent's
        # over exec on Linux)
        status = Path("/proc/self/status").read_text().splitlines()
        hwm = next((line for line in status if line.startswith("VmHWM:")), None)
        kb = int(hwm.split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(kb / 1024)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for where in args.folder or [Path(tmp) / "centre"]:
            rows += measure(where, sizes, args.repeat)
    lines = [
        SECTION,
        "",
        f"`bench/bench_scale.py`, medians of {args.repeat}, {platform.python_version()},"
        f" {platform.machine()}, {dt.date.today().isoformat()}: N signed 61-item evaluations, one"
        " station each, all in one plan; a second plan holds one city's stations (every 21st)."
        " Goals (issue 18): results and stats ≤ 0.5 s at 10,000, ≤ 2 s and ≤ 500 MB at 100,000."
        " The baseline is one bare SQL pass over the same rows (every evaluation with its winning"
        " heads' points summed, joined to its station) in the same run. Peak memory: a fresh"
        " process opening the folder and doing that one thing.",
        "",
        "| evaluations | `results PLAN --json` (every station) | ÷ bare | one city's plan | `stats` | ÷ bare"
        " | bare SQL pass | peak MB: results / city / stats / bare |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, in_region, got, mem in rows:
        lines.append(
            f"| {size:,} | {got['results']:.3f} s | {got['results'] / got['bare']:.1f}×"
            f" | {got['region']:.3f} s ({in_region:,} targets) | {got['stats']:.3f} s"
            f" | {got['stats'] / got['bare']:.1f}× | {got['bare']:.3f} s"
            f" | {mem['results']:.0f} / {mem['region']:.0f} / {mem['stats']:.0f} / {mem['bare']:.0f} |"
        )
    lines += ["", *NOTES]
    if args.write:
        replace_section(SECTION, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
