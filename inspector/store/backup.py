"""Backup and restore of a whole data folder: the database, the evidence files and the PDFs.

A backup is one zip file: ``manifest.json`` (format, product and schema versions, the SHA-256 of
every member), ``inspector.sqlite3`` taken with SQLite's online backup API (consistent even while
the window is open and writing), ``evidence/…``, and the score sheets and documents as signed
(``reports/…`` written by the window, ``pdfs/…`` received in bundles): a signed PDF cannot be
made again with the same signatures, so it is kept like the marks it records. Restore checks
everything before touching the data folder, keeps the database it replaces beside it, and never
overwrites a file: a PDF or key file that differs from the backup's stays and the backup's is put
beside it; an evidence file that differs is damaged (its name is its SHA-256) and is moved aside for the
backup's intact copy.

The keys ride along too: ``keys/`` (this folder's own credentials: a laptop's signing and
decryption keys, the centre's key that results bundles are encrypted to) and ``ca/`` (the centre's
certificate authority, unless ``keys init-ca --ca`` put it elsewhere). Losing them is worse than
carrying them: without the centre's key no results bundle in flight can be opened, and without the
CA no credential can be issued or revoked. Every private key in them is sealed with its passphrase
(scrypt + AES-256-GCM, :mod:`inspector.crypto.sealing`), so the backup holds nothing a passphrase does not
guard; keep backups as carefully as the laptop itself.

The whole backup is encrypted too (:mod:`inspector.store.backup_seal`), with a passphrase the
person who will restore it knows: it holds names, phone and card numbers and every result. A weak
passphrase is refused with the reason (:mod:`inspector.store.passphrases`). Nothing in clear text
touches a disk on the way: the database is copied into memory (SQLite's backup API into an
in-memory database, then serialised), the zip is written straight through the encryption into the
target's temporary name, and a temporary name a killed backup left on the target is removed by the
next backup to it. On restore the decrypted zip lives in an unnamed temporary file (gone when
closed, or when the process dies). A plain zip backup made before encryption still restores.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import hashlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from inspector import __version__
from inspector.errors import StoreError
from inspector.fileio import atomic_path, replace_file, retrying, scratch_folder
from inspector.i18n import _, os_reason
from inspector.paths import CA_DIR, KEYS_DIR
from inspector.store.backup_seal import BackupSealError, SealingWriter, is_encrypted, unseal
from inspector.store.db import DB_NAME, SCHEMA_VERSION, schema_version, server_url, sqlite_reason
from inspector.store.evidence import evidence_dir, file_sha256
from inspector.store.folder_lock import folder_to_itself
from inspector.store.passphrases import passphrase_problem
from inspector.store.signed_pdfs import PDF_DIR, REPORTS_DIR

FORMAT = "inspector-backup/1"
MANIFEST = "manifest.json"
MAX_MEMBER = 4 * 1024**3
# The folders a backup carries beside the database, all restored the same way (added, never overwritten).
FOLDERS = ("evidence", PDF_DIR, REPORTS_DIR, KEYS_DIR, CA_DIR)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    files: int
    bytes: int
    schema_version: int


def backup(db: sqlite_utils.Database, data: Path, out: Path, passphrase: str | None) -> BackupInfo:
    """Write the data folder's backup to ``out``, encrypted with ``passphrase``.

    ``None`` writes the plain zip of the format's first version (the zip layer's own tests; the
    command line always encrypts). A weak passphrase is refused with the reason before anything
    is written.
    """
    if passphrase is not None:
        problem = passphrase_problem(passphrase)
        if problem is not None:
            raise StoreError(_("备份口令不可用：{p}").format(p=problem))
    refuse_on_server(data)
    out = Path(out)
    _remove_stale_temporaries(out)
    memory = sqlite3.connect(":memory:")
    try:
        db.conn.backup(memory)
        version = schema_version(memory)
        database = memory.serialize()
    finally:
        memory.close()
    members: dict[str, Path] = {}
    for name in FOLDERS:
        folder = evidence_dir(data) if name == "evidence" else data / name
        if folder.exists():
            for f in sorted(folder.rglob("*")):
                # dot files are temporaries of an atomic write still in progress
                if f.is_file() and not f.name.startswith("."):
                    members[f.relative_to(data).as_posix()] = f
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "product_version": __version__,
        "schema_version": version,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": {DB_NAME: hashlib.sha256(database).hexdigest()}
        | {name: file_sha256(p) for name, p in members.items()},
    }
    total = len(database)
    with atomic_path(out) as tmp, open(tmp, "wb") as stream:
        sink: Any = SealingWriter(stream, passphrase) if passphrase is not None else stream
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            z.writestr(DB_NAME, database)
            del database
            for name, p in members.items():
                z.write(p, name)
                total += p.stat().st_size
        if isinstance(sink, SealingWriter):
            sink.close()
    return BackupInfo(out, len(members) + 1, total, version)


def refuse_on_server(data: Path) -> None:
    """A backup copies the folder's SQLite file; a centre's database on a server is backed up by the
    server's own tools (pg_dump, docs/centre-on-postgresql.md), never half-copied from one desk.
    Said before anything is asked (a passphrase) or opened (the server may be down)."""
    url = server_url(data)
    if url is not None:
        from inspector.store.pg import shown

        raise StoreError(
            _(
                "这个工作台的数据库在服务器上（{where}）：备份和恢复只用于本机数据文件夹里的数据库。"
                "服务器上的中心数据库由数据库管理员备份：pg_dump --format=custom --file=centre.dump {where}，"
                "恢复用 pg_restore（见 docs/centre-on-postgresql.md）；"
                "本文件夹里的密钥（keys、ca）请另行复制保存"
            ).format(where=shown(url)),
            str(data),
        )


def _remove_stale_temporaries(out: Path) -> None:
    """The temporary names an earlier backup to ``out`` left when it was killed (fileio.atomic_path)."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        stale = list(folder.glob(f".{glob.escape(out.name)}.*.tmp"))
    except OSError:
        return
    for path in stale:
        with contextlib.suppress(OSError):
            path.unlink()


