"""The sync bundle file: names, limits, the manifest, its signature, the encrypted payload.

A bundle (``*.inspbundle``) is a canonical stored ZIP (:mod:`inspector.bundles.container`) holding, in
this order: ``manifest.json`` (canonical JSON), ``manifest.sig`` (the sender's ECDSA P-256 SHA-256
signature over the exact manifest bytes, DER), ``sender.pem`` (the sender's certificates and the
CA), for an assignment the ``credentials/…`` of the person it is for (already passphrase-encrypted
PKCS#12, the CA certificate and revocation list: outside the payload because a fresh laptop needs
them to open it), and ``payload.bin``: an inner ZIP encrypted with HPKE (RFC 9180, base mode,
DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) to the recipient's encryption certificate.

The manifest names and hashes every member, inner ones included, so one signature covers it all;
docs/bundle-format.md is the reference another program can be written from.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from inspector.errors import BundleError
from inspector.i18n import _
from inspector.store.changes import canonical

FORMAT = "inspector-bundle/1"
SUFFIX = ".inspbundle"
ENCRYPTION = "HPKE-P256-SHA256-AES256GCM"
ASSIGNMENT, RESULTS = "assignment", "results"
# issue 19: the centre asks a station for its self-assessment (with the station representative's
# credential, like an assignment); the station returns it signed
SELF_REQUEST, SELF_RESULTS = "self-assessment-request", "self-assessment"
KINDS = (ASSIGNMENT, RESULTS, SELF_REQUEST, SELF_RESULTS)
FROM_CENTRE = (ASSIGNMENT, SELF_REQUEST)  # signed by the centre, may carry a credential outside

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SENDER = "sender.pem"
PAYLOAD = "payload.bin"
CRED_SIGNING = "credentials/signing.p12"
CRED_ENCRYPTION = "credentials/encryption.p12"
CRED_CA = "credentials/ca.crt.pem"
CRED_CRL = "credentials/ca.crl.pem"
CREDENTIALS = (CRED_SIGNING, CRED_ENCRYPTION, CRED_CA, CRED_CRL)
OUTER_ORDER = (MANIFEST, SIGNATURE, SENDER, *CREDENTIALS, PAYLOAD)

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
# The payload is decrypted in one piece (HPKE single-shot): its cap is what a laptop can hold in
# memory twice over. One evidence file is at most 200 MB (inspector.store.evidence.MAX_BYTES).
MAX_INNER_TOTAL = 1 * GiB
MAX_PAYLOAD = MAX_INNER_TOTAL + 64 * MiB  # the inner ZIP's own headers, the HPKE overhead
OUTER_LIMITS: dict[str, int] = {
    MANIFEST: 8 * MiB,
    SIGNATURE: 128,
    SENDER: 64 * KiB,
    **{name: 64 * KiB for name in CREDENTIALS},
    PAYLOAD: MAX_PAYLOAD,
}
MAX_INNER_MEMBERS = 200_000
MAX_RATIO = 100  # uncompressed / compressed, for members over 1 MiB: beyond it is a bomb, not JSON
MAX_LINE = 4 * MiB  # one change in changes.jsonl

# Inner members
CHANGES = "changes.jsonl"
ORGS = "orgs.json"
EVIDENCE_INDEX = "evidence.json"
PDFS_INDEX = "pdfs.json"
ASSIGNMENT_FILE = "assignment.json"
REQUEST_FILE = "request.json"
# a station's proposed 登记表 changes (issue 19), riding in its self-assessment bundle
CORRECTIONS_FILE = "register_corrections.json"
_HEX64 = "[0-9a-f]{64}"
_INNER_NAMES = re.compile(
    rf"^(?:{CHANGES}|{ORGS}|{EVIDENCE_INDEX}|{PDFS_INDEX}|{ASSIGNMENT_FILE}|{REQUEST_FILE}|{CORRECTIONS_FILE}"
    rf"|rubrics/[A-Za-z0-9][A-Za-z0-9_.-]{{0,120}}-v[1-9][0-9]{{0,8}}\.toml"
    rf"|evidence/{_HEX64}"
    rf"|pdfs/[0-9a-f]{{32}}/{_HEX64}\.pdf"
    rf"|certs/[0-9A-F]{{64}}\.pem)$"
)
_COMPRESSIBLE = re.compile(r"\.(jsonl|json|toml|pem)$")
COUNT_KEYS = ("evaluations", "changes", "evidence", "rubrics", "orgs", "pdfs", "certificates", "credentials")


def inner_name_ok(name: str) -> bool:
    """The inner names are fixed patterns: no folder can be climbed out of, nothing absolute."""
    return bool(_INNER_NAMES.fullmatch(name))


def outer_limit(name: str) -> int | None:
    return OUTER_LIMITS.get(name)


# --- crypto ---------------------------------------------------------------------------------------


def _suite() -> Suite:
    return Suite(KEM.P256, KDF.HKDF_SHA256, AEAD.AES_256_GCM)


def hpke_info(bundle: str, kind: str) -> bytes:
    """HPKE ``info``: binds the ciphertext to this bundle id and kind (the recipient key is in the KEM)."""
    return f"{FORMAT}|{bundle}|{kind}".encode("ascii")


def encrypt_payload(plaintext: bytes, recipient: x509.Certificate, bundle: str, kind: str) -> bytes:
    public = recipient.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise BundleError(_("收件人的证书不是 P-256 密钥"))
    return _suite().encrypt(plaintext, public, info=hpke_info(bundle, kind))


def decrypt_payload(ciphertext: bytes, key: ec.EllipticCurvePrivateKey, bundle: str, kind: str) -> bytes:
    try:
        return _suite().decrypt(ciphertext, key, info=hpke_info(bundle, kind))
    except (InvalidTag, ValueError):
        raise BundleError(_("无法解密：数据包内容被改动，或不是发给本机密钥的"), PAYLOAD) from None


def sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def signature_valid(cert: x509.Certificate, data: bytes, signature: bytes) -> bool:
    try:
        public = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):  # a key type cryptography cannot load: not ours
        return False
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return False
    try:
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- the manifest ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    raw: bytes
    data: dict[str, Any]
    bundle: str
    kind: str
    created: dt.datetime
    sender: dict[str, Any]
    recipient: dict[str, Any]
    counts: dict[str, int]
    payload: Member
    members: dict[str, Member]  # inner, plaintext
    outer: dict[str, Member]  # sender.pem and credentials/… in the container


def manifest_bytes(data: Mapping[str, Any]) -> bytes:
    return canonical(dict(data)).encode("utf-8")


def _bad(message: str, where: str = MANIFEST) -> BundleError:
    return BundleError(message, where)


def _field(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise _bad(_("清单缺少字段 {key}").format(key=f"{where}{key}"))
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _bad(_("清单字段 {key} 的类型不对").format(key=f"{where}{key}"))
    return value


def _member(obj: Any, where: str) -> Member:
    sha = _field(obj, "sha256", str, where)
    size = _field(obj, "size", int, where)
    if not re.fullmatch(_HEX64, sha) or size < 0:
        raise _bad(_("清单字段 {key} 的值不对").format(key=where.rstrip(".")))
    return Member(sha, size)


def parse_manifest(raw: bytes) -> Manifest:
    """Check the manifest's form: canonical JSON (so that no two readers can see different values),
    every field present with its type, names allowed, sizes within the caps."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise _bad(_("清单不是有效的 JSON")) from None
    if not isinstance(data, dict) or manifest_bytes(data) != raw:
        raise _bad(_("清单不是规范格式（键序、空白或重复键）"))
    if data.get("format") != FORMAT:
        raise _bad(_("不认识的数据包格式：{f}").format(f=str(data.get("format"))[:40]))
    bundle = _field(data, "bundle", str, "")
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", bundle):
        raise _bad(_("数据包编号不是 UUID"))
    kind = _field(data, "kind", str, "")
    if kind not in KINDS:
        raise _bad(_("数据包类型应为 {kinds} 之一").format(kinds="、".join(KINDS)))
    try:
        created = dt.datetime.fromisoformat(_field(data, "created", str, ""))
    except ValueError:
        raise _bad(_("清单中的创建时间格式不对")) from None
    if created.tzinfo is None:
        raise _bad(_("清单中的创建时间没有时区"))
    sender = _field(data, "sender", dict, "")
    for key in ("certificate", "encryption_certificate", "device", "name", "serial"):
        _field(sender, key, str, "sender.")
    recipient = _field(data, "recipient", dict, "")
    for key in ("certificate", "name"):
        _field(recipient, key, str, "recipient.")
    counts_obj = _field(data, "counts", dict, "")
    counts = {k: _field(counts_obj, k, int, "counts.") for k in COUNT_KEYS}
    for key in ("evaluations", "since"):
        _field(data, key, list, "")
    _field(data, "full", bool, "")
    payload_obj = _field(data, "payload", dict, "")
    if _field(payload_obj, "encryption", str, "payload.") != ENCRYPTION:
        raise _bad(_("不支持的加密方式"))
    payload = _member(payload_obj, "payload.")
    if payload.size > MAX_PAYLOAD:
        raise _bad(_("声明的内容过大（{n} 字节）").format(n=payload.size), PAYLOAD)
    members: dict[str, Member] = {}
    for name, spec in _field(payload_obj, "members", dict, "payload.").items():
        if not inner_name_ok(name):
            raise _bad(_("不允许的成员名称"), name)
        members[name] = _member(spec, f"payload.members.{name}.")
    if len(members) > MAX_INNER_MEMBERS or sum(m.size for m in members.values()) > MAX_INNER_TOTAL:
        raise _bad(_("声明的内容过大（{n} 字节）").format(n=sum(m.size for m in members.values())), PAYLOAD)
    if CHANGES not in members:
        raise _bad(_("清单中没有 {name}").format(name=CHANGES))
    outer: dict[str, Member] = {}
    for name, spec in _field(data, "outer", dict, "").items():
        if name not in (SENDER, *CREDENTIALS):
            raise _bad(_("不允许的成员名称"), name)
        outer[name] = _member(spec, f"outer.{name}.")
        if outer[name].size > OUTER_LIMITS[name]:
            raise _bad(_("声明的内容过大（{n} 字节）").format(n=outer[name].size), name)
    if SENDER not in outer:
        raise _bad(_("清单中没有 {name}").format(name=SENDER))
    if len(outer) > 1 and kind not in FROM_CENTRE:
        raise _bad(_("只有派发数据包可以携带证书文件"))
    return Manifest(raw, data, bundle, kind, created, sender, recipient, counts, payload, members, outer)


