"""The engines bench (bench/bench_engines.py, issue 20) at a size of a few evaluations: its filling, its
load of every table into PostgreSQL, its baselines and its concurrent desks run on both engines (the
100,000 run is by hand, never part of ``.ci/run``), and the desk it times says the same on both."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.pg_support import Databases


def test_the_engines_bench_runs_small_and_both_engines_answer_alike(
    tmp_path: Path, pg_databases: Databases
) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_engines

    from inspector.centre.results import plan_results
    from inspector.centre.stats import statistics
    from inspector.folder import open_folder

    name = f"bench{os.getpid()}"
    pg_databases.made.append(name)  # dropped with the test server's other databases
    folder = tmp_path / "centre"
    engines = bench_engines.run(folder, pg_databases.server, name, 4, repeat=1, desks=2, peaks=False)
    assert [e.name for e in engines] == ["SQLite", "PostgreSQL"]
    for e in engines:
        assert e.evaluations == 4
        assert set(e.time) == set(bench_engines.OPS)
        assert len(e.desks) == 2 and e.alone > 0
    plan = (folder / "PLAN").read_text().strip()
    said = []
    for where in (folder, folder.with_name("centre.server")):
        db = open_folder(where)
        desk = [plan_results(db, plan).as_json(), statistics(db).as_json()]
        said.append(json.dumps(desk, default=str, sort_keys=True))
        db.conn.close()
    assert said[0] == said[1]
