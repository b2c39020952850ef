"""A centre's database on a PostgreSQL server, behind the connection interface the store already uses.

The store is written against a ``sqlite3.Connection`` (``conn.execute(sql, params)``, rows read by
index or name, ``BEGIN IMMEDIATE … COMMIT``, ``sqlite3`` exceptions). :class:`PgConnection` gives
exactly that over psycopg 3, so every module above keeps its code and its guarantees on both engines
(docs/centre-on-postgresql.md argues the choice):

- each statement is said in PostgreSQL's dialect by :func:`inspector.store.pg_sql.translate`;
- ``BEGIN IMMEDIATE`` takes a transaction-scoped advisory lock first: one writer at a time across
  every desk, as SQLite allows one writer per file. The hash chain's tip, a plan's one published
  draw and an import's "already here?" are all read after that lock, so what SQLite guaranteed on
  one PC holds for many desks (readers are never blocked: PostgreSQL's snapshots);
- ``COMMIT`` returns once the server has the transaction on disk (``synchronous_commit = on``);
- a failed statement inside a transaction rolls back to a savepoint taken before it, so a caller
  that catches an integrity error and goes on (as with SQLite) finds its transaction still usable;
- errors arrive as ``sqlite3.IntegrityError`` / ``OperationalError`` / ``DatabaseError`` with the
  server's message, so every ``except sqlite3.…`` above stays right;
- ``PRAGMA user_version`` lives in the table ``inspector_schema``; ``PRAGMA data_version`` (someone
  else committed) is a counter every writing transaction raises in ``inspector_writes``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, ClassVar, cast

import psycopg
import psycopg.conninfo
import psycopg.pq
import sqlite_utils

from inspector.errors import StoreError
from inspector.i18n import _
from inspector.store.pg_sql import JSON_TEXTS, translate

# The advisory lock every writing transaction takes (any constant: the two words "inspector" "write").
WRITE_LOCK = 0x696E7370_77726974
_BOOKKEEPING = (
    "CREATE TABLE IF NOT EXISTS inspector_schema"
    " (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)",
    "INSERT INTO inspector_schema (one, version) VALUES (1, 0) ON CONFLICT DO NOTHING",
    "CREATE TABLE IF NOT EXISTS inspector_writes"
    " (one INTEGER PRIMARY KEY CHECK (one = 1), n BIGINT NOT NULL)",
    "INSERT INTO inspector_writes (one, n) VALUES (1, 0) ON CONFLICT DO NOTHING",
    # Evidence files by SHA-256 (store/evidence.py): a desk needs no shared folder
    "CREATE TABLE IF NOT EXISTS inspector_files (sha256 TEXT PRIMARY KEY, content BYTEA NOT NULL)",
    # Signed PDFs of an evaluation (store/signed_pdfs.py), their bytes in inspector_files
    "CREATE TABLE IF NOT EXISTS inspector_pdfs (eval_id TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " name TEXT NOT NULL, PRIMARY KEY (eval_id, sha256))",
    # A JSON list's elements as a text array (pg_sql: ``IN (SELECT value FROM json_each(?))``).
    # IMMUTABLE, so the planner computes it from the parameter and plans for its length; never NULL,
    # so that NOT IN an empty list holds for every row, as on SQLite.
    "DO $do$ BEGIN IF to_regprocedure('inspector_json_texts(json)') IS NULL THEN"
    " CREATE FUNCTION inspector_json_texts(list json) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE"
    " AS $f$ SELECT COALESCE(array_agg(v), '{}') FROM json_array_elements_text(list) v $f$; END IF; END $do$",
)
_DML = ("INSERT", "UPDATE", "DELETE")


class Row(tuple[Any, ...]):
    """A row of a statement answered here, not by the server (PRAGMA), read by position."""

    _index: ClassVar[dict[str, int]] = {}
    _names: ClassVar[tuple[str, ...]] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._index[key.lower()])
            except KeyError:
                raise IndexError("No item with that key") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


# One in-memory SQLite connection whose cursors only describe columns: a server row is made a real
# ``sqlite3.Row`` over such a cursor, so it is read by name and position (any case, in C, several
# times faster than a Python __getitem__), compared and hashed exactly as the laptops' rows are.
_NAMER = sqlite3.connect(":memory:", check_same_thread=False)
_NAMER_LOCK = threading.Lock()


@lru_cache(maxsize=2048)
def _describer(names: tuple[str, ...]) -> sqlite3.Cursor:
    columns = ", ".join('NULL AS "{}"'.format(n.replace('"', '""')) for n in names)
    with _NAMER_LOCK:
        return _NAMER.execute(f"SELECT {columns}")


def _row_factory(cursor: Any) -> Any:
    if cursor.description is None:
        return Row
    return partial(sqlite3.Row, _describer(tuple(d.name for d in cursor.description)))


class _Result:
    """What ``execute`` returns for a statement answered here, not by the server (PRAGMA, BEGIN)."""

    def __init__(self, rows: Sequence[tuple[Any, ...]] = (), rowcount: int = -1) -> None:
        self._rows = [Row(r) for r in rows]
        self.rowcount = rowcount
        self.description = None

    def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


def _sqlite_error(e: psycopg.Error) -> sqlite3.Error:
    message = (e.diag.message_primary if e.diag else None) or str(e)
    if isinstance(e, psycopg.IntegrityError) or (e.sqlstate or "").startswith("23"):
        return sqlite3.IntegrityError(message)
    if isinstance(e, psycopg.OperationalError):
        return sqlite3.OperationalError(message)
    return sqlite3.DatabaseError(message)


# SQLSTATE 42501 insufficient_privilege: the desk's role may not do this (store/pg_roles.py)
_NOT_PERMITTED = "42501"


def _refused(e: psycopg.Error, raw: psycopg.Connection[Any]) -> StoreError:
    """The server's "permission denied" as one message naming the desk user and the database."""
    detail = (e.diag.message_primary if e.diag else None) or str(e)
    return StoreError(
        _(
            "服务器拒绝了这项操作：数据库用户 {user} 所在的岗位无此权限（{detail}）。请由中心负责人调整岗位"
        ).format(user=raw.info.user, detail=detail),
        f"postgresql://{raw.info.host}/{raw.info.dbname}",
    )


