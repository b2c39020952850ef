"""A backup encrypted with its passphrase, in chunks: scrypt, then AES-256-GCM per MiB (STREAM).

Why chunks: a backup carries every evidence photo and may run to gigabytes; one AES-GCM message
would have to sit whole in memory on both ends. Each chunk is sealed on its own with a nonce made
of a random prefix, the chunk's number and a "last chunk" flag (the STREAM construction of Hoang,
Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
Misuse-Resistance", CRYPTO 2015), so chunks cannot be reordered, dropped, or cut off at the end
without the opening failing. The header is the associated data of every chunk.

Why scrypt with N=2**16, r=8 (64 MiB per guess): as for the credentials (inspector.crypto.sealing),
a backup on a lost stick must make every guess of the passphrase cost memory and time.

Layout (integers unsigned, big-endian)::

    magic    8 bytes  b"INSPBAK1"
    log2_n   1 byte   scrypt N = 2**log2_n   (10..20)
    r        1 byte   (1..16)
    p        1 byte   (1..4)
    salt     16 bytes
    prefix   7 bytes  nonce prefix
    chunk    4 bytes  plaintext bytes per chunk (4 KiB..16 MiB)
    then the chunks: AES-256-GCM(key, prefix ‖ counter (4 bytes) ‖ last (1 byte), chunk, header)

The plaintext is the backup zip (inspector.store.backup). A file without the magic is a plain zip
backup made before encryption, and still restores.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"INSPBAK1"
_HEADER = struct.Struct(">8sBBB16s7sI")
HEADER_SIZE = _HEADER.size  # 38
TAG = 16
CHUNK = 1 << 20
LOG2_N = 16
R = 8
P = 1


class BackupSealError(ValueError):
    """Not an encrypted backup, a wrong passphrase, or a damaged or cut-off file (args[0] says which)."""


def is_encrypted(path_or_head: bytes) -> bool:
    return path_or_head[: len(MAGIC)] == MAGIC


def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, int(last))


class SealingWriter:
    """A write-only stream that encrypts into ``out`` (zipfile writes through it; not seekable)."""

    def __init__(self, out: BinaryIO, passphrase: str) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._header = _HEADER.pack(MAGIC, LOG2_N, R, P, salt, self._prefix, CHUNK)
        self._aead = AESGCM(_key(passphrase, salt, LOG2_N, R, P))
        self._out = out
        self._buf = bytearray()
        self._counter = 0
        out.write(self._header)

    def write(self, data: bytes) -> int:
        self._buf += data
        while len(self._buf) > CHUNK:  # keep at least one byte back: the last chunk is flagged
            self._emit(bytes(self._buf[:CHUNK]), last=False)
            del self._buf[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        """Seal the last chunk (possibly empty); the output stream stays open."""
        self._emit(bytes(self._buf), last=True)
        self._buf.clear()
        self._out.flush()

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        if self._counter >= 2**32 - 1:
            raise BackupSealError("too large")
        self._out.write(self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._header))
        self._counter += 1


def unseal(src: BinaryIO, passphrase: str, out: BinaryIO) -> None:
    """Decrypt an encrypted backup from ``src`` into ``out``; raises :class:`BackupSealError`."""
    header = src.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE or not is_encrypted(header):
        raise BackupSealError("format")
    _magic, log2_n, r, p, salt, prefix, chunk = _HEADER.unpack(header)
    # the file does not choose how much memory and time opening it costs
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4 and 4096 <= chunk <= 16 << 20):
        raise BackupSealError("parameters")
    aead = AESGCM(_key(passphrase, salt, log2_n, r, p))
    counter = 0
    block = src.read(chunk + TAG)
    while True:
        following = src.read(chunk + TAG)
        last = not following
        try:
            out.write(aead.decrypt(_nonce(prefix, counter, last), block, header))
        except InvalidTag:
            raise BackupSealError("passphrase" if counter == 0 else "damaged") from None
        if last:
            return
        block, counter = following, counter + 1
