"""Who this data folder is when it sends and receives bundles, and whom it knows.

A data folder acts with two credentials issued by the centre's CA (:mod:`inspector.crypto.keys`): the
*signing* one (it signs PDFs and bundle manifests) and the *encryption* one (bundles are encrypted
to it with HPKE). Both rest in ``DATA/keys/`` as PKCS#12 files encrypted with the same passphrase,
next to the CA certificate and the latest revocation list::

    signer.p12, signer.crt.pem     signing credential (keys.py's layout)
    decrypt.p12, decrypt.crt.pem   encryption credential (this module)
    ca.crt.pem, ca.crl.pem         the centre's CA and its revocation list

The folder's *role* is read from the signing certificate: the centre's carries the centre purpose
(:data:`inspector.crypto.keys.ID_KP_INSPECTOR_CENTRE`), a supervisor's does not. A folder without a
credential is an unconfigured laptop: its first assignment bundle sets it up.

``peers`` (the database) holds the certificates of others: the centre and the team on a laptop,
everyone issued at the centre. ``credentials`` (centre only) holds the PKCS#12 files it issued, to
be carried to each person's laptop.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector import paths
from inspector.clock import now
from inspector.crypto import keys
from inspector.errors import NotFoundError, SigningError, UsageError, VerificationError
from inspector.fileio import write_bytes_atomic
from inspector.i18n import _
from inspector.store.db import transaction
from inspector.store.folder_role import ORG_PREFIX as STATION_PERSON

DECRYPT_P12_FILE = "decrypt.p12"
DECRYPT_CERT_FILE = "decrypt.crt.pem"
CENTRE_PERSON_ID = "CENTRE"
CENTRE_ROLE = "指导中心"  # stored in the certificate: source language, like every stored role
CA_FOLDER = paths.CA_DIR  # the CA's folder inside the centre's data folder, unless told otherwise
CENTRE = "centre"
FIELD = "field"
STATION = "station"
# A station representative's certificate title (issue 19): issued by the centre's CA for one
# organisation of the register; its person id is ``ORG_PREFIX`` + the register id.
STATION_ROLE = "鉴定站（所）"
ORG_PREFIX = STATION_PERSON


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    found = cert.subject.get_attributes_for_oid(oid)
    if not found:
        return None
    value = found[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _usages(cert: x509.Certificate) -> tuple[x509.KeyUsage | None, list[x509.ObjectIdentifier]]:
    try:
        usage: x509.KeyUsage | None = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    try:
        eku = list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        eku = []
    return usage, eku


@lru_cache(maxsize=512)
def issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    """Whether ``ca`` signed ``cert`` (names and signature). Cached: the answer never changes, and
    a centre importing a team's bundles checks the same few certificates again and again."""
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def is_centre(cert: x509.Certificate) -> bool:
    return keys.ID_KP_INSPECTOR_CENTRE in _usages(cert)[1]


def is_station(cert: x509.Certificate) -> bool:
    """A station representative's certificate (its title, set by the centre's CA when issuing)."""
    return not is_centre(cert) and _attr(cert, NameOID.TITLE) == STATION_ROLE


def allows(cert: x509.Certificate, purpose: str) -> bool:
    """Whether the certificate's key may be used for ``purpose`` (keys.SIGNING or keys.ENCRYPTION).

    A signing key must have digitalSignature; an encryption key must have keyAgreement and the
    bundle-encryption purpose. Both must be P-256 keys of an end entity, never a CA.
    """
    usage, eku = _usages(cert)
    try:
        if cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return False
    except x509.ExtensionNotFound:
        pass
    try:
        public = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):  # a key type cryptography cannot load
        return False
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        return False
    if usage is None:
        return False
    if purpose == keys.SIGNING:
        return usage.digital_signature
    return usage.key_agreement and keys.ID_KP_BUNDLE_ENCRYPTION in eku


def describe(cert: x509.Certificate) -> dict[str, Any]:
    """A certificate as bundles and reports name it."""
    return {
        "name": keys.common_name(cert.subject),
        "person_id": _attr(cert, NameOID.SERIAL_NUMBER),
        "role": _attr(cert, NameOID.TITLE),
        "centre": is_centre(cert),
        "certificate": keys.fingerprint(cert),
        "serial": keys.serial_hex(cert.serial_number),
        "not_after": cert.not_valid_after_utc.isoformat(),
    }