class PgConnection:
    """The subset of ``sqlite3.Connection`` the store uses, on a PostgreSQL connection."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self._pg = raw
        self._keys: dict[str, list[str]] = {}
        self._wrote = False  # this transaction changed something (COMMIT raises the write counter)
        self._own_writes = 0
        self.total_changes = 0
        self.row_factory: Any = None  # accepted and ignored: rows are always named
        self.database_file: Path | None = None  # in the desk's folder it was opened for (store/db.py)
        self.url: str | None = None  # the server's address it was made with (connect)
        self._streams = 0

    # -- what sqlite3.Connection offers ----------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def close(self) -> None:
        self._pg.close()

    def __del__(self) -> None:
        # dropped without close(), as the store's sqlite3 connections may be: closed quietly, as
        # sqlite3 closes them (psycopg would warn)
        raw = getattr(self, "_pg", None)
        if raw is not None and not raw.closed:
            raw.close()

    def commit(self) -> None:
        if self.in_transaction:
            self._end("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self._end("ROLLBACK")

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
        word = sql.lstrip()[:10].upper()
        if word.startswith(("BEGIN", "COMMIT", "ROLLBACK", "END", "PRAGMA")):
            try:
                special = self._special(sql.strip().rstrip(";").strip())
            except psycopg.Error as e:  # a PRAGMA's question refused or failed: as any statement's
                if e.sqlstate == _NOT_PERMITTED:
                    raise _refused(e, self._pg) from None
                raise _sqlite_error(e) from None
            if special is not None:
                return special
        return self._run(sql, parameters, many=False)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any] | Mapping[str, Any]]) -> Any:
        return self._run(sql, list(seq), many=True)

    @property
    def own_writes(self) -> int:
        """How many of the write counter's steps are this connection's own commits: another
        connection's reading of the counter, less these, is this one's ``PRAGMA data_version``."""
        return self._own_writes

    @property
    def server_user(self) -> str:
        """The server's user this desk connected as (store/desk_grants.py names it)."""
        return str(self._pg.info.user)

    def stream(self, sql: str, size: int) -> Iterator[list[Any]]:
        """The rows of ``sql`` (no parameters) ``size`` at a time, through a server-side cursor, so
        that a table of millions of rows is never held whole (store/move.py). Inside a transaction
        only: the cursor lives in it."""
        if not self.in_transaction:
            raise sqlite3.OperationalError("a server-side cursor needs a transaction")
        text = _translated(sql, self, False)
        try:
            self._streams += 1  # a name of its own: another stream may be open beside it
            with self._pg.cursor(name=f"inspector_stream_{self._streams}") as cursor:
                cursor.execute(text)
                while rows := cursor.fetchmany(size):
                    yield rows
        except psycopg.Error as e:
            if e.sqlstate == _NOT_PERMITTED:
                raise _refused(e, self._pg) from None
            raise _sqlite_error(e) from None

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert ``rows`` into ``table`` by ``COPY`` (store/move.py: millions of rows), inside the
        caller's transaction: constraints and triggers apply as to an INSERT. How many went in."""
        if not self.in_transaction:
            raise sqlite3.OperationalError("COPY belongs in the caller's transaction")
        n = 0
        try:
            with self._pg.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        except psycopg.Error as e:
            if e.sqlstate == _NOT_PERMITTED:
                raise _refused(e, self._pg) from None
            raise _sqlite_error(e) from None
        self.total_changes += n
        self._wrote = self._wrote or n > 0
        return n

    def writable(self, tables: Iterable[str]) -> frozenset[str]:
        """Which of ``tables`` the server grants this user INSERT and UPDATE on (store/pg_roles.py):
        one question for all of them (a desk asks at every open: a round trip per table added up)."""
        names = sorted(set(tables))
        try:  # to_regclass first: a table this schema lacks is no error, only not writable
            rows = self._pg.execute(
                "SELECT t FROM unnest(CAST(%s AS text[])) AS t WHERE to_regclass(t) IS NOT NULL"
                " AND has_table_privilege(current_user, to_regclass(t), 'INSERT')"
                " AND has_table_privilege(current_user, to_regclass(t), 'UPDATE')",
                (names,),
            ).fetchall()
        except psycopg.Error as e:
            raise _sqlite_error(e) from None
        return frozenset(str(r[0]) for r in rows)

    def may_write(self, table: str) -> bool:
        """Whether the server grants this user INSERT and UPDATE on ``table`` (store/pg_roles.py)."""
        try:  # to_regclass first: a table this schema lacks is no error (it would end a transaction)
            row = self._pg.execute(
                "SELECT to_regclass(%s) IS NOT NULL"
                " AND has_table_privilege(current_user, to_regclass(%s), 'INSERT')"
                " AND has_table_privilege(current_user, to_regclass(%s), 'UPDATE')",
                (table, table, table),
            ).fetchone()
        except psycopg.Error as e:
            raise _sqlite_error(e) from None
        return bool(row and row[0])

    # -- the work ---------------------------------------------------------------------------------
    def primary_key(self, table: str) -> list[str]:
        if table not in self._keys:
            rows = self._pg.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(%s AS regclass) AND i.indisprimary"
                " ORDER BY array_position(i.indkey, a.attnum)",
                (table,),
            ).fetchall()
            self._keys[table] = [str(r[0]) for r in rows]
        return self._keys[table]

    def _run(self, sql: str, parameters: Any, *, many: bool) -> Any:
        text = _translated(sql, self, parameters is not None)
        lists = JSON_TEXTS in text
        dml = text.lstrip()[:6].upper() in _DML
        guarded = dml and self.in_transaction
        try:
            if guarded:
                self._pg.execute("SAVEPOINT inspector_statement")
            if many:
                cursor = self._pg.cursor()
                cursor.executemany(text, parameters)
            else:
                # a list's statement never prepared: planned each time for the list it carries
                # (a generic plan knows no array's length and falls back to nested loops)
                cursor = self._pg.execute(text, _params(parameters), prepare=False if lists else None)
            if guarded:
                self._pg.execute("RELEASE SAVEPOINT inspector_statement")
        except psycopg.Error as e:
            if guarded:
                self._pg.execute("ROLLBACK TO SAVEPOINT inspector_statement")
                self._pg.execute("RELEASE SAVEPOINT inspector_statement")
            if e.sqlstate == _NOT_PERMITTED:
                raise _refused(e, self._pg) from None
            raise _sqlite_error(e) from None
        if dml:
            self.total_changes += max(cursor.rowcount, 0)
            if self.in_transaction:
                self._wrote = True
            elif cursor.rowcount > 0:  # a write on its own, committed already: count it too
                self._bump()
        return cursor

    def _bump(self) -> None:
        self._pg.execute("UPDATE inspector_writes SET n = n + 1 WHERE one = 1")
        self._own_writes += 1

    def _end(self, verb: str) -> None:
        try:
            if verb == "COMMIT" and self._wrote:
                self._bump()
            self._pg.execute(verb)
        except psycopg.Error as e:
            if self.in_transaction:
                self._pg.execute("ROLLBACK")
            if e.sqlstate == _NOT_PERMITTED:
                raise _refused(e, self._pg) from None
            raise _sqlite_error(e) from None
        finally:
            self._wrote = False

    def _special(self, sql: str) -> Any:
        upper = " ".join(sql.upper().split())
        if upper in ("BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE", "BEGIN TRANSACTION"):
            if self.in_transaction:
                raise sqlite3.OperationalError("cannot start a transaction within a transaction")
            self._wrote = False
            self._pg.execute("BEGIN")
            if upper != "BEGIN" and upper != "BEGIN DEFERRED" and upper != "BEGIN TRANSACTION":
                # one writer at a time, as SQLite's BEGIN IMMEDIATE: see the module's docstring
                self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return _Result()
        if upper in ("COMMIT", "END", "COMMIT TRANSACTION"):
            self._end("COMMIT")
            return _Result()
        if upper in ("ROLLBACK", "ROLLBACK TRANSACTION"):
            self._end("ROLLBACK")
            return _Result()
        if upper == "PRAGMA USER_VERSION":
            return self._pg.execute("SELECT version FROM inspector_schema WHERE one = 1")
        if upper.startswith("PRAGMA USER_VERSION"):
            version = int(upper.split("=", 1)[1])
            self._pg.execute("UPDATE inspector_schema SET version = %s WHERE one = 1", (version,))
            self._wrote = True
            return _Result()
        if upper == "PRAGMA DATA_VERSION":
            # others' commits only, as SQLite counts them: this connection's own are taken off
            n = self._pg.execute("SELECT n FROM inspector_writes WHERE one = 1").fetchone()
            return _Result([(int(n[0]) - self._own_writes if n else 0,)])
        if upper.startswith(("PRAGMA WAL_CHECKPOINT", "PRAGMA OPTIMIZE")):
            return _Result()  # SQLite's file upkeep: the server keeps its own files
        if upper == "PRAGMA DATABASE_LIST":
            # which folder the database belongs to (store/demo_pictures.py asks): the desk's folder,
            # as SQLite names the file in it
            return _Result([(0, "main", str(self.database_file or ""))])
        if upper.startswith("PRAGMA RECURSIVE_TRIGGERS"):
            # sqlite_utils.Database(conn) sets it on (bundles/authority.py wraps a connection so):
            # PostgreSQL's triggers always fire for what other triggers do, as SQLite's do when on
            return _Result()
        if upper.startswith("PRAGMA"):
            raise sqlite3.OperationalError(f"not available on PostgreSQL: {sql}")
        return None


