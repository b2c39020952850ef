"""Backup while the product is open and writing; restore only what is intact."""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from pathlib import Path

import pytest

from inspector.errors import StoreError
from inspector.store.backup import backup, restore, verify_backup
from inspector.store.db import DB_NAME, open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence, evidence_path
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics


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
    info = backup(store.db, data, out, None)
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
    backup(store.db, data, out, None)
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
    backup(store.db, data, good, None)
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


def test_signed_pdfs_and_keys_ride_along_and_nothing_is_overwritten_on_restore(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    """The score sheets as signed (reports/ from the window, pdfs/ from bundles) cannot be made
    again with the same signatures, and the sealed keys (keys/, ca/) cannot be made again at all: a
    backup keeps them. Restoring adds what is missing, keeps a PDF or key that differs and puts the
    backup's beside it, and repairs a damaged evidence file."""
    data, store, eval_id = filled
    sheet = data / "reports" / "站_2026-12-01_abcd1234_评分表.pdf"
    received = data / "pdfs" / eval_id / "评分表.pdf"
    credential, ca_key = data / "keys" / "signer.p12", data / "ca" / "ca.key.pem"
    for path, body in (
        (sheet, b"%PDF signed sheet"),
        (received, b"%PDF from a bundle"),
        (credential, b"INSP12S1 sealed credential"),
        (ca_key, b"INSP12S1 sealed CA key"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    (data / "reports" / ".tmp-half-written.pdf").write_bytes(b"partial")
    out = tmp_path / "b.zip"
    info = backup(store.db, data, out, None)
    names = set(verify_backup(out)["files"])
    assert info.files == 6
    assert {p.relative_to(data).as_posix() for p in (sheet, received, credential, ca_key)} < names
    assert not any(".tmp-half-written" in n for n in names)

    elsewhere = tmp_path / "elsewhere"
    restore(out, elsewhere)
    assert (elsewhere / sheet.relative_to(data)).read_bytes() == b"%PDF signed sheet"
    assert (elsewhere / received.relative_to(data)).read_bytes() == b"%PDF from a bundle"
    assert (elsewhere / "keys" / "signer.p12").read_bytes() == b"INSP12S1 sealed credential"
    assert (elsewhere / "ca" / "ca.key.pem").read_bytes() == b"INSP12S1 sealed CA key"
    credential.write_bytes(b"INSP12S1 a newer credential")

    sheet.write_bytes(b"%PDF a later version")
    digest = store.current(eval_id)["5.3.1"].change.payload["evidence"][0]["sha256"]
    evidence_path(data, digest).write_bytes(b"damaged")
    restore(out, data)
    assert sheet.read_bytes() == b"%PDF a later version"  # never overwritten
    beside = [p for p in sheet.parent.iterdir() if ".from-backup-" in p.name]
    assert len(beside) == 1 and beside[0].read_bytes() == b"%PDF signed sheet" and beside[0].suffix == ".pdf"
    assert credential.read_bytes() == b"INSP12S1 a newer credential"
    (key_beside,) = [p for p in credential.parent.iterdir() if ".from-backup-" in p.name]
    assert key_beside.name.startswith("signer.from-backup-") and key_beside.suffix == ".p12"
    assert key_beside.read_bytes() == b"INSP12S1 sealed credential"
    assert evidence_path(data, digest).read_bytes() == b"photo bytes"  # repaired from the backup
    damaged = list(evidence_path(data, digest).parent.glob("*.damaged-*"))
    assert len(damaged) == 1 and damaged[0].read_bytes() == b"damaged"
    restore(out, data)  # again: nothing more is added
    assert len([p for p in sheet.parent.iterdir() if ".from-backup-" in p.name]) == 1


def with_member(filled: tuple[Path, EvaluationStore, str], tmp_path: Path, name: str, body: bytes) -> Path:
    """A backup of ``filled`` with one more member, listed in its manifest with its true hash."""
    data, store, _eval = filled
    out = tmp_path / "b.zip"
    backup(store.db, data, out, None)
    manifest = verify_backup(out)
    manifest["files"][name] = hashlib.sha256(body).hexdigest()
    bad = tmp_path / "bad.zip"
    rewrite(out, bad, {name: body}, manifest)
    return bad


def test_a_backup_member_outside_the_known_folders_is_refused(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    bad = with_member(filled, tmp_path, "settings/autorun.cmd", b"not ours to restore")
    with pytest.raises(StoreError, match=r"不安全的文件名：settings/autorun\.cmd"):
        verify_backup(bad)


def test_a_backup_carrying_a_damaged_evidence_copy_never_replaces_the_intact_one(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    data, store, eval_id = filled
    digest = store.current(eval_id)["5.3.1"].change.payload["evidence"][0]["sha256"]
    photo = evidence_path(data, digest)
    photo.write_bytes(b"damaged")  # damaged before the backup: the backup's manifest matches it
    out = tmp_path / "b.zip"
    backup(store.db, data, out, None)
    photo.write_bytes(b"photo bytes")  # repaired from elsewhere
    restore(out, data)
    assert photo.read_bytes() == b"photo bytes"
    assert [p.name for p in photo.parent.iterdir()] == [digest]


def test_a_folder_entry_in_a_backup_is_refused_and_changes_nothing(
    filled: tuple[Path, EvaluationStore, str], tmp_path: Path
) -> None:
    bad = with_member(filled, tmp_path, "pdfs/", b"")
    target = tmp_path / "empty"
    with pytest.raises(StoreError, match="pdfs/"):
        restore(bad, target)
    assert not target.exists() or not any(target.rglob("*"))


def test_a_data_folder_named_evidence_still_keeps_a_differing_pdfs_copy(tmp_path: Path) -> None:
    """Whether a file is evidence is read from its member name, not from folder names on disk."""
    data = tmp_path / "evidence"
    db = open_database(data)
    sheet = data / "reports" / "sheet.pdf"
    sheet.parent.mkdir()
    sheet.write_bytes(b"%PDF signed")
    out = tmp_path / "b.zip"
    backup(db, data, out, None)
    sheet.write_bytes(b"%PDF later")
    restore(out, data)
    assert sheet.read_bytes() == b"%PDF later"
    (beside,) = [p for p in sheet.parent.iterdir() if ".from-backup-" in p.name]
    assert beside.read_bytes() == b"%PDF signed"
