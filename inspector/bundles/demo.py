"""The demo folder as a centre: its CA and its own credentials, so that every command of the
README's tour works on the demo data (``pdf sign`` and ``pdf verify``, ``keys show``, a bundle for
a supervisor). Above both the centre's sample (inspector.centre.demo) and the keys (inspector.crypto),
which do not know each other.

The passphrase is printed and written in the documentation: the demo's keys protect nothing, and a
newcomer must be able to use them. A real centre makes its own with ``inspector keys init-ca``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from inspector.centre.demo import CentreDemoSummary, fill_centre_demo
from inspector.crypto.identity import CA_FOLDER, init_centre, load_identity
from inspector.store.evaluations import EvaluationStore

DEMO_CENTRE = "四川省职业技能鉴定指导中心（演示）"
DEMO_PASSPHRASE = "demo-1234"  # printed by `inspector demo`, written in the README: only for the demo


@dataclass(frozen=True)
class Demo:
    centre: CentreDemoSummary
    keys_made: bool  # the CA and this folder's credentials were made now
    centre_name: str
    passphrase: str


def fill_demo_folder(db: sqlite_utils.Database, data: Path) -> Demo:
    """The sample data, then (in a folder without credentials) the demo centre's CA and keys, and
    one self-assessment round with two stations (issue 19)."""
    centre = fill_centre_demo(db)
    made = False
    if centre.created and load_identity(data) is None:
        init_centre(data, Path(data) / CA_FOLDER, DEMO_CENTRE, DEMO_PASSPHRASE)
        made = True
        _station_round(db, data)
    return Demo(centre, made, DEMO_CENTRE, DEMO_PASSPHRASE)


def _station_round(db: sqlite_utils.Database, data: Path) -> None:
    """The second-half plan's 乐山 and 内江 stations answer the centre's self-assessment request
    on their own folders (made and discarded here: only their signed bundles reach the centre),
    so that the results desk compares the inspections with figures the stations signed."""
    import random
    import tempfile

    from inspector.bundles.station_loop import Station, station_round
    from inspector.centre.corrections import propose
    from inspector.centre.demo import MORE_STATIONS
    from inspector.crypto.identity import unlock_identity
    from inspector.store.demo import SICHUAN, _fill

    plan = db.conn.execute("SELECT id FROM plans WHERE title LIKE '%下半年%' LIMIT 1").fetchone()
    codes = {code: head for _n, code, _c, _r, _s, head in MORE_STATIONS[:2]}
    orgs = {r[0]: r[1] for r in db.conn.execute("SELECT code, id FROM orgs") if r[0] in codes}
    if plan is None or len(orgs) != len(codes):
        return

    def filler(seed: int) -> Callable[[EvaluationStore, str], None]:
        def fill(store: EvaluationStore, eval_id: str) -> None:  # a station that flatters itself
            e = store.get(eval_id)
            _fill(store, eval_id, store.rubric(SICHUAN, e.rubric_version), random.Random(seed), 0.97)
            if seed == 2:  # and tells the centre its number changed: a correction rides along
                head = next(h for c, h in codes.items() if orgs[c] == e.org_id)
                propose(store.db, e.org_id, "phone", "0838-2258999", "总机号码变更", head)

        return fill

    keyring = unlock_identity(data, DEMO_PASSPHRASE)
    with tempfile.TemporaryDirectory(prefix="inspector-demo-stations-") as tmp:
        stations = [
            Station(orgs[code], head, Path(tmp) / f"station{n}", filler(n), ({"name": head, "role": "站长"},))
            for n, (code, head) in enumerate(codes.items(), start=1)
        ]
        station_round(
            db, data, keyring, DEMO_PASSPHRASE, plan[0], stations, Path(tmp) / "stick", DEMO_PASSPHRASE
        )
