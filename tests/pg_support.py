"""The PostgreSQL side of the tests: a server named by ``INSPECTOR_TEST_PG`` (``./dev.sh test`` starts
a throw-away cluster and sets it, with ``INSPECTOR_REQUIRE_PG=1``), one fresh database per use.

``pytest --engine postgresql`` runs a suite's tests with every data folder they open on the server:
each folder the test opens gets its own database, made from a migrated template (``CREATE DATABASE …
TEMPLATE`` copies files: fast), named in the folder's ``server.url`` so that a command-line
subprocess opened on the folder follows it too. Without a server the tests that need one skip with
the reason, except where ``INSPECTOR_REQUIRE_PG=1`` (CI): there they fail.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.store import db as store_db

TEMPLATE = "inspector_template"
_counter = itertools.count()
_REAL_SERVER_URL = store_db.server_url
_owners: dict[str, str] = {}


def server_or_fail() -> str:
    """The test server's URL (to its maintenance database); a skip or, in CI, a failure without one."""
    url = os.environ.get("INSPECTOR_TEST_PG", "").strip()
    if url:
        return url
    reason = "no PostgreSQL server: set INSPECTOR_TEST_PG (./dev.sh test starts one)"
    if os.environ.get("INSPECTOR_REQUIRE_PG") == "1":
        pytest.fail(reason + " — INSPECTOR_REQUIRE_PG=1: a test that needs the server must not skip")
    pytest.skip(reason)


def _url_of(server: str, name: str) -> str:
    base, _sep, _db = server.rpartition("/")
    return f"{base}/{name}"


def _admin(server: str) -> object:
    import psycopg

    return psycopg.connect(server, autocommit=True)


class Databases:
    """Fresh databases on the test server, dropped at the end."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.made: list[str] = []
        self._template_ready = False

    def _template(self) -> None:
        import psycopg

        if self._template_ready:
            return
        with psycopg.connect(self.server, autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,)).fetchone()
            if exists is None:
                admin.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
                from inspector.store.db import open_server_database

                handle = open_server_database(_url_of(self.server, TEMPLATE))
                handle.conn.close()
        self._template_ready = True

    def new(self, like: str | None = None) -> str:
        """The URL of a new database: migrated and empty, or a copy of the one at ``like``."""
        import psycopg

        self._template()
        name = f"t{os.getpid()}_{next(_counter)}"
        source = TEMPLATE if like is None else like.rpartition("/")[2]
        with psycopg.connect(self.server, autocommit=True) as admin:
            if like is not None:  # a copy needs its source idle: a test's leftover handle is let go
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (source,),
                )
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {source}")
        self.made.append(name)
        return _url_of(self.server, name)

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as admin:
            for name in self.made:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.made.clear()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[Databases]:
    server = server_or_fail()
    made = Databases(server)
    yield made
    made.drop_all()


@pytest.fixture
def pg_url(pg_databases: Databases) -> str:
    """A fresh, migrated database on the test server."""
    return pg_databases.new()


@pytest.fixture
def folders_as_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the tests that move data between a folder's file and the server themselves: a folder's
    database is where the folder says (its file, or its server.url), whatever ``--engine`` is."""
    monkeypatch.setattr(store_db, "server_url", _REAL_SERVER_URL)


