"""The centre's CA and the supervisors' credentials: made, protected at rest, revoked, installed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from inspector.crypto import keys, sealing
from inspector.errors import SigningError, UsageError, VerificationError

CENTRE = "四川省职业技能鉴定指导中心"
CA_PASS = "centre-secret-2024"
PIN = "246810"
UNENCRYPTED_MARKERS = (b"BEGIN PRIVATE KEY", b"BEGIN EC PRIVATE KEY", b"BEGIN RSA PRIVATE KEY")


@pytest.fixture
def ca_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "ca"
    keys.init_ca(folder, CENTRE, CA_PASS)
    return folder


def issue(ca_dir: Path, name: str = "张三", person_id: str = "SC-2024-0001", **kw: object) -> keys.Credential:
    return keys.issue_certificate(ca_dir, CA_PASS, name, person_id, "外督", PIN, **kw)  # type: ignore[arg-type]


def attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    return str(name.get_attributes_for_oid(oid)[0].value)


def assert_no_clear_keys(*folders: Path) -> None:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for marker in UNENCRYPTED_MARKERS:
                    assert marker not in data, path


def test_init_ca_makes_a_self_signed_ca_with_an_encrypted_key(tmp_path: Path) -> None:
    info = keys.init_ca(tmp_path / "ca", CENTRE, CA_PASS)
    cert = x509.load_pem_x509_certificate(info.certificate_pem)
    assert attr(cert.subject, NameOID.COMMON_NAME) == CENTRE
    assert attr(cert.subject, NameOID.ORGANIZATION_NAME) == CENTRE
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > dt.timedelta(days=3650)
    assert info.fingerprint == keys.fingerprint(cert)

    sealed = (tmp_path / "ca" / keys.CA_KEY_FILE).read_bytes()
    assert sealing.is_sealed(sealed)  # a guess costs a scrypt, not PKCS#8's 2,048 PBKDF2 rounds
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(sealed, "not the passphrase")
    key_pem = sealing.open_sealed(sealed, CA_PASS)
    assert key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(key_pem, None)
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(key_pem, b"not the passphrase")
    assert serialization.load_pem_private_key(key_pem, CA_PASS.encode()) is not None
    crl = keys.load_crl(tmp_path / "ca" / keys.CRL_FILE)
    assert len(crl) == 0 and not keys.is_revoked(cert, crl, cert)
    assert_no_clear_keys(tmp_path / "ca")


def test_a_ca_made_before_sealing_still_issues(ca_dir: Path) -> None:
    """A centre whose CA key was written as bare encrypted PKCS#8 (before the seal) keeps working."""
    path = ca_dir / keys.CA_KEY_FILE
    path.write_bytes(sealing.open_sealed(path.read_bytes(), CA_PASS))
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert issue(ca_dir).certificate_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    with pytest.raises(SigningError, match="CA 口令错误"):
        keys.issue_certificate(ca_dir, "wrong-passphrase", "张三", "SC-1", "外督", PIN)


def test_init_ca_refuses_to_overwrite_and_short_passphrases(tmp_path: Path, ca_dir: Path) -> None:
    before = (ca_dir / keys.CA_KEY_FILE).read_bytes()
    with pytest.raises(SigningError, match="已有"):
        keys.init_ca(ca_dir, CENTRE, CA_PASS)
    assert (ca_dir / keys.CA_KEY_FILE).read_bytes() == before
    with pytest.raises(SigningError, match="至少"):
        keys.init_ca(tmp_path / "other", CENTRE, "short")
    with pytest.raises(UsageError):
        keys.init_ca(tmp_path / "other", "", CA_PASS)


def test_issued_credential_is_a_signing_certificate_in_an_encrypted_pkcs12(ca_dir: Path) -> None:
    cred = issue(ca_dir)
    ca = keys.load_ca_certificate(ca_dir)
    cert = x509.load_pem_x509_certificate(cred.certificate_pem)
    cert.verify_directly_issued_by(ca)
    assert attr(cert.subject, NameOID.COMMON_NAME) == "张三"
    assert attr(cert.subject, NameOID.SERIAL_NUMBER) == "SC-2024-0001"
    assert attr(cert.subject, NameOID.TITLE) == "外督"
    assert attr(cert.subject, NameOID.ORGANIZATION_NAME) == CENTRE
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku and keys.MS_DOCUMENT_SIGNING in eku
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert dt.timedelta(days=3 * 365 - 1) < cert.not_valid_after_utc - cert.not_valid_before_utc
    assert cred.serial == keys.serial_hex(cert.serial_number)
    assert (ca_dir / keys.ISSUED_DIR / f"{cred.serial}.crt.pem").read_bytes() == cred.certificate_pem

    # The sealed PKCS#12 does not open without the person's passphrase, and opens with it; the
    # PKCS#12 inside is encrypted with the same passphrase too.
    assert sealing.is_sealed(cred.p12)
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(cred.p12, "135790")
    inner = sealing.open_sealed(cred.p12, PIN)
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(inner, None)
    key, p12_cert, extra = pkcs12.load_key_and_certificates(inner, PIN.encode())
    assert key is not None and p12_cert == cert and extra == [ca]
    assert_no_clear_keys(ca_dir)