def _params(parameters: Any) -> Any:
    if parameters is None or isinstance(parameters, Mapping):
        return parameters
    return tuple(parameters)


@lru_cache(maxsize=4096)
def _translate_cached(sql: str, keys: tuple[tuple[str, tuple[str, ...]], ...], parameters: bool) -> str:
    known = dict(keys)
    return translate(sql, lambda table: list(known[table]), parameters=parameters)


def _translated(sql: str, conn: PgConnection, parameters: bool) -> str:
    if "OR REPLACE" in sql.upper():
        # the conflict target is the table's primary key, read from the server (once per table)
        return translate(sql, conn.primary_key, parameters=parameters)
    return _translate_cached(sql, (), parameters)


def is_server_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


# How long a desk waits for a server that does not answer (libpq's own default is to wait forever):
# to connect, and for what it sent to be acknowledged (a server gone mid-session; where the system
# has TCP_USER_TIMEOUT), so that the window's one-row look at the write counter cannot hang it long
CONNECT_TIMEOUT = 10
TCP_USER_TIMEOUT_MS = 30000


def _timeout(url: str) -> dict[str, Any]:
    try:
        given = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return {}  # said by psycopg.connect itself
    wanted = {"connect_timeout": CONNECT_TIMEOUT, "tcp_user_timeout": TCP_USER_TIMEOUT_MS}
    return {key: value for key, value in wanted.items() if key not in given}


