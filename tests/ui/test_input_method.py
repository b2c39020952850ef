"""Typing Chinese on UOS and Kylin (fcitx): the ibus fallback when no fcitx plugin is shipped."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ui.input_method import choose_input_method, plugin_files

SHIPPED = ["libcomposeplatforminputcontextplugin.so", "libibusplatforminputcontextplugin.so"]
UOS = {"QT_IM_MODULE": "fcitx", "GTK_IM_MODULE": "fcitx", "XMODIFIERS": "@im=fcitx"}


@pytest.mark.parametrize(
    ("env", "plugins", "platform", "expected"),
    [
        (UOS, SHIPPED, "linux", "ibus"),  # UOS / Kylin with the wheels' plugins only
        ({"XMODIFIERS": "@im=fcitx"}, SHIPPED, "linux", "ibus"),  # a session that sets XMODIFIERS only
        ({"QT_IM_MODULE": "fcitx5"}, SHIPPED, "linux", "ibus"),
        (UOS, [*SHIPPED, "libfcitx5platforminputcontextplugin.so"], "linux", None),  # a plugin shipped
        (UOS, [*SHIPPED, "libfcitxplatforminputcontextplugin.so"], "linux", None),
        ({"QT_IM_MODULE": "ibus"}, SHIPPED, "linux", None),  # ibus already
        ({}, SHIPPED, "linux", None),
        (UOS, SHIPPED, "win32", None),
    ],
)
def test_the_fallback(env: dict[str, str], plugins: list[str], platform: str, expected: str | None) -> None:
    assert choose_input_method(env, plugins, platform) == expected


def test_the_input_context_plugins_are_found() -> None:
    # the condition the fallback is for; if a future wheel ships one, the fallback steps aside
    names = plugin_files()
    assert any("ibus" in n for n in names)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fcitx is a Linux input method")
def test_the_window_starts_with_ibus_under_an_fcitx_session(tmp_path: object) -> None:
    code = (
        "import os; from ui.app import make_app; make_app(); "
        "from PySide6.QtGui import QGuiApplication; print(os.environ.get('QT_IM_MODULE'))"
    )
    env = {**os.environ, **UOS, "QT_QPA_PLATFORM": "offscreen"}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ibus"
