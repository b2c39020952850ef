"""The centre's store on a PostgreSQL server: the dialect translated in one place, the same schema as
a folder's, and apply_change's guarantees (durable before acknowledged, one hash chain, append-only)
with several desks writing at once. Server tests use a fresh database on ``INSPECTOR_TEST_PG``
(tests/pg_support.py): skipped with the reason locally without one, failed in CI (INSPECTOR_REQUIRE_PG=1).
"""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from inspector.store.changes import GENESIS
from inspector.store.db import open_database, open_server_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.pg_sql import json_list_parameters, translate
from inspector.store.rubrics import install_builtin_rubrics
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("folders_as_they_say")


def _keys(table: str) -> list[str]:
    return {"meta": ["key"], "plan_leaders": ["plan_id", "org_id"]}[table]


# -- the dialect, without a server ----------------------------------------------------------------


def test_placeholders_become_psycopgs_and_literals_are_left_alone() -> None:
    sql = "SELECT a FROM t WHERE b = ? AND c LIKE 'x?%:y' AND d = :name AND e LIKE ?"
    assert translate(sql, _keys) == (
        "SELECT a FROM t WHERE b = %s AND c LIKE 'x?%%:y' AND d = %(name)s AND e LIKE %s"
    )
    # sent without parameters, psycopg reads no placeholders: nothing is doubled
    assert translate("SELECT '50%'", _keys, parameters=False) == "SELECT '50%'"


