"""Issue 19 at the centre: the self-assessment deadline comes from the plan's rulebook with its
clause, or there is none; a request's state as of a day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from inspector.centre.plans import new_plan
from inspector.centre.self_requests import request_state, self_assessment_deadline
from inspector.folder import open_folder


def test_deadlines_follow_the_rulebook(tmp_path: Path) -> None:
    db = open_folder(tmp_path / "c", rubrics=True)
    sichuan = self_assessment_deadline(
        db, new_plan(db, "sichuan-2017-inspection", "四川", "routine", year=2027)
    )
    assert sichuan is not None and sichuan.day == dt.date(2027, 4, 30)
    assert sichuan.source["document"] == "川人社函〔2017〕297号" and sichuan.source["article"] == "三"
    assert sichuan.source["quote"] == "（一）自查自评（4月30日前）" and "含当日" in sichuan.source["reading"]
    # Henan's 4月1日 binds only 省直 stations: no deadline for every station rather than a wrong one
    henan = new_plan(db, "henan-2011-quality", "河南", "routine", year=2027)
    assert self_assessment_deadline(db, henan) is None
    fujian = new_plan(db, "fujian-2021-supervision-record", "福建", "routine", year=2027)
    assert self_assessment_deadline(db, fujian) is None
    db.conn.close()


def test_states_by_the_day_received() -> None:
    due = dt.date(2026, 4, 30)
    assert request_state(due, None, due) == "sent"  # 前: the day itself is in time
    assert request_state(due, None, due + dt.timedelta(days=1)) == "late"
    assert request_state(due, "2026-04-30T10:00:00+08:00", dt.date(2026, 12, 1)) == "returned"
    assert request_state(due, "2026-05-01T09:00:00+08:00", dt.date(2026, 12, 1)) == "returned_late"
    assert request_state(None, None, dt.date(2099, 1, 1)) == "sent"
