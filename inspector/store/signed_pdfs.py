"""Signed PDF documents of an evaluation, which results bundles carry.

Two places hold them: ``DATA/reports/`` where the score sheet is written after sign-off
(``ORG_DATE_EVAL8_….pdf``, documents/signing.py, for the window and ``eval sign``; only files that
carry a signature count, drafts do not), and
``DATA/pdfs/EVAL_ID/NAME.pdf`` where an import stores what arrived. A file is never overwritten: a
second signer's version (an incremental update, so different bytes) is kept under a name of its own.

A centre on a server keeps what arrives in the database too (``inspector_pdfs``, the bytes in
``inspector_files`` by SHA-256, in the import's transaction), so that a desk needs no shared folder:
listing an evaluation's PDFs at a desk first copies into its folder those it lacks.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

from inspector.errors import UsageError
from inspector.fileio import write_bytes_atomic
from inspector.i18n import _
from inspector.store.db import server_url

PDF_DIR = "pdfs"
REPORTS_DIR = "reports"  # documents/signing.py writes the signed score sheet there
_EVAL = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def pdf_dir(data: Path, eval_id: str) -> Path:
    if not _EVAL.fullmatch(eval_id):
        raise UsageError(_("评估编号格式不对"), eval_id)
    return Path(data) / PDF_DIR / eval_id


def safe_pdf_name(name: str, sha256: str) -> str:
    """A plain file name (no folders, no control characters), ending in .pdf."""
    name = _UNSAFE.sub("_", name.strip()).lstrip(".")[:120]
    if not name.lower().endswith(".pdf") or len(name) <= 4:
        name = f"{sha256[:16]}.pdf"
    return name


def _signed(path: Path) -> bool:
    """A PDF signature's byte range is in the file (PAdES, pyHanko, Adobe all write it)."""
    try:
        return b"/ByteRange" in path.read_bytes()
    except OSError:
        return False


def signed_pdfs(data: Path, eval_id: str) -> list[Path]:
    if not _EVAL.fullmatch(eval_id):
        return []
    url = server_url(data)
    if url is not None:  # a desk of a centre on a server: what the others took in, here too
        from inspector.store.pg import fetch_pdfs

        signed_here = {hashlib.sha256(p.read_bytes()).hexdigest() for p in signed_reports(data, eval_id)}
        for name, content in fetch_pdfs(url, eval_id):
            if hashlib.sha256(content).hexdigest() not in signed_here:  # this desk's own, in reports/
                store_signed_pdf(data, eval_id, name, content)
    folder = Path(data) / PDF_DIR / eval_id
    found = sorted(p for p in folder.glob("*.pdf") if p.is_file()) if folder.is_dir() else []
    return found + signed_reports(data, eval_id)


def signed_reports(data: Path, eval_id: str) -> list[Path]:
    """The evaluation's signed documents this desk wrote itself (``reports/``)."""
    reports = Path(data) / REPORTS_DIR
    if not reports.is_dir():
        return []
    return sorted(p for p in reports.glob(f"*_{eval_id[:8]}_*.pdf") if p.is_file() and _signed(p))


def keep_signed_on_server(conn: sqlite3.Connection, eval_id: str, path: Path) -> bool:
    """A document this desk signed (``reports/``) kept in the centre's database too, when the centre
    is on a server, so that every desk lists it (:func:`signed_pdfs`) and a bundle exported from
    any desk carries it; one transaction. False on a laptop's file: the folder is the store."""
    if isinstance(conn, sqlite3.Connection):
        return False

    conn.execute("BEGIN IMMEDIATE")
    try:
        keep_report_on_server(conn, eval_id, path)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def keep_report_on_server(conn: sqlite3.Connection, eval_id: str, path: Path) -> None:
    """:func:`keep_signed_on_server` in the caller's transaction on the server (a move's too)."""
    from inspector.store.evidence import keep_file_on_server

    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    keep_file_on_server(conn, digest, content)
    conn.execute(
        "INSERT INTO inspector_pdfs (eval_id, sha256, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (eval_id, digest, safe_pdf_name(path.name, digest)),
    )


def store_signed_pdf(
    data: Path, eval_id: str, name: str, content: bytes, conn: sqlite3.Connection | None = None
) -> tuple[Path, bool]:
    """Keep ``content`` under ``name`` (or a variant of it); returns (path, whether it was new).
    ``conn``: the caller's transaction on a centre's server, which keeps the file too (see above)."""
    digest = hashlib.sha256(content).hexdigest()
    folder = pdf_dir(data, eval_id)
    if conn is not None and not isinstance(conn, sqlite3.Connection):
        from inspector.store.evidence import keep_file_on_server

        keep_file_on_server(conn, digest, content)
        conn.execute(
            "INSERT INTO inspector_pdfs (eval_id, sha256, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (eval_id, digest, safe_pdf_name(name, digest)),
        )
    for existing in sorted(folder.glob("*.pdf")) if folder.is_dir() else []:
        if existing.stat().st_size == len(content) and existing.read_bytes() == content:
            return existing, False
    target = folder / safe_pdf_name(name, digest)
    if target.exists():
        target = target.with_name(f"{target.stem}-{digest[:8]}.pdf")
    write_bytes_atomic(target, content)
    return target, True
