"""A person's PKCS#12 credential sealed with their passphrase: scrypt, then AES-256-GCM.

Why a seal around a PKCS#12 that is already encrypted: cryptography writes the PKCS#12 MAC with a
fixed 2,048 rounds of the PKCS#12 KDF, whatever rounds the key's own encryption uses. The MAC is
keyed by the passphrase, so it checks a guessed passphrase in well under a millisecond: a 6-digit
PIN on a lost stick (an assignment bundle carries the credentials) or laptop falls to a search of
minutes. Sealed, every guess costs one scrypt (memory-hard; 64 MiB and about 0.3 s here), and the
PKCS#12 inside, MAC and all, is only reachable with the right passphrase. The seal is an AEAD, so
what opens was made by someone who knew the passphrase. That proves the credentials, not the CA
inside them: a fresh laptop trusts that CA only after the user compared its fingerprint with the
centre's (docs/bundle-format.md, import step 6).

Layout (all integers unsigned, big-endian)::

    magic   8 bytes   b"INSP12S1"
    log2_n  1 byte    scrypt cost N = 2**log2_n        (10..20)
    r       1 byte    scrypt block size                 (1..16)
    p       1 byte    scrypt parallelism                (1..4)
    salt    16 bytes
    nonce   12 bytes
    sealed  rest      AES-256-GCM(key = scrypt(passphrase UTF-8, salt, N, r, p, 32 bytes),
                                  nonce, the PKCS#12 DER, associated data = the 39 header bytes)

A credential issued before sealing (plain PKCS#12 DER) still opens, but only when it carries a
PKCS#12 MAC that verifies with the passphrase (:func:`open_sealed`): a PKCS#12 without a MAC opens
under *any* password (its key may be stored in the clear), so passing unsealed bytes through
would let a stranger's file pass for one the centre made. A CA key made before sealing (encrypted
PKCS#8 PEM, whose own decryption checks the passphrase) is the other legacy form, asked for by name.
"""

from __future__ import annotations

import os
import struct
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import pkcs12

MAGIC = b"INSP12S1"
_HEADER = struct.Struct(">8sBBB16s12s")
HEADER_SIZE = _HEADER.size  # 39

#: scrypt cost for new seals (RFC 7914 parameters; OWASP's minimum is N=2**17 with r=8 at p=1
#: for password storage: a credential is opened once per signing or bundle, on a laptop that may
#: be slow, so N=2**16 with r=8, which is 64 MiB).
DEFAULT_LOG2_N = 16
LOG2_N = DEFAULT_LOG2_N
R = 8
P = 1


class SealError(ValueError):
    """The passphrase does not open it, or it is not a credential (the caller words the message)."""


def seal(p12: bytes, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    header = _HEADER.pack(MAGIC, LOG2_N, R, P, salt, nonce)
    key = _key(passphrase, salt, LOG2_N, R, P)
    return header + AESGCM(key).encrypt(nonce, p12, header)


def is_sealed(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC


def open_sealed(data: bytes, passphrase: str, *, legacy: Literal["pkcs12", "pkcs8"] = "pkcs12") -> bytes:
    """The PKCS#12 inside. Unsealed bytes (made before sealing) are returned as they are only when
    they are the ``legacy`` form and prove the passphrase: a PKCS#12 whose MAC verifies with it,
    or (``legacy="pkcs8"``, the CA key) an *encrypted* PKCS#8 PEM, which its loader decrypts with it.
    """
    if not is_sealed(data):
        if legacy == "pkcs8":
            if not data.lstrip().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"):
                raise SealError("format")
            return data
        check_pkcs12_mac(data, passphrase)
        return data
    if len(data) < HEADER_SIZE + 16:
        raise SealError("truncated")
    _magic, log2_n, r, p, salt, nonce = _HEADER.unpack_from(data)
    # A file from a stick is not trusted to choose how much memory and time opening it costs.
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        raise SealError("parameters")
    key = _key(passphrase, salt, log2_n, r, p)
    try:
        return AESGCM(key).decrypt(nonce, data[HEADER_SIZE:], data[:HEADER_SIZE])
    except InvalidTag:
        raise SealError("passphrase") from None


def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def check_pkcs12_mac(der: bytes, passphrase: str) -> None:
    """Refuse a PKCS#12 that has no MAC, or whose MAC does not verify with ``passphrase``.

    Without a MAC nothing in the file proves its maker knew the passphrase: OpenSSL opens such a
    file under any password. With one, OpenSSL (through cryptography) verifies it on loading.
    """
    from asn1crypto import pkcs12 as asn1_pkcs12  # type: ignore[import-untyped]  # pyHanko's ASN.1 library, a declared dependency

    try:
        pfx = asn1_pkcs12.Pfx.load(der, strict=True)
        has_mac = pfx["mac_data"].native is not None
    except Exception:  # asn1crypto raises ValueError, TypeError, KeyError... on hostile DER
        raise SealError("format") from None
    if not has_mac:
        raise SealError("no MAC")
    try:
        pkcs12.load_pkcs12(der, passphrase.encode("utf-8"))
    except ValueError:
        raise SealError("passphrase") from None
