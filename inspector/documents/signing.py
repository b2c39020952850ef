"""Signing the score sheet: one use case for the window's finish page and ``inspector eval sign``.

After the lock, the sheet is rendered, signed with this laptop's installed credential (PAdES) and
written to the data folder's ``reports/``, where :func:`inspector.store.signed_pdfs.signed_pdfs`
finds it and a results bundle carries it to the centre. Both faces call :func:`make_score_sheet`,
so the sheet has the same name, field and location whichever face signed it.

The signature field is ``sig_{n}_{serial}``: ``n`` counts the signatures already in the file (a
fresh sheet's first one is ``sig_1``; a second signer's ``inspector pdf sign`` never collides with
it), and ``serial`` names the certificate. The location is the station's name: the sheet is signed
at the station at the end of the visit, which is what a PDF signature's /Location records (the
physical place of signing); a reader shows it next to the signer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.documents.style import write_pdf
from inspector.errors import SigningError
from inspector.i18n import _
from inspector.store.signed_pdfs import REPORTS_DIR

if TYPE_CHECKING:
    from inspector.crypto.keys import Signer
    from inspector.store.evaluations import EvaluationStore


def reports_dir(data: Path) -> Path:
    return Path(data) / REPORTS_DIR


def document_names() -> dict[str, str]:
    """The documents an evaluation prints, by the kind ``render_document`` takes."""
    return {
        "sheet": _("评分表"),
        "self": _("自查自评报告"),
        "notice": _("整改通知书"),
        "record": _("督导情况记录表"),
        "opinion": _("质量督导意见书"),
    }


def sheet_path(
    data: Path, org_name: str, visit_date: str | None, eval_id: str, signed: bool, kind: str = "sheet"
) -> Path:
    """``reports/STATION_DATE_EVAL8_评分表.pdf`` (``…_评分表草稿.pdf`` before the lock; the other
    documents by their own names)."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", org_name)[:40]
    name = document_names().get(kind, kind)
    tag = name if signed else _("{name}草稿").format(name=name)
    return reports_dir(data) / f"{safe}_{visit_date or 'undated'}_{eval_id[:8]}_{tag}.pdf"


def unlock_signer(data: Path, passphrase: str) -> Signer:
    """This laptop's credential, unlocked and checked (valid now, not revoked) before anything is
    locked: a sheet must not be locked and then fail to sign for a reason known beforehand."""
    from inspector.crypto.keys import check_certificate, load_signer

    signer = load_signer(data, passphrase)
    check_certificate(signer)
    return signer


def has_credential(data: Path) -> bool:
    from inspector.crypto.keys import installed_certificate

    return installed_certificate(data) is not None


def signature_field(pdf: bytes, signer: Signer) -> str:
    serial = format(signer.certificate.serial_number, "x")[:16]
    return f"sig_{pdf.count(b'/FT /Sig') + pdf.count(b'/FT/Sig') + 1}_{serial}"


def sign_document(pdf: bytes, signer: Signer, *, role: str, location: str) -> bytes:
    """``pdf`` with one more signature (the signer's, as ``role``), in a new field after any earlier."""
    from inspector.crypto.keys import common_name
    from inspector.crypto.pdfsign import sign_pdf

    return sign_pdf(
        pdf,
        signer,
        name=common_name(signer.certificate.subject),
        role=role,
        reason=_("{role}签署评估结果").format(role=role),
        location=location,
        field_name=signature_field(pdf, signer),
    )


def make_score_sheet(
    store: EvaluationStore,
    data: Path,
    eval_id: str,
    signer: Signer | None = None,
    role: str = "",
    progress: Callable[[int, int], None] | None = None,
    kind: str = "sheet",
) -> Path:
    """Render the evaluation's score sheet (or another of its documents, ``kind``), sign it with
    ``signer`` when given, write it to ``reports/``; returns the file. A signer signs only a signed
    (locked) evaluation's document."""
    from inspector.documents.others import render_document

    e = store.get(eval_id)
    step = progress or (lambda done, total: None)
    step(0, 3)
    pdf = render_document(store, data, e.id, kind)
    step(1, 3)
    if signer is not None:
        if e.state != "signed":
            raise SigningError(_("评估尚未签署锁定，评分表不能加数字签名"), e.id)
        pdf = sign_document(pdf, signer, role=role or _("组长"), location=e.org_name)
    step(2, 3)
    out = sheet_path(data, e.org_name, e.visit_date, e.id, e.state == "signed", kind)
    out = write_pdf(out, pdf)  # "… (2).pdf" when the last print is still open in a reader
    if signer is not None:  # a centre on a server: the other desks read it from there
        from inspector.store.signed_pdfs import keep_signed_on_server

        keep_signed_on_server(store.conn, e.id, out)
    step(3, 3)
    return out
