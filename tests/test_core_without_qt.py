"""The core never imports Qt: every module of ``inspector`` is imported in a fresh interpreter and
neither PySide6 nor the ``ui`` package may be loaded afterwards (the command line, the store and the
bundles must run on a machine, or in a thread, without a display)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import inspector
names = [m.name for m in pkgutil.walk_packages(inspector.__path__, "inspector.")]
for name in names:
    if name != "inspector.__main__":
        importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "ui"))
print(len(names), ",".join(loaded))
"""


def test_no_core_module_imports_qt() -> None:
    p = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    count, loaded = p.stdout.strip().split(" ", 1) if " " in p.stdout.strip() else (p.stdout.strip(), "")
    assert int(count) > 60  # every module was walked, not an empty package
    assert loaded == "", f"the core loaded {loaded}"
