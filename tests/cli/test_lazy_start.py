"""What a command imports before it runs (issue 18, S1): each command's modules when it runs, and no
heavy library on a path that does not use it.

``inspector results PLAN --json`` at 10,000 evaluations must finish in 0.5 s; sqlite-utils alone (with
click's, dateutil's and pluggy's modules) took 50 ms of that, the centre's commands module 0.15 s. Each
check runs the real command in a fresh interpreter and reads ``sys.modules`` as it exits (``-X
importtime`` does not name a module loaded by ``importlib.import_module``, as the lazy group loads
the command modules).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.centre_support import demo_folder

ROOT = Path(__file__).resolve().parents[2]
# imported only where they are used: the window, PDFs, signatures, workbooks, the sqlite-utils wrapper
HEAVY = ("PySide6", "sqlite_utils", "reportlab", "pyhanko", "openpyxl", "cryptography", "PIL", "lxml")


# the command run as ``python -m inspector`` runs it, then every module it imported, named on stderr
RUN = (
    "import atexit, runpy, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)) + '\\n'))\n"
    "sys.argv = ['inspector', *sys.argv[1:]]\n"
    "runpy.run_module('inspector', run_name='__main__', alter_sys=True)\n"
)


def run(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The command's result and the modules it imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("INSPECTOR_DATA", "INSPECTOR_LANG")}
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**env, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return done, set(line.split()[1:])


def heavy(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("lazy") / "data")


def test_results_json_imports_the_desk_and_nothing_heavy(demo: Path) -> None:
    done, _ = run("--data", str(demo), "plan", "list", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    plan = json.loads(done.stdout)[0]["id"]
    done, names = run("--data", str(demo), "results", plan, "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["plan"]["id"] == plan
    assert "inspector.centre.results" in names
    assert heavy(names) == []
    # what the desk does not use: the plan page's overview, workbooks, statistics, the other commands
    for name in ("inspector.centre.overview", "inspector.centre.workbooks", "inspector.centre.stats"):
        assert name not in names
    assert not any(
        n.startswith("inspector.cli.") and n not in CLI_BASE | {"inspector.cli.centre"} for n in names
    )


def test_stats_json_imports_nothing_heavy(demo: Path) -> None:
    done, names = run("--data", str(demo), "stats", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "inspector.centre.stats" in names
    assert heavy(names) == []


PACKAGES = {"rubric", "store", "centre", "crypto", "documents", "bundles", "folder"}
# the points' printed form (decimal only), which the results command's text output uses
LIGHT = {"inspector.rubric", "inspector.rubric.points"}
CLI_BASE = {
    "inspector.cli",
    "inspector.cli.main",
    "inspector.cli.root",
    "inspector.cli.common",
    "inspector.cli.params",
    "inspector.cli.click_words",  # click's own words in the user's language: a table, no core module
}


@pytest.mark.parametrize("args", [("results", "--help"), ("eval", "--help"), ("--help",)])
def test_help_imports_no_core_module(args: tuple[str, ...]) -> None:
    """Help (every command's short help too) comes from the command modules alone."""
    done, names = run("--lang", "en", *args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert heavy(names) == []
    core = sorted(n for n in names if n.split(".")[:2][-1] in PACKAGES and n not in LIGHT)
    assert core == [], core


def test_a_choice_of_the_centre_is_shown_in_help() -> None:
    """A choice held by a core module (``PLAN_KINDS``) is read from it when help shows it."""
    done, names = run("--lang", "en", "plan", "new", "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--kind [routine|special]" in done.stdout
    assert "inspector.centre.dispatch" in names
    assert heavy(names) == []


def test_a_choice_of_the_centre_is_checked_as_before(demo: Path) -> None:
    done, _names = run(
        "--data", str(demo), "plan", "new", "--rubric", "x", "--title", "t", "--kind", "nightly"
    )
    assert done.returncode == 2
    assert "'nightly' 不是 'routine', 'special' 之一" in done.stderr  # click's words in Chinese too
