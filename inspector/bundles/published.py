"""Rule 4 of who may change what: only the centre publishes rubrics and the register.

A results bundle may carry only rubric versions and organisations the receiving folder already
holds, and a signed PDF only under an evaluation it verifies for (docs/bundle-format.md).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from cryptography import x509

from inspector.bundles.authority import CENTRE, PUBLISHED, People, Teams, refuse
from inspector.i18n import _
from inspector.store.changes import Change


def check_published(
    conn: sqlite3.Connection,
    carried_rubrics: dict[tuple[str, int], Any],
    org_ids: list[tuple[str, str]],
) -> None:
    """Rule 4 for a results bundle: every rubric version and organisation it carries is held here."""
    for (rubric_id, version), rubric in carried_rubrics.items():
        row = conn.execute(
            "SELECT hash FROM rubrics WHERE id = ? AND version = ?", (rubric_id, version)
        ).fetchone()
        if row is None or row[0] != rubric.content_hash:
            raise refuse(
                PUBLISHED,
                _("结果数据包携带了本机没有的评估表版本（只有中心发布评估表）"),
                f"rubrics/{rubric_id}-v{version}.toml",
            )
    for org_id, where in org_ids:
        if conn.execute("SELECT 1 FROM orgs WHERE id = ?", (org_id,)).fetchone() is None:
            raise refuse(PUBLISHED, _("结果数据包携带了本机名录中没有的机构（只有中心登记机构）"), where)


def signer_serials(conn: sqlite3.Connection, people: set[str]) -> set[str]:
    """The certificate serials (upper-case hex) this folder knows for these people."""
    out: set[str] = set()
    for serial, roster, centre in conn.execute("SELECT serial, roster_id, centre FROM peers"):
        if (centre and CENTRE in people) or (roster and roster in people):
            out.add(str(serial).upper())
    return out


def check_pdfs(
    conn: sqlite3.Connection,
    pdfs: list[Any],
    members: dict[str, bytes],
    ca: x509.Certificate,
    crl: x509.CertificateRevocationList | None,
    local_is_centre: bool,
    bundle_creates: dict[str, Change],
    sender: tuple[str, str | None] | None = None,
) -> None:
    """Rule 4: a signed PDF is filed only under an evaluation it verifies for: every signature
    intact and trusted by this folder's CA, nothing changed after signing, and signed by someone
    assigned to that evaluation (the centre or its team)."""
    if not pdfs:
        return
    from cryptography.hazmat.primitives import serialization

    from inspector.crypto.pdfsign import verify_pdf
    from inspector.errors import VerificationError

    people = People(conn, local_is_centre)
    if sender is not None and sender[1] is not None and people.owner(sender[0]) is None:
        people.bind(sender[0], sender[1])  # the sender's device, bound with this import
    teams = Teams(conn, people, bundle_creates)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    for p in pdfs:
        known = p.eval_id in bundle_creates or (
            conn.execute("SELECT 1 FROM evaluations WHERE id = ?", (p.eval_id,)).fetchone() is not None
        )
        if not known:
            raise refuse(PUBLISHED, _("签署的 PDF 所属的评估在本机不存在"), p.member)
        try:
            result = verify_pdf(members[p.member], [ca_pem], crls=[crl] if crl is not None else [])
        except VerificationError as e:
            raise refuse(PUBLISHED, _("签署的 PDF 无法验证：{e}").format(e=e.message), p.member) from None
        if not result["valid"]:
            raise refuse(PUBLISHED, _("签署的 PDF 验证不通过（签名无效、不受信任或签署后被改动）"), p.member)
        serials = signer_serials(conn, teams.authorised(p.eval_id))
        signed_by = [str(s.get("certificate", "")).upper() for s in result["signers"]]
        if not any(serial in text for text in signed_by for serial in serials):
            raise refuse(PUBLISHED, _("签署的 PDF 的签署人不在该评估的督导组中"), p.member)