def connect(url: str) -> PgConnection:
    """A connection to the server, its bookkeeping tables made; the schema is migrated by the caller."""
    try:
        raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory, **_timeout(url))
    except psycopg.Error as e:
        raise _sqlite_error(e) from None
    conn = PgConnection(raw)
    conn.url = url  # the window's poll of the write counter connects there too (ui/external.py)
    if _bookkeeping_made(raw):
        return conn  # every open after the first: one question, not seven statements
    for statement in _BOOKKEEPING:
        # two desks making them at the same first moment: the other one did; a desk user's role
        # may not create or insert (store/pg_roles.py): the owner made them already (or has not:
        # a fresh database, which reading the schema's version then says)
        with contextlib.suppress(
            psycopg.errors.UniqueViolation,
            psycopg.errors.InsufficientPrivilege,
            psycopg.errors.UndefinedTable,
        ):
            raw.execute(statement)
    return conn


def _bookkeeping_made(raw: psycopg.Connection[Any]) -> bool:
    """Whether the tables and function of :data:`_BOOKKEEPING` are all there, with their one row each."""
    try:
        row = raw.execute(
            "SELECT to_regclass('inspector_files') IS NOT NULL AND to_regclass('inspector_pdfs') IS NOT NULL"
            " AND to_regprocedure('inspector_json_texts(json)') IS NOT NULL"
            " AND to_regclass('inspector_schema') IS NOT NULL AND to_regclass('inspector_writes') IS NOT NULL"
        ).fetchone()
        if not (row and row[0]):
            return False
        rows = raw.execute(
            "SELECT (SELECT COUNT(*) FROM inspector_schema) + (SELECT COUNT(*) FROM inspector_writes)"
        ).fetchone()
    except psycopg.Error:
        return False  # not readable by this user, say: the statements below say what they can
    return bool(rows and rows[0] == 2)


