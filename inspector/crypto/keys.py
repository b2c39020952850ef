"""The centre's small certificate authority and the supervisors' signing credentials.

Why a CA of our own: a signed score sheet must prove *who* signed it, to the centre and, if it
comes to that, to a court, on machines that never see a network. The centre keeps one CA key
(ECDSA P-256 with SHA-256, which Adobe Reader, WPS and poppler all verify) and issues every
supervisor a key and certificate. Anyone who trusts the centre's CA certificate can then check a
signature offline.

Why everything is encrypted at rest: the CA key lives in the centre's CA folder as encrypted
PKCS#8; a supervisor's key travels to the laptop and rests there only inside a PKCS#12 file
encrypted with the person's passphrase (PIN), which is told to the person separately. Keys are
unlocked in memory for one signing and never written out in the clear.

Revocation is an X.509 CRL signed by the CA: the centre revokes a lost or misused credential, the
CRL is carried to laptops like any other file, and signing refuses a listed certificate.

Layout of a CA folder (all written atomically)::

    ca.key.pem        CA private key: encrypted PKCS#8 PEM inside a passphrase seal
                      (inspector.crypto.sealing; a CA made before sealing holds the bare PEM)
    ca.crt.pem        CA certificate (self-signed), the file to import into readers as trusted
    ca.crl.pem        current revocation list
    issued/SERIAL.crt.pem   every certificate issued, so that revocation can name it

Layout on a laptop (``DATA/keys/``)::

    signer.p12        the person's key and certificate, still encrypted with their passphrase
    signer.crt.pem    the certificate alone, to show whose credential is installed without a PIN
    ca.crt.pem        the centre's CA certificate
    ca.crl.pem        the latest revocation list, if one was installed

Two purposes, two keys (added for the USB bundles, :mod:`inspector.crypto.identity`): a *signing*
certificate (digitalSignature + nonRepudiation, the PDF and bundle-manifest signatures) and an
*encryption* certificate (keyAgreement only, for HPKE: bundles are encrypted to it). Using the
signing key for key agreement as well would be key reuse across purposes; a second key costs one
more PKCS#12 file and nothing else. The centre's own certificates carry :data:`ID_KP_INSPECTOR_CENTRE`,
which is what makes an assignment bundle acceptable to a laptop.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from inspector import paths
from inspector.crypto import sealing
from inspector.errors import SigningError, UsageError, VerificationError, WrongPassphrase
from inspector.fileio import write_bytes_atomic
from inspector.i18n import _

CA_KEY_FILE = "ca.key.pem"
CA_CERT_FILE = "ca.crt.pem"
CRL_FILE = "ca.crl.pem"
ISSUED_DIR = "issued"
KEYS_DIR = paths.KEYS_DIR
SIGNER_P12_FILE = "signer.p12"
SIGNER_CERT_FILE = "signer.crt.pem"

MIN_CA_PASSPHRASE = 8
MIN_PERSON_PASSPHRASE = 6
CRL_VALID_DAYS = 365

# Document-signing purposes. emailProtection is what NSS (poppler's pdfsig) checks for a signer;
# the two document-signing OIDs are what Microsoft/Adobe tooling and RFC 9336 name for the purpose.
MS_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
ID_KP_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

# Private purposes under the UUID arc 2.25 (ITU-T X.667: no registration needed).
# The centre's certificates (it sends assignments; results are encrypted to it):
ID_KP_INSPECTOR_CENTRE = ObjectIdentifier("2.25.159042013363917761633368694816726307737")
# A certificate whose key receives bundles by HPKE key agreement:
ID_KP_BUNDLE_ENCRYPTION = ObjectIdentifier("2.25.43106897158666672868157691424601302308")
SIGNING = "signing"
ENCRYPTION = "encryption"
PURPOSES = (SIGNING, ENCRYPTION)

# X.520 PrintableString, the ASN.1 type the serialNumber attribute requires.
_PRINTABLE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]+")

# CLI-friendly names for revocation reasons; the values are RFC 5280's.
REVOCATION_REASONS: dict[str, x509.ReasonFlags] = {
    flag.value: flag
    for flag in x509.ReasonFlags
    if flag not in (x509.ReasonFlags.remove_from_crl, x509.ReasonFlags.aa_compromise)
}


@dataclass(frozen=True)
class CAInfo:
    """What ``init_ca`` made: where it lives and the certificate to distribute as trusted."""

    folder: Path
    name: str
    certificate_pem: bytes
    fingerprint: str  # SHA-256 of the DER certificate, hex, for reading aloud over the phone
    not_valid_after: dt.datetime


@dataclass(frozen=True)
class Credential:
    """A person's credential as issued: the encrypted PKCS#12 that travels, and its certificate."""

    p12: bytes
    certificate_pem: bytes
    ca_certificate_pem: bytes
    serial: str  # hex, as printed in descriptions and used by ``revoke``
    person_name: str
    person_id: str
    role: str
    not_valid_before: dt.datetime
    not_valid_after: dt.datetime


