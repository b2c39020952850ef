"""Two desks of one centre taking in overlapping bundles at once (a laptop's first export, and its
second, whole one holding the first's changes too): the changes another desk took in between this
import's checks and its write are not written twice (that failed with a duplicate key); the import
is checked again against what is there now and takes in only the rest. On a server centre ten desks
do this at once in tests/centre/test_desks_on_server.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.bundles import importer
from inspector.bundles.importer import import_bundle
from inspector.folder import open_folder
from inspector.store.audit import audit_evaluation
from inspector.store.evaluations import EvaluationStore
from tests.bundle_support import World, world, world_template

__all__ = ["world", "world_template"]  # fixtures


def test_changes_taken_in_by_another_desk_meanwhile_are_not_written_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = world.laptops[0]
    store = world.store(laptop, "张建国")
    store.record(world.eval_id, "1.1.1", {"met": True})
    first = world.results(laptop)
    store.record(world.eval_id, "1.2.1", {"met": True})
    second = world.results(laptop, full=True)  # the first's change again, and one more
    made = {
        str(r[0])
        for r in world.db(laptop).conn.execute(
            "SELECT id FROM changes WHERE eval_id = ? AND author = '张建国'", (world.eval_id,)
        )
    }
    keyring = world.keyring(world.centre)
    world.close()

    real = importer.prepare
    checks = {"n": 0}

    def checked_then_another_desk_imports(db: Any, rubrics_of: Any, opened: Any) -> Any:
        prepared = real(db, rubrics_of, opened)
        checks["n"] += 1
        if checks["n"] == 1:  # another desk takes in the first bundle now, before this one writes
            other = open_folder(world.centre)
            try:
                assert import_bundle(other, world.centre, first, keyring=keyring).added["changes"] == 1
            finally:
                other.conn.close()
        return prepared

    monkeypatch.setattr(importer, "prepare", checked_then_another_desk_imports)
    db = open_folder(world.centre)
    try:
        report = import_bundle(db, world.centre, second, keyring=keyring)
        assert not report.already and report.added["changes"] == 1  # only what the other desk had not
        assert checks["n"] == 3  # this import's checks, the other desk's, this import's again
        rows = db.conn.execute(
            "SELECT id FROM changes WHERE eval_id = ? AND author = '张建国'", (world.eval_id,)
        ).fetchall()
        assert sorted(str(r[0]) for r in rows) == sorted(made)  # none lost, none doubled
        assert (
            audit_evaluation(EvaluationStore(db, "audit"), Path(world.centre), world.eval_id).problems == []
        )
    finally:
        db.conn.close()