def test_insert_or_ignore_and_replace_become_on_conflict() -> None:
    assert translate("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", _keys) == (
        "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    )
    assert translate("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", _keys) == (
        "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
    )
    replaced = translate(
        "INSERT OR REPLACE INTO plan_leaders (plan_id, org_id, person_id) VALUES (?, ?, ?)", _keys
    )
    assert replaced.endswith("ON CONFLICT (plan_id, org_id) DO UPDATE SET person_id = EXCLUDED.person_id")


def test_sqlite_functions_and_comparisons_said_in_postgresqls_words() -> None:
    # the scalar MAX of two values is GREATEST; the aggregate MAX stays
    assert translate("UPDATE e SET u = MAX(u, ?) WHERE id = ?", _keys) == (
        "UPDATE e SET u = GREATEST(u, %s) WHERE id = %s"
    )
    assert translate("SELECT MAX(device_seq) FROM changes", _keys) == "SELECT MAX(device_seq) FROM changes"
    # SQLite's IS / IS NOT compare NULL as a value
    assert translate("SELECT 1 WHERE a IS NOT ? AND b IS ? AND c IS NOT NULL", _keys) == (
        "SELECT 1 WHERE a IS DISTINCT FROM %s AND b IS NOT DISTINCT FROM %s AND c IS NOT NULL"
    )
    assert "json_array_elements_text(CAST(%(ids)s AS json))" in translate(
        "SELECT value FROM json_each(:ids)", _keys
    )
    assert "(CAST(change AS json) #>> '{kind}') = 'lock'" in translate(
        "SELECT 1 FROM h WHERE json_extract(change, '$.kind') = 'lock'", _keys
    )
    # a qualified column, and group_concat with its separator (store/folder_role.py's station_signed)
    assert translate(
        "SELECT group_concat(json_extract(s.payload, '$.name'), '、') FROM changes s", _keys
    ) == ("SELECT string_agg((CAST(s.payload AS json) #>> '{name}'), '、') FROM changes s")
    assert "ORDER BY CAST(c.wall_time AS timestamptz) DESC" in translate(
        "SELECT 1 ORDER BY julianday(c.wall_time) DESC", _keys
    )
    assert translate("SELECT COUNT(*) FROM heads INDEXED BY heads_figures WHERE x = 1", _keys) == (
        "SELECT COUNT(*) FROM heads WHERE x = 1"
    )


def test_a_list_of_ids_in_json_is_compared_with_any_of_an_array() -> None:
    # planned for what it holds, not as a 100-row function (0.9 s → 0.27 s for 100,000 ids)
    named = translate("SELECT a FROM t WHERE e.id IN (SELECT value FROM json_each(:ids))", _keys)
    assert named == "SELECT a FROM t WHERE e.id = ANY(CAST(%(ids)s AS text[]))"
    assert json_list_parameters(named) == ("ids",)
    # by position among the placeholders (a literal percent is not one)
    positional = translate(
        "SELECT a FROM t WHERE b LIKE '5%' AND c = ? AND id NOT IN ( SELECT value FROM json_each(?) )", _keys
    )
    assert positional == "SELECT a FROM t WHERE b LIKE '5%%' AND c = %s AND id <> ALL(CAST(%s AS text[]))"
    assert json_list_parameters(positional) == (1,)


def test_schema_forms_translated() -> None:
    table = translate("CREATE TABLE s (a TEXT, b BLOB, PRIMARY KEY (a)) WITHOUT ROWID", _keys)
    assert table == "CREATE TABLE s (a TEXT, b BYTEA, PRIMARY KEY (a))"
    held = translate("CREATE TABLE h (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT)", _keys)
    assert "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in held
    # a table read in insertion order (ORDER BY rowid) keeps one
    assert "rowid BIGINT GENERATED BY DEFAULT AS IDENTITY" in translate(
        "CREATE TABLE org_draws (id TEXT)", _keys
    )
    trigger = translate(
        "CREATE TRIGGER t_no_update BEFORE UPDATE ON t\n BEGIN SELECT RAISE(ABORT, 'never changed'); END;",
        _keys,
    )
    assert "RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = 'never changed'" in trigger
    assert (
        "CREATE TRIGGER t_no_update BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION t_no_update_fn()"
        in trigger
    )


# -- on the server --------------------------------------------------------------------------------


def _columns_sqlite(folder: Path) -> dict[str, list[str]]:
    db = open_database(folder)
    tables = [r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = {
        t: sorted(r[1] for r in db.conn.execute(f"PRAGMA table_info({t})"))
        for t in tables
        if not t.startswith("sqlite_")
    }
    db.conn.close()
    return out


def test_same_schema_on_both_engines(pg_url: str, tmp_path: Path) -> None:
    db = open_server_database(pg_url)
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == len(
        __import__("inspector.store.db", fromlist=["MIGRATIONS"]).MIGRATIONS
    )
    rows = db.conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
    ).fetchall()
    on_server: dict[str, list[str]] = {}
    for table, column in rows:
        if not table.startswith("inspector_") and column != "rowid":
            on_server.setdefault(table, []).append(column)
    assert {t: sorted(c) for t, c in on_server.items()} == _columns_sqlite(tmp_path / "folder")
    # the append-only log refuses an edit as SQLite's trigger does, with the same kind of error
    install_builtin_rubrics(db)
    EvaluationStore(db, "张三").create("sichuan-2017-inspection", add_org(db, "甲鉴定站")["id"])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("UPDATE changes SET author = 'x'")
    db.conn.close()


def _store(url: str, author: str) -> EvaluationStore:
    return EvaluationStore(open_server_database(url), author)


def test_rows_and_id_lists_read_as_on_sqlite(pg_url: str, tmp_path: Path) -> None:
    """A server's rows are sqlite3.Row, as a folder's are (by name in any case, by position, keys,
    equality); an id list in JSON selects the same rows on both engines, NOT IN and NULLs included."""
    answers = []
    for db in (open_database(tmp_path / "folder"), open_server_database(pg_url)):
        for n, code in enumerate(["A1", "A2", None]):
            db.conn.execute(
                "INSERT INTO orgs (id, name, code, details, created_at) VALUES (?, ?, ?, '{}', '2026-01-01')",
                (f"o{n}", f"站{n}", code),
            )
        row = db.conn.execute("SELECT id, name AS label FROM orgs WHERE id = 'o0'").fetchone()
        assert isinstance(row, sqlite3.Row)
        assert (row["ID"], row["Label"], row[1], row.keys()) == ("o0", "站0", "站0", ["id", "label"])
        assert tuple(row) == ("o0", "站0")
        assert row == db.conn.execute("SELECT id, name AS label FROM orgs WHERE id = 'o0'").fetchone()
        answers.append(
            [
                [tuple(r) for r in db.conn.execute(sql, (ids,))]
                for ids in ('["o0", "o2", "missing"]', "[]")
                for sql in (
                    "SELECT id FROM orgs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                    "SELECT id FROM orgs WHERE id NOT IN (SELECT value FROM json_each(?)) ORDER BY id",
                    "SELECT id FROM orgs WHERE code IN (SELECT value FROM json_each(?)) ORDER BY id",
                    "SELECT id FROM orgs WHERE code NOT IN (SELECT value FROM json_each(?)) ORDER BY id",
                )
            ]
        )
        db.conn.close()
    assert answers[0] == answers[1]
    found, none, all_three = [("o0",), ("o2",)], [], [("o0",), ("o1",), ("o2",)]
    # a NULL code is NOT IN an empty list (true on both), but neither IN nor NOT IN a list of others
    assert answers[0] == [found, [("o1",)], none, [("o0",), ("o1",)], none, all_three, none, all_three]


def test_marks_are_committed_before_record_returns_and_the_chain_holds(pg_url: str) -> None:
    db = open_server_database(pg_url)
    install_builtin_rubrics(db)
    org = add_org(db, "服务器测试鉴定站")["id"]
    store = EvaluationStore(db, "张三")
    e = store.create("sichuan-2017-inspection", org)
    store.record(e.id, "5.3.1", {"met": False, "note": "无引导标识"})
    store.record(e.id, "5.3.1", {"met": True})
    # another desk (its own connection) sees every acknowledged mark
    other = _store(pg_url, "李四")
    assert other.current(e.id)["5.3.1"].observation is not None
    changes = other.changes(e.id)
    assert [c.device_seq for c in changes] == [1, 2, 3]
    assert changes[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash and b.compute_hash() == b.hash for a, b in itertools.pairwise(changes))
    other.db.conn.close()
    db.conn.close()


def test_a_refused_statement_leaves_the_transaction_usable_as_on_sqlite(pg_url: str) -> None:
    db = open_server_database(pg_url)
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', '2')")
    conn.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # SQLite's file upkeep: nothing to do on a server
    with pytest.raises(sqlite3.OperationalError, match="not available on PostgreSQL"):
        conn.execute("PRAGMA integrity_check")  # never answered with a made-up "ok"
    assert dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('a', 'b')").fetchall()) == {
        "a": "1",
        "b": "2",
    }
    db.conn.close()


