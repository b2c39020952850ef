"""A fresh laptop trusts no one by accident (issue #14, item 5). Each test is named after the attack.

The outsider here has a CA of their own and a stick; the fresh laptop has no identity yet.
"""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path

import pytest
from asn1crypto import cms  # type: ignore[import-untyped]
from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from inspector.bundles import gather
from inspector.bundles.export import export_bundle
from inspector.bundles.importer import import_bundle
from inspector.centre.people import add_person
from inspector.crypto import keys, sealing
from inspector.crypto.identity import (
    init_centre,
    issue_pair,
    load_identity,
    open_pair,
    record_issued,
    unlock_identity,
)
from inspector.errors import BundleError, SigningError
from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.bundle_support import CA_PASS, NAMES, PINS, RUBRIC, World, dump, world, world_template

__all__ = ["world", "world_template"]  # fixtures
OUTSIDER_PASS = "outsider-secret"


def macless_p12(
    key: ec.EllipticCurvePrivateKey, cert: x509.Certificate, cas: list[x509.Certificate]
) -> bytes:
    """A PKCS#12 with no MAC and the key in the clear: OpenSSL opens it under any password."""
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    bags = [asn1_pkcs12.SafeBag({"bag_id": "key_bag", "bag_value": asn1_keys.PrivateKeyInfo.load(der_key)})]
    for c in (cert, *cas):
        value = asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        bags.append(
            asn1_pkcs12.SafeBag(
                {
                    "bag_id": "cert_bag",
                    "bag_value": asn1_pkcs12.CertBag({"cert_id": "x509", "cert_value": value}),
                }
            )
        )
    inner = cms.ContentInfo({"content_type": "data", "content": asn1_pkcs12.SafeContents(bags).dump()})
    auth = asn1_pkcs12.AuthenticatedSafe([inner])
    pfx = asn1_pkcs12.Pfx(
        {"version": "v3", "auth_safe": cms.ContentInfo({"content_type": "data", "content": auth.dump()})}
    )
    return bytes(pfx.dump())


def outsider_assignment(root: Path, monkeypatch: pytest.MonkeyPatch, *, macless: bool) -> tuple[Path, str]:
    """An assignment bundle from an outsider's own CA for "张建国"; returns it and the outsider's CA."""
    folder = root / "outsider"
    db = open_folder(folder)
    install_builtin_rubrics(db)
    init_centre(folder, folder / "ca", "伪造的中心", OUTSIDER_PASS)
    org = add_org(db, "伪造的鉴定站")["id"]
    person = add_person(db, name=NAMES[0], kind="external", cert_no="510000209999", cert_issued="2025-01-01")
    pair = issue_pair(folder / "ca", OUTSIDER_PASS, NAMES[0], person.cert_no, "外督", "999999")
    record_issued(db, pair, person.id)
    if macless:
        opened = open_pair(pair.signing.p12, pair.encryption.p12, "999999")
        db.conn.execute(
            "UPDATE credentials SET signing_p12 = ?, encryption_p12 = ?",
            (
                macless_p12(opened.signing_key, opened.signing, [opened.ca]),
                macless_p12(opened.decryption_key, opened.encryption, [opened.ca]),
            ),
        )
        db.conn.commit()
        # the outsider's own copy of the program would not refuse to carry them
        monkeypatch.setattr(gather, "sealing", types.SimpleNamespace(is_sealed=lambda _b: True))
    team = [{"name": NAMES[0], "role": "组长", "person_id": person.id, "sections": ["1"]}]
    e = EvaluationStore(db, "伪造者").create(RUBRIC, org, "inspection", visit_date="2026-12-01", team=team)
    out = root / "stick" / "outsider.inspbundle"
    out.parent.mkdir(exist_ok=True)
    export_bundle(
        db, folder, unlock_identity(folder, OUTSIDER_PASS), "assignment", out, eval_ids=[e.id], to=person.id
    )
    identity = load_identity(folder)
    assert identity is not None
    db.conn.close()
    return out, keys.fingerprint(identity.ca)


def test_macless_pkcs12_opens_under_no_password() -> None:
    """A PKCS#12 without a MAC opened under any password; now it opens under none."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "伪造")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        .sign(key, keys.hashes.SHA256())
    )
    der = macless_p12(key, cert, [cert])
    for guess in ("000000", "whatever", ""):
        with pytest.raises(SigningError, match="MAC"):
            keys.unlock(der, guess)
        with pytest.raises(sealing.SealError):
            sealing.open_sealed(der, guess)


def test_open_sealed_passes_nothing_unproven_through_as_plain_pkcs12() -> None:
    """Bytes without the seal's magic were returned as "plain PKCS#12" whatever they were."""
    key = ec.generate_private_key(ec.SECP256R1())
    plain = serialization.pkcs12.serialize_key_and_certificates(
        b"x", key, None, None, serialization.BestAvailableEncryption(b"246810")
    )
    for junk in (b"", b"not a credential", b"\x30\x03\x02\x01\x03"):
        with pytest.raises(sealing.SealError):
            sealing.open_sealed(junk, "246810")
    with pytest.raises(sealing.SealError, match="passphrase"):
        sealing.open_sealed(plain, "135790")  # a MAC, but not this passphrase's
    assert sealing.open_sealed(plain, "246810") == plain  # a pre-sealing credential still opens
    with pytest.raises(sealing.SealError):  # the CA key's legacy form is asked for by name only
        sealing.open_sealed(plain, "246810", legacy="pkcs8")


