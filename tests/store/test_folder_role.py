"""Issue 19: a data folder's role is stored once; a station's folder opens only its own
self-assessment (never an inspection, never another organisation's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.errors import UsageError
from inspector.folder import open_folder
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore
from inspector.store.folder_role import folder_role, set_folder_role, station_org, station_signed
from inspector.store.orgs import add_org

SICHUAN = "sichuan-2017-inspection"


def test_a_station_folder_writes_only_its_own_self_assessment(tmp_path: Path) -> None:
    db = open_folder(tmp_path / "s", rubrics=True)
    own, other = add_org(db, "本站", "A1"), add_org(db, "别的站", "B2")
    store = EvaluationStore(db, "站长")
    assert folder_role(db.conn) is None
    store.create(SICHUAN, other["id"], "inspection")  # no role yet: as before (an old folder)
    with transaction(db) as conn:
        set_folder_role(conn, "station", own["id"])
    assert folder_role(db.conn) == "station" and station_org(db.conn) == own["id"]
    with pytest.raises(UsageError, match="不能新建检查评估"):
        store.create(SICHUAN, own["id"], "inspection")
    with pytest.raises(UsageError, match="其他机构"):
        store.create(SICHUAN, other["id"], "self")
    mine = store.create(SICHUAN, own["id"], "self")
    assert mine.kind == "self"
    # a self-assessment signed here, at no station's bound device, is not "station-signed"
    assert station_signed(db.conn, [mine.id]) == {}
    with pytest.raises(UsageError), transaction(db) as conn:
        set_folder_role(conn, "centre")  # a folder never changes side
    with pytest.raises(UsageError), transaction(db) as conn:
        set_folder_role(conn, "station", other["id"])  # nor speaks for another station
    assert station_org(db.conn) == own["id"]
    db.conn.close()