def database(conn: PgConnection) -> sqlite_utils.Database:
    """The store's handle (``db.conn`` is what every module uses) around a server connection."""
    return sqlite_utils.Database(
        cast(sqlite3.Connection, conn), recursive_triggers=False, execute_plugins=False
    )


def shown(url: str) -> str:
    """The URL as messages show it: never its password."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql://…"
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{info.get('host') or ''}{port}/{info.get('dbname') or ''}"


def why_not_connected(message: str) -> str:
    """What a desk's user can act on, from libpq's or the server's words on a failed connection."""
    text = message.lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return _("用户名或密码不对（服务器拒绝了登录）：请核对地址中的用户名和密码，或向管理员询问")
    if "role" in text and "does not exist" in text:
        return _("服务器上没有这个数据库用户：请向管理员询问（centre roles 建立工作人员的用户）")
    if "database" in text and "does not exist" in text:
        return _("服务器上没有这个数据库：请核对库名，或由管理员先建库（见 docs/centre-on-postgresql.md）")
    if "permission denied for database" in text or "no pg_hba.conf entry" in text:
        return _("服务器不允许这个用户连接这个数据库：请由中心负责人把该用户放到一个岗位（centre roles）")
    if "inspector_schema" in text and "does not exist" in text:
        return _(
            "这个数据库还没有初始化：请由数据库所有者先连接一次（inspector centre connect postgresql://所有者@服务器/库名）"
        )
    if any(
        words in text
        for words in (
            "connection refused",
            "could not translate host",
            "timeout expired",
            "no route to host",
            "could not connect",
            "connection failed",
            "name or service not known",
            "network is unreachable",
        )
    ):
        return _("连不上服务器：请核对服务器地址和端口，确认服务器在运行、网络已接通")
    return message