def test_data_version_moves_when_another_desk_commits_not_for_our_own(pg_url: str) -> None:
    from inspector.store.db import data_version

    mine, theirs = open_server_database(pg_url), open_server_database(pg_url)
    before = data_version(mine.conn)
    mine.conn.execute("INSERT INTO ui_state (key, value) VALUES ('mine', '1')")
    assert data_version(mine.conn) == before
    theirs.conn.execute("BEGIN IMMEDIATE")
    theirs.conn.execute("INSERT INTO ui_state (key, value) VALUES ('theirs', '1')")
    assert data_version(mine.conn) == before  # not committed yet
    theirs.conn.execute("COMMIT")
    assert data_version(mine.conn) != before
    mine.conn.close()
    theirs.conn.close()


def test_ten_desks_recording_into_one_evaluation_keep_one_unbroken_chain(pg_url: str) -> None:
    """Every desk of the centre writes as the centre's one device: without the write lock two desks
    would read the same tip and fork the chain (or collide on its sequence number)."""
    db = open_server_database(pg_url)
    install_builtin_rubrics(db)
    org = add_org(db, "并发测试鉴定站")["id"]
    e = EvaluationStore(db, "中心").create("sichuan-2017-inspection", org)
    errors: list[BaseException] = []

    def desk(n: int) -> None:
        try:
            store = _store(pg_url, f"desk{n}")
            for k in range(5):
                store.record(e.id, "5.3.1", {"met": (n + k) % 2 == 0, "note": f"desk {n} mark {k}"})
            store.db.conn.close()
        except BaseException as exc:  # reported below, with the desk
            errors.append(exc)

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    changes = EvaluationStore(db, "审计").changes(e.id)
    assert len(changes) == 1 + 10 * 5  # the create and every mark: nothing lost, nothing doubled
    assert [c.device_seq for c in changes] == list(range(1, 52))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(changes))
    heads = db.conn.execute("SELECT COUNT(*) FROM heads WHERE eval_id = ?", (e.id,)).fetchone()[0]
    assert heads == 1  # each mark superseded the one before: no conflict, one current value
    db.conn.close()


