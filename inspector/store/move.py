"""Moving a centre's database between a data folder (SQLite) and a PostgreSQL server, and back.

Every row of every table is copied, in the order the migrations made the tables (a referenced table
before the one that refers to it), into a target that must be empty and at the same schema version;
the copy is one transaction on the target, so a failed move leaves the target as empty as it was.
The copy is audited inside that same transaction, before it commits: each table's rows, read back
from the target, must be exactly the source's (compared by a digest of the rows in key order), and
every evaluation must pass ``eval audit``. A copy that does not audit clean is rolled back like a
failed one: no desk can ever open it as if it were the centre (not even while it is audited: until
the commit nobody else sees a row of it), the target is as empty as it was, and the move can be run
again. Only a clean copy commits, and only then does the caller point the folder at it. The source
is never changed.

A centre holds millions of rows (100,000 evaluations: 6.4 million changes, 6.1 million heads), so
nothing here holds a table: each is read in key order in batches of :data:`BATCH` rows (SQLite's
cursor steps through the file; on a server, a server-side cursor), each batch written and added to
the table's digest before the next is read. The source is read in one snapshot (a read transaction;
on a server, REPEATABLE READ), so a desk writing meanwhile cannot make the copy a mix of two moments.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from inspector.errors import StoreError
from inspector.i18n import _
from inspector.store.db import SCHEMA_VERSION, schema_version, transaction
from inspector.store.pg_sql import ROWID_TABLES

# The engines' own bookkeeping, not the centre's data: never copied as a table.
_OWN = ("sqlite_", "inspector_")
# Rows read, written and digested at a time: memory is bounded by a batch, not by a table.
BATCH = 5000
# The server's desk log (store/pg_roles.py: who did what, by the server's word) is the centre's
# history all the same: a move carries it, to a folder's file too (kept there as a table of its own
# until the centre moves to a server again). The roles and logins are the server's, not the
# database's: a move makes none (docs/centre-on-postgresql.md: `centre roles` on the new database).
DESK_LOG = "inspector_desk_acts"
_LOG_IN_FILE = (
    f"CREATE TABLE IF NOT EXISTS {DESK_LOG} (n INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    " desk_user TEXT NOT NULL, tbl TEXT NOT NULL, op TEXT NOT NULL, row_key TEXT NOT NULL)"
)


@dataclass
class MoveReport:
    tables: dict[str, int] = field(default_factory=dict)  # table → rows copied
    evaluations: int = 0
    files: int = 0  # evidence files and signed PDFs put into the server's database
    desk_acts: int = 0  # rows of the desk log carried over
    problems: list[str] = field(default_factory=list)
    # the copy did not audit clean and was rolled back: the target holds none of it
    undone: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tables": self.tables,
            "rows": sum(self.tables.values()),
            "evaluations": self.evaluations,
            "files": self.files,
            "desk_acts": self.desk_acts,
            "problems": self.problems,
            "undone": self.undone,
        }


def tables_in_order(db: sqlite_utils.Database) -> list[str]:
    """The centre's tables, each after the tables it refers to (a later migration may add a reference
    to a table made after it: plans → rulebooks), otherwise in the order they were made."""
    if isinstance(db.conn, sqlite3.Connection):
        made = [
            str(r[0])
            for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
        ]
        refs = {t: {str(r[2]) for r in db.conn.execute(f"PRAGMA foreign_key_list({t})")} for t in made}
    else:
        made = [
            str(r[0])
            for r in db.conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.oid"
            )
        ]
        refs = {t: set() for t in made}
        for table, other in db.conn.execute(
            "SELECT CAST(conrelid AS regclass), CAST(confrelid AS regclass)"
            " FROM pg_constraint WHERE contype = 'f'"
        ):
            refs.setdefault(str(table), set()).add(str(other))
    made = [t for t in made if not t.startswith(_OWN)]
    ordered: list[str] = []
    while len(ordered) < len(made):
        ready = [t for t in made if t not in ordered and refs.get(t, set()) - {t} <= set(ordered)]
        if not ready:  # a cycle (none in the schema): keep the order they were made
            ready = [t for t in made if t not in ordered][:1]
        ordered.append(ready[0])
    return ordered


def _columns(db: sqlite_utils.Database, table: str) -> list[str]:
    cursor = db.conn.execute(f"SELECT * FROM {table} LIMIT 0")
    return [str(d[0]) for d in cursor.description if str(d[0]) != "rowid"]


def _key(db: sqlite_utils.Database, table: str, columns: list[str]) -> list[str]:
    """The order a table is read in, the same on both engines: by rowid where its readers rely on
    insertion order (the copy keeps it), else by primary key (text sorts by code point on both: the
    server's database must be C-collated), else by every column."""
    if table in ROWID_TABLES:
        return ["rowid"]
    if isinstance(db.conn, sqlite3.Connection):
        info = [(int(r[5]), str(r[1])) for r in db.conn.execute(f"PRAGMA table_info({table})") if r[5]]
        key = [name for _n, name in sorted(info)]
    else:
        key = list(db.conn.primary_key(table))
    return key or columns


def _select(db: sqlite_utils.Database, table: str, columns: list[str]) -> str:
    key = _key(db, table, columns)
    # a key is never NULL (the server's index is then read in order); any column may be, and the two
    # engines put NULLs at opposite ends unless told
    order = ", ".join(key if key is not columns else (f"{c} NULLS FIRST" for c in columns))
    return f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"


def _batches(db: sqlite_utils.Database, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``sql`` a batch at a time: never the whole result in memory (on a server the
    connection must be in a transaction: a server-side cursor lives in one)."""
    if isinstance(db.conn, sqlite3.Connection):
        cursor = db.conn.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            yield [tuple(r) for r in rows]
        return
    for rows in db.conn.stream(sql, BATCH):
        yield [tuple(r) for r in rows]


def _rows(db: sqlite_utils.Database, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """A table's rows in key order (:func:`_key`), streamed."""
    for rows in _batches(db, _select(db, table, columns)):
        yield from rows


class _Digest:
    """A table's rows, in key order, as one SHA-256 and a count: what the audit compares. Each row
    goes in as its ``repr`` (a type's and a value's exact spelling, made in C: a million rows a
    second), one line each."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.rows = 0

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._h.update(("\n".join(map(repr, rows)) + "\n").encode("utf-8", "surrogatepass"))
        self.rows += len(rows)

    @property
    def value(self) -> str:
        return f"{self.rows}:{self._h.hexdigest()}"


def table_digest(db: sqlite_utils.Database, table: str) -> str:
    """The digest of a table's rows (its columns but rowid, in key order), read a batch at a time:
    equal on two databases exactly when they hold the same rows. On a server, read in a transaction
    of its own."""
    columns = _columns(db, table)
    digest = _Digest()
    with _reading(db):
        for rows in _batches(db, _select(db, table, columns)):
            digest.add(rows)
    return digest.value


@contextlib.contextmanager
def _reading(db: sqlite_utils.Database) -> Iterator[None]:
    """One snapshot to read in, ended (nothing was written) when the block ends. A connection already
    in a transaction reads in that one."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        if not isinstance(conn, sqlite3.Connection):
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def copy_centre(
    source: sqlite_utils.Database, target: sqlite_utils.Database, data: Path, where: str
) -> MoveReport:
    """Copy every row from ``source`` into the empty ``target``, then audit the copy (``data``: the
    folder whose evidence files the evaluations refer to)."""
    if schema_version(source.conn) != SCHEMA_VERSION or schema_version(target.conn) != SCHEMA_VERSION:
        raise StoreError(_("两边的数据结构版本不同：请先用同一版本的程序打开两边"), where)
    tables = tables_in_order(source)
    missing = sorted(set(tables) - set(tables_in_order(target)))
    if missing:
        raise StoreError(_("目标数据库缺少数据表：{t}").format(t="、".join(missing)), where)
    for table in tables:
        if target.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
            raise StoreError(_("目标数据库不是空的（{t} 已有数据）：只能迁入空数据库").format(t=table), where)
    report = MoveReport()
    digests: dict[str, str] = {}
    try:
        with _reading(source), transaction(target) as conn:
            # the desk log first: a target with the desks' triggers logs the copy itself after it
            report.desk_acts = _copy_desk_log(source, conn)
            for table in tables:
                columns = _columns(source, table)
                insert = (
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _c in columns)})"
                )
                digest = _Digest()
                for rows in _batches(source, _select(source, table, columns)):
                    if isinstance(conn, sqlite3.Connection):
                        conn.executemany(insert, rows)
                    else:  # the server's bulk load: a statement per row would be a round trip each
                        conn.copy_rows(table, columns, rows)
                    digest.add(rows)
                report.tables[table] = digest.rows
                digests[table] = digest.value
            if not isinstance(conn, sqlite3.Connection):
                report.files = _files_to_server(conn, data)
            # audited before it commits: read back on the same connection, what it wrote
            audit_copy(source, target, data, report, digests)
            if not report.ok:
                raise _NotClean
    except _NotClean:  # rolled back like a failed copy: no desk can open it as the centre
        report.undone = True
    except sqlite3.Error as e:  # rolled back: the target is as empty as it was
        raise StoreError(_("复制失败，目标未做任何更改：{e}").format(e=e), where) from None
    return report


