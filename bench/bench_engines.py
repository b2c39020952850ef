"""The results desk and statistics on both engines, side by side in one run (issue 20).

Each folder given was filled by ``bench/bench_scale.py --folder DIR`` (its plan id in ``DIR/PLAN``);
one holds its SQLite file, the other a ``server.url`` naming a PostgreSQL database (the baseline is
the SQLite folder, measured in the same run). Also ``--desks N``: N threads, each its own connection
as each desk PC has, reading the results desk at once; the time until all have their answer.

Usage: ``.venv/bin/python bench/bench_engines.py SQLITE_DIR SERVER_DIR [--repeat 3] [--desks 10]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.centre.results import plan_results
from inspector.centre.stats import statistics as centre_statistics
from inspector.folder import open_folder


def median_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _n in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def desks_at_once(folder: Path, plan_id: str, desks: int) -> float:
    """Wall time until every desk (a thread with its own connection) has read the results desk."""
    handles = [open_folder(folder) for _d in range(desks)]
    start_line = threading.Barrier(desks + 1)

    def read(n: int) -> None:
        start_line.wait()
        json.dumps(plan_results(handles[n], plan_id).as_json(), default=str)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(desks)]
    for t in threads:
        t.start()
    start_line.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    for h in handles:
        h.conn.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--desks", type=int, default=10)
    args = parser.parse_args()
    for folder in args.folders:
        measure(folder, args.repeat, args.desks)


def measure(folder: Path, repeat: int, desks: int) -> None:
    plan_id = (folder / "PLAN").read_text().strip()
    db = open_folder(folder)
    engine = "postgresql" if (folder / "server.url").exists() else "sqlite"
    n = int(db.conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0])
    res = median_of(lambda: json.dumps(plan_results(db, plan_id).as_json(), default=str), repeat)
    st = median_of(lambda: json.dumps(centre_statistics(db).as_json(), default=str), repeat)
    db.conn.close()
    many = desks_at_once(folder, plan_id, desks)
    print(
        f"{engine}: {n} evaluations: results {res:.3f} s, stats {st:.3f} s,"
        f" {desks} desks reading results at once {many:.3f} s"
    )


if __name__ == "__main__":
    main()
