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
from inspector.store.move import table_digest, tables_in_order
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
    out = {t: table_digest(db, t) for t in tables_in_order(db)}
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


def test_a_move_to_the_server_takes_evidence_and_signed_pdfs_so_other_desks_read_them(
    pg_url: str, tmp_path: Path
) -> None:
    from inspector.folder import open_folder
    from inspector.store.evidence import evidence_path
    from inspector.store.move import move_centre
    from inspector.store.signed_pdfs import signed_pdfs, store_signed_pdf

    centre = demo_folder(tmp_path / "centre")
    db = open_folder(centre)
    shas = [str(r[0]) for r in db.conn.execute("SELECT sha256 FROM evidence ORDER BY sha256")]
    assert shas  # the demo centre has evidence files
    eval_id = str(db.conn.execute("SELECT id FROM evaluations ORDER BY id LIMIT 1").fetchone()[0])
    db.conn.close()
    pdf = b"%PDF-1.7 /ByteRange a signed sheet\n%%EOF\n"
    store_signed_pdf(centre, eval_id, "评分表-已签署.pdf", pdf)
    report = move_centre(centre, pg_url)
    assert report.ok, report.problems
    assert report.files == len([s for s in shas if evidence_path(centre, s).exists()]) + 1

    desk = tmp_path / "desk"  # another desk: nothing in its folder but the server's address
    desk.mkdir()
    (desk / SERVER_FILE).write_text(pg_url, encoding="utf-8")
    assert [p.read_bytes() for p in signed_pdfs(desk, eval_id)] == [pdf]
    for sha in shas:
        assert evidence_path(desk, sha).read_bytes() == evidence_path(centre, sha).read_bytes()

    (desk / "evidence").rename(tmp_path / "gone")  # moved back from a desk that had not read them
    (desk / "pdfs").rename(tmp_path / "gone-pdfs")
    back = tmp_path / "back"
    assert move_centre(desk, str(back)).ok
    assert [p.read_bytes() for p in signed_pdfs(back, eval_id)] == [pdf]
    assert all((back / "evidence" / s[:2] / s).exists() for s in shas)


def _server_tables(url: str) -> dict[str, str]:
    db = open_server_database(url)
    try:
        return {t: table_digest(db, t) for t in tables_in_order(db)}
    finally:
        db.conn.close()


