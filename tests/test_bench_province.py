"""The province bench (bench/bench_province.py, issues 18 S3 and 20) at a size of a few stations over a
few years: its fill through the write path, its load into PostgreSQL (when a test server is there),
its commands, baselines and concurrent desks run; and what it times is right — every year's plan's
desk shows, for each station, exactly that year's evaluation (not another year's), with that
evaluation's kept figures, and both engines say the same (the 100,000 run is by hand, never part of
``.ci/run``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

STATIONS, YEARS = 30, 3


def test_the_province_bench_runs_small_and_each_year_shows_its_own_evaluations(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_province
    import province_fill

    from inspector.centre.results import plan_desk
    from inspector.centre.stats import statistics
    from inspector.folder import open_folder

    server = None
    if os.environ.get("INSPECTOR_TEST_PG") or os.environ.get("INSPECTOR_REQUIRE_PG") == "1":
        databases = request.getfixturevalue("pg_databases")  # fails in CI without a server
        server = databases.server
        name = f"province{os.getpid()}"
        databases.made.append(name)  # dropped with the test server's other databases
    folder = tmp_path / "province"
    engines = bench_province.run(
        folder, server, f"province{os.getpid()}", STATIONS, YEARS, 2, repeat=1, desks=2, peaks=False
    )
    assert [e.name for e in engines] == ["SQLite", "PostgreSQL"][: len(engines)]
    for e in engines:
        assert e.targets == STATIONS and set(e.wall) == set(bench_province.OPS)
        assert len(e.desks) == 2 and e.alone > 0
    plans = province_fill.plans_of(folder)
    latest = max(plans)
    assert sorted(plans) == list(range(2027 - YEARS, 2027))
    said = []
    for where in [folder, folder.with_name("province.server")][: len(engines)]:
        db = open_folder(where)
        # each evaluation's own visit day and kept total, read apart from the desk
        own = {
            e: (org, day, total)
            for e, org, day, total in db.conn.execute(
                "SELECT e.id, e.org_id, e.visit_date, f.total_c FROM evaluations e"
                " LEFT JOIN eval_figures f ON f.eval_id = e.id"
            )
        }
        assert len(own) == sum(
            province_fill.fate(k, y, latest) != "cancelled" for k in range(STATIONS) for y in plans
        )
        document = []
        for year, plan_id in sorted(plans.items()):
            desk = plan_desk(db, plan_id, on=dt.date(2027, 1, 15))
            assert len(desk.targets) == STATIONS
            for row in desk.targets:
                k = int(row.org_code.lstrip("P")) if row.org_code else -1
                fate = province_fill.fate(k, year, latest)
                assert row.visit_date == province_fill.visit_day(k, year).isoformat()
                if fate == "cancelled":
                    assert row.state == "cancelled" and row.eval_id is None
                    continue
                assert row.eval_id in own, (year, k)
                org, day, total_c = own[row.eval_id]
                # that station's evaluation of THIS year: another year's would have another day
                assert org == row.org_id and day == row.visit_date and day.startswith(f"{year}-")
                assert row.state == ("draft" if fate == "draft" else "signed"), (year, k, fate)
                if fate != "draft":
                    assert total_c is not None and row.total is not None
                    assert int(row.total * 100) == total_c  # its kept figures, not another's
                if fate == "veto":
                    assert row.vetoes and row.outcome_code == "fail"
            document.append(desk.as_json())
        document.append(statistics(db).as_json())
        said.append(json.dumps(document, default=str, sort_keys=True))
        db.conn.close()
    assert all(s == said[0] for s in said)
