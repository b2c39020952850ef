"""The folder's sqlite-utils wrapper is made on first use (inspector.store.lazy_db; issue 18, P1).

Reading a folder the way the window's start does (the home list: evaluations, their totals, the
remembered items, the folder's role) must not import sqlite-utils (with click, dateutil and pluggy,
about 12 MB); everything that does use the wrapper gets the real one over the same connection."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inspector.store.db import _connect, migrate
from inspector.store.lazy_db import LazyDatabase

ROOT = Path(__file__).resolve().parents[2]

FILL = """
import sys
from pathlib import Path
from inspector.folder import open_folder
from inspector.store.demo import fill_demo
db = open_folder(Path(sys.argv[1]), rubrics=True)
fill_demo(db)
db.conn.close()
"""

READ = """
import sys
from pathlib import Path
from inspector.folder import opened_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.folder_role import folder_role, station_org
from inspector.store.ui_state import current_items
with opened_folder(Path(sys.argv[1]), rubrics=True) as db:
    store = EvaluationStore(db, None)
    found = store.list_evaluations()
    totals = store.totals(found)
    titles = [store.rubric(e.rubric_id, e.rubric_version).title for e in found]
    current_items(db)
    folder_role(db.conn), station_org(db.conn)
    print(len(found), len(totals), len(titles), "sqlite_utils" in sys.modules, "click" in sys.modules)
"""


def run(script: str, folder: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "INSPECTOR_DB"}  # the folder's own SQLite file
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_reading_a_folder_as_the_window_starts_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run(FILL, folder)
    found, totals, titles, imported, click = run(READ, folder).split()
    assert int(found) > 0 and found == totals == titles
    assert (imported, click) == ("False", "False")


def lazy(tmp_path: Path) -> LazyDatabase:
    path = tmp_path / "x.sqlite3"
    conn = _connect(path)
    migrate(conn, str(path))
    return LazyDatabase(conn)


def test_the_connection_is_set_up_as_sqlite_utils_sets_it_before_the_wrapper_exists(tmp_path: Path) -> None:
    db = lazy(tmp_path)
    assert db.conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 1
    assert object.__getattribute__(db, "_db") is None  # nothing made yet


def test_the_wrapper_is_the_real_one_over_the_same_connection(tmp_path: Path) -> None:
    import sqlite_utils

    db = lazy(tmp_path)
    real = db.wrapped()
    assert isinstance(real, sqlite_utils.Database) and real.conn is db.conn
    assert db.wrapped() is real  # made once
    assert "meta" in db.table_names()
    db["meta"].insert({"key": "k", "value": "v"})  # type: ignore[union-attr]
    assert db.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0] == "v"
    assert db.conn.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0] == "v"
    db.use_counts_table = True  # an attribute set on the wrapper, not beside it
    assert real.use_counts_table is True
    with pytest.raises(AttributeError):
        db.conn = sqlite3.connect(":memory:")  # type: ignore[misc]


def test_leaving_a_with_block_closes_the_connection(tmp_path: Path) -> None:
    with lazy(tmp_path) as db:
        conn = db.conn
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")
