"""The centre's desk and statistics at province scale (issue S1–S3), beside a bare read of the same rows.

A centre folder is filled with N signed Sichuan evaluations (61 answers each, through the real
change path: creation, 61 observations, sign, lock), one station each, all targets of one plan.
Then, in one process, each measured beside its baseline in the same run:

1. ``results``: ``plan_results(db, plan).as_json()`` serialised — the desk, every target's state,
   score, outcome, self-assessment difference, re-check draw, announcement list.
2. ``stats``: ``statistics(db).as_json()`` serialised — what fails most, distributions, groups.
3. Baseline: one bare SQL pass over the same rows (every evaluation with its winning heads' points
   summed, joined to its organisation), the least any answer needs to read.

Peak memory is the process's maximum resident set after each step (``resource.getrusage``).
The 100,000 size takes a long time to fill (about 6 million changes): it is not part of ``.ci/run``.

Usage: ``.venv/bin/python bench/bench_scale.py [--sizes 1000,10000] [--repeat 3] [--folder DIR] [--write]``

``--folder DIR`` fills the centre folder there and keeps it (its plan id in ``DIR/PLAN``); run again
with the same DIR, it measures the folder as it is, without filling: the same rows measured by two
versions of the program (an older schema is migrated on opening).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from perfdoc import replace_section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlite_utils

from inspector.centre.plans import insert_targets, new_plan
from inspector.centre.results import plan_results
from inspector.centre.stats import statistics as centre_statistics
from inspector.clock import now
from inspector.folder import open_folder
from inspector.store.changes import CREATE, LOCK, OBSERVE, SIGN
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore, fixed_payload, recorded_report
from inspector.store.log import apply_change
from inspector.store.orgs import insert_org

RUBRIC = "sichuan-2017-inspection"
SECTION = "## The desk and statistics at scale"
VISIT = dt.date(2026, 6, 1)


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
    # +h.winner: the heads' own clustered order, the same plan on every schema version (schema v8's
    # partial index would otherwise tempt the planner into a scan and a sort, four times slower)
    rows = db.conn.execute(
        "SELECT e.id, o.name, o.details, e.signed_at, SUM(h.points_c) FROM evaluations e"
        " JOIN orgs o ON o.id = e.org_id JOIN heads h ON h.eval_id = e.id AND +h.winner = 1"
        " GROUP BY e.id"
    ).fetchall()
    return len(rows)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds, and peak resident MB after the runs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--folder", type=Path, help="keep the filled folder there, or reuse it")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        where = args.folder or Path(tmp) / "centre"
        kept = (where / "PLAN").is_file()
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
            if args.folder and not kept:
                (where / "PLAN").write_text(plan_id)
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            base, _m = timed(lambda: bare(db), args.repeat)
            res, res_mem = timed(
                lambda: json.dumps(plan_results(db, plan_id).as_json(), default=str), args.repeat
            )
            st, st_mem = timed(lambda: json.dumps(centre_statistics(db).as_json(), default=str), args.repeat)
            rows.append((size, res, st, base, res_mem, st_mem))
            print(
                f"{size}: results {res:.3f} s ({res / base:.1f}× bare),"
                f" stats {st:.3f} s ({st / base:.1f}× bare), bare {base:.3f} s, peak {st_mem:.0f} MB"
            )
    lines = [
        SECTION,
        "",
        f"`bench/bench_scale.py`, medians of {args.repeat}, {platform.python_version()},"
        f" {platform.machine()}:"
        " N signed 61-item evaluations in one plan. Goals (issue 18): results and stats ≤ 0.5 s at"
        " 10,000, ≤ 2 s and ≤ 500 MB at 100,000. The baseline is one bare SQL pass over the same rows.",
        "",
        "| evaluations | `results PLAN --json` | `stats` | bare SQL pass | results ÷ bare | stats ÷ bare"
        " | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for size, res, st, base, _rm, mem in rows:
        lines.append(
            f"| {size:,} | {res:.3f} s | {st:.3f} s | {base:.3f} s | {res / base:.1f}× | {st / base:.1f}×"
            f" | {mem:.0f} MB |"
        )
    lines += [
        "",
        "Reading the figures (issue 18, S1/S2):",
        "",
        "- Schema v8 indexes what these reads need apart from the wide head rows: the winning heads'"
        " (evaluation, section, item, points, answered) in a partial index, the rare losing heads"
        " of a conflict in another, the lock changes in a third. The evaluation list counts answers"
        " and conflicts per evaluation from them, `totals()` groups by section in index order, the"
        " statistics count item failures per form without a join, the veto list reads a key range."
        " The indexes carry `winner` so that they cover: without it every index entry looked the"
        " wide row up again, and a read took 0.85 s where the clustered scan takes 0.15 s.",
        "- What stands in the way of 0.5 s (cProfile at 10,000): every figure is still derived at"
        " read time from 610,000 heads — `totals()` 0.42 s (0.23 s of it the grouped index read,"
        " the rest one Decimal per section per evaluation and the lock's fixed figures parsed),"
        " reading the 10,000 evaluations 0.22 s, the register and JSON about 0.3 s (the re-check"
        " list took 0.17 s testing membership in the drawn sequence: now a set);"
        " stats' item failures are one more pass over every winning head (0.28 s)."
        " The next step is figures kept per evaluation by `apply_change` (answered, conflicts and"
        " points per section, rebuilt and compared by `eval audit`), and per-item failure counts"
        " kept for signed evaluations, whose figures no longer change.",
        "- 100,000 evaluations (S3) was not measured: filling the folder takes about 40 minutes"
        " on this machine.",
    ]
    if args.write:
        replace_section(SECTION, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
