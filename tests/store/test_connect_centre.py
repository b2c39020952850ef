"""Opening a centre on either engine (inspector/folder.py connect_centre, probe_server): the one core
function the first-run dialog and `inspector centre connect` call. A server is tried before the
folder remembers it, and each way it can refuse is one clear message with the folder unchanged: no
server, a missing database, a database not initialised (a desk user before the owner), a collation
refused, a wrong password (libpq's words; the test server trusts every local login)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from inspector.errors import InspectorError, StoreError, UsageError
from inspector.folder import connect_centre, probe_server
from inspector.store.db import SCHEMA_VERSION, SERVER_FILE, schema_version
from inspector.store.orgs import add_org
from inspector.store.pg import why_not_connected
from tests.pg_support import server_or_fail

pytestmark = pytest.mark.usefixtures("folders_as_they_say")
ROOT = Path(__file__).resolve().parents[2]


def _with(url: str, *, user: str | None = None, port: int | None = None, db: str | None = None) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user or parts.username}@{host}:{port or parts.port}"
    return urlunsplit(parts._replace(netloc=netloc, path="/" + (db or parts.path.lstrip("/"))))


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, str]]]:
    """The test server, with databases made for this test: 'fresh' (C, never opened), 'icu' (sorts
    by a language's rules), dropped afterwards; a login role at no desk."""
    admin_url = server_or_fail()
    tag = f"cc{os.getpid()}"
    names = {"fresh": f"{tag}_fresh", "icu": f"{tag}_icu"}
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {names['fresh']} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
        admin.execute(
            f"CREATE DATABASE {names['icu']} TEMPLATE template0 LOCALE_PROVIDER icu"
            " ICU_LOCALE 'zh-Hans-CN' LOCALE 'C.utf8' ENCODING 'UTF8'"
        )
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'desk_outsider'").fetchone() is None:
            admin.execute("CREATE ROLE desk_outsider LOGIN")
    yield admin_url, names
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_each_refusal_is_one_clear_message_and_the_folder_is_unchanged(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    admin, names = server
    folder = tmp_path / "desk"
    cases = [
        (_with(admin, port=_closed_port(), db=names["fresh"]), "连不上服务器"),
        (_with(admin, db="no_such_centre"), "没有这个数据库"),
        (_with(admin, db=names["icu"]), "排序规则"),
        (_with(admin, user="desk_outsider", db=names["fresh"]), "还没有初始化"),
        ("mysql://x@y/z", "postgresql://"),
    ]
    for url, said in cases:
        with pytest.raises(InspectorError, match=said):
            connect_centre(folder, url)
        assert not (folder / SERVER_FILE).exists(), url
    # the fresh database was only looked at: still no table in it
    with psycopg.connect(_with(admin, db=names["fresh"])) as pg:
        assert pg.execute("SELECT to_regclass('inspector_schema')").fetchone() == (None,)


def test_the_owner_makes_a_fresh_database_the_centre_and_desks_follow(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    admin, names = server
    url = _with(admin, db=names["fresh"])
    assert probe_server(url).version == 0  # tried: fresh, nothing changed
    db = connect_centre(tmp_path / "head", url)
    assert schema_version(db.conn) == SCHEMA_VERSION
    assert db.conn.execute("SELECT COUNT(*) FROM rubrics").fetchone()[0] > 0
    add_org(db, "服务器上的机构")
    db.conn.close()
    assert (tmp_path / "head" / SERVER_FILE).read_text(encoding="utf-8").strip() == url
    # a second desk's folder connected to the same centre sees the organisation
    other = connect_centre(tmp_path / "desk2", url)
    assert other.conn.execute("SELECT name FROM orgs").fetchall()[0][0] == "服务器上的机构"
    other.conn.close()
    # a desk user at no desk is refused reading it, in words
    with pytest.raises(StoreError, match="centre roles"):
        probe_server(_with(admin, user="desk_outsider", db=names["fresh"]))


def test_a_folder_with_its_own_centre_is_moved_not_connected(pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "centre"
    db = connect_centre(folder)  # no URL: the folder's own SQLite file, the default
    add_org(db, "本机的机构")
    db.conn.close()
    with pytest.raises(UsageError, match="centre move"):
        connect_centre(folder, pg_url)
    assert not (folder / SERVER_FILE).exists()


def test_libpq_words_become_what_the_user_can_act_on() -> None:
    # the test server trusts local logins, so a wrong password is libpq's message, as it says it
    said = why_not_connected('connection failed: FATAL:  password authentication failed for user "clerk"')
    assert "密码" in said
    assert "密码" in why_not_connected("fe_sendauth: no password supplied")
    assert "连不上" in why_not_connected('could not translate host name "centre.gov" to address')
    assert "没有这个数据库用户" in why_not_connected('FATAL:  role "wang" does not exist')


def test_the_command_line_connects_and_says_why_not(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    admin, names = server
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSPECTOR_LANG": "zh"}
    env.pop("INSPECTOR_DB", None)
    run = [sys.executable, "-m", "inspector", "--data", str(tmp_path / "desk"), "centre", "connect"]
    bad = subprocess.run([*run, _with(admin, db=names["icu"])], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "排序规则" in bad.stderr, bad.stderr
    good = subprocess.run([*run, _with(admin, db=names["fresh"])], capture_output=True, text=True, env=env)
    assert good.returncode == 0, good.stderr
    assert "已连接到" in good.stdout and "机构登记" in good.stdout
