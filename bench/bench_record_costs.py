"""What a durable record's time is made of (issue 18, P2), each figure beside its baseline in one run.

1. Pages: bare ``sqlite3`` commits (WAL, ``synchronous=FULL``) writing one row into each of 1, 3, 5
   and 7 tables, so 1-7 WAL pages per commit (a record writes about six), interleaved. If the time
   grows with the pages, the record's extra pages are what stand in the way; if not, its CPU is.
2. Cold code: ``EvaluationStore.record`` on a RAM disk in a tight loop, and with a pause before each
   call (as an fsync's wait leaves the core to other work): the CPU of the same call, warm and cold.

Usage: ``.venv/bin/python bench/bench_record_costs.py [--dir DIR]`` (DIR: where the pages' files go;
the disk whose fsync is measured, by default the temporary directory's).
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

from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics

RUBRIC = "sichuan-2017-inspection"
RAM = Path("/dev/shm")


def bare(folder: Path, tables: int) -> sqlite3.Connection:
    conn = sqlite3.connect(folder / f"bare{tables}.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for t in range(tables):
        conn.execute(f"CREATE TABLE t{t} (id INTEGER PRIMARY KEY, item TEXT, payload TEXT)")
    return conn


def commits(conn: sqlite3.Connection, tables: int, n: int) -> list[tuple[float, float]]:
    out = []
    for i in range(n):
        t0, c0 = time.perf_counter(), time.thread_time()
        conn.execute("BEGIN IMMEDIATE")
        for t in range(tables):
            row = ("4.1.1", f'{{"problems":{i % 3}}}')
            conn.execute(f"INSERT INTO t{t} (item, payload) VALUES (?, ?)", row)
        conn.execute("COMMIT")
        out.append((time.perf_counter() - t0, time.thread_time() - c0))
    return out


def pages(where: Path, rounds: int = 10, chunk: int = 100) -> list[str]:
    sizes = (1, 3, 5, 7)
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        conns = {k: bare(Path(tmp), k) for k in sizes}
        found: dict[int, list[tuple[float, float]]] = {k: [] for k in sizes}
        for _ in range(rounds):
            for k in sizes:
                found[k] += commits(conns[k], k, chunk)
        for c in conns.values():
            c.close()
    lines = [
        f"| bare commit, {where} | wall, median | wall, p99 | CPU, median |",
        "|---|---|---|---|",
    ]
    for k in sizes:
        wall = sorted(w for w, _c in found[k])
        cpu = statistics.median(c for _w, c in found[k])
        lines.append(
            f"| {k} page{'s' if k > 1 else ''} per commit | {statistics.median(wall) * 1e3:.3f} ms"
            f" | {wall[int(0.99 * len(wall))] * 1e3:.3f} ms | {cpu * 1e3:.3f} ms |"
        )
    return lines


def cold(n: int = 400, pause: float = 0.001) -> list[str]:
    with tempfile.TemporaryDirectory(dir=RAM if RAM.is_dir() else None) as tmp:
        db = open_folder(Path(tmp) / "store")
        install_builtin_rubrics(db)
        store = EvaluationStore(db, "bench")
        eval_id = store.create(RUBRIC, add_org(db, "基准测试机构")["id"]).id
        rubric = store.rubric(RUBRIC, 1)
        items = [i.id for i in rubric.items() if i.rule.kind in ("all_or_nothing", "yes_no")]
        found: dict[float, list[float]] = {0.0: [], pause: []}
        k = 0
        for _ in range(4):
            for wait in (0.0, pause):
                for _ in range(n // 4):
                    k += 1
                    if wait:
                        time.sleep(wait)
                    c0 = time.thread_time()
                    obs = {"problems": k % 3} if k % 2 else {"met": True}
                    store.record(eval_id, items[k % len(items)], obs)
                    found[wait].append(time.thread_time() - c0)
    warm, chilled = statistics.median(found[0.0]), statistics.median(found[pause])
    return [
        "| `EvaluationStore.record` on a RAM disk | CPU, median |",
        "|---|---|",
        f"| one after another | {warm * 1e3:.3f} ms |",
        f"| each after a {pause * 1e3:.0f} ms pause (the core left to other work) | {chilled * 1e3:.3f} ms"
        f" ({chilled / warm:.1f}×) |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    print("\n".join([*pages(args.dir), "", *cold()]))


if __name__ == "__main__":
    main()