def certificate_problem(
    cert: x509.Certificate,
    ca: x509.Certificate,
    crl: x509.CertificateRevocationList | None,
    at: dt.datetime,
    purpose: str,
    *,
    crl_checked: bool = False,
) -> str | None:
    """Why ``cert`` cannot act for ``purpose`` at ``at`` under ``ca`` and ``crl``, or None.

    ``crl_checked``: the caller has verified the list's signature against ``ca`` already.
    """
    if not issued_by(cert, ca):
        return _("证书不是由本机信任的中心 CA 签发的")
    if at < cert.not_valid_before_utc:
        return _("证书在 {t} 尚未生效").format(t=at.isoformat(timespec="seconds"))
    if at > cert.not_valid_after_utc:
        return _("证书在 {t} 已过期").format(t=at.isoformat(timespec="seconds"))
    if crl is not None:
        try:
            if crl_checked:
                if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
                    return _("证书已被中心吊销")
            elif keys.is_revoked(ca, crl, cert):
                return _("证书已被中心吊销")
        except VerificationError as e:
            return e.message
    if not allows(cert, purpose):
        return _("证书不允许用于签名") if purpose == keys.SIGNING else _("证书不允许用于密钥协商（加密）")
    return None


def crl_number(crl: x509.CertificateRevocationList) -> int:
    try:
        return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        return 0


# --- this folder's identity -------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """This folder's certificates, readable without the passphrase."""

    signing: x509.Certificate
    encryption: x509.Certificate | None
    ca: x509.Certificate
    crl: x509.CertificateRevocationList | None

    @property
    def role(self) -> str:
        if is_centre(self.signing):
            return CENTRE
        return STATION if is_station(self.signing) else FIELD

    @property
    def name(self) -> str:
        return keys.common_name(self.signing.subject)

    def as_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "signing": describe(self.signing),
            "encryption": describe(self.encryption) if self.encryption is not None else None,
            "ca": {"name": keys.common_name(self.ca.subject), "certificate": keys.fingerprint(self.ca)},
            "crl": None if self.crl is None else {"number": crl_number(self.crl)},
        }


@dataclass(frozen=True)
class Keyring:
    """This folder's identity unlocked in memory: the signing key and the decryption key."""

    identity: Identity
    signing_key: ec.EllipticCurvePrivateKey
    decryption_key: ec.EllipticCurvePrivateKey | None


def _keys_dir(data: Path) -> Path:
    return Path(data) / keys.KEYS_DIR


_IDENTITY_CACHE: dict[Path, tuple[Any, Identity | None]] = {}


def _stamp(folder: Path) -> tuple[Any, ...]:
    out: list[tuple[int, int, int] | None] = []
    for name in (keys.SIGNER_CERT_FILE, DECRYPT_CERT_FILE, keys.CA_CERT_FILE, keys.CRL_FILE):
        try:
            st = (folder / name).stat()
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append(None)
    return tuple(out)


def load_identity(data: Path) -> Identity | None:
    """The installed identity, or None on a folder that has none yet.

    Read again whenever one of its files changed (a new revocation list arrives while the window
    is open); otherwise from memory: importing a thousand bundles reads it once.
    """
    folder = _keys_dir(data)
    stamp = _stamp(folder)
    cached = _IDENTITY_CACHE.get(folder)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    identity = _load_identity(data)
    _IDENTITY_CACHE[folder] = (stamp, identity)
    return identity


def _load_identity(data: Path) -> Identity | None:
    folder = _keys_dir(data)
    signing = keys.installed_certificate(data)
    if signing is None or not (folder / keys.CA_CERT_FILE).exists():
        return None
    encryption = None
    if (folder / DECRYPT_CERT_FILE).exists():
        encryption = x509.load_pem_x509_certificate((folder / DECRYPT_CERT_FILE).read_bytes())
    crl = keys.load_crl(folder / keys.CRL_FILE) if (folder / keys.CRL_FILE).exists() else None
    return Identity(signing, encryption, keys.load_ca_certificate(folder), crl)


def _unlock(p12: bytes, passphrase: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate, list[Any]]:
    signer = keys.unlock(p12, passphrase)
    return signer.key, signer.certificate, list(signer.ca_certificates)


def unlock_identity(data: Path, passphrase: str) -> Keyring:
    identity = load_identity(data)
    if identity is None:
        raise SigningError(_("本机尚未安装证书：请先导入中心的派发数据包，或安装证书"), str(_keys_dir(data)))
    folder = _keys_dir(data)
    signing_key, cert, _cas = _unlock((folder / keys.SIGNER_P12_FILE).read_bytes(), passphrase)
    if cert != identity.signing:
        raise SigningError(_("签名证书文件与已安装的证书不一致"), str(folder))
    decryption_key = None
    if identity.encryption is not None:
        decryption_key, enc_cert, _cas = _unlock((folder / DECRYPT_P12_FILE).read_bytes(), passphrase)
        if enc_cert != identity.encryption:
            raise SigningError(_("加密证书文件与已安装的证书不一致"), str(folder))
    return Keyring(identity, signing_key, decryption_key)