def test_the_command_line_opens_the_server_named_by_db(pg_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "inspector", "--data", str(tmp_path / "desk"), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(ROOT),
                "INSPECTOR_LANG": "zh",
                "HOME": str(tmp_path),
            },
            timeout=120,
        )

    (tmp_path / "desk").mkdir()  # the desk's own folder: its keys and settings
    added = run("--db", pg_url, "org", "add", "--name", "服务器上的鉴定站")
    assert added.returncode == 0, added.stderr
    listed = run("--db", pg_url, "org", "list")
    assert "服务器上的鉴定站" in listed.stdout
    # the desk's folder holds no database of its own: the organisation is on the server only
    assert "服务器上的鉴定站" not in run("org", "list").stdout
    wrong = run("--db", "sqlite:///x", "org", "list")
    assert wrong.returncode != 0 and "postgresql://" in wrong.stderr and "Traceback" not in wrong.stderr


def test_a_database_sorting_by_language_is_refused(pg_databases: object) -> None:
    import psycopg

    from inspector.errors import StoreError

    server = pg_databases.server  # type: ignore[attr-defined]
    name = "inspector_wrong_collation"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        # ICU's English order (a B c …), the libc settings left at C: the check asks the sort itself
        admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en'")
    try:
        with pytest.raises(StoreError, match="LC_COLLATE 'C'"):
            open_server_database(server.rpartition("/")[0] + "/" + name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_evidence_added_at_one_desk_is_read_at_another_without_a_shared_folder(
    pg_url: str, tmp_path: Path
) -> None:
    from inspector.store.audit import audit_evaluation
    from inspector.store.db import SERVER_FILE
    from inspector.store.evidence import add_evidence, check_evidence, evidence_path

    desks = []
    for name in ("desk1", "desk2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / SERVER_FILE).write_text(pg_url, encoding="utf-8")
        desks.append(tmp_path / name)
    db = open_database(desks[0])
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    e = store.create("sichuan-2017-inspection", add_org(db, "证据测试鉴定站")["id"])
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8 photo bytes \x00\x01")
    digest = add_evidence(db, desks[0], photo)
    store.record(e.id, "1.1.1", {"met": False, "evidence": [digest]})
    db.conn.close()
    # the other desk's folder has never seen the file: it reads it from the database
    assert not (desks[1] / "evidence").exists()
    other = EvaluationStore(open_database(desks[1]), "李四")
    assert audit_evaluation(other, desks[1], e.id).ok
    assert check_evidence(desks[1], digest) is None
    assert evidence_path(desks[1], digest).read_bytes() == photo.read_bytes()
    # a file the server does not have stays missing, as in a folder
    assert check_evidence(desks[1], "0" * 64) is not None
    other.db.conn.close()
