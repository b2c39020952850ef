"""Opening a bundle file: everything that can be checked before the store is looked at.

The order is the order of docs/bundle-format.md ("Verification"), cheapest and least trusting
first, so that a hostile file is refused before anything in it is believed:

1. the container (:mod:`inspector.bundles.container`): canonical layout, allowed names in order, caps;
2. the manifest: canonical JSON, every field, sizes within the caps;
3. the signature over the manifest bytes with the sender's certificate from ``sender.pem``;
4. every outer member and the payload against the manifest's SHA-256 and size;
5. the sender's certificates: issued by the CA this folder trusts, valid when the bundle was made,
   not on the revocation list, allowed to sign, of the role the kind needs (an assignment from the
   centre, results from a supervisor);
6. the recipient: this folder's encryption certificate (or, on a laptop being set up, the one in
   the carried credentials, opened with the person's passphrase);
7. decryption (HPKE) and every inner member against the manifest.

Steps 1–6 need no key: ``bundle verify`` on a machine that is not the recipient stops there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography import x509

from inspector.bundles.container import Entry, member_bytes, member_digest, read_container
from inspector.bundles.format import (
    CRED_CA,
    CRED_CRL,
    CRED_ENCRYPTION,
    CRED_SIGNING,
    FROM_CENTRE,
    MANIFEST,
    OUTER_ORDER,
    PAYLOAD,
    RESULTS,
    SELF_RESULTS,
    SENDER,
    SIGNATURE,
    Manifest,
    decrypt_payload,
    outer_limit,
    parse_manifest,
    read_inner,
    signature_valid,
)
from inspector.crypto import keys, sealing
from inspector.crypto.identity import (
    Identity,
    Keyring,
    OpenedPair,
    certificate_problem,
    crl_number,
    describe,
    is_centre,
    is_station,
    load_identity,
    open_pair,
    unlock_identity,
)
from inspector.errors import BundleError, SigningError, VerificationError, WrongPassphrase
from inspector.i18n import _, os_reason

CLOCK_SKEW = dt.timedelta(days=1)
# A sender certificate that expired at most this long before the import is still accepted, with a
# warning: results made on the last valid day reach the centre some days later. The product's own
# choice (no document sets it): short, so that a backdated manifest buys nothing.
EXPIRY_GRACE = dt.timedelta(days=7)
KEEP_PAYLOAD = 64 << 20  # a laptop's clock may be wrong by hours, not by days
MAX_SENDER_CERTS = 8


@dataclass
class Container:
    """A bundle file whose structure, manifest, signature and hashes are checked."""

    path: Path
    manifest: Manifest
    sender: x509.Certificate
    sender_encryption: x509.Certificate
    outer: dict[str, bytes]
    checked: list[str] = field(default_factory=list)
    payload: bytes | None = field(default=None, repr=False)  # the ciphertext, when small
    warnings: list[str] = field(default_factory=list)  # e.g. a sender certificate in its grace period


def _parse_pems(data: bytes, where: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise BundleError(_("不是有效的证书文件"), where) from None
    if not certs or len(certs) > MAX_SENDER_CERTS:
        raise BundleError(_("证书数量不对"), where)
    return certs


def _by_fingerprint(certs: list[x509.Certificate], fp: str, where: str) -> x509.Certificate:
    for cert in certs:
        if keys.fingerprint(cert) == fp:
            return cert
    raise BundleError(_("清单所说的发件人证书不在 {name} 中").format(name=SENDER), where)


def read_checked(path: Path) -> Container:
    """Steps 1–4: a well-formed, signed, intact bundle (signed by *someone*: trust comes next)."""
    try:
        f: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed below, the entries need the handle)
    except OSError as e:
        raise BundleError(_("无法读取数据包：{e}").format(e=os_reason(e)), str(path)) from None
    with f:
        total = path.stat().st_size
        entries = read_container(f, total, outer_limit)
        by_name = {e.name: e for e in entries}
        order = [n for n in OUTER_ORDER if n in by_name]
        if [e.name for e in entries] != order:
            raise BundleError(_("成员顺序不是规范顺序"), str(path))
        for required in (MANIFEST, SIGNATURE, SENDER, PAYLOAD):
            if required not in by_name:
                raise BundleError(_("缺少成员"), required)
        manifest = parse_manifest(member_bytes(f, by_name[MANIFEST]))
        signature = member_bytes(f, by_name[SIGNATURE])
        certs = _parse_pems(member_bytes(f, by_name[SENDER]), SENDER)
        sender = _by_fingerprint(certs, manifest.sender["certificate"], SENDER)
        if not signature_valid(sender, manifest.raw, signature):
            raise BundleError(_("签名与清单不符（清单被改动，或签名不是发件人的）"), SIGNATURE)
        checked = ["container", "manifest", "signature"]
        sender_encryption = _by_fingerprint(certs, manifest.sender["encryption_certificate"], SENDER)
        extra = set(by_name) - {MANIFEST, SIGNATURE, PAYLOAD}
        if extra != set(manifest.outer):
            name = sorted(extra ^ set(manifest.outer))[0]
            raise BundleError(_("成员与清单不一致"), name)
        outer: dict[str, bytes] = {}
        for name, spec in manifest.outer.items():  # sender.pem too: every byte of it is signed for
            outer[name] = _checked_bytes(f, by_name[name], spec.size, spec.sha256)
        payload = by_name[PAYLOAD]
        kept: bytes | None = None
        if payload.size != manifest.payload.size:
            raise BundleError(_("内容与清单中的 SHA-256 不符（被改动或被调换）"), PAYLOAD)
        if payload.size <= KEEP_PAYLOAD:  # hashed once and kept for decryption: read once
            kept = member_bytes(f, payload)
            digest = hashlib.sha256(kept).hexdigest()
        else:  # hashed streaming: a hostile file cannot make us hold it before the signature holds
            digest = member_digest(f, payload)
        if digest != manifest.payload.sha256:
            raise BundleError(_("内容与清单中的 SHA-256 不符（被改动或被调换）"), PAYLOAD)
        checked.append("hashes")
    return Container(path, manifest, sender, sender_encryption, outer, checked, kept)


def _checked_bytes(f: BinaryIO, entry: Entry, size: int, sha256: str) -> bytes:
    data = member_bytes(f, entry)
    if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
        raise BundleError(_("成员内容与清单中的 SHA-256 不符"), entry.name)
    return data


def _claims_match(c: Container) -> None:
    """What the manifest says about the sender is what its certificates say."""
    s = c.manifest.sender
    if s["serial"] != keys.serial_hex(c.sender.serial_number) or s["name"] != keys.common_name(
        c.sender.subject
    ):
        raise BundleError(_("清单中的发件人与其证书不符"), MANIFEST)
    if c.sender_encryption.subject != c.sender.subject:
        raise BundleError(_("发件人的加密证书与签名证书不属于同一人"), SENDER)


def carried_crl(c: Container, ca: x509.Certificate) -> x509.CertificateRevocationList | None:
    data = c.outer.get(CRED_CRL)
    if data is None:
        return None
    crl = keys.parse_crl(data, CRED_CRL)
    try:
        keys.is_revoked(ca, crl, ca)
    except VerificationError:
        raise BundleError(_("吊销列表（CRL）不是由该中心签发的"), CRED_CRL) from None
    return crl


def newest_crl(
    a: x509.CertificateRevocationList | None, b: x509.CertificateRevocationList | None
) -> x509.CertificateRevocationList | None:
    if a is None or b is None:
        return a or b
    return a if crl_number(a) >= crl_number(b) else b


def check_sender(c: Container, ca: x509.Certificate, crl: x509.CertificateRevocationList | None) -> None:
    """Step 5: the sender is someone the centre vouches for, and may send this kind."""
    _claims_match(c)
    m = c.manifest
    at = m.created
    if at > dt.datetime.now(dt.UTC) + CLOCK_SKEW:
        raise BundleError(_("数据包的创建时间在未来（{t}）").format(t=at.isoformat()), MANIFEST)
    if crl is not None:
        try:
            keys.is_revoked(ca, crl, ca)  # the list's own signature, once
        except VerificationError:
            raise BundleError(_("吊销列表（CRL）不是由该中心签发的"), SENDER) from None
    imported = dt.datetime.now(dt.UTC)
    for cert, purpose in ((c.sender, keys.SIGNING), (c.sender_encryption, keys.ENCRYPTION)):
        problem = certificate_problem(cert, ca, crl, at, purpose, crl_checked=True)
        if problem:
            raise BundleError(_("发件人证书：{p}").format(p=problem), SENDER)
        # judged at the import too: ``created`` is only what the sender says (rule 7)
        expired = imported - cert.not_valid_after_utc
        if expired > EXPIRY_GRACE:
            raise BundleError(
                _("发件人证书：导入时已过期（{t} 到期，超过宽限期 {d} 天）").format(
                    t=cert.not_valid_after_utc.isoformat(timespec="seconds"), d=EXPIRY_GRACE.days
                ),
                SENDER,
            )
        if expired > dt.timedelta(0):
            warning = _("发件人证书已于 {t} 到期，仍在 {d} 天宽限期内：请尽快换发").format(
                t=cert.not_valid_after_utc.isoformat(timespec="seconds"), d=EXPIRY_GRACE.days
            )
            if warning not in c.warnings:
                c.warnings.append(warning)
    if m.kind in FROM_CENTRE and not is_centre(c.sender):
        raise BundleError(_("派发数据包只能由中心签发，发件人不是中心"), SENDER)
    if m.kind not in FROM_CENTRE and is_centre(c.sender):
        raise BundleError(_("结果数据包应由督导员发出，发件人是中心"), SENDER)
    if m.kind == SELF_RESULTS and not is_station(c.sender):
        raise BundleError(_("自查自评数据包只能由鉴定站（所）代表发出，发件人不是鉴定站"), SENDER)
    if m.kind == RESULTS and is_station(c.sender):
        raise BundleError(_("鉴定站（所）只能发出本站的自查自评数据包，不能发出检查结果"), SENDER)
    c.checked.append("sender")


@dataclass
class Opened:
    """A bundle verified through step 7: the plaintext members, and how it was opened."""

    container: Container
    members: dict[str, bytes]
    ca: x509.Certificate
    crl: x509.CertificateRevocationList | None
    identity: Identity | None
    carried: OpenedPair | None  # the person's credentials, when they came with this bundle


def _carried_pair(c: Container, passphrase: str | None) -> OpenedPair:
    if CRED_SIGNING not in c.outer or CRED_ENCRYPTION not in c.outer:
        raise BundleError(_("数据包不是发给本机的，也没有携带本机可用的证书"), MANIFEST)
    for name in (CRED_SIGNING, CRED_ENCRYPTION):
        # a bundle never carries an unsealed credential: only the seal (an AEAD keyed by the
        # passphrase) proves that whoever made the file knew the person's passphrase
        if not sealing.is_sealed(c.outer[name]):
            raise BundleError(_("随包携带的证书未用口令封装，不予接受"), name)
    if passphrase is None:
        raise BundleError(_("需要证书口令才能打开随包携带的证书"), CRED_SIGNING)
    try:
        pair = open_pair(c.outer[CRED_SIGNING], c.outer[CRED_ENCRYPTION], passphrase)
    except WrongPassphrase:
        raise BundleError(
            _("口令错误：打不开随包携带的证书（请用中心另行告知的督导员证书口令）"), str(c.path)
        ) from None
    except SigningError as e:
        raise BundleError(e.message, CRED_SIGNING) from None
    if CRED_CA in c.outer and _parse_pems(c.outer[CRED_CA], CRED_CA)[0] != pair.ca:
        raise BundleError(_("随包的 CA 证书与证书文件中的不一致"), CRED_CA)
    return pair


def trust_of(c: Container, identity: Identity | None, pair: OpenedPair | None) -> x509.Certificate:
    if identity is not None:
        if pair is not None and pair.ca != identity.ca:
            raise BundleError(_("数据包来自另一个中心（CA 不同）"), CRED_CA)
        return identity.ca
    if pair is not None:
        return pair.ca
    raise BundleError(_("本机尚未信任任何中心 CA：无法核对发件人"), SENDER)


def normal_fingerprint(text: str) -> str:
    """A fingerprint as typed or read aloud (groups, colons, lower case) in the form printed."""
    return "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")


def first_anchor(c: Container, data: Path) -> str | None:
    """The CA fingerprint importing ``c`` would make this folder trust for the first time, or None.

    Read from the outer ``credentials/ca.crt.pem`` so that it can be shown before the passphrase is
    asked; :func:`open_bundle` checks it is the CA inside the credentials the passphrase opens.
    """
    if load_identity(data) is not None or c.manifest.kind not in FROM_CENTRE or CRED_CA not in c.outer:
        return None
    return keys.fingerprint(_parse_pems(c.outer[CRED_CA], CRED_CA)[0])


def _check_anchor(ca: x509.Certificate, given: str | None) -> None:
    """The first trust anchor is a decision: the user compared the fingerprint with the centre's."""
    fp = keys.fingerprint(ca)
    if given is None:
        raise BundleError(
            _(
                "首次导入派发数据包：请把中心 CA 证书指纹 {fp} 与中心给您的派发单逐字核对，"
                "一致后再确认（命令行：--ca-fingerprint）"
            ).format(fp=keys.group_fingerprint(fp)),
            CRED_CA,
        )
    if normal_fingerprint(given) != fp:
        raise BundleError(
            _("中心 CA 证书指纹与您核对的指纹不符（数据包中为 {fp}）：不予信任").format(
                fp=keys.group_fingerprint(fp)
            ),
            CRED_CA,
        )


