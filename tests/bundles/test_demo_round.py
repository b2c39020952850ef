"""Issue 19 in the demo: the second-half plan's two stations answer on their own folders, so the
desk compares with figures the stations signed, and one station's register correction waits for the
centre's decision (never applied by itself)."""

from __future__ import annotations

from pathlib import Path

from inspector.bundles.demo import fill_demo_folder
from inspector.centre.corrections import pending
from inspector.centre.register import get_register
from inspector.centre.results import plan_results
from inspector.folder import open_folder


def test_the_demo_round_brings_signed_self_assessments_and_a_correction(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    db = open_folder(data, rubrics=True)
    try:
        fill_demo_folder(db, data)
        plan = db.conn.execute("SELECT id FROM plans WHERE title LIKE '%下半年%'").fetchone()[0]
        desk = plan_results(db, plan)
        signed = [t for t in desk.targets if t.self_signed_by]
        assert len(signed) == 2 and all("鉴定站代表证书" in (t.self_signed_by or "") for t in signed)
        (waiting,) = pending(db)
        assert waiting["field"] == "phone" and waiting["new"] == "0838-2258999"
        assert get_register(db, waiting["org_id"])["phone"] != "0838-2258999"  # not applied by itself
    finally:
        db.conn.close()
