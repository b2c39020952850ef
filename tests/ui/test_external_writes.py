"""The window sees other writers (issue #14, item 10): the command line records while it is open."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.store.evaluations import Evaluation, EvaluationStore
from tests.helpers import run
from tests.ui.conftest import Window


def test_window_shows_stale_marks_while_the_command_line_writes(
    window: Window, store: EvaluationStore, fresh: Evaluation, demo_folder: Path, tmp_path: Path
) -> None:
    """The window and ``inspector eval record`` on one evaluation: the window kept what it had
    loaded (48 of 61 items differed). It notices the other writer's commits and shows the store."""
    window.start(fresh.id, "scoring")
    session = window.w.session
    assert session is not None and session.eval_id == fresh.id
    rubric = store.rubric(fresh.rubric_id, fresh.rubric_version)
    items = [i for i in rubric.items() if i.rule.kind == "all_or_nothing"][:12]
    assert len(items) == 12
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": {i.id: {"met": True} for i in items}}), encoding="utf-8")
    r = run("eval", "record", fresh.id, "--answers", answers, data=demo_folder)
    assert r.code == 0, r.err
    on_disk = store.current(fresh.id)

    def same() -> bool:
        return all(session.payload(i.id) == on_disk[i.id].change.payload for i in items)

    window.qtbot.waitUntil(same, timeout=10000)
    model = window.w.scoring.model
    assert model is not None
    done = [i.id for i in items if session.results[i.id].answered]
    assert len(done) == len(items)
    assert all("未评" not in model.rows[i].cells[0].toolTip() for i in done)
    # the window's own writes do not make it reload (data_version counts other connections only)
    assert not window.w.external.check()
