"""The windowed executable's entry point: ``inspector-gui [GUI OPTIONS]`` opens the window.

Global options come from the environment (``INSPECTOR_DATA``, ``INSPECTOR_USER``,
``INSPECTOR_LANG``) or the portable data folder beside the executable.
"""

import sys

from inspector.cli.main import cli

cli(args=["gui", *sys.argv[1:]], prog_name="inspector-gui")
