"""Cryptographic signatures on PDF files (PAdES, with pyHanko), and their verification.

Why PAdES baseline with ECDSA P-256/SHA-256 and incremental updates: Adobe Reader, WPS and poppler
all verify it, and each signer appends a revision without touching the bytes an earlier signer
signed, so two or three inspectors can sign the same sheet in turn. The signature is invisible:
the score sheet draws its own signature block with the CJK font (pyHanko's stamp cannot draw
Chinese), and the cryptographic signature proves who signed and that nothing changed since.

What a signature carries, and where readers show it:

* the signer's certificate and the centre's CA certificate (so a reader can build the chain);
* the signing time (the signer's clock: there is no time-stamp server offline);
* the signer's role twice: as the CAdES ``signer-attributes-v2`` claimed role, which pyHanko and
  ``verify_pdf`` read, and at the head of ``/Reason``, which Adobe Reader and WPS display. poppler's
  ``pdfsig`` shows neither, but prints the certificate's subject, whose ``title`` is the role the
  centre certified when it issued the credential.

``import pyhanko.sign`` costs about half a second, so pyHanko is imported inside the functions,
never when the application starts.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from inspector.crypto.keys import Signer, check_certificate, common_name, is_revoked, serial_hex
from inspector.crypto.pdfrevisions import only_signatures_added
from inspector.errors import SigningError, UsageError, VerificationError
from inspector.i18n import _

# Hex digits reserved for the CMS blob (4 KiB): two P-256 certificates and the signed attributes
# take about 1.9 KiB. A fixed size spares pyHanko a trial signature to estimate it.
_SIGNATURE_HEX_DIGITS = 8192
_HEX_STRING = re.compile(rb"<([0-9A-Fa-f]*)>")


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def sign_pdf(
    src: bytes,
    signer_credential: Signer,
    *,
    name: str,
    role: str,
    reason: str,
    location: str,
    field_name: str,
    crl: x509.CertificateRevocationList | None = None,
) -> bytes:
    """Append an invisible PAdES signature in a new signature field; returns the signed file.

    The certificate is checked first (validity period now, issued by its CA, not on the CA's
    revocation list: ``crl`` if given, else the one installed with the credential), so that a sheet
    never carries a signature the centre would reject.
    """
    signer = signer_credential if crl is None else replace(signer_credential, crl=crl)
    check_certificate(signer)
    if not role.strip():
        raise UsageError(_("签名人的角色不能为空"))
    if not field_name or "." in field_name:
        raise SigningError(_("签名域名称不能为空，也不能包含“.”：{name}").format(name=field_name))

    from asn1crypto import cms  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.ades.api import CAdESSignedAttrSpec, SignerAttrSpec
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(src), strict=False)
        filled = [n for n, value, _ref in fields.enumerate_sig_fields(writer) if value is not None]
    except Exception:  # pyHanko fails on a damaged file in many ways; all mean "not a usable PDF"
        raise SigningError(_("不是有效的 PDF 文件，无法签名")) from None
    if field_name in filled:
        raise SigningError(_("签名域“{name}”已经签过名，请换一个签名域").format(name=field_name))

    role_attr = cms.AttCertAttribute(
        {
            "type": "role",
            "values": [
                cms.RoleSyntax(
                    {
                        "role_name": asn1_x509.GeneralName(
                            {"directory_name": asn1_x509.Name.build({"common_name": role})}
                        )
                    }
                )
            ],
        }
    )
    chain = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [translate_pyca_cryptography_cert_to_asn1(ca) for ca in signer.ca_certificates]
    )
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(signer.certificate),
        signing_key=translate_pyca_cryptography_key_to_asn1(signer.key),
        cert_registry=chain,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name,
        reason=_("{role}：{reason}").format(role=role, reason=reason) if reason else role,
        location=location or None,
        cades_signed_attr_spec=CAdESSignedAttrSpec(
            signer_attributes=SignerAttrSpec(claimed_attrs=[role_attr], certified_attrs=[])
        ),
    )
    pdf_signer = signers.PdfSigner(meta, signer=pyhanko_signer)
    out = pdf_signer.sign_pdf(writer, bytes_reserved=_SIGNATURE_HEX_DIGITS)
    data: bytes = out.getvalue()
    return data


# --- verification ----------------------------------------------------------------------------


def _load_trusted(pems: Sequence[bytes]) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    for pem in pems:
        try:
            if b"-----BEGIN" in pem:
                certs.extend(x509.load_pem_x509_certificates(pem))
            else:
                certs.append(x509.load_der_x509_certificate(pem))
        except ValueError:
            raise VerificationError(_("受信任的 CA 证书无法读取")) from None
    return certs


def _der_header(blob: bytes, at: int) -> tuple[int, int, int] | None:
    """``(tag byte, content start, content end)`` of the DER element at ``at``, or None if the
    header is not the one minimal encoding DER allows (no indefinite or padded lengths)."""
    if at + 2 > len(blob) or blob[at] == 0 or blob[at] & 0x1F == 0x1F:
        return None  # end-of-contents has no place in DER; high tag numbers do not occur in CMS
    first = blob[at + 1]
    if first < 0x80:
        start, length = at + 2, first
    else:
        count = first & 0x7F
        digits = blob[at + 2 : at + 2 + count]
        if count == 0 or count > 4 or len(digits) < count or digits[0] == 0:
            return None
        length = int.from_bytes(digits, "big")
        if length < 0x80:
            return None
        start = at + 2 + count
    return blob[at], start, start + length


def _der_length(blob: bytes) -> int | None:
    """Length of the DER element at the start of ``blob`` (header and content), or None."""
    header = _der_header(blob, 0)
    return None if header is None else header[2]


def _der_is_canonical(blob: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether ``blob[start:end]`` is a run of minimally encoded DER elements that fill it exactly,
    constructed ones recursively. A changed length or tag byte anywhere breaks this."""
    end = len(blob) if end is None else end
    at = start
    while at < end:
        header = _der_header(blob, at)
        if header is None or header[2] > end:
            return False
        tag, content, after = header
        if tag & 0x20 and not _der_is_canonical(blob, content, after):
            return False
        at = after
    return at == end


