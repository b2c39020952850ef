"""Entry point: ``inspector [--data DIR] COMMAND …``.

The click group is :mod:`inspector.cli.root`, imported here only when a command needs it: a plain
``inspector gui`` (the window, also what a double-click on the console executable opens) starts
through :mod:`inspector.cli.fast` without click and the command line's modules (about 25 ms
before the window's first paint).
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.cli.root import cli


def __getattr__(name: str) -> Any:
    """``from inspector.cli.main import cli``: the click group, loaded on first use."""
    if name == "cli":
        from inspector.cli.root import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def forgiving_output() -> None:
    """Text the console's code page cannot show becomes "?" instead of ending the command.

    On Chinese Windows, output redirected to a file or a pipe is encoded in code page 936 (GBK),
    which has no ✓ and not every character of a person's or a station's name (𠮷): Python's strict
    default ended the command with a traceback and exit code 1 after part of the output. The
    frozen console executable writes UTF-8 anyway (build.spec's ``X utf8``); this covers the rest
    (``python -m inspector``, a ``PYTHONIOENCODING`` set by the user). JSON goes out as UTF-8
    bytes whatever the console (:func:`inspector.cli.common.emit_json`)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def double_clicked() -> bool:  # pragma: no cover - Windows only
    """The console executable opened from Explorer or a shortcut rather than typed at a prompt:
    the console Windows made for it holds this process alone."""
    if sys.platform != "win32" or not getattr(sys, "frozen", False):
        return False
    import ctypes

    processes = (ctypes.c_uint * 2)()
    return int(ctypes.windll.kernel32.GetConsoleProcessList(processes, 2)) == 1


def arguments(argv: list[str], alone: bool) -> list[str]:
    """The command to run: the window when the command line was double-clicked with no command
    (the console would otherwise flash the help and close before anyone read it)."""
    return ["gui"] if alone and not argv else argv


def main(*args: Any) -> None:
    forgiving_output()
    argv = sys.argv[1:]
    alone = not argv and double_clicked()
    if sys.platform == "win32" and alone:  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.kernel32.FreeConsole()  # the window needs no console behind it
    if "gui" in arguments(argv, alone):
        from inspector.cli.fast import fast_gui

        code = fast_gui(arguments(argv, alone))
        if code is not None:
            sys.exit(code)
    from inspector.cli.root import cli

    # args=None unless replaced: click then reads sys.argv itself (and expands wildcards on Windows)
    cli(args=arguments(argv, alone) if alone else None, prog_name="inspector")


__all__ = ["cli", "main"]
