"""PAdES signatures on a score sheet: two signers in turn, verified by us and by poppler's pdfsig.

pdfsig exits 0 even on "Digest Mismatch", so the tests read its output, never its exit code.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from inspector.crypto import keys, pdfsign
from inspector.errors import SigningError, VerificationError
from inspector.paths import font_path

CENTRE = "四川省职业技能鉴定指导中心"
CA_PASS = "centre-secret-2024"
SIGNER_KEYS = {"name", "certificate", "signed_at", "trusted", "role", "intact", "covers_whole_file"}


@dataclass
class World:
    ca_dir: Path
    ca_pem: bytes
    zhang: keys.Signer
    li: keys.Signer
    source: bytes
    signed: bytes


def make_pdf() -> bytes:
    """A one-page sheet with Chinese text; uncompressed so that a test can find its content stream."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", str(font_path()), subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pageCompression=0, invariant=1)
    page.setFont("WQY", 14)
    page.drawString(72, 760, "职业技能鉴定所质量督导评估表")
    page.drawString(72, 730, "总分：86 分  结论：合格")
    page.showPage()
    page.save()
    return buf.getvalue()


def sign_as(data: bytes, signer: keys.Signer, role: str, field: str) -> bytes:
    return pdfsign.sign_pdf(
        data,
        signer,
        name=keys.common_name(signer.certificate.subject),
        role=role,
        reason="确认评估结果",
        location="成都市",
        field_name=field,
    )


def credential(ca_dir: Path, name: str, person_id: str, role: str, pin: str, **kw: Any) -> keys.Signer:
    cred = keys.issue_certificate(ca_dir, CA_PASS, name, person_id, role, pin, **kw)
    return keys.unlock(cred.p12, pin)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    ca_dir = tmp_path_factory.mktemp("centre") / "ca"
    info = keys.init_ca(ca_dir, CENTRE, CA_PASS)
    zhang = credential(ca_dir, "张三", "SC-2024-0001", "外督", "111111")
    li = credential(ca_dir, "李四", "SC-2024-0002", "内督", "222222")
    source = make_pdf()
    data = source
    for signer, role, field in ((zhang, "外督", "sig_zhang"), (li, "内督", "sig_li")):
        data = sign_as(data, signer, role, field)
    return World(ca_dir, info.certificate_pem, zhang, li, source, data)


def flipped(data: bytes, old: bytes, new: bytes) -> bytes:
    """``data`` with the first ``old`` replaced: same length, so every offset stays put."""
    assert len(old) == len(new) and old in data, old
    return data.replace(old, new, 1)


def invalid(data: bytes, ca_pem: bytes) -> bool:
    """Refused outright (unreadable) or reported not valid: both mean the file cannot be trusted."""
    try:
        return not pdfsign.verify_pdf(data, [ca_pem])["valid"]
    except VerificationError:
        return True


# --- our own verification --------------------------------------------------------------------


def test_two_signers_in_turn_both_valid(world: World) -> None:
    result = pdfsign.verify_pdf(world.signed, [world.ca_pem])
    assert set(result) == {"valid", "signers", "modified_after_signing"}
    assert result["valid"] is True and result["modified_after_signing"] is False
    zhang, li = result["signers"]
    assert set(zhang) == set(li) == SIGNER_KEYS
    assert (zhang["name"], zhang["role"]) == ("张三", "外督")
    assert (li["name"], li["role"]) == ("李四", "内督")
    assert all(s["trusted"] and s["intact"] for s in (zhang, li))
    assert (zhang["covers_whole_file"], li["covers_whole_file"]) == (False, True)
    serial = keys.serial_hex(world.zhang.certificate.serial_number)
    assert (
        "张三" in zhang["certificate"] and serial in zhang["certificate"] and CENTRE in zhang["certificate"]
    )
    signed_at = dt.datetime.fromisoformat(zhang["signed_at"])
    assert abs(dt.datetime.now(dt.UTC) - signed_at) < dt.timedelta(minutes=10)
    # The first signer's bytes are untouched: the second signature is an incremental update.
    assert world.signed.startswith(world.source)


def test_signature_embeds_the_chain_and_the_signing_details(world: World) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(world.signed))
    first = reader.embedded_signatures[0]
    certs = {c.chosen.dump() for c in first.signed_data["certificates"]}
    ca = x509.load_pem_x509_certificate(world.ca_pem)
    assert certs == {
        world.zhang.certificate.public_bytes(serialization.Encoding.DER),
        ca.public_bytes(serialization.Encoding.DER),
    }
    assert first.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert first.sig_object["/Reason"] == "外督：确认评估结果"
    assert first.sig_object["/Location"] == "成都市"
    assert first.self_reported_timestamp is not None
    assert first.field_name == "sig_zhang"


