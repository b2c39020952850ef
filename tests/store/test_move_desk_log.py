"""What a centre move carries besides the tables (issue 20): the server's desk log (who did what, by
the server's word) to a folder's file and onto a server again, and the score sheets a centre desk
signed itself (reports/), which every desk of a server centre then lists; a sheet signed at a desk
of a server centre is kept on the server too. The roles are the server's: a move makes none, and
says so. Needs the test server (tests/pg_support.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from inspector.folder import open_folder
from inspector.store.db import DB_NAME, SERVER_FILE
from inspector.store.move import DESK_LOG, move_centre
from inspector.store.orgs import add_org
from inspector.store.pg_roles import install
from inspector.store.signed_pdfs import REPORTS_DIR, signed_pdfs
from tests.centre.test_desk_roles import as_user, desk
from tests.centre_support import demo_folder, new_db
from tests.conftest import ROOT
from tests.pg_support import Databases

pytestmark = pytest.mark.usefixtures("folders_as_they_say")
SIGN = ("--signer", "张三:组长", "--passphrase-file")


def _acts(url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as pg:
        rows = pg.execute(f"SELECT desk_user, tbl, op FROM {DESK_LOG} ORDER BY n").fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def test_the_desk_log_moves_to_a_folder_and_onto_a_server_again(
    pg_url: str, pg_databases: Databases, tmp_path: Path
) -> None:
    owner = desk(tmp_path, "owner", pg_url)
    new_db(owner).conn.close()
    install(pg_url, {"desk_clerk7": "clerk"})
    clerk = open_folder(desk(tmp_path, "clerk", as_user(pg_url, "desk_clerk7")))
    add_org(clerk, "登记员登记的机构")
    clerk.conn.close()
    logged = _acts(pg_url)
    assert ("desk_clerk7", "orgs", "INSERT") in logged

    back = tmp_path / "back"
    report = move_centre(owner, str(back))
    assert report.ok, report.problems
    assert report.desk_acts == len(logged) > 0
    kept = sqlite3.connect(back / DB_NAME)
    in_file = kept.execute(f"SELECT desk_user, tbl, op FROM {DESK_LOG} ORDER BY n").fetchall()
    kept.close()
    assert in_file == logged  # the folder keeps the server's word on who did what

    again = pg_databases.new()
    report = move_centre(back, again)
    assert report.ok, report.problems
    assert report.desk_acts == len(logged)
    assert _acts(again)[: len(logged)] == logged
    # the roles are the server's (the login desk_clerk7 still exists on it), the grants the
    # database's: the move granted the desks nothing on the new database until centre roles is run
    with psycopg.connect(again) as pg:
        granted = pg.execute("SELECT has_table_privilege('desk_clerk7', 'orgs', 'SELECT')").fetchone()
    assert granted == (False,)
    install(again, {"desk_clerk7": "clerk"})
    with psycopg.connect(again) as pg:
        granted = pg.execute("SELECT has_table_privilege('desk_clerk7', 'orgs', 'INSERT')").fetchone()
    assert granted == (True,)


def test_a_move_takes_the_desks_own_signed_sheets_and_other_desks_list_them(
    pg_url: str, tmp_path: Path
) -> None:
    centre = demo_folder(tmp_path / "centre")
    db = open_folder(centre)
    eval_id = str(db.conn.execute("SELECT id FROM evaluations ORDER BY id LIMIT 1").fetchone()[0])
    db.conn.close()
    sheet = b"%PDF-1.7 /ByteRange a score sheet signed at this desk\n%%EOF\n"
    (centre / REPORTS_DIR).mkdir()
    (centre / REPORTS_DIR / f"某站_2026-03-10_{eval_id[:8]}_评分表.pdf").write_bytes(sheet)
    report = move_centre(centre, pg_url)
    assert report.ok, report.problems
    other = desk(tmp_path, "other", pg_url)
    assert [p.read_bytes() for p in signed_pdfs(other, eval_id)] == [sheet]
    assert [p.read_bytes() for p in signed_pdfs(centre, eval_id)] == [sheet]  # not twice at its own desk


def test_a_sheet_signed_at_a_server_desk_is_listed_at_another(pg_url: str, tmp_path: Path) -> None:
    from inspector.bundles.demo import DEMO_PASSPHRASE, fill_demo_folder

    head = tmp_path / "head"
    db = new_db(head)
    fill_demo_folder(db, head)
    complete = db.conn.execute(
        "SELECT id FROM evaluations WHERE signed_at IS NULL AND kind = 'inspection' ORDER BY id"
    ).fetchall()
    db.conn.close()
    assert move_centre(head, pg_url).ok
    secret = tmp_path / "pass.txt"
    secret.write_text(DEMO_PASSPHRASE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSPECTOR_LANG": "zh"}
    env.pop("INSPECTOR_DB", None)
    signed = None
    for (eval_id,) in complete:  # the first the demo left complete
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "inspector",
                "--data",
                str(head),
                "eval",
                "sign",
                eval_id,
                *SIGN,
                str(secret),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert "Traceback" not in run.stderr, run.stderr
        if run.returncode == 0:
            signed = str(eval_id)
            break
    assert signed is not None
    mine = signed_pdfs(head, signed)
    assert len(mine) == 1 and mine[0].parent.name == REPORTS_DIR
    other = desk(tmp_path, "other", pg_url)
    theirs = signed_pdfs(other, signed)
    assert [p.read_bytes() for p in theirs] == [mine[0].read_bytes()]
    assert (head / SERVER_FILE).exists()
