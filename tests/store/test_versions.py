"""Fixing a shipped form never moves a recorded score: versions pinned, moved only on purpose,
signed figures fixed, marks recorded before a rule kept and flagged."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from inspector.errors import StoreError, UsageError
from inspector.rubric import rules
from inspector.rubric.rules import Scored
from inspector.rubric.scoring import disallowed
from inspector.store import figures
from inspector.store.audit import audit_evaluation
from inspector.store.changes import META, OBSERVE
from inspector.store.db import open_database, transaction
from inspector.store.evaluations import EvaluationStore
from inspector.store.log import apply_change
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics

CQ = "chongqing-2024-renewal"
SICHUAN = "sichuan-2017-inspection"


@pytest.fixture
def store(tmp_path: Path) -> EvaluationStore:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    return EvaluationStore(db, "张三")


@pytest.fixture
def org(store: EvaluationStore) -> str:
    return add_org(store.db, "重庆市某技能评价中心", "CQ001")["id"]


def full(store: EvaluationStore, eval_id: str, skip: tuple[str, ...] = ()) -> None:
    e = store.get(eval_id)
    for item in store.rubric(e.rubric_id, e.rubric_version).items():
        if item.id not in skip:
            store.record(eval_id, item.id, {"met": True})


def old_mark(store: EvaluationStore, eval_id: str, item_id: str, payload: dict[str, object]) -> None:
    """A mark as an older program recorded it (or a laptop still running one sends it): straight
    into the log, as a bundle import does, without today's checks."""
    with transaction(store.db) as conn:
        heads = store._heads(conn, eval_id, item_id)
        apply_change(conn, store._change(conn, eval_id, item_id, OBSERVE, payload, heads), store.rubric)


def test_both_chongqing_versions_are_shipped_and_a_new_evaluation_takes_the_latest(
    store: EvaluationStore, org: str
) -> None:
    assert store.rubric(CQ, 1).version == 1 and store.rubric(CQ, 2).version == 2
    assert store.create(CQ, org).rubric_version == 3  # the 整改 band's quote as the source prints it
    old = store.create(CQ, org, rubric_version=1)
    # version 1 still scores as it did: 2.2.1's six criteria, the fifth one too
    store.record(old.id, "2.2.1", {"unmet": [5]})
    assert store.report(old.id).items[[i.id for i in store.report(old.id).items].index("2.2.1")].points == D(
        "2.5"
    )


def test_a_draft_moves_to_the_new_version_only_by_a_recorded_act(
    store: EvaluationStore, org: str, tmp_path: Path
) -> None:
    e = store.create(CQ, org, rubric_version=1)
    full(store, e.id, skip=("2.2.1",))
    store.record(e.id, "2.2.1", {"unmet": [1, 5]})
    before = store.report(e.id).total
    with pytest.raises(UsageError, match="理由"):
        store.move_to_version(e.id, 2, " ")
    # the fifth criterion is not in version 2: refused, naming the item; nothing written
    changes = len(store.changes(e.id))
    with pytest.raises(StoreError, match=r"2\.2\.1"):
        store.move_to_version(e.id, 2, "按第2版评分")
    assert len(store.changes(e.id)) == changes and store.get(e.id).rubric_version == 1
    store.record(e.id, "2.2.1", {"unmet": [1]})
    c = store.move_to_version(e.id, 2, "按第2版评分")
    assert c.kind == META and c.payload["from_version"] == 1 and c.payload["reason"] == "按第2版评分"
    moved = store.get(e.id)
    assert moved.rubric_version == 2 and moved.rubric_hash == store.rubric(CQ, 2).content_hash
    assert store.report(e.id).total == before + D("0.5")  # unmet [1] alone now
    assert store.report(e.id).rubric.version == 2
    assert audit_evaluation(store, tmp_path / "data", e.id).ok  # the log rebuilds the same pin
    # the move is in the history; a signed evaluation is not moved (it is amended)
    store.sign(e.id, [{"name": "张三", "role": "组长"}])
    with pytest.raises(StoreError, match="已签署"):
        store.move_to_version(e.id, 1, "回到第1版")


