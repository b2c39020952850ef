"""Where the product finds its shipped files and keeps the user's data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "inspector"
DATA_ENV = "INSPECTOR_DATA"

# Folders inside a data folder that hold keys (named here so that a backup can carry them without
# importing the crypto modules that use them)
KEYS_DIR = "keys"  # this folder's own credentials (inspector.crypto.keys)
CA_DIR = "ca"  # the centre's certificate authority, unless told otherwise (inspector.crypto.identity)


def install_root() -> Path:
    """The folder holding ``rubrics/``, ``rulebooks/`` and ``resources/``.

    In a PyInstaller build that is the unpacked bundle; from a checkout it is the repository root
    (the package is installed in editable mode, see the README).
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def rubrics_dir() -> Path:
    return install_root() / "rubrics"


def rulebooks_dir() -> Path:
    """The shipped rulebooks (each jurisdiction's people and procedure rules), beside the rubrics."""
    return install_root() / "rulebooks"


def resources_dir() -> Path:
    return install_root() / "resources"


def font_path() -> Path:
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def default_data_dir() -> Path:
    """The platform's per-user data folder (``~/.local/share/inspector`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


PORTABLE_MARKER = "portable.txt"


def portable_data_dir() -> Path | None:
    """For an install carried on a stick: a ``portable.txt`` beside the executable keeps the
    data in ``data/`` beside it too, never in the laptop's user folder."""
    if not getattr(sys, "frozen", False):
        return None
    beside = Path(sys.executable).resolve().parent
    return beside / "data" if (beside / PORTABLE_MARKER).exists() else None


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``--data``, else ``INSPECTOR_DATA``, else a portable install's own, else
    the platform's per-user default."""
    chosen = explicit or os.environ.get(DATA_ENV) or portable_data_dir() or default_data_dir()
    return Path(chosen).expanduser()


def shown_path(path: Path) -> str:
    """A folder as the window shows it: the user's home as ``~`` (shorter, and the same on every
    computer of the same kind: the default folder reads ``~/.local/share/inspector``)."""
    home = Path.home()
    try:
        rest = Path(path).relative_to(home)
    except ValueError:
        return str(path)
    return "~" if not rest.parts else str(Path("~") / rest)
