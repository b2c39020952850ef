"""A signing certificate never outlives the supervisor's card; the centre prints the slip (issue #14, 5)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from cryptography import x509

from inspector.centre.people import add_person
from inspector.crypto.identity import load_identity
from inspector.crypto.keys import fingerprint, group_fingerprint
from inspector.folder import open_folder
from tests.helpers import refused, run

CST = dt.timezone(dt.timedelta(hours=8))


def _secret(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_certificate_outliving_the_card_and_the_slip(tmp_path: Path) -> None:
    """A certificate ran three years from issue whatever the card said: a supervisor whose card had
    lapsed could still sign. Now it ends with the card's last day; a renewal re-issues."""
    centre = tmp_path / "centre"
    ca_pass = _secret(tmp_path, "ca.txt", "centre-secret")
    pin = _secret(tmp_path, "pin.txt", "135790")
    r = run(
        "keys",
        "init-ca",
        "--name",
        "四川省职业技能鉴定指导中心",
        "--ca-passphrase-file",
        ca_pass,
        data=centre,
    )
    assert r.code == 0, r.err
    identity = load_identity(centre)
    assert identity is not None
    ca_fp = fingerprint(identity.ca)
    assert group_fingerprint(ca_fp) in r.out  # printed to be handed out
    db = open_folder(centre)
    # a card issued 2024-06-01: its last day is 2027-06-01 (the issue day not counted, 民法典 201–202, as
    # the rulebooks merge reads a card's term everywhere), well before three years from today
    person = add_person(db, name="张建国", kind="external", cert_no="510000201901", cert_issued="2024-06-01")
    lapsed = add_person(db, name="李秀英", kind="external", cert_no="510000201902", cert_issued="2020-01-01")
    db.conn.close()
    issue = ("--ca-passphrase-file", ca_pass, "--person-passphrase-file", pin)
    r = run("keys", "issue", "--person", person.id, *issue, "--json", data=centre)
    assert r.code == 0, r.err
    end = dt.datetime.fromisoformat(r.json()["signing"]["not_after"])
    # issued 2024-06-01, three years: valid through 2027-06-01 (Civil Code arts. 201-202, rulebooks)
    assert end == dt.datetime(2027, 6, 1, 23, 59, 59, tzinfo=CST)
    assert dt.datetime.fromisoformat(r.json()["encryption"]["not_after"]) == end
    refused(run("keys", "issue", "--person", lapsed.id, *issue, data=centre), "证卡", "到期")

    # the slip: one page, the CA fingerprint as the laptop will show it, no passphrase
    slip = tmp_path / "slip.pdf"
    r = run("keys", "slip", "--person", person.id, "--out", slip, "--json", data=centre)
    assert r.code == 0, r.err
    assert r.json()["ca_fingerprint"] == ca_fp
    info = subprocess.run(["pdfinfo", str(slip)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")] == ["1"]
    text = subprocess.run(["pdftotext", "-layout", str(slip), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert ca_fp in flat and "张建国" in text and "135790" not in text
    # the fingerprint's box is printed above the steps that tell where to find it
    assert flat.index("中心CA证书指纹（SHA-256）") < flat.index("如何核对") and "上方方框" in flat
    refused(run("keys", "slip", "--person", person.id, "--out", slip, data=tmp_path / "laptop"), "中心")

    # renewal: a new card, and the credential re-issued to its last day
    r = run(
        "people", "renew", person.id, "--cert-no", "510000202611", "--cert-issued", "2026-11-20",
        *issue, "--reissue", "--json", data=centre,
    )  # fmt: skip
    assert r.code == 0, r.err
    again = r.json()["reissued"]
    assert dt.datetime.fromisoformat(again["not_after"]) == dt.datetime(2029, 11, 20, 23, 59, 59, tzinfo=CST)
    r = run("keys", "show", "--json", data=centre)
    assert r.code == 0
    pem = (centre / "ca" / "issued" / f"{again['serial']}.crt.pem").read_bytes()
    assert x509.load_pem_x509_certificate(pem).not_valid_after_utc == dt.datetime(
        2029, 11, 20, 15, 59, 59, tzinfo=dt.UTC
    )


def test_keys_install_trusts_the_ca_in_the_files_without_comparing(tmp_path: Path) -> None:
    """``keys install`` on a fresh laptop made whatever CA the .p12 files carried its anchor."""
    centre, laptop, out = tmp_path / "centre", tmp_path / "laptop", tmp_path / "p12"
    ca_pass = _secret(tmp_path, "ca.txt", "centre-secret")
    pin = _secret(tmp_path, "pin.txt", "135790")
    assert run("keys", "init-ca", "--name", "中心", "--ca-passphrase-file", ca_pass, data=centre).code == 0
    identity = load_identity(centre)
    assert identity is not None
    db = open_folder(centre)
    person = add_person(db, name="张建国", kind="external", cert_no="510000201901", cert_issued="2025-06-01")
    db.conn.close()
    r = run(
        "keys", "issue", "--person", person.id, "--ca-passphrase-file", ca_pass,
        "--person-passphrase-file", pin, "--out-dir", out, data=centre,
    )  # fmt: skip
    assert r.code == 0, r.err
    signing, encryption = sorted(out.glob("*.signing.p12"))[0], sorted(out.glob("*.encryption.p12"))[0]
    install = ("keys", "install", signing, encryption, "--passphrase-file", pin)
    refused(run(*install, data=laptop), "--ca-fingerprint")
    refused(run(*install, "--ca-fingerprint", "AB" * 32, data=laptop), "不符")
    assert load_identity(laptop) is None
    r = run(*install, "--ca-fingerprint", group_fingerprint(fingerprint(identity.ca)), data=laptop)
    assert r.code == 0, r.err
    assert load_identity(laptop) is not None