@dataclass(frozen=True)
class OpenedPair:
    """A signing and an encryption PKCS#12 of one person, opened with the passphrase."""

    signing_p12: bytes
    encryption_p12: bytes
    signing: x509.Certificate
    encryption: x509.Certificate
    ca: x509.Certificate
    signing_key: ec.EllipticCurvePrivateKey
    decryption_key: ec.EllipticCurvePrivateKey


def open_pair(signing_p12: bytes, encryption_p12: bytes, passphrase: str) -> OpenedPair:
    """Unlock both credentials and check that they belong together and to one CA.

    The PKCS#12 MAC is keyed by the passphrase, so a pair that opens was made by someone who knows
    it: the centre that set it. That is what lets a fresh laptop trust the CA found inside.
    """
    s_key, s_cert, s_cas = _unlock(signing_p12, passphrase)
    e_key, e_cert, e_cas = _unlock(encryption_p12, passphrase)
    ca = next((c for c in s_cas if issued_by(s_cert, c)), None)
    if ca is None or not issued_by(e_cert, ca) or ca not in e_cas:
        raise SigningError(_("证书文件中缺少中心的 CA 证书，或两份证书不是同一中心签发的"))
    if s_cert.subject != e_cert.subject:
        raise SigningError(_("签名证书与加密证书不属于同一人"))
    if not allows(s_cert, keys.SIGNING) or not allows(e_cert, keys.ENCRYPTION):
        raise SigningError(_("证书用途不符：应为一份签名证书和一份加密证书"))
    return OpenedPair(signing_p12, encryption_p12, s_cert, e_cert, ca, s_key, e_key)


def older_than_installed(data: Path, pair: OpenedPair) -> bool:
    """Whether ``pair`` was issued before the credential installed here (an older assignment
    imported after a newer one): installing it would roll the credential back."""
    current = load_identity(data)
    if current is None or current.signing == pair.signing:
        return False
    return (pair.signing.not_valid_before_utc, pair.signing.not_valid_after_utc) < (
        current.signing.not_valid_before_utc,
        current.signing.not_valid_after_utc,
    )


def install_pair(data: Path, pair: OpenedPair) -> Identity:
    """Make ``pair`` this folder's identity (files written atomically, still encrypted).

    Never an older credential over a newer one: a renewed certificate (a new card, a revoked key
    replaced) must not come back to its predecessor because an old stick was imported again.
    """
    folder = _keys_dir(data)
    current = load_identity(data)
    if current is not None and current.ca != pair.ca:
        raise SigningError(_("本机已信任另一个中心的 CA，不能安装这份证书"), str(folder))
    if older_than_installed(data, pair):
        raise SigningError(_("这份证书比本机已安装的更早签发，不能用它替换较新的证书"), str(folder))
    write_bytes_atomic(folder / keys.SIGNER_P12_FILE, pair.signing_p12)
    write_bytes_atomic(folder / keys.SIGNER_CERT_FILE, _pem(pair.signing))
    write_bytes_atomic(folder / DECRYPT_P12_FILE, pair.encryption_p12)
    write_bytes_atomic(folder / DECRYPT_CERT_FILE, _pem(pair.encryption))
    write_bytes_atomic(folder / keys.CA_CERT_FILE, _pem(pair.ca))
    identity = load_identity(data)
    assert identity is not None
    return identity


def install_newer_crl(data: Path, crl: x509.CertificateRevocationList) -> bool:
    """Install ``crl`` unless the installed one is as new: an old list never un-revokes anyone."""
    folder = _keys_dir(data)
    ca = keys.load_ca_certificate(folder)
    keys.is_revoked(ca, crl, ca)  # refuses a list the CA did not sign
    path = folder / keys.CRL_FILE
    if path.exists() and crl_number(keys.load_crl(path)) >= crl_number(crl):
        return False
    write_bytes_atomic(path, crl.public_bytes(serialization.Encoding.PEM))
    return True


# --- the centre ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedPair:
    signing: keys.Credential
    encryption: keys.Credential