class _NotClean(Exception):
    """The copy's audit found problems: raised inside the copy's transaction to roll it back."""


def _desk_log_select(db: sqlite_utils.Database) -> str | None:
    """The statement reading the desk log, oldest first: (at, desk user, table, operation, row key as
    JSON); None where there is none."""
    if isinstance(db.conn, sqlite3.Connection):
        exists = db.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (DESK_LOG,))
        if exists.fetchone() is None:
            return None
        return f"SELECT at, desk_user, tbl, op, row_key FROM {DESK_LOG} ORDER BY n"
    made = db.conn.execute("SELECT to_regclass(?) IS NOT NULL", (DESK_LOG,)).fetchone()
    if made is None or not made[0]:
        return None
    return f"SELECT CAST(at AS TEXT), desk_user, tbl, op, CAST(row_key AS TEXT) FROM {DESK_LOG} ORDER BY n"


def _desk_log_batches(db: sqlite_utils.Database) -> Iterator[list[tuple[str, ...]]]:
    sql = _desk_log_select(db)
    if sql is not None:
        for rows in _batches(db, sql):
            yield [tuple(str(v) for v in r) for r in rows]


def desk_log(db: sqlite_utils.Database) -> list[tuple[str, ...]]:
    """The desk log's rows, oldest first: (at, desk user, table, operation, row key as JSON)."""
    with _reading(db):
        return [row for rows in _desk_log_batches(db) for row in rows]