def _signature_blob(data: bytes, byte_range: Sequence[int]) -> bytes | None:
    """The CMS blob in the unsigned gap, if the gap holds exactly ``<its hex, then zeros>``.

    The gap is the one part of the file a signature cannot cover. pyHanko and poppler read the CMS
    blob and ignore what follows it, so without this check a changed padding byte would go unseen.
    """
    if len(byte_range) != 4 or byte_range[0] != 0:
        return None
    match = _HEX_STRING.fullmatch(data[byte_range[1] : byte_range[2]])
    if match is None or len(match.group(1)) % 2:
        return None
    blob = bytes.fromhex(match.group(1).decode("ascii"))
    length = _der_length(blob)
    if length is None or length > len(blob) or blob[length:].strip(b"\0"):
        return None
    return blob[:length]


def _container_is_clean(blob: bytes, trusted: Sequence[x509.Certificate]) -> bool:
    """Whether the CMS container holds no byte its signature leaves unprotected but a reader ignores.

    Only the signed attributes are signed; the container around them (lengths, version numbers,
    the certificates) is not, and lenient parsers accept many variants of it. So the container
    must be minimal DER throughout, have the shape this module writes (one signer, no unsigned
    extras), and every certificate in it must carry a valid signature from a certificate in it or
    a trusted CA. Then a changed byte there also makes the signature not intact.
    """
    from asn1crypto import cms

    if not _der_is_canonical(blob):
        return False
    info = cms.ContentInfo.load(blob, strict=True)
    if info["content_type"].native != "signed_data":
        return False
    signed = info["content"]
    infos = signed["signer_infos"]
    if signed["version"].native != "v1" or len(infos) != 1 or infos[0]["version"].native != "v1":
        return False
    if signed["crls"].native or infos[0]["unsigned_attrs"].native:
        return False
    # Informational fields readers skip: the digest list must name exactly the signer's digest,
    # and the content must be detached data.
    digest = infos[0]["digest_algorithm"]
    if [a.dump() for a in signed["digest_algorithms"]] != [digest.dump()]:
        return False
    # Algorithm parameters are an ANY that nobody reads for these algorithms: absent or NULL only.
    if any(
        a["parameters"].dump() not in (b"", b"\x05\x00") for a in (digest, infos[0]["signature_algorithm"])
    ):
        return False
    encap = signed["encap_content_info"]
    if encap["content_type"].native != "data" or encap["content"].native is not None:
        return False
    certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
    issuers = [*certs, *trusted]
    return all(any(_issued_by(cert, issuer) for issuer in issuers) for cert in certs)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _describe(cert: x509.Certificate) -> str:
    return _("{cn}（序列号 {serial}，颁发者 {issuer}）").format(
        cn=common_name(cert.subject), serial=serial_hex(cert.serial_number), issuer=common_name(cert.issuer)
    )


def _claimed_role(status: Any, cert: x509.Certificate) -> str:
    """The role claimed in the signature, else the role (title) the certificate was issued for."""
    attrs = getattr(status, "cades_signer_attrs", None)
    claimed = attrs.claimed_attrs if attrs is not None else None
    if claimed and "role" in claimed:
        for value in claimed["role"].attr_values:
            role_name = value["role_name"]
            if role_name.name == "directory_name":
                cn = role_name.chosen.native.get("common_name")
                if isinstance(cn, str):
                    return cn
            elif isinstance(role_name.native, str):
                return role_name.native
    titles = cert.subject.get_attributes_for_oid(NameOID.TITLE)
    return str(titles[0].value) if titles else ""


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """Silence pyHanko's logged tracebacks for an untrusted chain: the result says it, once.

    Without a logging configuration Python prints them on stderr, and the command line promises
    one line per refusal.
    """
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _unreadable_signer() -> dict[str, Any]:
    return {
        "name": _("（无法读取）"),
        "certificate": "",
        "signed_at": "",
        "trusted": False,
        "role": "",
        "intact": False,
        "covers_whole_file": False,
    }