def test_untrusted_without_the_centres_ca(world: World, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    keys.init_ca(stranger, CENTRE, CA_PASS)  # same name, different key: must not be trusted
    result = pdfsign.verify_pdf(
        world.signed, [keys.load_ca_certificate(stranger).public_bytes(serialization.Encoding.PEM)]
    )
    assert result["valid"] is False
    assert [s["trusted"] for s in result["signers"]] == [False, False]
    assert [s["intact"] for s in result["signers"]] == [True, True]
    assert pdfsign.verify_pdf(world.signed, [])["valid"] is False


def test_changed_content_stream_is_invalid(world: World) -> None:
    tampered = flipped(world.signed, b"72 730 Tm", b"72 731 Tm")
    result = pdfsign.verify_pdf(tampered, [world.ca_pem])
    assert result["valid"] is False
    assert [s["intact"] for s in result["signers"]] == [False, False]


def test_changed_byte_elsewhere_in_the_signed_range_is_invalid(world: World) -> None:
    tampered = flipped(world.signed, b"/Title (untitled)", b"/Title (untitleD)")
    result = pdfsign.verify_pdf(tampered, [world.ca_pem])
    assert result["valid"] is False
    assert not any(s["intact"] for s in result["signers"])


def test_changed_padding_inside_the_signature_is_invalid(world: World) -> None:
    """The only bytes no signature covers: pyHanko alone would not notice a change there."""
    contents = world.signed.rindex(b"/Contents <")
    end = world.signed.index(b">", contents)
    assert world.signed[end - 4 : end] == b"0000"
    tampered = world.signed[: end - 2] + b"1" + world.signed[end - 1 :]
    result = pdfsign.verify_pdf(tampered, [world.ca_pem])
    assert result["valid"] is False
    assert result["signers"][1]["intact"] is False


@pytest.mark.parametrize("what", ["version", "digest list", "outer length"])
def test_changed_byte_in_the_signature_container_is_invalid(world: World, what: str) -> None:
    """The CMS container around the signed attributes is not itself signed.

    pyHanko alone calls all three of these still valid, and poppler 22.12 the version change (the
    other two it reports as "Unknown Validation Failure"); our verifier insists on minimal DER
    with the exact shape this module writes.
    """
    contents = world.signed.rindex(b"/Contents <") + len(b"/Contents <")
    hex_digits = world.signed[contents : contents + 8]
    assert hex_digits.startswith(b"3082"), hex_digits  # SEQUENCE with a two-byte length
    at = {
        "version": world.signed.index(b"020101", contents) + 5,  # SignedData version v1 -> v0
        "digest list": world.signed.index(b"608648016503040201", contents) + 1,  # an unused OID
        "outer length": contents + 6,  # the length now reaches into the zero padding
    }[what]
    digit = int(world.signed[at : at + 1], 16) ^ 0x01  # stay a hex digit: only the value changes
    tampered = world.signed[:at] + f"{digit:X}".encode() + world.signed[at + 1 :]
    result = pdfsign.verify_pdf(tampered, [world.ca_pem])
    assert result["valid"] is False
    assert [s["intact"] for s in result["signers"]] == [True, False]


def test_every_changed_byte_is_caught(world: World) -> None:
    data = world.signed
    positions = {*range(0, len(data), max(1, len(data) // 40)), len(data) - 1, len(data) - 3}
    for pos in sorted(positions):
        changed = bytearray(data)
        changed[pos] ^= 0x01
        assert invalid(bytes(changed), world.ca_pem), pos


def test_garbage_after_eof_is_a_modification(world: World) -> None:
    result = pdfsign.verify_pdf(world.signed + b"\ngarbage\n", [world.ca_pem])
    assert result["modified_after_signing"] is True and result["valid"] is False
    assert result["signers"][1]["covers_whole_file"] is False
    assert all(s["intact"] for s in result["signers"])


def test_unsigned_and_non_pdf(world: World) -> None:
    assert pdfsign.verify_pdf(world.source, [world.ca_pem]) == {
        "valid": False,
        "signers": [],
        "modified_after_signing": False,
    }
    with pytest.raises(VerificationError):
        pdfsign.verify_pdf(b"not a pdf", [world.ca_pem])
    with pytest.raises(SigningError, match="PDF"):
        sign_as(b"not a pdf", world.zhang, "外督", "sig")


def test_a_signed_field_is_not_signed_again(world: World) -> None:
    with pytest.raises(SigningError, match="已经签过名"):
        sign_as(world.signed, world.li, "内督", "sig_zhang")


# --- refusals at signing ---------------------------------------------------------------------


def test_expired_and_not_yet_valid_certificates_are_refused(world: World) -> None:
    now = dt.datetime.now(dt.UTC)
    old = credential(
        world.ca_dir, "王五", "SC-2020-0009", "外督", "333333", not_before=now - dt.timedelta(days=1200)
    )
    with pytest.raises(SigningError, match="证书已过期"):
        sign_as(world.source, old, "外督", "sig_wang")
    future = credential(
        world.ca_dir, "赵六", "SC-2030-0001", "外督", "444444", not_before=now + dt.timedelta(days=1)
    )
    with pytest.raises(SigningError, match="尚未生效"):
        sign_as(world.source, future, "外督", "sig_zhao")


def test_revoked_certificate_is_refused_and_not_trusted(world: World) -> None:
    cred = keys.issue_certificate(world.ca_dir, CA_PASS, "钱七", "SC-2024-0007", "外督", "555555")
    signer = keys.unlock(cred.p12, "555555")
    signed_before = sign_as(world.source, signer, "外督", "sig_qian")
    crl = keys.revoke(world.ca_dir, CA_PASS, cred.serial, "keyCompromise")
    with pytest.raises(SigningError, match="吊销"):
        pdfsign.sign_pdf(
            world.source, signer, name="钱七", role="外督", reason="", location="", field_name="s", crl=crl
        )
    # A sheet signed before revocation no longer counts when the centre checks with its CRL:
    # the signing time is the signer's own claim.
    assert pdfsign.verify_pdf(signed_before, [world.ca_pem])["valid"] is True
    checked = pdfsign.verify_pdf(signed_before, [world.ca_pem], crls=[crl])
    assert checked["valid"] is False and checked["signers"][0]["trusted"] is False


def test_wrong_passphrase_is_refused(world: World) -> None:
    cred = keys.issue_certificate(world.ca_dir, CA_PASS, "孙八", "SC-2024-0008", "外督", "666666")
    with pytest.raises(SigningError, match="口令错误"):
        keys.unlock(cred.p12, "666667")


def test_signed_while_valid_still_verifies_after_expiry(world: World) -> None:
    now = dt.datetime.now(dt.UTC)
    short = credential(
        world.ca_dir,
        "周九",
        "SC-2024-0009",
        "外督",
        "777777",
        not_before=now - dt.timedelta(days=1) + dt.timedelta(seconds=2),
        valid_days=1,
    )
    signed = sign_as(world.source, short, "外督", "sig_zhou")
    left = (short.certificate.not_valid_after_utc - dt.datetime.now(dt.UTC)).total_seconds()
    assert left < 3
    time.sleep(max(0.0, left) + 1.2)  # past the end, and past pyHanko's one-second tolerance
    assert dt.datetime.now(dt.UTC) > short.certificate.not_valid_after_utc
    result = pdfsign.verify_pdf(signed, [world.ca_pem])
    assert result["valid"] is True, result


def test_signature_claiming_a_time_outside_validity_is_not_trusted(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bypass our own refusal: a signature made with an expired certificate is still not trusted."""
    now = dt.datetime.now(dt.UTC)
    old = credential(
        world.ca_dir,
        "吴十",
        "SC-2020-0010",
        "外督",
        "888888",
        not_before=now - dt.timedelta(days=800),
        valid_days=365,
    )
    monkeypatch.setattr(keys, "_now", lambda: now - dt.timedelta(days=600))
    signed = sign_as(world.source, old, "外督", "sig_wu")
    result = pdfsign.verify_pdf(signed, [world.ca_pem])
    assert result["valid"] is False and result["signers"][0]["trusted"] is False
    assert result["signers"][0]["intact"] is True


# --- poppler's pdfsig ------------------------------------------------------------------------


def pdfsig(path: Path, nssdir: Path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    done = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nssdir}", str(path)], capture_output=True, text=True, timeout=60
    )
    return done.stdout


def nss_db(folder: Path, ca_pem: bytes | None) -> Path:
    """A throw-away NSS database, with the centre's CA trusted if given (never the user's ~/.pki)."""
    if shutil.which("certutil") is None:
        pytest.skip("certutil (libnss3-tools) is not installed")
    folder.mkdir()
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, capture_output=True
    )
    if ca_pem is not None:
        (folder / "ca.crt").write_bytes(ca_pem)
        subprocess.run(
            [
                "certutil",
                "-A",
                "-d",
                f"sql:{folder}",
                "-n",
                "ca",
                "-t",
                "CT,C,C",
                "-i",
                str(folder / "ca.crt"),
            ],
            check=True,
            capture_output=True,
        )
    return folder


def test_pdfsig_says_valid_and_trusted(world: World, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(world.signed)
    plain = pdfsig(path, nss_db(tmp_path / "empty-nss", None))
    assert plain.count("Signature is Valid") == 2, plain
    assert "Trusted" in plain and "Certificate is Trusted" not in plain, plain
    assert "title=外督" in plain and "title=内督" in plain, plain

    trusting = pdfsig(path, nss_db(tmp_path / "nss", world.ca_pem))
    assert trusting.count("Signature is Valid") == 2, trusting
    assert trusting.count("Certificate is Trusted") == 2, trusting
    assert "Total document signed" in trusting, trusting


def test_pdfsig_sees_a_changed_byte(world: World, tmp_path: Path) -> None:
    path = tmp_path / "tampered.pdf"
    path.write_bytes(flipped(world.signed, b"72 730 Tm", b"72 731 Tm"))
    out = pdfsig(path, nss_db(tmp_path / "nss", world.ca_pem))
    assert out.count("Digest Mismatch") == 2, out
    assert "Signature is Valid" not in out, out