def _copy_desk_log(source: sqlite_utils.Database, conn: sqlite3.Connection) -> int:
    n = 0
    for rows in _desk_log_batches(source):
        if n == 0:
            _make_desk_log(conn)
        _write_desk_log(conn, rows)
        n += len(rows)
    return n


def _make_desk_log(conn: sqlite3.Connection) -> None:
    if isinstance(conn, sqlite3.Connection):
        conn.execute(_LOG_IN_FILE)
    else:
        from inspector.store.pg_roles import DESK_LOG_TABLE

        conn.execute(DESK_LOG_TABLE)


def _write_desk_log(conn: sqlite3.Connection, rows: list[tuple[str, ...]]) -> None:
    if isinstance(conn, sqlite3.Connection):
        values = "?, ?, ?, ?, ?"
    else:
        values = "CAST(? AS TIMESTAMPTZ), ?, ?, ?, CAST(? AS JSONB)"
    conn.executemany(f"INSERT INTO {DESK_LOG} (at, desk_user, tbl, op, row_key) VALUES ({values})", rows)


def _act(row: tuple[str, ...]) -> tuple[Any, ...]:
    """A desk log row as both engines can compare it: the moment and the key read, not their text."""
    import datetime as dt

    at = row[0].replace(" ", "T")
    if len(at) >= 3 and at[-3] in "+-" and at[-3:].replace("+", "").replace("-", "").isdigit():
        at += ":00"  # PostgreSQL's "+00" offset, as fromisoformat reads it
    try:
        moment: Any = dt.datetime.fromisoformat(at)
    except ValueError:
        moment = row[0]
    return (moment, row[1], row[2], row[3], json.dumps(json.loads(row[4]), sort_keys=True))


