"""Shared fixtures. Qt must be told there is no display before any QApplication exists."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("INSPECTOR_LANG", "zh")

from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.paths import rubrics_dir
from inspector.rubric.model import Rubric
from inspector.rubric.toml_form import load_rubric_file

ROOT = Path(__file__).resolve().parent.parent


def shipped(name: str) -> Rubric:
    return load_rubric_file(rubrics_dir() / f"{name}.toml")


@pytest.fixture(autouse=True, scope="session")
def cheap_seals() -> Iterator[None]:
    """Credentials sealed in tests cost scrypt N=2**10, not 2**16: hundreds are issued and opened
    here, session fixtures included. tests/crypto/test_sealing.py checks the production cost; a sealed
    file's header carries its cost, so one sealed here opens cheaply in a subprocess too."""
    from inspector.crypto import sealing

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sealing, "LOG2_N", 10)
        yield


@pytest.fixture(autouse=True)
def package_calendar_only() -> Iterator[None]:
    """Each test starts and ends with the calendar package's years only: a year added from a
    holiday notice (tests/centre/test_holidays.py) is process-wide, like the package's own data."""
    from inspector.centre.workdays import forget_added_arrangements

    yield
    forget_added_arrangements()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder, also set as INSPECTOR_DATA for subprocesses."""
    folder = tmp_path / "data"
    monkeypatch.setenv("INSPECTOR_DATA", str(folder))
    return folder


@pytest.fixture(scope="session")
def sichuan() -> Rubric:
    return shipped("sichuan-2017-inspection")


# -- the engine a test's data folders live on (tests/pg_support.py) --------------------------------
from tests.pg_support import engine, folders_as_they_say, pg_databases, pg_url  # noqa: E402,F401
from tests.pg_support import engine_option as _engine_option  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=["sqlite", "postgresql"],
        default=None,
        help="where the tests' data folders keep their database (default: INSPECTOR_TEST_ENGINE or sqlite)",
    )


@pytest.fixture(autouse=True)
def _folders_on_engine(request: pytest.FixtureRequest) -> None:
    """Every test's data folders on the chosen engine (``--engine postgresql``: on the test server)."""
    if _engine_option(request.config) != "sqlite":
        request.getfixturevalue("engine")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.pg_support import mark_pending

    mark_pending(config, items)