def test_outsiders_assignment_with_macless_credentials_installs_a_rogue_ca(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outsider's stick: credentials without a MAC, so any typed passphrase "opened" them and
    the rogue CA was installed. Refused whatever is typed, even by a user who waves the CA through."""
    bundle, rogue_fp = outsider_assignment(tmp_path, monkeypatch, macless=True)
    fresh = tmp_path / "fresh"
    db = open_folder(fresh)
    before = dump(fresh)
    for guess in ("000000", "123456", "whatever"):
        with pytest.raises(BundleError, match=r"credentials/signing\.p12"):
            import_bundle(db, fresh, bundle, passphrase=guess, ca_fingerprint=rogue_fp)
        assert dump(fresh) == before and load_identity(fresh) is None
    db.conn.close()


def test_first_assignment_from_an_outsider_is_trusted_without_comparing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A well-made outsider bundle (sealed, the victim told its passphrase) set the laptop up with the
    outsider's CA. Now the first anchor is a decision: without a compared fingerprint nothing is
    trusted, and the one on the centre's slip does not match the outsider's."""
    bundle, rogue_fp = outsider_assignment(tmp_path, monkeypatch, macless=False)
    fresh = tmp_path / "fresh"
    db = open_folder(fresh)
    before = dump(fresh)
    with pytest.raises(BundleError, match=r"ca\.crt\.pem") as refused:
        import_bundle(db, fresh, bundle, passphrase="999999")
    assert keys.group_fingerprint(rogue_fp) in str(refused.value)  # shown, to compare
    with pytest.raises(BundleError, match="不符"):
        import_bundle(db, fresh, bundle, passphrase="999999", ca_fingerprint=world.ca_fingerprint)
    assert dump(fresh) == before and load_identity(fresh) is None
    # the centre's own assignment, compared with the slip, sets the laptop up
    out = world.path("assignment")
    centre = world.centre
    export_bundle(
        world.db(centre),
        centre,
        world.keyring(centre),
        "assignment",
        out,
        eval_ids=[world.eval_id],
        to=world.people[1],
    )
    spoken = keys.group_fingerprint(world.ca_fingerprint).lower()
    report = import_bundle(db, fresh, out, passphrase=PINS[1], ca_fingerprint=spoken)
    assert report.identity == NAMES[1]
    identity = load_identity(fresh)
    assert identity is not None and keys.fingerprint(identity.ca) == world.ca_fingerprint
    db.conn.close()


def test_older_assignment_imported_after_a_newer_rolls_the_credential_back(world: World) -> None:
    """An old stick found in a drawer and imported after a renewal put the old credential back."""
    centre, laptop = world.centre, world.laptops[0]
    cdb = world.db(centre)
    person = world.people[0]
    cert_no = cdb.conn.execute("SELECT cert_no FROM people WHERE id = ?", (person,)).fetchone()[0]
    old = issue_pair(
        centre / "ca",
        CA_PASS,
        NAMES[0],
        cert_no,
        "外督",
        PINS[0],
        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),
    )
    record_issued(cdb, old, person)
    # only the old one is current while its assignment is made
    cdb.conn.execute("UPDATE credentials SET revoked_at = 'hidden' WHERE roster_id = ? AND serial != ?",
                     (person, old.signing.serial))  # fmt: skip
    cdb.conn.commit()
    old_bundle = world.path("old-assignment")
    export_bundle(
        cdb, centre, world.keyring(centre), "assignment", old_bundle, eval_ids=[world.eval_id], to=person
    )
    cdb.conn.execute("UPDATE credentials SET revoked_at = NULL WHERE revoked_at = 'hidden'")
    cdb.conn.commit()
    new = issue_pair(centre / "ca", CA_PASS, NAMES[0], cert_no, "外督", PINS[0])
    record_issued(cdb, new, person)
    new_bundle = world.path("new-assignment")
    export_bundle(
        cdb, centre, world.keyring(centre), "assignment", new_bundle, eval_ids=[world.eval_id], to=person
    )

    ldb = world.db(laptop)
    assert import_bundle(ldb, laptop, new_bundle, passphrase=PINS[0]).identity == NAMES[0]
    installed = load_identity(laptop)
    assert installed is not None and keys.serial_hex(installed.signing.serial_number) == new.signing.serial
    report = import_bundle(ldb, laptop, old_bundle, passphrase=PINS[0])
    assert report.identity is None and any("更早" in w for w in report.warnings)
    after = load_identity(laptop)
    assert after is not None and after.signing == installed.signing
    assert unlock_identity(laptop, PINS[0]).identity.signing == installed.signing