@contextlib.contextmanager
def _opened(path: Path, passphrase: str | None) -> Iterator[zipfile.ZipFile]:
    """The backup's zip: the file itself, or an encrypted backup decrypted into an unnamed
    temporary file (never a name on disk: gone when closed, or when the process dies)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(b"INSPBAK1"))
    except FileNotFoundError:
        raise _refuse(_("文件不存在"), path) from None
    except OSError as e:
        raise _refuse(_("无法读取（{e}）").format(e=os_reason(e)), path) from None
    if not is_encrypted(head):
        try:
            z = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile, NotImplementedError) as e:
            raise _refuse(_("不是有效的备份文件（{e}）").format(e=_zip_reason(e)), path) from None
        with z:
            yield z
        return
    if passphrase is None:
        raise StoreError(_("备份已加密：需要备份口令才能恢复"), str(path))
    with tempfile.TemporaryFile() as plain:
        try:
            with open(path, "rb") as f:
                unseal(f, passphrase, plain)
        except BackupSealError as e:
            reason = {
                "passphrase": _("备份口令错误，或备份文件已损坏"),
                "damaged": _("备份文件已损坏或不完整"),
            }.get(str(e), _("不是有效的加密备份"))
            raise _refuse(reason, path) from None
        except OSError as e:
            raise _refuse(_("无法读取（{e}）").format(e=os_reason(e)), path) from None
        plain.seek(0)
        try:
            z = zipfile.ZipFile(plain)
        except (zipfile.BadZipFile, NotImplementedError) as e:
            raise _refuse(_("不是有效的备份文件（{e}）").format(e=_zip_reason(e)), path) from None
        with z:
            yield z


def _zip_reason(e: BaseException) -> str:
    """Why a ZIP file or member cannot be read, in the user's language (zipfile's are English)."""
    if isinstance(e, OSError) and not isinstance(e, zipfile.BadZipFile) and e.errno is not None:
        return os_reason(e)
    if isinstance(e, NotImplementedError):
        return _("使用了不支持的压缩方式")
    if isinstance(e, zipfile.BadZipFile) and "not a zip file" in str(e).lower():
        return _("不是 ZIP 格式")
    return _("ZIP 结构损坏或不完整")


def _refuse(message: str, path: Path) -> StoreError:
    return StoreError(_("备份文件无法恢复：{m}").format(m=message), str(path))


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not name.startswith(("/", "\\")) and ".." not in parts and ":" not in name


def verify_backup(path: Path, passphrase: str | None = None) -> dict[str, Any]:
    """The manifest of an intact backup; anything else is refused with the reason."""
    with _opened(path, passphrase) as z:
        return _verify_zip(z, path)


def _verify_zip(z: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(z.read(MANIFEST))
    except (KeyError, ValueError, zipfile.BadZipFile):
        raise _refuse(_("缺少或损坏的清单 manifest.json"), path) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(_("不认识的备份格式"), path)
    files = manifest.get("files")
    if not isinstance(files, dict) or DB_NAME not in files:
        raise _refuse(_("清单中没有数据库"), path)
    names = set(z.namelist()) - {MANIFEST}
    if names != set(files):
        raise _refuse(_("清单与备份内容不一致"), path)
    for name, digest in files.items():
        info = z.getinfo(name)
        if (
            info.is_dir()
            or not _safe_name(name)
            or (name != DB_NAME and not name.startswith(tuple(f + "/" for f in FOLDERS)))
        ):
            raise _refuse(_("不安全的文件名：{n}").format(n=name), path)
        if info.file_size > MAX_MEMBER:
            raise _refuse(_("文件过大：{n}").format(n=name), path)
        h = hashlib.sha256()
        try:
            with z.open(info) as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error) as e:
            raise _refuse(_("{n} 已损坏（{e}）").format(n=name, e=_zip_reason(e)), path) from None
        if h.hexdigest() != digest:
            raise _refuse(_("{n} 的校验值不符").format(n=name), path)
    if int(manifest.get("schema_version", 0)) > SCHEMA_VERSION:
        raise _refuse(_("备份来自更新版本的程序：请先升级"), path)
    return manifest


def _add_file(source: Path, target: Path, digest: str, stamp: str, evidence: bool) -> None:
    """Put a backup's file in the data folder without overwriting anything.

    An evidence file is named by its SHA-256, so either copy can be told damaged: the folder's is
    replaced (and kept aside) only when it is damaged and the backup's is not. Any other file that
    differs stays; the backup's goes beside it, once (restoring again adds no second copy).
    """
    if target.exists():
        have = file_sha256(target)
        if have == digest:
            return
        if evidence:
            if have == target.name or digest != target.name:
                return  # the folder's copy is intact, or the backup's is no better
            target.rename(target.with_name(f"{target.name}.damaged-{stamp}"))
        else:
            beside = f"{target.stem}.from-backup-"
            siblings = [
                p for p in target.parent.iterdir() if p.name.startswith(beside) and p.suffix == target.suffix
            ]
            if any(file_sha256(s) == digest for s in siblings):
                return
            target = target.with_name(f"{target.stem}.from-backup-{stamp}{target.suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def restore(path: Path, data: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Replace the data folder's database with the backup's; add its evidence files and PDFs.

    ``passphrase`` opens an encrypted backup; a plain one (made before encryption) needs none.
    Refused while a window has the folder open (:mod:`inspector.store.folder_lock`).
    """
    # checked whole before anything is made or locked: a refused backup changes nothing, not even
    # the folder (a restore is rare; reading the file twice is its price)
    refuse_on_server(data)
    verify_backup(path, passphrase)
    data.mkdir(parents=True, exist_ok=True)
    with folder_to_itself(data):
        return _restore(path, data, passphrase)


