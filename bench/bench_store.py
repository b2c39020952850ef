"""The store's figures, each beside its baseline in the same run.

1. A durable record of one observation (``EvaluationStore.record``) vs a bare ``sqlite3``
   single-row INSERT + COMMIT under the same pragmas (WAL, synchronous=FULL).
2. Many evaluations × 61 items: deriving one evaluation's current state, and listing all with
   totals, at 1,000 and 10,000 evaluations.

Usage: ``.venv/bin/python bench/bench_store.py [--evals 1000,10000] [--records 2000]``
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.db import open_database, transaction
from inspector.evaluations import EvaluationStore
from inspector.orgs import add_org
from inspector.rubric_store import install_builtin_rubrics

RUBRIC = "sichuan-2017-inspection"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def bare_commits(folder: Path, n: int) -> list[float]:
    conn = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, item TEXT, payload TEXT)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (item, payload) VALUES (?, ?)", ("4.1.1", f'{{"problems":{i % 3}}}'))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    conn.close()
    return times


def store_records(folder: Path, n: int) -> list[float]:
    db = open_database(folder / "store")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "bench")
    org = add_org(db, "基准测试机构")["id"]
    e = store.create(RUBRIC, org)
    items = [i.id for i in store.rubric(RUBRIC, 1).items() if i.rule.kind in ("all_or_nothing", "yes_no")]
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        store.record(e.id, items[i % len(items)], {"problems": i % 3} if i % 2 else {"met": True})
        times.append(time.perf_counter() - t0)
    return times


def fill(store: EvaluationStore, n_evals: int, start: int) -> None:
    """Bulk-create evaluations with all 61 answers through the real change path, batched."""
    org = add_org(store.db, f"机构{start}")["id"]
    rubric = store.rubric(RUBRIC, 1)
    answers = [(i.id, {"tier": 0} if i.rule.kind == "tiers" else {"problems": 0}) for i in rubric.items()]
    from inspector.changes import CREATE, OBSERVE
    from inspector.evaluations import apply_change

    payload_head = {
        "rubric": rubric.id, "rubric_version": 1, "rubric_hash": rubric.content_hash,
        "org": {"id": org, "name": f"机构{start}", "code": None}, "kind": "inspection", "team": [],
    }  # fmt: skip
    for k in range(n_evals):
        with transaction(store.db) as conn:
            import uuid

            eval_id = uuid.uuid4().hex
            apply_change(conn, store._change(conn, eval_id, None, CREATE, payload_head), store.rubric)
            for item_id, obs in answers:
                apply_change(conn, store._change(conn, eval_id, item_id, OBSERVE, obs), store.rubric)
        if k % 500 == 0:
            print(f"  … {start + k} evaluations", file=sys.stderr)


def scale(folder: Path, sizes: list[int]) -> list[tuple[int, float, float, float]]:
    db = open_database(folder / "scale")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "bench")
    made = 0
    out = []
    for size in sizes:
        fill(store, size - made, made)
        made = size
        one = store.list_evaluations()[0].id
        t0 = time.perf_counter()
        for _ in range(20):
            store.report(one)
        derive = (time.perf_counter() - t0) / 20
        t0 = time.perf_counter()
        everything = store.list_evaluations()
        list_only = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.totals(everything)
        totals = time.perf_counter() - t0
        assert len(everything) == size
        out.append((size, derive, list_only, totals))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--evals", default="1000,10000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = bare_commits(folder, args.records)
        rec = store_records(folder, args.records)
        b, r = statistics.median(bare), statistics.median(rec)
        print(
            f"durable commit of one row, bare sqlite3: median {b * 1e3:.3f} ms, "
            f"p99 {pct(bare, 0.99) * 1e3:.3f} ms"
        )
        print(
            f"EvaluationStore.record (checked, hashed, indexed): median {r * 1e3:.3f} ms, "
            f"p99 {pct(rec, 0.99) * 1e3:.3f} ms  → {r / b:.2f}× bare"
        )
        sizes = [int(s) for s in args.evals.split(",")]
        for size, derive, list_only, totals in scale(folder, sizes):
            print(f"{size:>6} evaluations × 61 items: current state + score of one {derive * 1e3:.2f} ms; "
                  f"list all {list_only * 1e3:.0f} ms; totals of all {totals * 1e3:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