# --- the inner ZIP --------------------------------------------------------------------------------


def build_inner(members: Mapping[str, bytes]) -> bytes:
    """The plaintext payload: a ZIP with fixed timestamps (the same content, the same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if _COMPRESSIBLE.search(name) else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            z.writestr(info, members[name])
    return out.getvalue()


def read_inner(plaintext: bytes, declared: Mapping[str, Member]) -> dict[str, bytes]:
    """The inner members, each checked against the manifest before and after it is read.

    Sizes are checked from the headers first and then on the bytes actually produced (reading at
    most the declared size plus one), so a member that lies about its size, or inflates like a bomb,
    is refused before it can fill memory.
    """
    import hashlib

    try:
        z = zipfile.ZipFile(io.BytesIO(plaintext))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):  # "zip file version 15.8"
        raise BundleError(_("内容不是有效的 ZIP"), PAYLOAD) from None
    names = [i.filename for i in infos]
    if len(names) != len(set(names)):
        dup = next(n for n in names if names.count(n) > 1)
        raise BundleError(_("成员名称重复"), dup)
    for name in names:
        if not inner_name_ok(name):
            raise BundleError(_("不允许的成员名称"), name[:120])
        if name not in declared:
            raise BundleError(_("清单中没有这个成员"), name)
    missing = sorted(set(declared) - set(names))
    if missing:
        raise BundleError(_("清单中的成员不在数据包里"), missing[0])
    out: dict[str, bytes] = {}
    for info in infos:
        spec = declared[info.filename]
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleError(_("成员使用了不支持的压缩或加密方式"), info.filename)
        if info.file_size != spec.size:
            raise BundleError(_("成员大小与清单不符"), info.filename)
        if info.file_size > MiB and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise BundleError(_("成员的压缩比异常（疑似压缩炸弹）"), info.filename)
        try:
            with z.open(info) as f:
                data = f.read(spec.size + 1)
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
            RuntimeError,
            zlib.error,
            NotImplementedError,
        ):
            raise BundleError(_("成员已损坏"), info.filename) from None
        if len(data) != spec.size:
            raise BundleError(_("成员大小与清单不符"), info.filename)
        if hashlib.sha256(data).hexdigest() != spec.sha256:
            raise BundleError(_("成员内容与清单中的 SHA-256 不符"), info.filename)
        out[info.filename] = data
    return out
