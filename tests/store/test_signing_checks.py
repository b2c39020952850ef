"""What blocks a signature and what the sign page shows: one check for the window and ``eval sign``."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.errors import StoreError
from inspector.store.db import open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from inspector.store.signing_checks import ALL_OR_NOTHING, COUNT, RATIO, TIER, refusal, sign_check

SICHUAN = "sichuan-2017-inspection"
DEMONSTRATION = "henan-2011-demonstration"


@pytest.fixture
def store(tmp_path: Path) -> EvaluationStore:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    return EvaluationStore(db, "张三")


def full_marks(store: EvaluationStore, rubric: str) -> str:
    org = add_org(store.db, "成都市第一技工学校鉴定站")["id"]
    e = store.create(rubric, org)
    for item in store.rubric(rubric, 1).items():
        store.record(e.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    return e.id


def test_a_complete_evaluation_with_nothing_lost_may_be_signed(store: EvaluationStore) -> None:
    eval_id = full_marks(store, SICHUAN)
    check = sign_check(store, eval_id)
    assert check.ok and check.blockers() == []
    assert check.total == 100 and check.report.outcome is not None and check.report.outcome.code == "pass"


def test_each_kind_of_deduction_needs_a_note(store: EvaluationStore) -> None:
    eval_id = full_marks(store, SICHUAN)
    store.record(eval_id, "4.1.1", {"problems": 1})  # by count
    store.record(eval_id, "9.1.2", {"tier": 1})  # by tier
    store.record(eval_id, "1.1.1", {"met": False})  # all or nothing
    ratio_item = next(
        i.id
        for i in store.rubric(SICHUAN, 1).items()
        if i.rule.kind == "tiers" and "ratio" in i.rule.measures()  # type: ignore[attr-defined]
    )
    store.record(eval_id, ratio_item, {"ratio": 0.05})  # by proportion
    check = sign_check(store, eval_id)
    kinds = {u.item_id: u.kind for u in check.unexplained}
    assert kinds == {"4.1.1": COUNT, "9.1.2": TIER, "1.1.1": ALL_OR_NOTHING, ratio_item: RATIO}
    message = refusal(check)
    assert "4.1.1" in message and "9.1.2" in message and "未写明发现的情况" in message
    with pytest.raises(StoreError, match="未写明发现的情况") as refused:
        store.sign(eval_id, [{"name": "张三"}])
    assert "\n" not in str(refused.value)  # one line, naming the items
    assert store.get(eval_id).state == "complete"  # nothing was written
    for item_id in kinds:
        payload = dict(store.current(eval_id)[item_id].change.payload or {})
        store.record(eval_id, item_id, {**payload, "note": "现场发现的情况"})
    assert sign_check(store, eval_id).ok
    assert store.sign(eval_id, [{"name": "张三"}]).state == "signed"


def test_named_criteria_and_own_points_explain_themselves(store: EvaluationStore) -> None:
    eval_id = full_marks(store, DEMONSTRATION)
    store.record(eval_id, "2.2.1", {"unmet": [2]})  # the form names what was missing
    store.record(eval_id, "2.1.4", {"points": 5, "reason": "部分记录缺失"})  # discretion, with its reason
    assert sign_check(store, eval_id).unexplained == ()


def test_vetoes_conflicts_and_unanswered_block_and_are_listed(store: EvaluationStore) -> None:
    org = add_org(store.db, "站")["id"]
    blank = store.create(SICHUAN, org)
    check = sign_check(store, blank.id)
    assert len(check.unanswered) == 61 and not check.ok and "尚未完成" in refusal(check)
    eval_id = full_marks(store, SICHUAN)
    store.set_veto(eval_id, "V3", True)
    check = sign_check(store, eval_id)
    assert check.vetoes_without_note == ("V3",) and "V3" in refusal(check)
    assert [v.id for v in check.vetoed] == ["V3"]
    store.set_veto(eval_id, "V3", True, "超出备案职业范围组织鉴定")
    assert sign_check(store, eval_id).ok


def test_signed_is_reported_as_signed(store: EvaluationStore) -> None:
    eval_id = full_marks(store, SICHUAN)
    store.sign(eval_id, [{"name": "张三"}])
    check = sign_check(store, eval_id)
    assert check.signed and check.blockers() == ["该评估已签署"] and check.signed_at
