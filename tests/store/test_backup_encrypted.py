"""Personal data stays protected at rest (issue #14, item 9). Each test is named after the attack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inspector.errors import StoreError
from inspector.store.backup import backup, restore, verify_backup
from inspector.store.db import DB_NAME, open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence
from inspector.store.orgs import add_org
from inspector.store.passphrases import passphrase_problem
from inspector.store.rubrics import install_builtin_rubrics

SECRET = "川督-2026-备份"
ORG = "备份加密测试鉴定站"
PHONE = "13912345678"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, EvaluationStore, str]:
    data = tmp_path / "data"
    db = open_database(data)
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, ORG, details={"phone": PHONE})["id"]
    e = store.create("sichuan-2017-inspection", org)
    for n in range(6):
        photo = tmp_path / f"p{n}.jpg"
        photo.write_bytes(os.urandom(300_000))
        store.record(e.id, "5.3.1", {"met": False, "evidence": [add_evidence(db, data, photo)]})
    return data, store, e.id


def _clear_text(blob: bytes) -> bool:
    return b"SQLite format 3" in blob or ORG.encode() in blob or PHONE.encode() in blob


def test_backup_is_a_plain_zip_of_names_phones_and_results(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    data, store, eval_id = filled
    out = tmp_path / "backup.zip"
    info = backup(store.db, data, out, SECRET)
    blob = out.read_bytes()
    assert blob[:8] == b"INSPBAK1" and not _clear_text(blob) and info.files == 7
    assert verify_backup(out, SECRET)["files"].keys() >= {DB_NAME}
    target = tmp_path / "restored"
    for wrong in (None, "川督-2026-备份 ", "another-passphrase"):
        with pytest.raises(StoreError, match="口令"):
            restore(out, target, wrong)
        assert not (target / DB_NAME).exists()
    restore(out, target, SECRET)
    restored = EvaluationStore(open_database(target), "王五")
    assert restored.current(eval_id) == store.current(eval_id)


def test_cut_or_changed_encrypted_backup_is_refused(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    data, store, _e = filled
    out = tmp_path / "backup.zip"
    backup(store.db, data, out, SECRET)
    blob = out.read_bytes()
    assert len(blob) > 1 << 20  # more than one chunk: the cut falls on a chunk boundary too
    for n, bad in enumerate(
        (blob[: (1 << 20) + 16 + 38], blob[:-1], blob[:40] + bytes([blob[40] ^ 1]) + blob[41:], blob + b"x")
    ):
        path = tmp_path / f"bad{n}.zip"
        path.write_bytes(bad)
        with pytest.raises(StoreError, match="备份文件无法恢复"):
            restore(path, tmp_path / "t", SECRET)
        assert not (tmp_path / "t" / DB_NAME).exists()


@pytest.mark.parametrize(
    ("passphrase", "why"),
    [("123456", "太短"), ("12345678", "常见"), ("Password", "常见"), ("woaini1314", "常见"),
     ("1111111111", "重复"), ("9876543210", "连续"), ("abcdefghij", "连续")],
)  # fmt: skip
def test_backup_guarded_by_123456(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path, passphrase: str, why: str
) -> None:
    data, store, _e = filled
    out = tmp_path / "backup.zip"
    with pytest.raises(StoreError, match=why):
        backup(store.db, data, out, passphrase)
    assert not out.exists() and list(tmp_path.glob(".backup.zip*")) == []
    assert passphrase_problem(SECRET) is None and passphrase_problem("correct horse battery") is None


def test_killed_backup_leaves_clear_text_copies_and_hidden_partials(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    """kill -9 in the middle of a backup left the database in clear text in the temp folder (136
    copies after 145 kills) and a partial hidden file on the target."""
    data, store, _e = filled
    store.db.conn.close()
    temp, target = tmp_path / "tmp", tmp_path / "stick"
    temp.mkdir()
    target.mkdir()

    def files() -> list[Path]:  # the database's own -wal and -shm come and go with its connections
        return sorted(p.relative_to(data) for p in data.rglob("*") if not p.name.endswith(("-wal", "-shm")))

    before = files()
    script = textwrap.dedent(
        f"""
        import os, signal, zipfile
        from pathlib import Path
        from inspector.store.backup import backup
        from inspector.store.db import open_database

        real = zipfile.ZipFile.write
        calls = []
        def write(self, *a, **k):
            calls.append(1)
            if len(calls) == 3:  # the database and two photos are in: die as kill -9 would
                os.kill(os.getpid(), signal.SIGKILL)
            return real(self, *a, **k)
        zipfile.ZipFile.write = write
        data = Path({str(data)!r})
        backup(open_database(data), data, Path({str(target / "backup.zip")!r}), {SECRET!r})
        """
    )
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp), "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert list(temp.rglob("*")) == []  # nothing in the temp folder
    assert files() == before  # nor in the data folder
    partial = list(target.iterdir())
    assert all(not _clear_text(f.read_bytes()) for f in partial)  # what is on the stick is sealed
    assert not (target / "backup.zip").exists()
    # the next backup to the stick removes what the killed one left
    backup(open_database(data), data, target / "backup.zip", SECRET)
    assert [f.name for f in target.iterdir()] == ["backup.zip"]
