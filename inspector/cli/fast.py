"""``inspector gui`` started without click: the window paints about 25 ms sooner.

Only a plain start takes this way: the global ``--data``, ``--user`` and ``--lang``, then ``gui``
with ``--screenshot`` and ``--view``, each at most once (``--opt VALUE`` or ``--opt=VALUE``), the
same environment variables (``INSPECTOR_DATA``, ``INSPECTOR_USER``). Anything else — ``--help``,
``--version``, ``--eval`` (its id prefix is resolved against the store), an unknown option, a
value click would refuse — returns None and the command line (:mod:`inspector.cli.root`) parses
it with its own messages. What the window is then given, and how a refused input is said (one
line on stderr, exit status 1), are those of ``inspector.cli.gui`` and ``inspector.cli.common``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

# ``inspector gui --view``: the click option's choices too (inspector/cli/gui.py)
GUI_VIEWS = ("home", "scoring", "finish", "signoff", "register", "roster", "plans", "results", "stats")
LANGUAGES = ("zh", "en")
GLOBAL_OPTIONS = {"--data": "data", "--user": "user", "--lang": "lang"}
GUI_OPTIONS = {"--screenshot": "screenshot", "--view": "view"}


@dataclass(frozen=True)
class GuiStart:
    data: str | None
    user: str | None
    lang: str | None
    view: str
    screenshot: Path | None


def parse_gui(argv: list[str]) -> GuiStart | None:
    """The window's start when ``argv`` is a plain ``[GLOBAL OPTIONS] gui [--screenshot F] [--view V]``;
    otherwise None (click decides)."""
    values: dict[str, str] = {}
    seen_gui = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "gui" and not seen_gui:
            seen_gui = True
            continue
        options = GUI_OPTIONS if seen_gui else GLOBAL_OPTIONS
        name, eq, value = arg.partition("=")
        if name not in options or options[name] in values:
            return None
        if not eq:
            if i >= len(argv):
                return None
            value = argv[i]
            i += 1
        if not value or value.startswith("-"):
            return None
        values[options[name]] = value
    if not seen_gui:
        return None
    lang = values.get("lang")
    view = values.get("view", "home")
    if (lang is not None and lang not in LANGUAGES) or view not in GUI_VIEWS:
        return None
    data = values.get("data") or os.environ.get("INSPECTOR_DATA") or None
    if data is not None and Path(data).expanduser().exists() and not Path(data).expanduser().is_dir():
        return None  # click: "Directory … is a file"
    shot = Path(values["screenshot"]) if "screenshot" in values else None
    if shot is not None and shot.is_dir():
        return None  # click: "File … is a directory"
    user = values.get("user") or os.environ.get("INSPECTOR_USER") or None
    return GuiStart(data, user, lang, view, shot)


def fast_gui(argv: list[str]) -> int | None:
    """Run the window for a plain ``gui`` start and return its exit status; None for anything else."""
    start = parse_gui(argv)
    if start is None:
        return None
    from inspector.errors import InspectorError
    from inspector.i18n import _, set_language
    from inspector.paths import data_dir

    if start.lang:
        set_language(start.lang)
    import gc

    # Off from here: importing PySide6 and the window's modules and building it makes some 40,000
    # objects that all live on, and the cyclic collector walked them some 30 times before the
    # first paint, 4-6 ms of CPU for nothing (issue 18, P1). The window keeps it off while it runs
    # (ui/collector.py collects on the GUI thread); inspector/cli/gui.py does the same through click.
    gc.disable()
    try:
        from ui.app import run_gui

        return run_gui(data_dir(start.data), user=start.user, view=start.view, screenshot=start.screenshot)
    except InspectorError as e:  # as inspector.cli.common.Group says a refused input
        if sys.stderr is not None:  # the windowed executable may have no stream at all
            print(_("错误：") + str(e), file=sys.stderr)
        return 1