def test_a_move_in_small_batches_copies_every_row_both_ways(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy, its digests and the audit's reading back go a batch at a time: with batches of 7
    rows every table crosses many batch boundaries, and the copy is still exact both ways."""
    from inspector.store import move

    monkeypatch.setattr(move, "BATCH", 7)
    centre = demo_folder(tmp_path / "centre")
    before = _tables(centre)
    assert max(int(d.split(":")[0]) for d in before.values()) > 10 * move.BATCH
    report = move.move_centre(centre, pg_url)
    assert report.ok, report.problems
    assert _server_tables(pg_url) == before
    back = tmp_path / "back"
    assert move.move_centre(centre, str(back)).ok
    assert _tables(back) == before


def test_a_move_that_fails_midway_leaves_the_target_empty_and_the_source_as_it_was(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection lost after some batches were written (either way): nothing of the copy stays
    in the target, the source is as it was, the folder is not switched."""
    from inspector.errors import StoreError
    from inspector.store import move

    monkeypatch.setattr(move, "BATCH", 5)
    real = move._batches
    read = {"n": 0}

    def failing(db: object, sql: str) -> object:
        for rows in real(db, sql):  # type: ignore[arg-type]
            read["n"] += 1
            if read["n"] == 40:
                raise sqlite3.OperationalError("server closed the connection unexpectedly")
            yield rows

    centre = demo_folder(tmp_path / "centre")
    before = _tables(centre)
    empty = _server_tables(pg_url)
    monkeypatch.setattr(move, "_batches", failing)
    with pytest.raises(StoreError, match="复制失败，目标未做任何更改"):
        move.move_centre(centre, pg_url)
    assert read["n"] == 40
    assert _server_tables(pg_url) == empty and not (centre / SERVER_FILE).exists()
    assert _tables(centre) == before

    monkeypatch.setattr(move, "_batches", real)
    assert move.move_centre(centre, pg_url).ok  # into the same, still empty database
    on_server = _server_tables(pg_url)
    back = tmp_path / "back"
    read["n"] = 0
    monkeypatch.setattr(move, "_batches", failing)
    with pytest.raises(StoreError, match="复制失败，目标未做任何更改"):
        move.move_centre(centre, str(back))
    assert _server_tables(pg_url) == on_server  # the server, the source now, untouched
    assert list(back.iterdir()) == []  # the new folder as empty as it was: the move may be tried again
    assert (centre / SERVER_FILE).read_text(encoding="utf-8") == pg_url
    monkeypatch.setattr(move, "_batches", real)
    assert move.move_centre(centre, str(back)).ok
    assert _tables(back) == before


def test_a_copy_that_does_not_audit_clean_is_undone_whole_and_nothing_switched(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault the audit finds (an evaluation's chain broken in the copy; a table's rows differing)
    leaves no copy behind that a desk could open as the centre: the copy is rolled back with its
    audit (the server's database empty, a new folder empty), the source as it was, nothing switched;
    the move can then be run again."""
    from inspector.store import move

    real = move._batches

    def damaging(db: object, sql: str) -> object:
        """The copy's read of the changes: one change's payload altered on its way to the target."""
        first = True
        for rows in real(db, sql):  # type: ignore[arg-type]
            if first and sql.split(" FROM ")[1].startswith("changes "):
                columns = sql[len("SELECT ") : sql.index(" FROM ")].split(", ")
                at = columns.index("payload")
                row = list(rows[0])
                row[at] = json.dumps({"met": False, "damaged": True})
                rows = [tuple(row), *rows[1:]]
            first = False
            yield rows

    centre = demo_folder(tmp_path / "centre")
    before = _tables(centre)
    empty = _server_tables(pg_url)
    monkeypatch.setattr(move, "_batches", damaging)
    report = move.move_centre(centre, pg_url)
    assert not report.ok and report.undone and report.as_json()["undone"] is True
    assert any("哈希" in p or "链" in p or "不符" in p for p in report.problems), report.problems
    assert _server_tables(pg_url) == empty  # no copy left that a desk could open as the centre
    assert not (centre / SERVER_FILE).exists()  # not switched
    monkeypatch.setattr(move, "_batches", real)
    assert _tables(centre) == before  # the source as it was
    report = move.move_centre(centre, pg_url)  # the same database, empty again: the move runs again
    assert report.ok and not report.undone, report.problems
    on_server = _server_tables(pg_url)

    real_digest = move.table_digest
    monkeypatch.setattr(
        move, "table_digest", lambda db, t: "0:damaged" if t == "orgs" else real_digest(db, t)
    )
    back = tmp_path / "back"
    report = move.move_centre(centre, str(back))
    assert not report.ok and report.undone
    assert report.problems == ["数据表 orgs 的副本与原数据不符"]
    assert list(back.iterdir()) == []  # no file left that could be opened as the centre
    assert (centre / SERVER_FILE).read_text(encoding="utf-8") == pg_url  # still the server
    assert _server_tables(pg_url) == on_server  # the source untouched
    monkeypatch.setattr(move, "table_digest", real_digest)
    assert move.move_centre(centre, str(back)).ok
    assert _tables(back) == before


def test_a_move_back_stopped_by_any_error_leaves_the_new_folder_empty(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the store's own errors: whatever stops the copy's audit (a bug, an interrupt), the
    new folder is left as empty as it was, with no file a desk could open as the centre."""
    from inspector.store import move

    centre = demo_folder(tmp_path / "centre")
    assert move.move_centre(centre, pg_url).ok

    def broken(*args: object) -> None:
        raise RuntimeError("the audit stopped")

    monkeypatch.setattr(move, "audit_copy", broken)
    back = tmp_path / "back"
    with pytest.raises(RuntimeError, match="the audit stopped"):
        move.move_centre(centre, str(back))
    assert list(back.iterdir()) == []
    assert (centre / SERVER_FILE).read_text(encoding="utf-8") == pg_url  # still the server


@pytest.mark.parametrize("budget", [1, 32 * 2**20])
def test_a_move_back_fetches_the_evidence_in_batches_over_one_connection(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    """From a desk that has read none of the centre's evidence files: every one fetched, checked
    against its digest, over one connection (not one each), in batches bounded in bytes (here one
    file a batch, and all in one) and in names; a damaged row on the server is not written."""
    from inspector.store import move, pg
    from inspector.store.evidence import evidence_path

    centre = demo_folder(tmp_path / "centre")
    assert move.move_centre(centre, pg_url).ok
    db = open_server_database(pg_url)
    shas = [str(r[0]) for r in db.conn.execute("SELECT sha256 FROM evidence ORDER BY sha256")]
    db.conn.close()
    assert len(shas) >= 5
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / SERVER_FILE).write_text(pg_url, encoding="utf-8")
    monkeypatch.setattr(pg, "FETCH_BYTES", budget)
    monkeypatch.setattr(pg, "FETCH_NAMES", 2)
    queries: list[str] = []
    connections = {"n": 0}
    real_connect = pg.connect

    def counted(url: str) -> object:
        connections["n"] += 1
        conn = real_connect(url)
        real_execute = conn.execute

        def execute(sql: str, params: object = ()) -> object:
            if "inspector_files" in sql:
                queries.append(sql)
            return real_execute(sql, params)  # type: ignore[arg-type]

        conn.execute = execute  # type: ignore[method-assign]
        return conn

    monkeypatch.setattr(pg, "connect", counted)
    back = tmp_path / "back"
    report = move.move_centre(desk, str(back))
    assert report.ok, report.problems
    for sha in shas:
        assert (back / "evidence" / sha[:2] / sha).read_bytes() == evidence_path(centre, sha).read_bytes()
    # the database opened for the copy, the files' fetch, the signed PDFs' (none here): not one per file
    assert connections["n"] <= 3, connections
    contents = [q for q in queries if "SELECT sha256, content" in q]
    if budget == 1:  # one file a batch
        assert len(contents) == len(shas)
    else:  # as many files as FETCH_NAMES allows a batch
        assert len(contents) == (len(shas) + 1) // 2

    # a damaged row on the server: never written into a desk's folder
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as owner:
        owner.execute("UPDATE inspector_files SET content = %s WHERE sha256 = %s", (b"damaged", shas[0]))
    other = tmp_path / "other"
    other.mkdir()
    (other / SERVER_FILE).write_text(pg_url, encoding="utf-8")
    from inspector.store.evidence import fetch_evidence

    assert fetch_evidence(other, shas) == len(shas) - 1
    assert not (other / "evidence" / shas[0][:2] / shas[0]).exists()
