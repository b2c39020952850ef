"""The demo folder as a centre: its CA and its own credentials, so that every command of the
README's tour works on the demo data (``pdf sign`` and ``pdf verify``, ``keys show``, a bundle for
a supervisor). Above both the centre's sample (inspector.centre.demo) and the keys (inspector.crypto),
which do not know each other.

The passphrase is printed and written in the documentation: the demo's keys protect nothing, and a
newcomer must be able to use them. A real centre makes its own with ``inspector keys init-ca``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from inspector.centre.demo import CentreDemoSummary, fill_centre_demo
from inspector.crypto.identity import CA_FOLDER, init_centre, load_identity

DEMO_CENTRE = "四川省职业技能鉴定指导中心（演示）"
DEMO_PASSPHRASE = "demo-1234"  # printed by `inspector demo`, written in the README: only for the demo


@dataclass(frozen=True)
class Demo:
    centre: CentreDemoSummary
    keys_made: bool  # the CA and this folder's credentials were made now
    centre_name: str
    passphrase: str


def fill_demo_folder(db: sqlite_utils.Database, data: Path) -> Demo:
    """The sample data, then (in a folder without credentials) the demo centre's CA and keys."""
    centre = fill_centre_demo(db)
    made = False
    if centre.created and load_identity(data) is None:
        init_centre(data, Path(data) / CA_FOLDER, DEMO_CENTRE, DEMO_PASSPHRASE)
        made = True
    return Demo(centre, made, DEMO_CENTRE, DEMO_PASSPHRASE)
