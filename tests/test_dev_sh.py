"""dev.sh as a newcomer re-runs it: no pip without need, a hint that names the demo folder, and a
smoke test that leaves no temporary folder behind.

``./dev.sh start`` runs here against a stand-in virtual environment (its ``python`` and ``inspector``
are scripts that log their arguments) and without ``dpkg`` on the PATH (so no system packages are
looked at): what is checked is dev.sh's own logic, in seconds and without network.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("bash", "sh", "cat", "cut", "dirname", "id", "sha256sum", "env", "mkdir", "rm")


def _fake_venv(tmp: Path) -> tuple[Path, Path]:
    venv, log = tmp / "venv", tmp / "calls.log"
    (venv / "bin").mkdir(parents=True)
    for name in ("python", "inspector"):
        script = venv / "bin" / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n', encoding="utf-8")
        script.chmod(0o755)
    return venv, log


def _path_without_dpkg(tmp: Path) -> str:
    bin_dir = tmp / "tools"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} not found")
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def _start(tmp: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": _path_without_dpkg(tmp) if not (tmp / "tools").exists() else str(tmp / "tools"),
        "HOME": str(tmp),
        "VENV": str(venv),
        "INSPECTOR_DATA": str(tmp / "demo data"),
    }
    return subprocess.run(
        ["bash", str(ROOT / "dev.sh"), "start"], env=env, capture_output=True, text=True, timeout=60
    )


def test_pip_runs_once_then_the_stamp_says_the_set_is_current(tmp_path: Path) -> None:
    venv, log = _fake_venv(tmp_path)
    first = _start(tmp_path, venv)
    assert first.returncode == 0, first.stderr
    calls = log.read_text(encoding="utf-8")
    assert "-m pip install" in calls
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    assert (venv / ".pyproject.sha256").read_text(encoding="utf-8").strip() == want

    log.unlink()
    again = _start(tmp_path, venv)
    assert again.returncode == 0, again.stderr
    assert "pip" not in log.read_text(encoding="utf-8")  # no network needed the second time

    (venv / ".pyproject.sha256").write_text("an older pyproject\n", encoding="utf-8")
    log.unlink()
    assert _start(tmp_path, venv).returncode == 0
    assert "-m pip install" in log.read_text(encoding="utf-8")


def test_the_no_display_hint_names_the_demo_folder(tmp_path: Path) -> None:
    venv, _log = _fake_venv(tmp_path)
    result = _start(tmp_path, venv)
    assert result.returncode == 0, result.stderr
    hint = next(line for line in result.stdout.splitlines() if "--screenshot" in line)
    words = shlex.split(hint.split(":", 1)[1])  # the command as a shell reads it when pasted
    assert words[words.index("--data") + 1] == str(tmp_path / "demo data")


def test_the_smoke_test_removes_its_temporary_folder() -> None:
    smoke = (ROOT / "dev.sh").read_text(encoding="utf-8").split("  smoke)", 1)[1].split(";;", 1)[0]
    made = smoke.index("tmp=$(mktemp -d)")
    assert "trap 'rm -rf \"$tmp\"' EXIT" in smoke[made:], "the smoke test must clean its mktemp folder"
