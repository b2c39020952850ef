"""`inspector backup` and `restore` at a desk of a centre on a server (issue 20): one message saying
what to do instead (the DBA's pg_dump / pg_restore, the desk's keys copied apart), asked before any
passphrase and without reaching the server; never a traceback. Needs no server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inspector.store.db import SERVER_FILE
from tests.conftest import ROOT

URL = "postgresql://wang:secret@centre.intranet:5432/centre"


def _run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSPECTOR_LANG": "zh"}
    env.pop("INSPECTOR_DB", None)
    env.pop("INSPECTOR_BACKUP_PASSPHRASE", None)
    return subprocess.run(
        [sys.executable, "-m", "inspector", "--data", str(data), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_backup_and_restore_at_a_server_desk_say_what_to_do_instead(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / SERVER_FILE).write_text(URL, encoding="utf-8")
    backup = tmp_path / "b.zip"
    for args in (("backup", "--out", str(backup)), ("restore", str(backup))):
        r = _run(desk, *args)
        assert r.returncode == 1, r.stdout
        assert "Traceback" not in r.stderr and "口令" not in r.stderr.split("：", 1)[0], r.stderr
        assert "pg_dump --format=custom" in r.stderr and "pg_restore" in r.stderr, r.stderr
        assert "postgresql://wang@centre.intranet:5432/centre" in r.stderr  # named, its password not
        assert "secret" not in r.stderr
    assert not backup.exists()