def issue_pair(
    ca_folder: Path,
    ca_passphrase: str,
    name: str,
    person_id: str,
    role: str,
    passphrase: str,
    *,
    centre: bool = False,
    valid_days: int = 3 * 365,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> IssuedPair:
    """A person's signing and encryption credentials, same subject, same passphrase."""
    pair = [
        keys.issue_certificate(
            ca_folder,
            ca_passphrase,
            name,
            person_id,
            role,
            passphrase,
            valid_days=valid_days,
            not_before=not_before,
            not_after=not_after,
            purpose=purpose,
            centre=centre,
        )
        for purpose in (keys.SIGNING, keys.ENCRYPTION)
    ]
    return IssuedPair(pair[0], pair[1])


def _cert(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def record_issued(db: sqlite_utils.Database, pair: IssuedPair, roster_id: str | None) -> None:
    """Keep an issued pair at the centre: the PKCS#12 files for the assignment bundle, the peers."""
    s_cert, e_cert = _cert(pair.signing.certificate_pem), _cert(pair.encryption.certificate_pem)
    with transaction(db) as conn:
        conn.execute(
            "INSERT INTO credentials (serial, roster_id, person_id, name, signing, encryption, signing_p12,"
            " encryption_p12, issued_at, not_after) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                pair.signing.serial,
                roster_id,
                pair.signing.person_id,
                pair.signing.person_name,
                keys.fingerprint(s_cert),
                keys.fingerprint(e_cert),
                pair.signing.p12,
                pair.encryption.p12,
                now(),
                s_cert.not_valid_after_utc.isoformat(),
            ),
        )
        add_peer(conn, s_cert, pair=e_cert, roster_id=roster_id)
        add_peer(conn, e_cert, pair=s_cert, roster_id=roster_id)


def init_centre(
    data: Path, ca_folder: Path, name: str, ca_passphrase: str, passphrase: str | None = None
) -> tuple[keys.CAInfo, Identity]:
    """Create the centre's CA and make this data folder the centre (its own pair, installed).

    The centre's own pair is encrypted with ``passphrase`` (default: the CA passphrase, so that the
    staff keep one secret; the CA key and the centre's key then fall together, as they would anyway
    in the one office that holds both).
    """
    if load_identity(data) is not None:
        raise SigningError(_("此数据文件夹已安装证书，不能再初始化中心"), str(_keys_dir(data)))
    info = keys.init_ca(ca_folder, name, ca_passphrase)
    secret = passphrase or ca_passphrase
    pair = issue_pair(ca_folder, ca_passphrase, name, CENTRE_PERSON_ID, CENTRE_ROLE, secret, centre=True)
    opened = open_pair(pair.signing.p12, pair.encryption.p12, secret)
    identity = install_pair(data, opened)
    install_newer_crl(data, keys.load_crl(Path(ca_folder) / keys.CRL_FILE))
    return info, identity


def revoke_pair(
    db: sqlite_utils.Database, data: Path, ca_folder: Path, ca_passphrase: str, serial: str, reason: str
) -> list[str]:
    """Revoke a credential and its partner; install the new list here. Returns the serials revoked."""
    wanted = serial.strip().upper().replace(":", "")
    row = db.conn.execute(
        "SELECT serial, encryption FROM credentials WHERE serial = ?"
        " OR encryption IN (SELECT fingerprint FROM peers WHERE serial = ?)",
        (wanted, wanted),
    ).fetchone()
    serials = [wanted]
    if row is not None:
        partner = db.conn.execute(
            "SELECT serial FROM peers WHERE fingerprint = ?", (row["encryption"],)
        ).fetchone()
        serials = [row["serial"], *([partner[0]] if partner else [])]
    crl = None
    for s in serials:
        crl = keys.revoke(ca_folder, ca_passphrase, s, reason)
    assert crl is not None
    if load_identity(data) is not None:
        install_newer_crl(data, crl)
    with transaction(db) as conn:
        for s in serials:
            conn.execute(
                "UPDATE credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE serial = ?", (now(), s)
            )
    return serials


def credentials_for(db: sqlite_utils.Database, who: str) -> sqlite3.Row:
    """The latest unrevoked credential issued here to a person (roster id, id in the certificate, name)."""
    row = db.conn.execute(
        "SELECT * FROM credentials WHERE revoked_at IS NULL AND (roster_id = ? OR person_id = ? OR name = ?)"
        " ORDER BY not_after DESC, issued_at DESC LIMIT 1",
        (who, who, who),
    ).fetchone()
    if row is None:
        if who.startswith(ORG_PREFIX):  # a station's representative has a command of its own
            raise NotFoundError(_("中心尚未给该鉴定站（所）代表签发有效证书（keys issue-station）"), who)
        raise NotFoundError(_("中心尚未给此人签发有效证书（keys issue）"), who)
    return row  # type: ignore[no-any-return]


# --- peers ----------------------------------------------------------------------------------------


def add_peer(
    conn: sqlite3.Connection,
    cert: x509.Certificate,
    *,
    pair: x509.Certificate | None = None,
    roster_id: str | None = None,
) -> bool:
    """Remember another party's certificate; returns whether it was new."""
    fp = keys.fingerprint(cert)
    known = conn.execute("SELECT roster_id FROM peers WHERE fingerprint = ?", (fp,)).fetchone()
    if known is not None:
        if roster_id and not known[0]:
            conn.execute("UPDATE peers SET roster_id = ? WHERE fingerprint = ?", (roster_id, fp))
        return False
    d = describe(cert)
    conn.execute(
        "INSERT INTO peers (fingerprint, purpose, pair, person_id, roster_id, name, role, centre, serial,"
        " not_after, pem, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            fp,
            keys.ENCRYPTION if allows(cert, keys.ENCRYPTION) else keys.SIGNING,
            keys.fingerprint(pair) if pair is not None else None,
            d["person_id"],
            roster_id,
            d["name"],
            d["role"],
            int(d["centre"]),
            d["serial"],
            d["not_after"],
            _pem(cert).decode("ascii"),
            now(),
        ),
    )
    return True


