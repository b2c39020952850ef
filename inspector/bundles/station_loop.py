"""One self-assessment round, end to end, as the demo shows it (issue 19).

The centre issues each station representative's credential, exports the request, and the station's
folder (a fresh one) imports it, fills the form item by item, signs, and exports its answer, which
the centre imports. Every step is the same core function the command line and the window call;
this module only strings them together, for ``inspector demo`` and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from inspector.bundles.credentials import issue_for_station
from inspector.bundles.export import export_bundle
from inspector.bundles.format import SELF_REQUEST, SELF_RESULTS, SUFFIX
from inspector.bundles.importer import ImportReport, import_bundle
from inspector.crypto import keys
from inspector.crypto.identity import Keyring, load_identity, unlock_identity
from inspector.store.db import open_database
from inspector.store.evaluations import EvaluationStore

Fill = Callable[[EvaluationStore, str], None]


@dataclass(frozen=True)
class Station:
    org_id: str
    representative: str
    folder: Path
    fill: Fill  # fills the form item by item (a person's keyboard in the window)
    signers: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Returned:
    org_id: str
    eval_id: str
    request: Path
    answer: Path
    report: ImportReport


def station_round(
    db: sqlite_utils.Database,
    data: Path,
    keyring: Keyring,
    ca_passphrase: str,
    plan_id: str,
    stations: list[Station],
    stick: Path,
    station_passphrase: str,
) -> list[Returned]:
    """Request → fill and sign at each station → answer imported at the centre."""
    identity = load_identity(data)
    assert identity is not None
    ca_fp = keys.fingerprint(identity.ca)
    stick.mkdir(parents=True, exist_ok=True)
    out = []
    for n, s in enumerate(stations, start=1):
        issue_for_station(db, data / "ca", ca_passphrase, s.org_id, s.representative, station_passphrase)
        request = stick / f"{n:02d}-request{SUFFIX}"
        export_bundle(db, data, keyring, SELF_REQUEST, request, plan_id=plan_id, org=s.org_id)
        sdb = open_database(s.folder)  # a station's fresh folder (the folder layer is above this one)
        try:
            import_bundle(sdb, s.folder, request, passphrase=station_passphrase, ca_fingerprint=ca_fp)
            from inspector.bundles.self_assessment import start_self_assessment

            eval_id = start_self_assessment(sdb, s.representative)
            store = EvaluationStore(sdb, s.representative)
            s.fill(store, eval_id)
            store.sign(eval_id, list(s.signers))
            answer = stick / f"{n:02d}-self-assessment{SUFFIX}"
            station_keys = unlock_identity(s.folder, station_passphrase)
            export_bundle(sdb, s.folder, station_keys, SELF_RESULTS, answer)
        finally:
            sdb.conn.close()
        report = import_bundle(db, data, answer, keyring=keyring)
        out.append(Returned(s.org_id, eval_id, request, answer, report))
    return out
