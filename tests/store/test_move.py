"""``inspector centre move``: a demo centre onto the PostgreSQL server and back into a folder, every
row the same and every evaluation auditing clean on the copy; a move into a database that is not
empty is refused and changes nothing. Needs the test server (tests/pg_support.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.store.db import DB_NAME, SERVER_FILE, open_server_database
from inspector.store.move import _columns, _digest, _rows, tables_in_order
from tests.centre_support import demo_folder
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("folders_as_they_say")


def _run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspector", "--data", str(data), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "INSPECTOR_LANG": "zh",
            "HOME": str(data.parent),
        },
        timeout=300,
    )


def _tables(folder: Path) -> dict[str, str]:
    import sqlite_utils

    db = sqlite_utils.Database(sqlite3.connect(folder / DB_NAME))
    out = {t: _digest(_rows(db, t, _columns(db, t))) for t in tables_in_order(db)}
    db.conn.close()
    return out


def test_a_demo_centre_moves_to_the_server_and_back_auditing_clean(pg_url: str, tmp_path: Path) -> None:
    centre = demo_folder(tmp_path / "centre")
    before = _tables(centre)
    there = _run(centre, "centre", "move", "--to", pg_url, "--json")
    assert there.returncode == 0, there.stderr
    report = json.loads(there.stdout)
    assert report["ok"] and report["problems"] == [] and report["evaluations"] > 0
    assert report["rows"] == sum(report["tables"].values()) > 100
    assert (centre / SERVER_FILE).read_text(encoding="utf-8") == pg_url  # the folder now opens the server
    assert "password" not in there.stdout
    # what the desk reads now comes from the server
    listed = _run(centre, "eval", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == report["tables"]["evaluations"]

    back = tmp_path / "back"
    returned = _run(centre, "centre", "move", "--to", str(back))
    assert returned.returncode == 0, returned.stderr
    assert "核对无误" in returned.stdout
    assert _tables(back) == before  # every row of every table, as it was
    assert not (back / SERVER_FILE).exists()
    assert sorted(p.name for p in back.iterdir() if p.is_dir()) == sorted(
        p.name for p in centre.iterdir() if p.is_dir()
    )  # keys, evidence and PDFs came along


def test_a_move_into_a_database_that_is_not_empty_is_refused(pg_url: str, tmp_path: Path) -> None:
    db = open_server_database(pg_url)
    db.conn.execute("INSERT INTO orgs (id, name, created_at) VALUES ('x', '已有机构', '2026-01-01')")
    db.conn.close()
    centre = demo_folder(tmp_path / "centre")
    refused = _run(centre, "centre", "move", "--to", pg_url)
    assert refused.returncode == 1 and "不是空的" in refused.stderr and "Traceback" not in refused.stderr
    assert not (centre / SERVER_FILE).exists()
    db = open_server_database(pg_url)
    assert db.conn.execute("SELECT COUNT(*) FROM orgs").fetchone()[0] == 1
    db.conn.close()
