"""One reading of a plan and of a draw for both faces: the window's rows and the command line's JSON
come from inspector.centre.overview, so they cannot differ (they once did: ids in one, names in the
other)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.centre.overview import dispatch_rows, plan_rows
from inspector.centre.plans import dispatches, list_plans
from inspector.folder import open_folder
from tests.centre_support import demo_folder
from tests.helpers import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("demo") / "data")


def test_plan_rows_name_every_team_member_and_organisation(demo: Path) -> None:
    db = open_folder(demo)
    rows = plan_rows(db)
    assert [r.plan.id for r in rows] == [p.id for p in list_plans(db)]
    drawn = [t for r in rows for t in r.targets if t.team]
    assert drawn, "the demo has drawn teams"
    for t in drawn:
        assert len(t.team_names) == len(t.team)
        assert all(name and name not in t.team for name in t.team_names)  # names, not ids
        assert t.org_name != t.org_id


def test_plan_show_prints_the_same_reading_as_the_window(demo: Path) -> None:
    db = open_folder(demo)
    (row,) = plan_rows(db, list_plans(db)[0].id)
    shown = json.loads(run("plan", "show", row.plan.id, "--json", data=demo).out)
    printed = [{k: v for k, v in t.items() if k not in ("leader", "leader_chosen")} for t in shown["targets"]]
    assert printed == [t.as_json(row.plan.id) for t in row.targets]
    # the keys the command printed before the shared reading are all still there
    for t in shown["targets"]:
        assert {"plan", "org", "visit_date", "state", "eval", "team", "record_due"} <= set(t)


def test_dispatch_rows_carry_the_pool_by_name(demo: Path) -> None:
    db = open_folder(demo)
    plan = next(p for p in list_plans(db) if dispatches(db, p.id))
    record = dispatches(db, plan.id)[0]
    rows = dispatch_rows(db, record)
    assert [r.org for r in rows] == [a["org"] for a in record.assignments]
    for r, a in zip(rows, record.assignments, strict=True):
        assert r.team == tuple(a["team"]) and len(r.pool_names) == len(a["pool"])
        assert r.as_json(record)["pool_size"] == len(a["pool"])


def test_batched_reads_agree_with_one_by_one(demo: Path) -> None:
    """The desk reads evaluations and self-assessments in a few set-based queries (issue 18): they
    must give exactly what reading them one by one gives."""
    from inspector.store.evaluations import EvaluationStore

    store = EvaluationStore(open_folder(demo))
    everything = store.list_evaluations()
    assert store.get_many(e.id for e in everything) == {e.id: store.get(e.id) for e in everything}
    batched = store.self_assessments_for(everything)
    one_by_one = {e.id: s for e in everything if (s := store.self_assessment_for(e)) is not None}
    assert one_by_one, "the demo has a self-assessment beside an inspection"
    assert batched == one_by_one
    assert store.totals(everything[:3]).keys() == {e.id for e in everything[:3]}
