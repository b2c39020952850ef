"""An import's checks run before its write lock: what they judged may move meanwhile (another desk of
a server centre, or the window beside the command line on one folder). Found by review."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.bundles import importer
from inspector.bundles.importer import import_bundle
from inspector.centre.plans import add_target
from inspector.centre.results import plan_results
from inspector.errors import BundleError
from inspector.folder import open_folder
from inspector.store.changes import META
from inspector.store.evaluations import EvaluationStore
from tests.bundle_support import RUBRIC
from tests.bundles.authority_support import Teams, change, teams, teams_template
from tests.bundles.test_authority import score_everything
from tests.centre.rulebook_helpers import new_plan

__all__ = ["teams", "teams_template"]


def test_a_lock_taken_in_by_another_desk_during_the_checks_holds_a_members_late_mark(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = teams
    lead, second = t.w.laptops[0], t.w.laptops[1]
    score_everything(t, lead, "张建国", problems=1)
    t.w.store(lead, "张建国").sign(t.w.eval_id, [{"name": "张建国", "role": "组长"}])
    lead_bundle = t.results(lead)
    t.w.store(second, "李秀英").record(t.w.eval_id, "4.1.1", {"problems": 3, "note": "我看到三处"})
    member_bundle = t.results(second)
    keyring = t.keyring(t.w.centre)
    t.w.close()

    real = importer.prepare
    calls = {"n": 0}

    def another_desk_imports_the_lock_meanwhile(db: Any, rubrics_of: Any, opened: Any) -> Any:
        prepared = real(db, rubrics_of, opened)
        calls["n"] += 1
        if calls["n"] == 1:  # after the member's bundle was checked, before it is written
            other = open_folder(t.w.centre)
            try:
                import_bundle(other, t.w.centre, lead_bundle, keyring=keyring)
            finally:
                other.conn.close()
        return prepared

    monkeypatch.setattr(importer, "prepare", another_desk_imports_the_lock_meanwhile)
    db = open_folder(t.w.centre)
    try:
        report = import_bundle(db, t.w.centre, member_bundle, keyring=keyring)
        store = EvaluationStore(db, "x")
        check = store.signed_check(t.w.eval_id)
        assert calls["n"] == 3  # the member's, the lead's at the other desk, the member's again
        assert store.get(t.w.eval_id).state == "signed"
        assert not check.differs, "a signed result changed"
        assert [h["rule"] for h in report.held] == ["final"]
    finally:
        db.conn.close()


def test_a_members_visit_day_that_is_no_day_is_refused_and_changes_nothing(teams: Teams) -> None:
    t = teams
    device = "e" * 32
    meta = change(t.w.eval_id, META, None, {"visit_date": "2026-02-30"}, device=device, author="李秀英")
    bundle = t.send(t.w.laptops[1], t.w.centre, [meta], device=device)
    with pytest.raises(BundleError, match="不是真实存在的日期") as refused:
        t.import_(t.w.centre, bundle)
    assert "changes.jsonl" in str(refused.value.where)
    db = t.w.db(t.w.centre)
    assert t.w.store(t.w.centre).get(t.w.eval_id).visit_date != "2026-02-30"
    plan = new_plan(db, RUBRIC, "p", "routine", starts="2026-01-01", ends="2026-12-31")
    add_target(db, plan.id, t.w.org_id)
    plan_results(db, plan.id)  # the desk of a plan by period reads the evaluation's day
