"""Evidence files (photos, scans, documents), stored once each under their SHA-256.

``evidence/ab/abcdef…`` in the data folder; the database keeps the size, the first name a file
was added under and its type. Adding the same bytes again stores nothing new.
"""

from __future__ import annotations

import hashlib
import mimetypes
import shutil
import sqlite3
from pathlib import Path

import sqlite_utils

from inspector.clock import now
from inspector.errors import StoreError, UsageError
from inspector.fileio import atomic_path
from inspector.i18n import _, os_reason
from inspector.store.db import server_url, transaction

MAX_BYTES = 200 * 1024 * 1024  # a scanned document or a phone video clip, not a film
CHUNK = 1024 * 1024


def evidence_dir(data: Path) -> Path:
    return data / "evidence"


def evidence_path(data: Path, sha256: str) -> Path:
    """Where the file is read and written. A desk of a centre on a server keeps here a copy of what
    it has read: a file it lacks is fetched from the database (content-addressed) first."""
    path = evidence_dir(data) / sha256[:2] / sha256
    url = None if path.exists() else server_url(data)
    if url is not None:
        from inspector.store.pg import fetch_file

        fetch_file(url, sha256, path)
    return path


def fetch_evidence(data: Path, digests: list[str]) -> int:
    """A desk of a centre on a server: the evidence files with these digests it has no copy of yet,
    fetched from the database in batches over one connection (a move back takes every file the
    centre holds: one connection each would be 100,000). Returns how many were fetched."""
    url = server_url(data)
    if url is None:
        return 0
    wanted = {sha: evidence_dir(data) / sha[:2] / sha for sha in digests}
    missing = {sha: path for sha, path in wanted.items() if not path.exists()}
    if not missing:
        return 0
    from inspector.store.pg import fetch_files

    return fetch_files(url, missing)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def add_evidence(db: sqlite_utils.Database, data: Path, source: Path) -> str:
    """Store a file as evidence; returns its SHA-256."""
    try:
        size = source.stat().st_size
    except OSError as e:
        raise UsageError(_("无法读取证据文件：{e}").format(e=os_reason(e)), str(source)) from None
    if not source.is_file():
        raise UsageError(_("证据应为文件"), str(source))
    if size > MAX_BYTES:
        raise UsageError(_("证据文件过大（{mb} MB，上限 200 MB）").format(mb=size // 2**20), str(source))
    digest = file_sha256(source)
    target = evidence_path(data, digest)
    if not target.exists():
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        if file_sha256(target) != digest:
            raise StoreError(_("证据文件复制后校验不符（文件在复制时被修改？）"), str(source))
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    on_server = not isinstance(db.conn, sqlite3.Connection)
    with transaction(db) as conn:
        insert_evidence(conn, digest, size, source.name, mime, target.read_bytes() if on_server else None)
    return digest


def keep_file_on_server(conn: sqlite3.Connection, digest: str, content: bytes) -> None:
    """The one writer of ``inspector_files``: on a centre's server, a file's bytes by its SHA-256, in
    the caller's transaction (evidence here, signed PDFs in store/signed_pdfs.py, a move's files in
    store/move.py). A folder's SQLite database keeps its files in the folder: nothing to do."""
    if not isinstance(conn, sqlite3.Connection):
        conn.execute(
            "INSERT INTO inspector_files (sha256, content) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (digest, content),
        )


def insert_evidence(
    conn: sqlite3.Connection, digest: str, size: int, name: str, mime: str, content: bytes | None = None
) -> int:
    """The one writer of ``evidence`` rows (a file already stored under its digest); 1 when new.
    On a centre's server the file's bytes (``content``) go into the database with the row, in the
    same transaction, so that every desk can read it without a shared folder."""
    if content is not None:
        keep_file_on_server(conn, digest, content)
    return conn.execute(
        "INSERT OR IGNORE INTO evidence (sha256, size, name, mime, added_at) VALUES (?, ?, ?, ?, ?)",
        (digest, size, name[:200], mime[:100], now()),
    ).rowcount


def check_evidence(data: Path, sha256: str) -> str | None:
    """None when the stored file is there and intact, else what is wrong."""
    path = evidence_path(data, sha256)
    if not path.exists():
        return _("证据文件缺失")
    if file_sha256(path) != sha256:
        return _("证据文件已被改动（SHA-256 不符）")
    return None