def peer_certificate(row: sqlite3.Row) -> x509.Certificate:
    return _cert(str(row["pem"]).encode("ascii"))


def find_recipient(db: sqlite_utils.Database, who: str | None) -> x509.Certificate:
    """The encryption certificate to send to: a PEM file, a fingerprint, a person, or the centre."""
    conn = db.conn
    if who is None:
        row = conn.execute(
            "SELECT * FROM peers WHERE purpose = 'encryption' AND centre = 1 ORDER BY not_after DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise NotFoundError(_("本机不知道中心的加密证书：请先导入中心的派发数据包，或用 --to 指定"))
        return peer_certificate(row)
    path = Path(who)
    if who.endswith((".pem", ".crt")) and path.is_file():
        try:
            cert = _cert(path.read_bytes())
        except ValueError:
            raise UsageError(_("不是有效的证书文件"), who) from None
        if not allows(cert, keys.ENCRYPTION):
            raise UsageError(_("证书不允许用于密钥协商（加密）"), who)
        return cert
    key = who.strip().upper().replace(":", "")
    rows = conn.execute(
        "SELECT * FROM peers WHERE purpose = 'encryption' AND (fingerprint LIKE ? OR roster_id = ?"
        " OR person_id = ? OR name = ?) ORDER BY not_after DESC",
        (key + "%" if len(key) >= 8 else "-", who, who, who),
    ).fetchall()
    # the same person may hold several certificates over the years: the newest counts
    people = {(r["person_id"], r["name"]) for r in rows}
    if not rows:
        raise NotFoundError(_("找不到收件人的加密证书"), who)
    if len(people) > 1:
        raise UsageError(_("收件人不唯一，请用证书指纹指定"), who)
    return peer_certificate(rows[0])


def list_peers(db: sqlite_utils.Database) -> list[sqlite3.Row]:
    """Every certificate of others this folder holds (the centre, team members), by name."""
    return list(db.conn.execute("SELECT * FROM peers ORDER BY name, purpose"))


def issued_credentials(db: sqlite_utils.Database) -> list[sqlite3.Row]:
    """At the centre: every credential it issued, revoked ones too, oldest first."""
    return list(db.conn.execute("SELECT * FROM credentials ORDER BY issued_at"))


def issued_recipients(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """At the centre: (roster id or person id, name, card number) of every unrevoked credential,
    the people an assignment bundle can be addressed to."""
    return [
        (row[0] or row[2], row[1], row[2])
        for row in db.conn.execute(
            "SELECT roster_id, name, person_id FROM credentials WHERE revoked_at IS NULL ORDER BY name"
        )
    ]


def team_recipients(db: sqlite_utils.Database, own_fingerprint: str) -> list[tuple[str, str]]:
    """On a laptop: (roster id or person id, name) of the team members whose encryption
    certificates it holds, other than its own."""
    return [
        (row[1] or row[2], row[0])
        for row in db.conn.execute(
            "SELECT name, roster_id, person_id FROM peers WHERE purpose = 'encryption' AND centre = 0"
            " AND fingerprint != ? ORDER BY name",
            (own_fingerprint,),
        )
    ]