@dataclass(frozen=True)
class Probe:
    """What trying a server found: who we are there, and the centre's schema version (0: a fresh
    database, which the first connection as its owner makes the centre's)."""

    where: str
    user: str
    version: int


def probe(url: str) -> Probe:
    """Try the server at ``url`` without changing anything: the connection, the collation, whether
    the database is a centre's or may become one. Refused: a :class:`StoreError` saying why."""
    where = shown(url)
    try:
        with psycopg.connect(url, autocommit=True, **_timeout(url)) as raw:
            row = raw.execute(
                "SELECT 'B' < 'a' AND 'Z' < 'b', current_user, to_regclass('inspector_schema') IS NOT NULL,"
                " has_schema_privilege(current_schema(), 'CREATE'),"
                " (SELECT datcollate FROM pg_database WHERE datname = current_database())"
            ).fetchone()
            assert row is not None
            by_code_point, user, made, may_create, collation = row
            version = 0
            if made:
                got = raw.execute("SELECT version FROM inspector_schema WHERE one = 1").fetchone()
                version = int(got[0]) if got else 0
    except psycopg.Error as e:
        detail = (e.diag.message_primary if e.diag else None) or str(e)
        if e.sqlstate == _NOT_PERMITTED:
            detail = _(
                "数据库用户无权读取中心的数据库（{e}）：请由中心负责人把该用户放到一个岗位（centre roles）"
            ).format(e=detail)
        raise StoreError(_("无法打开数据库：{e}").format(e=why_not_connected(detail)), where) from None
    if not by_code_point:
        raise StoreError(
            _("服务器数据库的排序规则为 {c}：请用 LC_COLLATE 'C' 创建数据库").format(c=collation), where
        )
    if version == 0 and not may_create:
        raise StoreError(
            _("无法打开数据库：{e}").format(e=why_not_connected("inspector_schema does not exist")), where
        )
    return Probe(where, str(user), version)


def open_server(url: str, migrate: Callable[[sqlite3.Connection, str], int]) -> sqlite_utils.Database:
    """Open the centre's database on a server, migrated to the current schema by ``migrate`` (the
    folder's migrations, translated): :func:`inspector.store.db.open_server_database` calls it."""
    where = shown(url)
    conn: PgConnection | None = None
    try:
        conn = connect(url)
        # text sorts as SQLite sorts it (by code point): a published draw's pool order, and so its
        # result, must not depend on the server's language settings. Asked of the sort itself (a
        # libc or ICU collation, whatever its name): in code-point order "B" comes before "a".
        by_code_point = conn.execute("SELECT 'B' < 'a' AND 'Z' < 'b'").fetchone()
        if by_code_point is None or not by_code_point[0]:
            collation = conn.execute(
                "SELECT datcollate FROM pg_database WHERE datname = current_database()"
            ).fetchone()
            conn.close()
            raise StoreError(
                _("服务器数据库的排序规则为 {c}：请用 LC_COLLATE 'C' 创建数据库").format(
                    c=collation[0] if collation else "?"
                ),
                where,
            )
        migrate(cast(sqlite3.Connection, conn), where)
    except sqlite3.Error as e:
        if conn is not None:
            conn.close()
        raise StoreError(_("无法打开数据库：{e}").format(e=why_not_connected(str(e))), where) from None
    return database(conn)


