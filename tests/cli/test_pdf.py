"""``report pdf --sign``, ``pdf sign`` and ``pdf verify`` as a user runs them, with a real CA."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from inspector.crypto.identity import CA_FOLDER
from inspector.crypto.keys import KEYS_DIR, init_ca, install_credential, issue_certificate
from tests.helpers import refused, run

CA_PASS = "centre-pass-2026"


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    assert run("demo", data=data).code == 0
    return data


@pytest.fixture
def setup(demo_folder: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """A laptop data folder with 张建国's credential installed, the CA folder, a signed evaluation."""
    data = tmp_path / "laptop"
    shutil.copytree(demo_folder, data)
    # the demo folder is the demo centre (its own CA and credentials): this laptop has none of those
    shutil.rmtree(data / KEYS_DIR)
    shutil.rmtree(data / CA_FOLDER)
    ca = tmp_path / "ca"
    init_ca(ca, "四川省职业技能鉴定指导中心", CA_PASS)
    cred = issue_certificate(ca, CA_PASS, "张建国", "P001", "组长", "zhang-pin-2026")
    install_credential(data, cred.p12, "zhang-pin-2026")
    (tmp_path / "pin").write_text("zhang-pin-2026\n", encoding="utf-8")
    signed = run("eval", "list", "--state", "signed", "--json", data=data).json()[0]["id"]
    return data, ca, signed


def test_sign_on_generation_then_verify(setup: tuple[Path, Path, str], tmp_path: Path) -> None:
    data, _ca, eval_id = setup
    out = tmp_path / "sheet.pdf"
    r = run(
        "report",
        "pdf",
        eval_id,
        "--out",
        out,
        "--sign",
        "组长",
        "--passphrase-file",
        tmp_path / "pin",
        data=data,
    )
    assert r.code == 0, r.err
    v = run("pdf", "verify", out, "--json", data=data)
    assert v.code == 0, v.err
    doc = v.json()
    assert doc["valid"] and not doc["modified_after_signing"]
    assert [(s["name"], s["role"], s["trusted"]) for s in doc["signers"]] == [("张建国", "组长", True)]


def test_a_changed_byte_is_refused(setup: tuple[Path, Path, str], tmp_path: Path) -> None:
    data, _ca, eval_id = setup
    out = tmp_path / "sheet.pdf"
    run(
        "report",
        "pdf",
        eval_id,
        "--out",
        out,
        "--sign",
        "组长",
        "--passphrase-file",
        tmp_path / "pin",
        data=data,
    )
    body = bytearray(out.read_bytes())
    body[len(body) // 3] ^= 0x01
    out.write_bytes(bytes(body))
    r = run("pdf", "verify", out, data=data)
    assert r.code == 1 and "Traceback" not in r.err


def test_two_signers_in_turn(setup: tuple[Path, Path, str], tmp_path: Path) -> None:
    data, ca, eval_id = setup
    out = tmp_path / "sheet.pdf"
    run(
        "report",
        "pdf",
        eval_id,
        "--out",
        out,
        "--sign",
        "组长",
        "--passphrase-file",
        tmp_path / "pin",
        data=data,
    )
    second = tmp_path / "second"
    second.mkdir()
    cred = issue_certificate(ca, CA_PASS, "赵丽", "P777", "机构代表", "zhao-pin-2026")
    install_credential(second, cred.p12, "zhao-pin-2026")
    (tmp_path / "pin2").write_text("zhao-pin-2026", encoding="utf-8")
    assert (
        run(
            "pdf", "sign", out, "--role", "机构代表", "--passphrase-file", tmp_path / "pin2", data=second
        ).code
        == 0
    )
    doc = json.loads(run("pdf", "verify", out, "--json", data=data).out)
    assert doc["valid"] and [s["name"] for s in doc["signers"]] == ["张建国", "赵丽"]


def test_wrong_passphrase_and_expired_certificate_are_refused(
    setup: tuple[Path, Path, str], tmp_path: Path
) -> None:
    data, ca, eval_id = setup
    (tmp_path / "bad").write_text("not-the-pin", encoding="utf-8")
    out = tmp_path / "sheet.pdf"
    refused(
        run(
            "report",
            "pdf",
            eval_id,
            "--out",
            out,
            "--sign",
            "组长",
            "--passphrase-file",
            tmp_path / "bad",
            data=data,
        )
    )
    assert not out.exists()
    old = issue_certificate(
        ca, CA_PASS, "孙丽华", "P009", "组员", "sun-pin-2026",
        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=4 * 365), valid_days=365,
    )  # fmt: skip
    expired = tmp_path / "expired"
    expired.mkdir()
    install_credential(expired, old.p12, "sun-pin-2026")
    (tmp_path / "pin3").write_text("sun-pin-2026", encoding="utf-8")
    refused(
        run(
            "report",
            "pdf",
            eval_id,
            "--out",
            out,
            "--sign",
            "组员",
            "--passphrase-file",
            tmp_path / "pin3",
            data=expired,
        )
    )


def test_verify_without_a_trusted_ca_or_signature(demo_folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "d"
    shutil.copytree(demo_folder, data)
    shutil.rmtree(data / KEYS_DIR)  # a folder without the demo centre's credentials
    eval_id = run("eval", "list", "--state", "signed", "--json", data=data).json()[0]["id"]
    out = tmp_path / "plain.pdf"
    assert run("report", "pdf", eval_id, "--out", out, data=data).code == 0
    refused(run("pdf", "verify", out, data=data), "keys install")
    ca = tmp_path / "ca"
    info = init_ca(ca, "中心", CA_PASS)
    (tmp_path / "ca.pem").write_bytes(info.certificate_pem)
    refused(run("pdf", "verify", out, "--ca", tmp_path / "ca.pem", data=data), "没有数字签名")


def test_a_file_that_is_no_pdf_is_named(demo_folder: Path, tmp_path: Path) -> None:
    """Refusals about the file's content name the file, as every refusal names its place."""
    answers = tmp_path / "answers.json"
    answers.write_text("{}", encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a PDF")
    refused(run("pdf", "verify", answers, data=demo_folder), "answers.json", "不是 PDF")
    refused(run("pdf", "verify", broken, data=demo_folder), "broken.pdf", "已损坏")
    passphrase = tmp_path / "pass"
    passphrase.write_text("demo-1234", encoding="utf-8")
    r = run("pdf", "sign", answers, "--role", "组长", "--passphrase-file", passphrase, data=demo_folder)
    refused(r, "answers.json", "不是有效的 PDF")
    assert answers.read_text(encoding="utf-8") == "{}"  # a refused input changes nothing
