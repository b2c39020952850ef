"""The seal around a person's PKCS#12: scrypt + AES-256-GCM with the passphrase (inspector.crypto.sealing)."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from inspector.crypto import keys, sealing

PIN = "246810"


@pytest.fixture(scope="module")
def p12() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return pkcs12.serialize_key_and_certificates(b"x", key, None, None, BestAvailableEncryption(PIN.encode()))


def test_round_trip_with_the_production_cost(p12: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sealing, "LOG2_N", sealing.DEFAULT_LOG2_N)  # tests/conftest.py lowers it
    sealed = sealing.seal(p12, PIN)
    magic, log2_n, r, p = struct.unpack_from(">8sBBB", sealed)
    assert (magic, log2_n, r, p) == (b"INSP12S1", 16, 8, 1)  # 64 MiB per guess
    assert len(sealed) == sealing.HEADER_SIZE + len(p12) + 16
    assert sealing.open_sealed(sealed, PIN) == p12
    assert sealing.seal(p12, PIN) != sealed  # a fresh salt and nonce each time


def test_wrong_passphrase_and_any_changed_byte_are_refused(
    p12: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sealing, "LOG2_N", 10)
    sealed = sealing.seal(p12, PIN)
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(sealed, "246811")
    for at in (8, 11, 27, sealing.HEADER_SIZE, len(sealed) - 1):  # cost, salt, nonce, body, tag
        bad = bytearray(sealed)
        bad[at] ^= 0x01
        with pytest.raises(sealing.SealError):
            sealing.open_sealed(bytes(bad), PIN)
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(sealed[: sealing.HEADER_SIZE + 10], PIN)


def test_a_file_does_not_choose_an_absurd_cost(p12: bytes) -> None:
    sealed = bytearray(sealing.seal(p12, PIN))
    sealed[8] = 30  # N = 2**30: gigabytes and minutes to open
    with pytest.raises(sealing.SealError, match="parameters"):
        sealing.open_sealed(bytes(sealed), PIN)


def test_a_plain_pkcs12_from_before_sealing_still_unlocks(p12: bytes) -> None:
    assert sealing.open_sealed(p12, PIN) == p12
    with pytest.raises(Exception, match="口令错误"):
        keys.unlock(sealing.seal(p12, PIN), "000000")
