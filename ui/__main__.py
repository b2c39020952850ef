"""The windowed executable's entry point: ``inspector-gui [GUI OPTIONS]`` opens the window.

Global options come from the environment (``INSPECTOR_DATA``, ``INSPECTOR_USER``,
``INSPECTOR_LANG``) or the portable data folder beside the executable.
"""

import sys

from inspector.cli.fast import fast_gui

code = fast_gui(["gui", *sys.argv[1:]])  # a plain start: without click (inspector/cli/fast.py)
if code is not None:
    sys.exit(code)

from inspector.cli.main import cli  # noqa: E402

cli(args=["gui", *sys.argv[1:]], prog_name="inspector-gui")
