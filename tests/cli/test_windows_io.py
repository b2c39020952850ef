"""The command line on Chinese Windows, simulated: a code page 936 console, and input files as
Notepad and PowerShell save them (a UTF-8 BOM, UTF-16 with its BOM)."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli.common import read_json_file, read_passphrase
from inspector.paths import rubrics_dir
from tests.helpers import run

NAME = "𠮷野✓职业技能鉴定站"  # 𠮷 and ✓ are not in GBK (code page 936)


def cp936(*args: str, data: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "INSPECTOR_DATA": str(data), "PYTHONIOENCODING": "cp936"}
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args], capture_output=True, env=env, timeout=120
    )


def test_output_the_code_page_cannot_show_never_ends_the_command(data_dir: Path) -> None:
    assert run("org", "add", "--name", NAME, "--json", data=data_dir).code == 0
    p = cp936("org", "list", data=data_dir)
    assert p.returncode == 0, p.stderr.decode("gbk", "replace")
    line = p.stdout.decode("gbk").strip()
    assert line.endswith("?野?职业技能鉴定站"), line  # replaced, the rest as it is
    # JSON stays exact: UTF-8 bytes whatever the console
    j = cp936("org", "list", "--json", data=data_dir)
    assert j.returncode == 0 and json.loads(j.stdout.decode("utf-8"))[0]["name"] == NAME
    # an error message with such a name is still one line, no traceback
    e = cp936("eval", "new", "--rubric", "no-such-rubric", "--org", NAME, data=data_dir)
    assert e.returncode in (1, 2) and b"Traceback" not in e.stderr


def notepad(path: Path, text: str, how: str) -> Path:
    raw = {
        "utf-8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "utf-16": codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"),
    }[how]
    path.write_bytes(raw)
    return path


HOW = ["utf-8-bom", "utf-16"]


@pytest.mark.parametrize("how", HOW)
def test_a_rubric_saved_by_notepad_validates(data_dir: Path, tmp_path: Path, how: str) -> None:
    text = (rubrics_dir() / "sichuan-2017-inspection.toml").read_text(encoding="utf-8")
    r = run("rubric", "validate", notepad(tmp_path / "r.toml", text, how), data=data_dir)
    assert r.code == 0, r.err


@pytest.mark.parametrize("how", HOW)
def test_answers_saved_by_notepad_score(data_dir: Path, tmp_path: Path, how: str) -> None:
    answers = json.dumps({"answers": {"4.1.1": {"problems": 2}}, "vetoes": []}, ensure_ascii=False)
    plain = tmp_path / "plain.json"
    plain.write_text(answers, encoding="utf-8")
    windows = notepad(tmp_path / "a.json", answers, how)
    assert read_json_file(windows) == read_json_file(plain)
    r = run("score", "sichuan-2017-inspection", "--answers", windows, "--json", data=data_dir)
    assert r.code == 0, r.err
    assert (
        r.json()["total"]
        == run("score", "sichuan-2017-inspection", "--answers", plain, "--json").json()["total"]
    )


@pytest.mark.parametrize("how", HOW)
def test_a_passphrase_file_saved_by_notepad(tmp_path: Path, how: str) -> None:
    # PowerShell 5: `"口令 secret" > pass.txt` writes UTF-16 with a BOM and CRLF
    path = notepad(tmp_path / "pass.txt", "口令 secret\n", how)
    assert read_passphrase(path, "") == "口令 secret"
    from inspector.cli.keys import _secret

    assert _secret(path, "UNSET_ENV", "") == "口令 secret"


def test_a_data_folder_on_a_network_share_is_warned_about_and_not_run_in_wal(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from inspector import drives
    from inspector.cli.main import cli
    from inspector.store.db import open_database

    data_dir.mkdir(parents=True)
    share = drives.Mount("//fileserver/督导", str(data_dir.resolve()), "cifs", ("rw", "vers=3.0"))
    root = drives.read_mounts("/dev/sda1 / ext4 rw 0 0")
    monkeypatch.setattr(drives, "_proc_mounts", lambda: [*root, share])
    r = CliRunner().invoke(cli, ["org", "list", "--json"])
    assert r.exit_code == 0, r.output
    assert "网络共享" in r.stderr and json.loads(r.stdout) == []
    db = open_database(data_dir)
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.conn.close()
    monkeypatch.setattr(drives, "_proc_mounts", lambda: drives.read_mounts("/dev/sda1 / ext4 rw 0 0"))
    local = CliRunner().invoke(cli, ["org", "list", "--json"])
    assert local.exit_code == 0 and local.stderr == ""