def _files_to_server(conn: sqlite3.Connection, data: Path) -> int:
    """The folder's evidence files and signed PDFs into the server's database, in the copy's
    transaction, so that every desk reads them without the folder (store/evidence.py,
    store/signed_pdfs.py); each evidence file only when it matches its digest."""
    import hashlib

    from inspector.store.evidence import evidence_dir, keep_file_on_server
    from inspector.store.signed_pdfs import PDF_DIR, keep_report_on_server, signed_reports, store_signed_pdf

    n = 0
    for row in conn.execute("SELECT sha256 FROM evidence").fetchall():
        sha = str(row[0])
        path = evidence_dir(data) / sha[:2] / sha
        body = path.read_bytes() if path.is_file() else None
        if body is not None and hashlib.sha256(body).hexdigest() == sha:
            keep_file_on_server(conn, sha, body)
            n += 1
    pdfs = data / PDF_DIR
    for folder in sorted(pdfs.iterdir()) if pdfs.is_dir() else []:
        for pdf in sorted(folder.glob("*.pdf")) if folder.is_dir() else []:
            store_signed_pdf(data, folder.name, pdf.name, pdf.read_bytes(), conn)
            n += 1
    # the score sheets this folder's desk signed itself (reports/): every desk lists them too
    for row in conn.execute("SELECT id FROM evaluations ORDER BY id").fetchall():
        for report in signed_reports(data, str(row[0])):
            keep_report_on_server(conn, str(row[0]), report)
            n += 1
    return n


def audit_copy(
    source: sqlite_utils.Database,
    target: sqlite_utils.Database,
    data: Path,
    report: MoveReport,
    digests: dict[str, str] | None = None,
) -> None:
    """The copy holds exactly the source's rows, and every evaluation on it passes ``eval audit``
    (its hash chains, its derived heads against the log, its evidence files in ``data``).
    ``digests``: the source's tables' digests, taken as they were copied (else read again here)."""
    from inspector.store.audit import audit_evaluation
    from inspector.store.evaluations import EvaluationStore

    for table in tables_in_order(source):
        theirs = digests[table] if digests and table in digests else table_digest(source, table)
        if theirs != table_digest(target, table):
            report.problems.append(_("数据表 {t} 的副本与原数据不符").format(t=table))
    if not _desk_log_copied(source, target):
        report.problems.append(_("操作记录（{t}）的副本与原数据不符").format(t=DESK_LOG))
    store = EvaluationStore(target, "audit")
    ids = [str(r[0]) for r in target.conn.execute("SELECT id FROM evaluations ORDER BY id")]
    report.evaluations = len(ids)
    for eval_id in ids:
        report.problems.extend(f"{eval_id[:8]}: {p}" for p in audit_evaluation(store, data, eval_id).problems)


def _desk_log_copied(source: sqlite_utils.Database, target: sqlite_utils.Database) -> bool:
    """Every row of the source's desk log is in the target's, in the same order (the target's own
    triggers may have logged the copy's inserts after them): read side by side, a batch at a time."""

    def acts(db: sqlite_utils.Database) -> Iterator[tuple[Any, ...]]:
        for rows in _desk_log_batches(db):
            yield from (_act(r) for r in rows)

    with _reading(source), _reading(target):
        copied = acts(target)
        for act in acts(source):
            if not any(act == other for other in copied):  # advances through the target's rows
                return False
    return True