@dataclass(frozen=True)
class Signer:
    """A credential unlocked in memory for signing: key, certificate, CA chain and revocation list."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca_certificates: tuple[x509.Certificate, ...]
    crl: x509.CertificateRevocationList | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def serial_hex(serial: int) -> str:
    return f"{serial:X}"


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex().upper()


def group_fingerprint(fp: str, *, per_line: int | None = None) -> str:
    """In groups of four, as the assignment slip prints it (two lines of eight), for comparing by eye."""
    groups = [fp[i : i + 4] for i in range(0, len(fp), 4)]
    if per_line is None:
        return " ".join(groups)
    return "\n".join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))


def common_name(name: x509.Name) -> str:
    """The CN of a subject or issuer, or the whole name when there is no CN."""
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if cns:
        value = cns[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return name.rfc4514_string()


def _check_text(value: str, what: str, *, limit: int = 64) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise UsageError(_("{what}不能为空，且不超过 {n} 个字符").format(what=what, n=limit))
    return value


def _check_passphrase(passphrase: str, minimum: int) -> bytes:
    if len(passphrase) < minimum:
        raise SigningError(_("口令至少需要 {n} 个字符").format(n=minimum))
    return passphrase.encode("utf-8")


def _encryption(passphrase: bytes) -> serialization.KeySerializationEncryption:
    return serialization.BestAvailableEncryption(passphrase)


# --- the centre's CA -------------------------------------------------------------------------


def init_ca(folder: Path, name: str, passphrase: str, *, valid_years: int = 10) -> CAInfo:
    """Create the centre's CA key and self-signed certificate in ``folder``.

    Refuses a folder that already holds a CA: overwriting it would orphan every credential issued.
    """
    folder = Path(folder)
    name = _check_text(name, _("中心名称"))
    secret = _check_passphrase(passphrase, MIN_CA_PASSPHRASE)
    if valid_years < 1:
        raise UsageError(_("有效期至少为 1 年"))
    if (folder / CA_KEY_FILE).exists() or (folder / CA_CERT_FILE).exists():
        raise SigningError(_("此文件夹中已有证书颁发机构（CA），不能覆盖"), str(folder))

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * valid_years + valid_years // 4))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _encryption(secret)
    )
    # Sealed as a person's credential is: PKCS#8's own PBKDF2 runs 2,048 rounds here (cryptography
    # offers no more for PKCS#8), so a guess would cost next to nothing without the scrypt seal.
    write_bytes_atomic(folder / CA_KEY_FILE, sealing.seal(key_pem, passphrase))
    write_bytes_atomic(folder / CA_CERT_FILE, cert_pem)
    (folder / ISSUED_DIR).mkdir(exist_ok=True)
    _write_crl(folder, key, cert, [], crl_number=1)
    return CAInfo(folder, name, cert_pem, fingerprint(cert), cert.not_valid_after_utc)


def load_ca_certificate(folder: Path) -> x509.Certificate:
    """The CA certificate alone: no passphrase needed to read what is public."""
    path = Path(folder) / CA_CERT_FILE
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except FileNotFoundError:
        raise SigningError(_("此文件夹中没有证书颁发机构（CA），请先初始化"), str(folder)) from None
    except ValueError:
        raise SigningError(_("CA 证书文件已损坏"), str(path)) from None


def _load_ca(folder: Path, passphrase: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    folder = Path(folder)
    cert = load_ca_certificate(folder)
    try:
        key_pem = (folder / CA_KEY_FILE).read_bytes()
    except FileNotFoundError:
        raise SigningError(_("此文件夹中没有 CA 私钥"), str(folder)) from None
    try:
        key_pem = sealing.open_sealed(key_pem, passphrase, legacy="pkcs8")  # a CA made before sealing
        key = serialization.load_pem_private_key(key_pem, passphrase.encode("utf-8"))
    except (ValueError, TypeError):  # SealError is a ValueError
        raise SigningError(_("CA 口令错误，无法解锁中心的私钥"), str(folder)) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SigningError(_("CA 私钥类型不受支持"), str(folder))
    return key, cert


def issue_certificate(
    ca_folder: Path,
    ca_passphrase: str,
    person_name: str,
    person_id: str,
    role: str,
    passphrase: str,
    *,
    valid_days: int = 3 * 365,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    purpose: str = SIGNING,
    centre: bool = False,
) -> Credential:
    """Issue a supervisor a key and certificate, returned as a PKCS#12 encrypted with ``passphrase``.

    Three years by default, like the supervisor's certificate card (证卡). ``not_before`` may lie in
    the past (tests make expired certificates that way); the end is clipped to the CA's own end so
    that no certificate outlives its issuer, and to ``not_after`` (the end of the last day of the
    supervisor's card: a certificate never outlives the card). ``purpose`` ENCRYPTION makes the
    bundle-encryption certificate (keyAgreement only); ``centre`` marks the centre's own certificates.
    """
    if purpose not in PURPOSES:
        raise UsageError(_("证书用途应为 {p} 之一").format(p="、".join(PURPOSES)), purpose)
    ca_key, ca_cert = _load_ca(ca_folder, ca_passphrase)
    person_name = _check_text(person_name, _("姓名"))
    person_id = _check_text(person_id, _("证件号码"))
    role = _check_text(role, _("角色"))
    if not _PRINTABLE.fullmatch(person_id):
        raise UsageError(_("证件号码只能包含字母、数字和 - . / 等符号：{v}").format(v=person_id))
    secret = _check_passphrase(passphrase, MIN_PERSON_PASSPHRASE)
    if valid_days < 1:
        raise UsageError(_("有效期至少为 1 天"))

    start = not_before if not_before is not None else _now() - dt.timedelta(minutes=5)
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    end = min(start + dt.timedelta(days=valid_days), ca_cert.not_valid_after_utc)
    if not_after is not None:
        end = min(end, not_after if not_after.tzinfo is not None else not_after.replace(tzinfo=dt.UTC))
        if end <= start:
            raise UsageError(_("证卡已到期，不能签发证书：请先换发证卡"))

    key = ec.generate_private_key(ec.SECP256R1())
    org = ca_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    attrs += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, a.value) for a in org if isinstance(a.value, str)]
    attrs += [
        x509.NameAttribute(NameOID.TITLE, role),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, person_id),
        x509.NameAttribute(NameOID.COMMON_NAME, person_name),
    ]
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    signing = purpose == SIGNING
    usages = (
        [ExtendedKeyUsageOID.EMAIL_PROTECTION, MS_DOCUMENT_SIGNING, ID_KP_DOCUMENT_SIGNING]
        if signing
        else [ID_KP_BUNDLE_ENCRYPTION]
    )
    if centre:
        usages.append(ID_KP_INSPECTOR_CENTRE)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=signing,
                content_commitment=signing,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=not signing,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = sealing.seal(
        pkcs12.serialize_key_and_certificates(
            person_name.encode("utf-8"), key, cert, [ca_cert], _encryption(secret)
        ),
        passphrase,
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    serial = serial_hex(cert.serial_number)
    write_bytes_atomic(Path(ca_folder) / ISSUED_DIR / f"{serial}.crt.pem", cert_pem)
    return Credential(
        p12=p12,
        certificate_pem=cert_pem,
        ca_certificate_pem=ca_cert.public_bytes(serialization.Encoding.PEM),
        serial=serial,
        person_name=person_name,
        person_id=person_id,
        role=role,
        not_valid_before=cert.not_valid_before_utc,
        not_valid_after=cert.not_valid_after_utc,
    )


def issued_certificates(ca_folder: Path) -> list[x509.Certificate]:
    """Every certificate the CA issued, oldest first, for listing and revocation."""
    certs = [
        x509.load_pem_x509_certificate(p.read_bytes())
        for p in sorted((Path(ca_folder) / ISSUED_DIR).glob("*.crt.pem"))
    ]
    return sorted(certs, key=lambda c: c.not_valid_before_utc)


# --- revocation ------------------------------------------------------------------------------


def _parse_serial(serial: int | str) -> int:
    if isinstance(serial, int):
        return serial
    text = serial.strip().replace(":", "").replace(" ", "")
    try:
        return int(text, 16)
    except ValueError:
        raise UsageError(_("证书序列号应为十六进制数：{s}").format(s=serial)) from None


# The reasons in Chinese, as a clerk says them; each maps to its RFC 5280 code.
REASONS_ZH: dict[str, str] = {
    "未说明": "unspecified",
    "密钥泄露": "key_compromise",
    "CA 泄露": "ca_compromise",
    "信息变更": "affiliation_changed",
    "已被取代": "superseded",
    "停止使用": "cessation_of_operation",
    "暂停": "certificate_hold",
    "撤销特权": "privilege_withdrawn",
}


def revocation_reason(reason: str) -> x509.ReasonFlags:
    """An RFC 5280 reason from its English name or the Chinese words the clerk uses."""
    key = reason.strip()
    key = REASONS_ZH.get(key, REASONS_ZH.get(key.replace(" ", ""), key))
    for name, flag in REVOCATION_REASONS.items():
        if key in (name, flag.name):
            return flag
    raise UsageError(
        _("吊销原因应为以下之一：{choices}").format(choices="、".join([*REASONS_ZH, *REVOCATION_REASONS])),
        reason,
    )


def _write_crl(
    folder: Path,
    key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    entries: list[x509.RevokedCertificate],
    *,
    crl_number: int,
) -> x509.CertificateRevocationList:
    now = _now()
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=CRL_VALID_DAYS))
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    )
    for entry in entries:
        builder = builder.add_revoked_certificate(entry)
    crl = builder.sign(key, hashes.SHA256())
    write_bytes_atomic(Path(folder) / CRL_FILE, crl.public_bytes(serialization.Encoding.PEM))
    return crl


def load_crl(path: Path) -> x509.CertificateRevocationList:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise VerificationError(_("找不到吊销列表（CRL）文件"), str(path)) from None
    return parse_crl(data, str(path))


def parse_crl(data: bytes, where: str | None = None) -> x509.CertificateRevocationList:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError:
        raise VerificationError(_("不是有效的吊销列表（CRL）文件"), where) from None


def revoke(
    ca_folder: Path, ca_passphrase: str, serial: int | str, reason: str = "unspecified"
) -> x509.CertificateRevocationList:
    """Add a certificate to the CA's revocation list and re-sign it; revoking twice changes nothing."""
    ca_folder = Path(ca_folder)
    number = _parse_serial(serial)
    flag = revocation_reason(reason)
    key, ca_cert = _load_ca(ca_folder, ca_passphrase)
    if not any(c.serial_number == number for c in issued_certificates(ca_folder)):
        raise UsageError(_("该中心未签发序列号为 {s} 的证书").format(s=serial_hex(number)))
    current = load_crl(ca_folder / CRL_FILE)
    if current.get_revoked_certificate_by_serial_number(number) is not None:
        return current
    entries = list(current)
    entry = (
        x509.RevokedCertificateBuilder()
        .serial_number(number)
        .revocation_date(_now())
        .add_extension(x509.CRLReason(flag), critical=False)
        .build()
    )
    try:
        previous = current.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        previous = 0
    return _write_crl(ca_folder, key, ca_cert, [*entries, entry], crl_number=previous + 1)


def is_revoked(
    ca_cert: x509.Certificate, crl: x509.CertificateRevocationList, cert: x509.Certificate
) -> bool:
    """Whether ``crl``, which must be signed by ``ca_cert``, lists ``cert``.

    A CRL from another issuer says nothing about ``cert``; one that claims to be from our CA but
    does not verify is refused, because trusting it would let anyone un-revoke a certificate.
    """
    public = ca_cert.public_key()
    if (
        crl.issuer != ca_cert.subject
        or not isinstance(public, ec.EllipticCurvePublicKey)
        or not crl.is_signature_valid(public)
    ):
        raise VerificationError(_("吊销列表（CRL）不是由该中心签发的"))
    if cert.issuer != ca_cert.subject:
        return False
    return crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def check_certificate(signer: Signer, *, at: dt.datetime | None = None) -> None:
    """Refuse a certificate that is not yet valid, expired, not from its CA or revoked."""
    moment = at or _now()
    cert = signer.certificate
    if moment < cert.not_valid_before_utc:
        raise SigningError(
            _("证书尚未生效（生效时间 {t}），不能签名").format(t=_local(cert.not_valid_before_utc))
        )
    if moment > cert.not_valid_after_utc:
        raise SigningError(
            _("证书已过期（有效期至 {t}），不能签名，请向中心申请新证书").format(
                t=_local(cert.not_valid_after_utc)
            )
        )
    issuer = _issuer_of(cert, signer.ca_certificates)
    if issuer is None:
        raise SigningError(_("证书不是由中心的证书颁发机构签发的"))
    if signer.crl is not None and is_revoked(issuer, signer.crl, cert):
        raise SigningError(_("证书已被吊销，不能签名"))


def _issuer_of(cert: x509.Certificate, cas: tuple[x509.Certificate, ...]) -> x509.Certificate | None:
    for ca in cas:
        try:
            cert.verify_directly_issued_by(ca)
        except (InvalidSignature, ValueError, TypeError):
            continue
        return ca
    return None


def _local(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --- credentials on a laptop -----------------------------------------------------------------


def unlock(p12: bytes, passphrase: str) -> Signer:
    """Open a (sealed) PKCS#12 credential in memory; a wrong passphrase is the user's mistake,
    said plainly."""
    try:
        inner = sealing.open_sealed(p12, passphrase)
        key, cert, extra = pkcs12.load_key_and_certificates(inner, passphrase.encode("utf-8"))
    except sealing.SealError as e:
        if str(e) in ("no MAC", "format"):  # opens under any password: proves nothing
            raise SigningError(_("证书文件没有用口令封装，也没有完整性校验（MAC），不予接受")) from None
        raise WrongPassphrase(_("口令错误，无法解锁签名证书")) from None
    except ValueError:
        raise WrongPassphrase(_("口令错误，无法解锁签名证书")) from None
    if cert is None or not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SigningError(_("签名证书文件中没有可用的私钥和证书"))
    return Signer(key=key, certificate=cert, ca_certificates=tuple(extra))


def install_credential(data_folder: Path, p12: bytes, passphrase: str) -> x509.Certificate:
    """Store a credential on this laptop, still encrypted, after checking the passphrase opens it.

    The check happens now, at the desk, rather than at the station when the sheet must be signed.
    Returns the installed certificate so that the caller can say whose it is and until when.
    """
    signer = unlock(p12, passphrase)
    ca = _issuer_of(signer.certificate, signer.ca_certificates)
    if ca is None:
        raise SigningError(_("签名证书文件中缺少中心的 CA 证书"))
    folder = Path(data_folder) / KEYS_DIR
    write_bytes_atomic(folder / SIGNER_P12_FILE, p12)
    write_bytes_atomic(folder / SIGNER_CERT_FILE, signer.certificate.public_bytes(serialization.Encoding.PEM))
    write_bytes_atomic(folder / CA_CERT_FILE, ca.public_bytes(serialization.Encoding.PEM))
    return signer.certificate


def install_crl(data_folder: Path, crl_data: bytes) -> x509.CertificateRevocationList:
    """Store the centre's latest revocation list on this laptop, after checking the CA signed it."""
    folder = Path(data_folder) / KEYS_DIR
    ca = load_ca_certificate(folder)
    crl = parse_crl(crl_data)
    # Checking our own certificate also checks the CRL's signature against the CA.
    is_revoked(ca, crl, ca)
    write_bytes_atomic(folder / CRL_FILE, crl.public_bytes(serialization.Encoding.PEM))
    return crl


def installed_certificate(data_folder: Path) -> x509.Certificate | None:
    """The certificate installed on this laptop, readable without the passphrase, or None."""
    path = Path(data_folder) / KEYS_DIR / SIGNER_CERT_FILE
    if not path.exists():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


def load_signer(data_folder: Path, passphrase: str) -> Signer:
    """Unlock the installed credential for signing, with the revocation list if one is installed."""
    folder = Path(data_folder) / KEYS_DIR
    try:
        p12 = (folder / SIGNER_P12_FILE).read_bytes()
    except FileNotFoundError:
        raise SigningError(_("本机尚未安装签名证书"), str(folder)) from None
    signer = unlock(p12, passphrase)
    cas = signer.ca_certificates
    ca_path = folder / CA_CERT_FILE
    if ca_path.exists():
        installed_ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        if installed_ca not in cas:
            cas = (*cas, installed_ca)
    crl: x509.CertificateRevocationList | None = None
    if (folder / CRL_FILE).exists():
        crl = load_crl(folder / CRL_FILE)
    return Signer(key=signer.key, certificate=signer.certificate, ca_certificates=cas, crl=crl)
