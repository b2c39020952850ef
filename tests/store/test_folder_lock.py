"""A restore racing an open window: the restore needs the data folder to itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inspector.errors import StoreError
from inspector.store.backup import backup, restore
from inspector.store.db import open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.folder_lock import LOCK_DIR, folder_to_itself, hold_for_window, windows_open
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.windows_sim import HeldFiles


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, Path, str]:
    """A data folder with one mark, and a backup of it taken before a second mark."""
    data = tmp_path / "data"
    db = open_database(data)
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    e = store.create("sichuan-2017-inspection", add_org(db, "恢复测试鉴定站")["id"])
    store.record(e.id, "1.1.1", {"met": True})
    out = tmp_path / "backup.zip"
    backup(db, data, out, None)  # plain: the lock, not the sealing, is tested here
    store.record(e.id, "2.2.4", {"met": False})
    db.conn.close()
    return data, out, e.id


def marks(data: Path, eval_id: str) -> set[str]:
    db = open_database(data)
    try:
        return set(EvaluationStore(db, "x").current(eval_id))
    finally:
        db.conn.close()


def test_restore_is_refused_while_a_window_has_the_folder(folder: tuple[Path, Path, str]) -> None:
    data, out, eval_id = folder
    window = hold_for_window(data)
    assert windows_open(data) == [window.path]
    with pytest.raises(StoreError, match="请先关闭窗口"):
        restore(out, data)
    assert marks(data, eval_id) == {"1.1.1", "2.2.4"}  # nothing replaced
    window.release()
    assert windows_open(data) == []
    restore(out, data)
    assert marks(data, eval_id) == {"1.1.1"}


def test_a_window_of_another_process_blocks_the_restore(folder: tuple[Path, Path, str]) -> None:
    data, out, _eval_id = folder
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys
                from pathlib import Path
                from inspector.store.folder_lock import hold_for_window
                hold = hold_for_window(Path({str(data)!r}))
                print("held", flush=True)
                sys.stdin.readline()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            with pytest.raises(StoreError, match="请先关闭窗口"):
                restore(out, data)
        finally:
            holder.kill()  # a window that crashes: its lock goes with it
    restore(out, data)  # the crashed window's lock file is stale: cleared, not in the way
    assert list((data / LOCK_DIR).iterdir()) == []


def test_a_window_cannot_open_the_folder_while_a_restore_runs(folder: tuple[Path, Path, str]) -> None:
    data, _out, _eval_id = folder
    with folder_to_itself(data), pytest.raises(StoreError, match="正在恢复备份"):
        hold_for_window(data)
    with folder_to_itself(data), pytest.raises(StoreError, match="另一个恢复"), folder_to_itself(data):
        pass
    hold_for_window(data).release()  # afterwards: fine


def test_restore_waits_out_a_scanner_holding_the_old_database(
    folder: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out, eval_id = folder
    held = HeldFiles(monkeypatch)
    held.hold(data / "inspector.sqlite3", times=3)
    restore(out, data)
    assert marks(data, eval_id) == {"1.1.1"}
    assert held.refused


def test_a_database_held_for_good_is_one_clear_message(
    folder: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out, eval_id = folder
    held = HeldFiles(monkeypatch)
    held.hold(data / "inspector.sqlite3")
    with pytest.raises(StoreError, match="无法替换数据库"):
        restore(out, data)
    held.release(data / "inspector.sqlite3")
    assert marks(data, eval_id) == {"1.1.1", "2.2.4"}