def _restore(path: Path, data: Path, passphrase: str | None) -> dict[str, Any]:
    with (
        _opened(path, passphrase) as z,
        scratch_folder(prefix="inspector-restore-", dir=data) as tmp,  # its clean-up never fails the restore
    ):
        manifest = _verify_zip(z, path)
        z.extractall(tmp, members=list(manifest["files"]))
        conn = sqlite3.connect(tmp / DB_NAME)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise _refuse(_("数据库已损坏（{e}）").format(e=sqlite_reason(e)), path) from None
        finally:
            conn.close()
        if check != "ok":
            raise _refuse(_("数据库完整性检查未通过：{c}").format(c=check), path)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            for name, digest in manifest["files"].items():
                if name != DB_NAME:
                    _add_file(tmp / name, data / name, digest, stamp, name.startswith("evidence/"))
        except OSError as e:
            raise StoreError(
                _("恢复中断：无法写入数据文件夹（{e}）；数据库未替换，已写入的文件可保留").format(
                    e=os_reason(e)
                ),
                str(data),
            ) from None
        current = data / DB_NAME
        if current.exists():
            kept = data / f"{DB_NAME}.before-restore-{stamp}"
            src = sqlite3.connect(current)
            dest = sqlite3.connect(kept)
            try:
                src.backup(dest)
            finally:
                src.close()
                dest.close()
            manifest["kept"] = str(kept)
        try:  # retried while a virus scanner holds them; an old -wal left would be replayed
            for suffix in ("-wal", "-shm"):
                stale = data / f"{DB_NAME}{suffix}"
                retrying(functools.partial(stale.unlink, missing_ok=True))
            replace_file(tmp / DB_NAME, current)
        except OSError as e:
            raise StoreError(
                _("恢复中断：无法替换数据库（{e}）；数据库未替换").format(e=os_reason(e)), str(current)
            ) from None
    return manifest