def move_centre(data: Path, to: str) -> MoveReport:
    """``inspector centre move --to …``: the folder's database copied to a server (``postgresql://…``;
    the folder then opens the server) or, from a server, into a new folder (with the folder's keys,
    evidence and PDFs; the old folder keeps pointing at the server). Nothing is switched unless the
    audit of the copy is clean, and a copy that is not is rolled back (``report.undone``): the
    target is left as empty as it was; the source is never changed."""
    import shutil

    from inspector.fileio import write_bytes_atomic
    from inspector.store.db import DB_NAME, SERVER_FILE, open_database, open_server_database, server_url
    from inspector.store.pg import is_server_url, shown

    current = server_url(data)
    if is_server_url(to):
        if current is not None:
            raise StoreError(_("本文件夹的数据库已在服务器上（{u}）").format(u=shown(current)), str(data))
        if not (data / DB_NAME).exists():
            raise StoreError(_("本文件夹没有数据库可迁移"), str(data))
        source, target, where = open_database(data), open_server_database(to), shown(to)
    else:
        if current is None:
            raise StoreError(_("本文件夹的数据库不在服务器上：迁回文件夹只从服务器迁出"), str(data))
        folder = Path(to)
        if folder.exists() and any(folder.iterdir()):
            raise StoreError(_("目标文件夹不是空的"), str(folder))
        source, where = open_database(data), str(folder)
        # what other desks took in is on the server, not yet in this desk's folder: fetched first
        from inspector.store.evidence import fetch_evidence
        from inspector.store.signed_pdfs import signed_pdfs

        # in batches over one connection (bounded bytes each), not a connection per file
        fetch_evidence(data, [str(r[0]) for r in source.conn.execute("SELECT sha256 FROM evidence")])
        # only the evaluations the server keeps signed PDFs of (one connection each: not 100,000)
        for row in source.conn.execute("SELECT DISTINCT eval_id FROM inspector_pdfs").fetchall():
            signed_pdfs(data, str(row[0]))
        folder.mkdir(parents=True, exist_ok=True)
        target = sqlite_utils.Database(open_database_file(folder))
    try:
        report = copy_centre(source, target, data, where)
    except BaseException:  # the copy rolled back, whatever stopped it: a new folder's file goes too
        if not is_server_url(to):
            _unmake(target, Path(to))
        raise
    finally:
        source.conn.close()
        target.conn.close()
    if not report.ok:  # rolled back already; a new folder's file, emptied so, goes too
        if not is_server_url(to):
            _unmake(target, Path(to))
        return report
    if is_server_url(to):
        write_bytes_atomic(data / SERVER_FILE, to.encode("utf-8"))
    else:
        for entry in data.iterdir():  # the desk's keys, evidence and PDFs come along
            if entry.name in (SERVER_FILE, DB_NAME) or entry.name.startswith(DB_NAME):
                continue
            if entry.is_dir():
                shutil.copytree(entry, Path(to) / entry.name)
            else:
                shutil.copy2(entry, Path(to) / entry.name)
    return report


def _unmake(target: sqlite_utils.Database, folder: Path) -> None:
    """The new folder's file, made by the move and holding nothing of the centre: gone again, so the
    folder is as empty as it was and the move may be tried again."""
    from inspector.store.db import DB_NAME

    target.conn.close()
    for made in folder.glob(DB_NAME + "*"):
        made.unlink()


def open_database_file(folder: Path) -> sqlite3.Connection:
    """The folder's own SQLite file, migrated, whatever ``INSPECTOR_DB`` says (a move back writes it)."""
    from inspector.store.db import DB_NAME, _connect, migrate

    conn = _connect(folder / DB_NAME)
    migrate(conn, str(folder / DB_NAME))
    return conn
