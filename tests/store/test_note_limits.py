"""The note limits apply to what is recorded or received, never to what is already stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.documents.score_sheet import render_sheet
from inspector.errors import ObservationError
from inspector.rubric import observations
from inspector.store.db import open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics


def test_a_long_note_stored_before_the_limit_keeps_its_evaluation_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    e = store.create("sichuan-2017-inspection", add_org(db, "长备注站")["id"])
    with monkeypatch.context() as m:  # as an older version recorded it
        m.setattr(observations, "MAX_TEXT", 10**6)
        m.setattr(observations, "CONTROL", observations.re.compile("(?!)"))
        store.record(e.id, "1.1.1", {"met": False, "note": "旧" * 3000 + "\x0c"})
    assert store.current(e.id)["1.1.1"].observation is not None  # read as stored
    assert store.report(e.id).total is not None
    assert render_sheet(store, tmp_path / "data", e.id).startswith(b"%PDF")
    store.record(e.id, "1.2.1", {"met": True})  # the evaluation goes on
    with pytest.raises(ObservationError, match="2000"):  # but a new long note is refused
        store.record(e.id, "1.1.1", {"met": False, "note": "新" * 2001})