def verify_pdf(
    data: bytes,
    trusted_ca_pems: list[bytes],
    *,
    crls: Sequence[x509.CertificateRevocationList] = (),
) -> dict[str, Any]:
    """Check every signature in ``data`` offline against the given CA certificates.

    Returns ``{"valid", "signers": [{"name", "certificate", "signed_at", "trusted", "role",
    "intact", "covers_whole_file"}], "modified_after_signing"}``. ``valid`` holds only if there is
    a signature, every one is intact and trusted, and nothing but further signatures was added
    after each of them (the last one covers the whole file).

    A chain is judged at the signing time the signature states, so that a sheet signed while the
    certificate was valid still verifies after it expires. Because that time is the signer's own
    claim, a certificate on one of ``crls`` is never trusted, whenever it says it signed.
    A file that is not a readable PDF raises :class:`VerificationError`.
    """
    trusted = _load_trusted(trusted_ca_pems)
    if not data.lstrip()[:5] == b"%PDF-":
        raise VerificationError(_("不是 PDF 文件"))

    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = _embedded_signatures(reader)
    except Exception:  # a damaged file fails in many ways (even decimal errors); all mean unreadable
        raise VerificationError(_("PDF 文件已损坏，无法读取其中的签名")) from None

    roots = [asn1_x509.Certificate.load(_der(c)) for c in trusted]
    allowed = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
    signers: list[dict[str, Any]] = []
    modified = False
    for index, sig in enumerate(embedded):
        try:
            if sig is None:
                raise ValueError("unreadable signature")
            context = ValidationContext(
                trust_roots=roots, allow_fetching=False, moment=sig.self_reported_timestamp
            )
            with _quiet_pyhanko():
                status = validate_pdf_signature(sig, context)
            cert = x509.load_der_x509_certificate(sig.signer_cert.dump())
            byte_range = [int(v) for v in sig.sig_object["/ByteRange"]]
            blob = _signature_blob(data, byte_range)
            clean = blob is not None and _container_is_clean(blob, trusted)
            signed_at = status.signer_reported_dt
            entry: dict[str, Any] = {
                "name": common_name(cert.subject),
                "certificate": _describe(cert),
                "signed_at": signed_at.isoformat(timespec="seconds") if signed_at else "",
                "trusted": bool(status.trusted),
                "role": _claimed_role(status, cert),
                "intact": bool(status.intact and status.valid) and clean,
                "covers_whole_file": status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            }
        except Exception:  # a damaged signature fails in many ways; every one means "not valid"
            signers.append(_unreadable_signer())
            continue
        if any(_listed(ca, crl, cert) for ca in trusted for crl in crls):
            entry["trusted"] = False
        if index == len(embedded) - 1 and not entry["covers_whole_file"]:
            modified = True
        if status.coverage not in (
            SignatureCoverageLevel.ENTIRE_FILE,
            SignatureCoverageLevel.ENTIRE_REVISION,
        ):
            modified = True
        if status.modification_level not in allowed or status.docmdp_ok is False:
            modified = True
        signers.append(entry)
    readable = [sig for sig in embedded if sig is not None]
    if readable:
        try:
            # after the first signature only invisible signatures may follow (pdfrevisions.py):
            # pyHanko's FORM_FILLING level lets a new appearance or a form value through
            if not only_signatures_added(reader, min(sig.signed_revision for sig in readable)):
                modified = True
        except Exception:  # a revision that cannot be read cannot be vouched for
            modified = True
    valid = bool(signers) and not modified and all(s["intact"] and s["trusted"] for s in signers)
    return {"valid": valid, "signers": signers, "modified_after_signing": modified}


def _embedded_signatures(reader: Any) -> list[Any]:
    """Every filled signature field in signing order, ``None`` for one whose CMS cannot be read.

    pyHanko's own list fails as a whole on one damaged signature, and silently leaves out one
    whose ``/SubFilter`` it does not know; either would hide a signature from the verdict.
    """
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    found: list[tuple[int, Any]] = []
    for name, _value, field in enumerate_sig_fields(reader, filled_status=True):
        try:
            sig = EmbeddedPdfSignature(reader, field, name)
            found.append((sig.signed_revision, sig))
        except Exception:  # damaged CMS or dictionary: reported as an unreadable signature
            found.append((sys.maxsize, None))
    found.sort(key=lambda pair: pair[0])
    return [sig for _revision, sig in found]


def _listed(ca: x509.Certificate, crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
    """Whether ``crl`` of ``ca`` lists ``cert``; a CRL of another CA says nothing about it."""
    if crl.issuer != ca.subject:
        return False
    return is_revoked(ca, crl, cert)