def engine_option(config: pytest.Config) -> str:
    return str(config.getoption("engine") or os.environ.get("INSPECTOR_TEST_ENGINE") or "sqlite")


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine every data folder opened by this test lives on: sqlite, or postgresql (each folder
    its own fresh database, named in the folder's server.url)."""
    chosen = engine_option(request.config)
    if chosen != "postgresql":
        return chosen
    databases: Databases = request.getfixturevalue("pg_databases")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    real = store_db.server_url
    owners = _owners  # which folder made each test database (session-wide: templates outlive a test)

    def on_server(folder: Path) -> str | None:
        url = real(folder)
        key = str(folder.resolve())
        if url is None and not (folder / store_db.DB_NAME).exists():
            folder.mkdir(parents=True, exist_ok=True)
            url = databases.new()
            (folder / store_db.SERVER_FILE).write_text(url, encoding="utf-8")
            owners[url] = key
        elif url is not None and url in owners and owners[url] != key:
            # the folder is a copy of another test folder (copytree of a prepared world): copying a
            # folder copies its SQLite file, so here it copies its database
            url = databases.new(like=url)
            (folder / store_db.SERVER_FILE).write_text(url, encoding="utf-8")
            owners[url] = key
        return url

    monkeypatch.setattr(store_db, "server_url", on_server)
    return chosen


PENDING = Path(__file__).with_name("pg_pending.txt")


def pending_on_server() -> dict[str, str]:
    """tests/pg_pending.txt: ``node id  # reason`` per line, the tests not yet passing on the server."""
    out: dict[str, str] = {}
    for line in PENDING.read_text(encoding="utf-8").splitlines():
        node, _sep, reason = line.partition("#")
        if node.strip():
            out[node.strip()] = reason.strip() or "not yet on PostgreSQL"
    return out


def mark_pending(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--engine postgresql`` the listed tests are strict xfails: one that starts passing
    fails the run until it is taken off the list."""
    if engine_option(config) != "postgresql":
        return
    pending = pending_on_server()
    for item in items:
        reason = (
            pending.get(item.nodeid)
            or pending.get(item.nodeid.split("[")[0])
            or pending.get(item.nodeid.split("::")[0])
        )
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"on PostgreSQL: {reason}", strict=True))


# -- reading and tampering a folder's database through the store, on either engine ------------------


def _folder_url(folder: Path) -> str | None:
    """The server a test folder's database is on (its server.url, as the engine fixture writes it)."""
    try:
        return (folder / store_db.SERVER_FILE).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def database_rows(folder: Path) -> dict[str, list[str]]:
    """Every row of every table of the folder's database, sorted, read without writing anything: its
    SQLite file (read-only), or its database on the server. What "nothing changed" compares."""
    import sqlite3

    url = _folder_url(folder)
    out: dict[str, list[str]] = {}
    if url is None:
        conn = sqlite3.connect(f"file:{folder / store_db.DB_NAME}?mode=ro", uri=True)
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for t in sorted(names):
                out[t] = sorted(repr(tuple(r)) for r in conn.execute(f'SELECT * FROM "{t}"'))
        finally:
            conn.close()
        return out
    import psycopg

    with psycopg.connect(url, autocommit=True) as raw:
        names = [
            r[0]
            for r in raw.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        ]
        for t in sorted(names):
            out[t] = sorted(repr(tuple(r)) for r in raw.execute(f'SELECT * FROM "{t}"'))
    return out


def tamper(conn: object, sql: str, *args: object) -> None:
    """What someone holding the database itself could do behind the program's back, past the
    append-only triggers on ``changes``: with the sqlite3 shell on a laptop's file (drop the
    triggers), or on a server as its superuser (``session_replication_role = replica``: no trigger
    fires), in a connection of its own. ``sql`` uses ``?`` placeholders."""
    import sqlite3

    if isinstance(conn, sqlite3.Connection):
        conn.execute("DROP TRIGGER changes_append_only_update")
        conn.execute("DROP TRIGGER changes_append_only_delete")
        conn.execute(sql, args)
        return
    import psycopg

    url = getattr(conn, "url", None)
    assert url, "a server connection names its server"
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute("SET session_replication_role = replica")
        raw.execute(sql.replace("?", "%s"), args)  # type: ignore[arg-type]


def without_write_grants(conn: object) -> None:
    """Make the store's server connection act as a role that may read every table and write none
    (what a read-only database is on a server); :func:`with_write_grants_again` ends it."""
    raw = conn._pg  # type: ignore[attr-defined]
    raw.execute(
        "DO $$ BEGIN IF to_regrole('inspector_reader') IS NULL THEN"
        " CREATE ROLE inspector_reader; END IF; END $$"
    )
    raw.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO inspector_reader")
    raw.execute("SET ROLE inspector_reader")


def with_write_grants_again(conn: object) -> None:
    conn._pg.execute("RESET ROLE")  # type: ignore[attr-defined]