def fetch_file(url: str, sha256: str, path: Path) -> None:
    """The evidence file with this digest, from the server at ``url`` into ``path`` (checked against
    its digest first: a damaged copy is never written). Absent on the server: nothing is written,
    and the caller finds the file missing as it would in a folder."""
    import hashlib

    from inspector.fileio import write_bytes_atomic

    conn = connect(url)
    try:
        row = conn.execute("SELECT content FROM inspector_files WHERE sha256 = ?", (sha256,)).fetchone()
    finally:
        conn.close()
    if row is not None and hashlib.sha256(row[0]).hexdigest() == sha256:
        write_bytes_atomic(path, bytes(row[0]))


# A batch of files fetched at once holds at most this many bytes (one larger file goes alone), and
# names at most FETCH_NAMES digests: a move back takes 100,000 files over one connection, not 100,000.
FETCH_BYTES = 8 * 2**20
FETCH_NAMES = 1000


def fetch_files(url: str, wanted: dict[str, Path]) -> int:
    """The evidence files with these digests (digest → where it goes), from the server at ``url``,
    over one connection, a batch at a time: their sizes asked first, then their contents in batches
    of at most :data:`FETCH_BYTES` (memory bounded by a batch, not by the centre). Each is checked
    against its digest before it is written (a damaged copy never is); one absent on the server is
    not written, as :func:`fetch_file`. Returns how many were written."""
    import hashlib
    import json

    from inspector.fileio import write_bytes_atomic

    digests = sorted(wanted)
    written = 0
    conn = connect(url)
    try:
        for start in range(0, len(digests), FETCH_NAMES):
            names = json.dumps(digests[start : start + FETCH_NAMES])
            sizes = conn.execute(
                "SELECT sha256, octet_length(content) FROM inspector_files"
                " WHERE sha256 IN (SELECT value FROM json_each(?)) ORDER BY sha256",
                (names,),
            ).fetchall()
            batch: list[str] = []
            size = 0
            for i, (sha, n) in enumerate(sizes):
                batch.append(str(sha))
                size += int(n)
                if i + 1 < len(sizes) and size + int(sizes[i + 1][1]) <= FETCH_BYTES:
                    continue
                rows = conn.execute(
                    "SELECT sha256, content FROM inspector_files"
                    " WHERE sha256 IN (SELECT value FROM json_each(?))",
                    (json.dumps(batch),),
                ).fetchall()
                for sha_, content in rows:
                    if hashlib.sha256(content).hexdigest() == sha_:
                        write_bytes_atomic(wanted[str(sha_)], bytes(content))
                        written += 1
                del rows
                batch, size = [], 0
    finally:
        conn.close()
    return written


def fetch_pdfs(url: str, eval_id: str) -> list[tuple[str, bytes]]:
    """The signed PDFs of an evaluation kept on the server at ``url``: (name, content) each, only
    those whose content matches their digest (a damaged copy is never handed out)."""
    import hashlib

    conn = connect(url)
    try:
        rows = conn.execute(
            "SELECT p.name, p.sha256, f.content FROM inspector_pdfs p JOIN inspector_files f"
            " ON f.sha256 = p.sha256 WHERE p.eval_id = ? ORDER BY p.name, p.sha256",
            (eval_id,),
        ).fetchall()
    finally:
        conn.close()
    return [(str(r[0]), bytes(r[2])) for r in rows if hashlib.sha256(r[2]).hexdigest() == r[1]]
