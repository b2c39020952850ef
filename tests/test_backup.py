"""Backup while the product is open and writing; restore only what is intact."""

from __future__ import annotations

import json
import threading
import zipfile
from pathlib import Path

import pytest

from inspector.backup import backup, restore, verify_backup
from inspector.db import DB_NAME, open_database
from inspector.errors import StoreError
from inspector.evaluations import EvaluationStore
from inspector.evidence import add_evidence, evidence_path
from inspector.orgs import add_org
from inspector.rubric_store import install_builtin_rubrics


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, EvaluationStore, str]:
    data = tmp_path / "data"
    db = open_database(data)
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "备份测试鉴定站")["id"]
    e = store.create("sichuan-2017-inspection", org)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo bytes")
    digest = add_evidence(db, data, photo)
    store.record(e.id, "5.3.1", {"met": False, "evidence": [digest]})
    return data, store, e.id


def test_backup_while_writing_and_restore_elsewhere(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    data, store, eval_id = filled
    writer_db = open_database(data)
    writer = EvaluationStore(writer_db, "李四")
    items = [i.id for i in store.rubric("sichuan-2017-inspection", 1).items() if i.rule.kind != "tiers"]
    done = threading.Event()

    def write() -> None:
        for item in items:
            writer.record(eval_id, item, {"met": True})
        done.set()

    t = threading.Thread(target=write)
    t.start()
    out = tmp_path / "backup.zip"
    info = backup(store.db, data, out)
    t.join()
    assert info.files == 2 and verify_backup(out)["schema_version"] >= 2
    target = tmp_path / "restored"
    restore(out, target)
    db = open_database(target)
    restored = EvaluationStore(db, "王五")
    assert restored.get(eval_id).answered >= 1  # a consistent snapshot, whatever moment it caught
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    digest = restored.current(eval_id)["5.3.1"].change.payload["evidence"][0]["sha256"]
    assert evidence_path(target, digest).read_bytes() == b"photo bytes"


def test_restore_keeps_the_replaced_database(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    data, store, _eval = filled
    out = tmp_path / "b.zip"
    backup(store.db, data, out)
    manifest = restore(out, data)
    assert Path(manifest["kept"]).exists()


def rewrite(src: Path, dst: Path, change: dict[str, bytes | None], manifest: dict | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            body = change.get(info.filename, zin.read(info.filename))
            if info.filename == "manifest.json" and manifest is not None:
                body = json.dumps(manifest).encode()
            if body is not None:
                zout.writestr(info.filename, body)
        for name, body in change.items():
            if name not in zin.namelist() and body is not None:
                zout.writestr(name, body)


@pytest.mark.parametrize(
    "damage",
    ["flip", "truncate", "missing-db", "traversal", "not-zip", "newer", "no-manifest"],
)
def test_damaged_backups_are_refused_and_change_nothing(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path, damage: str
) -> None:
    data, store, _eval = filled
    good = tmp_path / "good.zip"
    backup(store.db, data, good)
    bad = tmp_path / "bad.zip"
    manifest = json.loads(zipfile.ZipFile(good).read("manifest.json"))
    if damage == "flip":
        db_bytes = bytearray(zipfile.ZipFile(good).read(DB_NAME))
        db_bytes[5000] ^= 0xFF
        rewrite(good, bad, {DB_NAME: bytes(db_bytes)})
    elif damage == "truncate":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif damage == "missing-db":
        rewrite(good, bad, {DB_NAME: None})
    elif damage == "traversal":
        manifest["files"]["../../evil"] = "0" * 64
        rewrite(good, bad, {"../../evil": b"x"}, manifest)
    elif damage == "not-zip":
        bad.write_bytes(b"PK\x03\x04 not really")
    elif damage == "newer":
        manifest["schema_version"] = 999
        rewrite(good, bad, {}, manifest)
    else:
        rewrite(good, bad, {"manifest.json": None})
    target = tmp_path / "target"
    with pytest.raises(StoreError, match="备份文件无法恢复"):
        restore(bad, target)
    assert not (target / DB_NAME).exists()