def test_signing_fixes_total_and_outcome_and_a_later_recomputation_is_flagged(
    store: EvaluationStore, org: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = store.create(CQ, org)
    full(store, e.id, skip=("2.4.2", "2.5.1", "4.1.1"))
    store.record(e.id, "2.4.2", {"unmet": [1, 2, 3, 4]})  # 10 → 2
    store.record(e.id, "2.5.1", {"unmet": [3, 4]})  # 10 → 4
    store.record(e.id, "4.1.1", {"met": False})  # bonus: 不得分、不扣分
    report = store.report(e.id)
    assert report.total == 84 and report.outcome is not None and report.outcome.code == "renew"
    store.sign(e.id, [{"name": "张三", "role": "组长"}])
    fixed = store.fixed(e.id)
    assert fixed is not None and fixed.total == 84 and fixed.outcome_code == "renew"
    assert store.signed_check(e.id).differs is None
    t = store.totals([store.get(e.id)])[e.id]
    assert t.signed and not t.differs and t.total == 84
    # A later program scores one rule differently: the signed figures stay, the difference is said.
    monkeypatch.setattr(rules.Grouped, "score", lambda self, m, obs, where: Scored(D(0), "x"))
    check = store.signed_check(e.id)
    assert check.fixed is not None and check.fixed.total == 84
    assert check.differs is not None and "以签署时为准" in check.differs and "84" in check.differs


def test_a_mark_the_form_no_longer_allows_keeps_its_points_but_cannot_be_signed(
    store: EvaluationStore, org: str
) -> None:
    e = store.create(SICHUAN, org)
    full(store, e.id, skip=("6.4.2",))
    old_mark(store, e.id, "6.4.2", {"na": True, "reason": "全部职业均有国家题库"})
    report = store.report(e.id)  # as recorded: never silently moved
    assert report.total == 100 and [i.id for i in report.irregular] == ["6.4.2"]
    # but not shown as a total anywhere: the kept figures refuse it with signing's own words
    t = store.totals([store.get(e.id)])[e.id]
    why = disallowed(report)
    assert t.total is None and t.outcome is None and t.refused == why
    assert (
        why is not None
        and "6.4.2" in why
        and store.rubric(SICHUAN, e.rubric_version).item("6.4.2").method in why
    )
    with pytest.raises(StoreError, match=r"不能签署.*6\.4\.2"):
        store.sign(e.id, [{"name": "张三", "role": "组长"}])
    assert store.get(e.id).state == "complete"
    kept = figures.read(store.conn, e.id)  # kept mark by mark as the engine recomputes them whole
    assert figures.differences(kept, figures.scored(store.conn, e.id, store.rubric)) == []
    # re-scored on purpose (to the very points it had: the refusal ends all the same), it signs
    store.record(e.id, "6.4.2", {"met": True})
    t = store.totals([store.get(e.id)])[e.id]
    assert t.total == 100 and t.refused is None
    assert store.sign(e.id, [{"name": "张三", "role": "组长"}]).state == "signed"


def test_today_refuses_what_the_form_refuses(store: EvaluationStore, org: str) -> None:
    e = store.create(SICHUAN, org)
    from inspector.errors import ObservationError

    with pytest.raises(ObservationError, match="不能标记为不适用"):
        store.record(e.id, "6.4.2", {"na": True, "reason": "x"})
    with pytest.raises(ObservationError, match="0、2"):
        store.record(e.id, "1.1.1", {"points": 1, "reason": "职责文件未更新"})
    assert store.changes(e.id)[-1].kind != OBSERVE  # nothing written


def test_an_older_mark_arriving_after_a_move_is_unscored_not_guessed(
    store: EvaluationStore, org: str
) -> None:
    e = store.create(CQ, org, rubric_version=1)
    full(store, e.id)
    store.move_to_version(e.id, 2, "按第2版评分")
    # a team member's laptop, still on version 1, sends a mark version 2 cannot score
    old_mark(store, e.id, "2.2.1", {"unmet": [5]})
    report = store.report(e.id)
    result = next(r for r in report.items if r.id == "2.2.1")
    assert not result.answered and result.irregular and result.points == 0
    moved = store.get(e.id)
    # a mark the form does not take is no total anywhere (scoring.disallowed: what signing refuses)
    t = store.totals([moved])[e.id]
    assert moved.state == "draft" and t.total is None and t.refused and "2.2.1" in t.refused
    with pytest.raises(StoreError, match="尚未完成"):
        store.sign(e.id, [{"name": "张三", "role": "组长"}])


def test_an_observation_made_by_a_caller_is_checked_as_its_stored_form_will_be_read(
    store: EvaluationStore, org: str
) -> None:
    """``record`` took an Observation a caller built as already checked: a negative count on a
    deduction item was written durably, gave more than the item's points (4.1.1: 3 − 1 × (−3) = 6 of
    3) and made the evaluation unreadable (the stored form fails to parse). Now refused, nothing
    written."""
    from inspector.errors import ObservationError
    from inspector.rubric.observations import Observation

    e = store.create(SICHUAN, org)
    before = len(store.changes(e.id))
    for obs in (
        Observation(problems=-3, note="x"),
        Observation(ratio=D(2)),
        Observation(tier=-1),
        Observation(unmet=(-1,)),
    ):
        with pytest.raises(ObservationError):
            store.record(e.id, "4.1.1", obs)
    assert len(store.changes(e.id)) == before
    assert store.report(e.id).total == 0
    store.record(e.id, "4.1.1", Observation(problems=1, note="一台设备故障"))
    assert next(i for i in store.report(e.id).items if i.id == "4.1.1").points == 2