def open_bundle(
    path: Path,
    data: Path,
    *,
    passphrase: str | None = None,
    keyring: Keyring | None = None,
    container: Container | None = None,
    ca_fingerprint: str | None = None,
) -> Opened:
    """Steps 1–7 for this data folder; raises :class:`BundleError` with the member and the rule.

    ``ca_fingerprint``: on a folder that trusts no CA yet, the fingerprint the user compared with
    the centre's (the window asks; ``bundle import --ca-fingerprint``); without it, refused.
    """
    c = container or read_checked(path)
    m = c.manifest
    identity = load_identity(data)  # from disk: the revocation list may be newer than the keyring
    wanted = m.recipient["certificate"]
    mine = (
        identity is not None
        and identity.encryption is not None
        and keys.fingerprint(identity.encryption) == wanted
    )
    pair: OpenedPair | None = None
    if not mine:
        if m.kind not in FROM_CENTRE or CRED_SIGNING not in c.outer:
            who = m.recipient.get("name", "?")
            raise BundleError(
                _("数据包不是发给本机的（收件人：{who}，证书 {fp}…）").format(who=who, fp=wanted[:16]),
                MANIFEST,
            )
        if identity is not None and (m.recipient.get("person_id"), m.recipient.get("name")) != (
            identity_person(identity),
            identity.name,
        ):
            raise BundleError(
                _("本机属于 {me}，数据包是发给 {who} 的").format(
                    me=identity.name, who=m.recipient.get("name")
                ),
                MANIFEST,
            )
        pair = _carried_pair(c, passphrase)
        if keys.fingerprint(pair.encryption) != wanted:
            raise BundleError(_("随包携带的证书不是本数据包的收件人"), CRED_ENCRYPTION)
        if identity is not None and identity.signing.subject != pair.signing.subject:
            raise BundleError(
                _("本机属于 {me}，数据包是发给 {who} 的").format(
                    me=identity.name, who=keys.common_name(pair.signing.subject)
                ),
                MANIFEST,
            )
    ca = trust_of(c, identity, pair)
    if identity is None:
        _check_anchor(ca, ca_fingerprint)
    crl = newest_crl(identity.crl if identity is not None else None, carried_crl(c, ca))
    check_sender(c, ca, crl)
    if pair is not None:
        problem = certificate_problem(pair.encryption, ca, crl, dt.datetime.now(dt.UTC), keys.ENCRYPTION)
        if problem:
            raise BundleError(_("随包携带的证书：{p}").format(p=problem), CRED_ENCRYPTION)
        key = pair.decryption_key
    else:
        if keyring is None:
            if passphrase is None:
                raise BundleError(_("需要本机证书的口令才能解密数据包"), PAYLOAD)
            try:
                keyring = unlock_identity(data, passphrase)
            except WrongPassphrase:
                raise BundleError(_("口令错误：本机证书的口令不对，无法解密数据包"), str(c.path)) from None
            except SigningError as e:
                raise BundleError(e.message, PAYLOAD) from None
        assert keyring.decryption_key is not None
        key = keyring.decryption_key
    ciphertext = c.payload
    if ciphertext is None:
        with open(path, "rb") as f:
            entries = read_container(f, path.stat().st_size, outer_limit)
            ciphertext = member_bytes(f, next(e for e in entries if e.name == PAYLOAD))
        if hashlib.sha256(ciphertext).hexdigest() != m.payload.sha256:  # the file changed since step 4
            raise BundleError(_("内容与清单中的 SHA-256 不符（被改动或被调换）"), PAYLOAD)
    plaintext = decrypt_payload(ciphertext, key, m.bundle, m.kind)
    del ciphertext
    members = read_inner(plaintext, m.members)
    c.checked += ["recipient", "decrypted", "members"]
    return Opened(c, members, ca, crl, identity, pair)


def identity_person(identity: Identity) -> str | None:
    return describe(identity.signing)["person_id"]  # type: ignore[no-any-return]