def test_issuing_needs_the_ca_passphrase_and_sane_fields(ca_dir: Path) -> None:
    with pytest.raises(SigningError, match="CA 口令错误"):
        keys.issue_certificate(ca_dir, "wrong-passphrase", "张三", "SC-1", "外督", PIN)
    with pytest.raises(SigningError, match="没有证书颁发机构"):
        keys.issue_certificate(ca_dir.parent / "nowhere", CA_PASS, "张三", "SC-1", "外督", PIN)
    with pytest.raises(UsageError, match="证件号码"):
        issue(ca_dir, person_id="证件一号")
    with pytest.raises(SigningError, match="至少"):
        keys.issue_certificate(ca_dir, CA_PASS, "张三", "SC-1", "外督", "123")


def test_backdated_certificates_for_expiry_tests(ca_dir: Path) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=4 * 365)
    cred = issue(ca_dir, not_before=start, valid_days=365)
    assert cred.not_valid_after < dt.datetime.now(dt.UTC)
    signer = keys.unlock(cred.p12, PIN)
    with pytest.raises(SigningError, match="已过期"):
        keys.check_certificate(signer)
    later = issue(ca_dir, not_before=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    with pytest.raises(SigningError, match="尚未生效"):
        keys.check_certificate(keys.unlock(later.p12, PIN))


def test_revoke_writes_a_crl_signed_by_the_ca(tmp_path: Path, ca_dir: Path) -> None:
    lost, kept = issue(ca_dir), issue(ca_dir, "李四", "SC-2024-0002")
    ca = keys.load_ca_certificate(ca_dir)
    crl = keys.revoke(ca_dir, CA_PASS, lost.serial, "keyCompromise")
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    assert crl == keys.load_crl(ca_dir / keys.CRL_FILE)
    lost_cert = x509.load_pem_x509_certificate(lost.certificate_pem)
    kept_cert = x509.load_pem_x509_certificate(kept.certificate_pem)
    assert keys.is_revoked(ca, crl, lost_cert)
    assert not keys.is_revoked(ca, crl, kept_cert)
    entry = crl.get_revoked_certificate_by_serial_number(lost_cert.serial_number)
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number

    # Revoking again changes nothing; unknown serials, bad reasons, a wrong passphrase are refused.
    again = keys.revoke(ca_dir, CA_PASS, lost_cert.serial_number, "superseded")
    assert again.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == number
    with pytest.raises(UsageError, match="未签发"):
        keys.revoke(ca_dir, CA_PASS, "ABCDEF", "keyCompromise")
    with pytest.raises(UsageError, match="吊销原因"):
        keys.revoke(ca_dir, CA_PASS, kept.serial, "lost it")
    with pytest.raises(UsageError, match="十六进制"):
        keys.revoke(ca_dir, CA_PASS, "not-hex", "keyCompromise")
    with pytest.raises(SigningError, match="口令错误"):
        keys.revoke(ca_dir, "wrong-passphrase", kept.serial, "keyCompromise")

    # A CRL that claims to come from another CA cannot un-revoke or revoke anything.
    other = tmp_path / "other-ca"
    keys.init_ca(other, CENTRE, CA_PASS)
    forged = keys.load_crl(other / keys.CRL_FILE)
    with pytest.raises(VerificationError, match="不是由该中心签发"):
        keys.is_revoked(ca, forged, lost_cert)


def test_install_and_unlock_on_a_laptop(tmp_path: Path, ca_dir: Path) -> None:
    cred = issue(ca_dir)
    laptop = tmp_path / "laptop-data"
    assert keys.installed_certificate(laptop) is None
    with pytest.raises(SigningError, match="尚未安装"):
        keys.load_signer(laptop, PIN)
    with pytest.raises(SigningError, match="口令错误"):
        keys.install_credential(laptop, cred.p12, "000000")
    assert not (laptop / keys.KEYS_DIR / keys.SIGNER_P12_FILE).exists()

    cert = keys.install_credential(laptop, cred.p12, PIN)
    folder = laptop / keys.KEYS_DIR
    assert (folder / keys.SIGNER_P12_FILE).read_bytes() == cred.p12  # still encrypted
    assert (folder / keys.CA_CERT_FILE).read_bytes() == cred.ca_certificate_pem
    assert keys.installed_certificate(laptop) == cert
    assert_no_clear_keys(laptop, ca_dir)

    signer = keys.load_signer(laptop, PIN)
    assert signer.certificate == cert and signer.crl is None
    assert keys.load_ca_certificate(ca_dir) in signer.ca_certificates
    keys.check_certificate(signer)
    with pytest.raises(SigningError, match="口令错误") as refused:
        keys.load_signer(laptop, "654321")
    assert "口令错误，无法解锁签名证书" in str(refused.value)

    # The centre revokes it; once the new CRL reaches the laptop, signing is refused.
    crl = keys.revoke(ca_dir, CA_PASS, cred.serial, "affiliationChanged")
    keys.install_crl(laptop, crl.public_bytes(serialization.Encoding.PEM))
    revoked = keys.load_signer(laptop, PIN)
    assert revoked.crl == crl
    with pytest.raises(SigningError, match="吊销"):
        keys.check_certificate(revoked)


def test_install_crl_refuses_another_ca(tmp_path: Path, ca_dir: Path) -> None:
    laptop = tmp_path / "laptop-data"
    keys.install_credential(laptop, issue(ca_dir).p12, PIN)
    other = tmp_path / "other-ca"
    keys.init_ca(other, "另一个中心", CA_PASS)
    with pytest.raises(VerificationError):
        keys.install_crl(laptop, (other / keys.CRL_FILE).read_bytes())
    with pytest.raises(VerificationError, match="不是有效的吊销列表"):
        keys.install_crl(laptop, b"garbage")
    assert not (laptop / keys.KEYS_DIR / keys.CRL_FILE).exists()
