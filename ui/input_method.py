"""Typing Chinese on UOS and Kylin: the input method's Qt plugin, or the ibus fallback.

Qt talks to an input method through a plugin of its own (``platforminputcontexts/``). PySide6's
wheels ship the plugins for compose and ibus only; UOS and Kylin run fcitx (fcitx 4 on UOS 20 and
Kylin V10, fcitx5 on newer releases) and set ``QT_IM_MODULE=fcitx``. Qt then finds no such plugin
and falls back to compose: no Chinese can be typed. fcitx5 also serves the ibus protocol (its
"ibus frontend", on by default), so with ``QT_IM_MODULE=ibus`` the shipped ibus plugin reaches it.
fcitx 4 has no such frontend: there only an fcitx plugin built against the exact Qt version of the
build helps (docs/platforms.md says how to ship one; once it is in the plugin folder, it is used).

Decided before the QApplication exists (Qt reads the variable when it starts).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path

IM_ENV = "QT_IM_MODULE"


def wants_fcitx(env: Mapping[str, str]) -> bool:
    """Whether the desktop's input method is fcitx (4 or 5), by the variables its session sets."""
    return (
        env.get(IM_ENV, "").startswith("fcitx")
        or "fcitx" in env.get("XMODIFIERS", "")  # "@im=fcitx"
        or env.get("GTK_IM_MODULE", "").startswith("fcitx")
        or env.get("INPUT_METHOD", "").startswith("fcitx")
    )


def has_fcitx_plugin(plugin_files: Iterable[str]) -> bool:
    """libfcitxplatforminputcontextplugin.so (fcitx-qt) or libfcitx5platforminputcontextplugin.so."""
    return any("fcitx" in name for name in plugin_files)


def choose_input_method(
    env: Mapping[str, str], plugin_files: Iterable[str], platform: str = sys.platform
) -> str | None:
    """The ``QT_IM_MODULE`` to set instead of the session's, or None to leave it as it is."""
    if not platform.startswith("linux") or not wants_fcitx(env):
        return None
    if has_fcitx_plugin(plugin_files):
        return None  # a plugin was shipped (or installed where Qt looks): fcitx works directly
    return "ibus"  # fcitx5's ibus frontend; with fcitx 4 nothing worse than compose, which it was


def plugin_files() -> list[str]:
    """The input-context plugins this Qt can load (its own folder and QT_PLUGIN_PATH's)."""
    from PySide6.QtCore import QLibraryInfo

    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))]
    folders += [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    names: list[str] = []
    for folder in folders:
        contexts = folder / "platforminputcontexts"
        if contexts.is_dir():
            names += [p.name for p in contexts.iterdir()]
    return names


def apply_input_method(env: MutableMapping[str, str] = os.environ) -> str | None:
    """Set the fallback in ``env`` when it is needed; returns what was set."""
    chosen = choose_input_method(env, plugin_files())
    if chosen is not None:
        env[IM_ENV] = chosen
    return chosen
