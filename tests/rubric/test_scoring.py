"""Scoring whole rubrics: sums, bonus cap, overrides, vetoes, outcomes — and their properties."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.errors import ObservationError, UsageError
from inspector.paths import rubrics_dir
from inspector.rubric.model import Item, Rubric
from inspector.rubric.observations import Observation, parse_observation
from inspector.rubric.points import ZERO
from inspector.rubric.rules import AllOrNothing, Checklist, Deduct, Discretionary, Grouped, Tiers
from inspector.rubric.scoring import VetoMark, parse_answers, score, score_item
from inspector.rubric.toml_form import load_rubric_file

RUBRICS = {p.stem: load_rubric_file(p) for p in sorted(rubrics_dir().glob("*.toml"))}
SCORED = [r for r in RUBRICS.values() if r.scored]


def full_marks(r: Rubric) -> dict[str, Observation]:
    return {i.id: Observation(met=True) for i in r.items()}


def test_full_marks_is_the_maximum(sichuan: Rubric) -> None:
    report = score(sichuan, full_marks(sichuan))
    assert report.total == 100 and not report.lost and not report.unanswered
    assert report.outcome is not None and report.outcome.code == "pass"


def test_pass_line_at_sixty_inclusive(sichuan: Rubric) -> None:
    # Lose exactly 40 points with all-or-nothing items: 60 passes ("60分及以上"), 59 fails.
    answers = full_marks(sichuan)
    lost = D(0)
    for item in sichuan.items():
        if isinstance(item.rule, AllOrNothing) and lost + item.points <= 40:
            answers[item.id] = Observation(problems=1)
            lost += item.points
    assert lost == 40
    report = score(sichuan, answers)
    assert report.total == 60 and report.outcome.code == "pass"
    spare = next(i for i in sichuan.items() if answers[i.id].met and i.points == 1)
    answers[spare.id] = Observation(problems=1)
    assert score(sichuan, answers).total == 59
    assert score(sichuan, answers).outcome.code == "fail"


def test_veto_fails_whatever_the_score(sichuan: Rubric) -> None:
    report = score(sichuan, full_marks(sichuan), [VetoMark("V5", "试题泄露")])
    assert report.total == 100 and report.outcome.code == "fail"
    assert report.to_json()["vetoed"] == ["V5"]


def test_unknown_item_and_veto_are_refused(sichuan: Rubric) -> None:
    with pytest.raises(ObservationError, match="没有这个小项"):
        score(sichuan, {"99.1": Observation(met=True)})
    with pytest.raises(ObservationError, match="没有这个否决项"):
        score(sichuan, {}, [VetoMark("V9")])


def test_override_is_flagged_and_needs_a_reason(sichuan: Rubric) -> None:
    item = sichuan.item("4.1.1")  # 每个问题扣1分，3个以上不得分: 3, 2, 1, 0
    result = score_item(item, parse_observation({"points": 2, "reason": "问题轻微"}, item.id))
    assert result.override and result.points == D("2") and "问题轻微" in result.reason
    with pytest.raises(ObservationError, match="理由"):
        score_item(item, parse_observation({"points": 2}, item.id))
    with pytest.raises(ObservationError, match="超过"):
        score_item(item, parse_observation({"points": 4, "reason": "x"}, item.id))


def test_an_override_lands_on_the_items_point_grid(sichuan: Rubric) -> None:
    # 1.1.1: 发现问题不得分 (2 or 0): "1 of 2" is a point the method cannot give.
    item = sichuan.item("1.1.1")
    with pytest.raises(ObservationError, match="0、2"):
        score_item(item, parse_observation({"points": 1, "reason": "职责文件未更新"}, item.id))
    assert score_item(item, parse_observation({"points": 0, "reason": "x"}, item.id)).points == 0
    with pytest.raises(ObservationError, match=r"2\.5分不是"):
        score_item(sichuan.item("4.1.1"), parse_observation({"points": 2.5, "reason": "x"}, "4.1.1"))
    # Recorded before the rule: scored as recorded, flagged, never silently moved.
    old = score_item(item, parse_observation({"points": 1, "reason": "x"}, item.id), recorded=True)
    assert old.points == 1 and old.irregular and "0、2" in old.irregular


@pytest.mark.parametrize("rubric", SCORED, ids=lambda r: f"{r.id}-v{r.version}")
def test_every_grid_value_is_one_the_rule_gives(rubric: Rubric) -> None:
    for item in rubric.items():
        grid = item.rule.grid(item.points)
        if grid is None:
            continue
        assert item.points in grid and all(ZERO <= g <= item.points for g in grid), item.id


def test_not_applicable_only_where_the_form_says_so(sichuan: Rubric) -> None:
    # No seed has a general not-applicable: a Sichuan station at 59 must not reach 62 by it.
    item = sichuan.item("6.4.2")
    with pytest.raises(ObservationError, match="不能标记为不适用"):
        score_item(item, parse_observation({"na": True, "reason": "全部职业均有国家题库"}, item.id))
    fujian = RUBRICS["fujian-2021-supervision-record"]
    line = fujian.item("4.1.1")  # 第三章一（三）: only where a report was made
    assert line.na is not None and "第三章一（三）" in line.na.clause
    result = score_item(line, parse_observation({"na": True, "reason": "当次无群众举报"}, line.id))
    assert result.na and "当次无群众举报" in (result.reason or "")
    with pytest.raises(ObservationError, match="不能标记为不适用"):
        score_item(fujian.item("1.1.1"), parse_observation({"na": True, "reason": "x"}, "1.1.1"))
    # A mark recorded before the rule keeps its points, flagged.
    old = score_item(item, parse_observation({"na": True, "reason": "x"}, item.id), recorded=True)
    assert old.points == item.points and old.irregular


def test_a_sichuan_station_at_59_cannot_pass_by_not_applicable(sichuan: Rubric) -> None:
    answers = full_marks(sichuan)
    lost = D(0)
    failed = []
    for item in sichuan.items():
        if isinstance(item.rule, AllOrNothing) and lost + item.points <= 41:
            answers[item.id] = Observation(met=False)
            lost += item.points
            failed.append(item.id)
    assert score(sichuan, answers).total == 59
    with pytest.raises(ObservationError, match="不能标记为不适用"):
        score(sichuan, {**answers, failed[0]: Observation(na=True, reason="本站无此业务")})


def test_unanswered_items_are_listed_and_score_nothing(sichuan: Rubric) -> None:
    report = score(sichuan, {"1.1.1": Observation(met=True)})
    assert report.total == 2 and len(report.unanswered) == 60
    assert report.to_json()["complete"] is False


def test_answers_file_shapes(sichuan: Rubric) -> None:
    answers, vetoes = parse_answers(
        {"answers": [{"item": "1.1.1", "problems": 0}, {"veto": "V1", "note": "未发证"}], "vetoes": ["V2"]},
        sichuan,
        "a.json",
    )
    assert set(answers) == {"1.1.1"} and [v.id for v in vetoes] == ["V1", "V2"]
    with pytest.raises(UsageError):
        parse_answers([], sichuan, "a.json")
    with pytest.raises(UsageError):
        parse_answers({"answer": {}}, sichuan, "a.json")
    with pytest.raises(ObservationError, match=r"1\.1\.1"):
        parse_answers({"answers": {"1.1.1": {"problems": "many"}}}, sichuan, "a.json")


def test_tenths_add_up_exactly() -> None:
    cq = RUBRICS.get("chongqing-2024-renewal")
    if cq is None:
        pytest.skip("Chongqing rubric not present")
    answers = full_marks(cq)
    answers["1.1.1"] = Observation(problems=3)  # 3 × 0.4
    report = score(cq, answers)
    assert report.base == cq.max_points - D("1.2")
    assert report.to_json()["total"] == float(cq.max_points + cq.bonus_points - D("1.2"))


# -- properties --------------------------------------------------------------------------------


def observation_for(item: Item) -> st.SearchStrategy[dict[str, Any]]:
    rule = item.rule
    if isinstance(rule, Checklist):
        return st.builds(lambda m: {"met": m}, st.booleans())
    if isinstance(rule, Deduct):
        return st.builds(lambda n: {"problems": n}, st.integers(0, rule.of or 12))
    if isinstance(rule, AllOrNothing):
        return st.one_of(
            st.builds(lambda n: {"problems": n}, st.integers(0, 5)),
            st.builds(lambda m: {"met": m}, st.booleans()),
        )
    if isinstance(rule, Tiers):
        return st.builds(lambda k: {"tier": k}, st.integers(0, len(rule.tiers) - 1))
    if isinstance(rule, Grouped):
        return st.builds(lambda ks: {"unmet": sorted(ks)}, st.sets(st.integers(1, len(rule.criteria))))
    assert isinstance(rule, Discretionary)
    halves = int(item.points * 2)
    return st.builds(lambda h: {"points": D(h) / 2, "reason": "视情况"}, st.integers(0, halves))


def answers_for(r: Rubric) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    items = list(r.items())
    plain = st.fixed_dictionaries({i.id: observation_for(i) for i in items})
    # an override lands on a value the item's method can produce
    on_grid = [i for i in items if not isinstance(i.rule, Discretionary) and i.rule.grid(i.points)]
    override = st.sampled_from(on_grid).flatmap(
        lambda i: st.builds(
            lambda p: (i.id, {"points": p, "reason": "复核调整"}),
            st.sampled_from(sorted(i.rule.grid(i.points) or ())),
        )
    )
    # a few overrides replace the answers of their items
    return st.tuples(plain, st.lists(override, max_size=3)).map(lambda t: {**t[0], **dict(t[1])})


@pytest.mark.parametrize("rubric", SCORED, ids=lambda r: r.id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_properties(rubric: Rubric, data: st.DataObject) -> None:
    raw = data.draw(answers_for(rubric))
    drop = data.draw(st.sets(st.sampled_from(sorted(raw)), max_size=5))
    answers = {k: parse_observation(v, k) for k, v in raw.items() if k not in drop}
    report = score(rubric, answers)
    # every item stays within [0, max]
    for r in report.items:
        assert ZERO <= r.points <= r.max_points
    # the total is the sum: base items, plus bonus capped at its section's points
    base = sum((r.points for r, s in _with_sections(report, rubric) if not s.bonus), ZERO)
    assert report.base == base
    assert report.total == base + report.bonus
    assert report.bonus <= rubric.bonus_points
    assert ZERO <= report.total <= rubric.max_points + rubric.bonus_points
    for s in report.sections:
        assert ZERO <= s.points <= s.max_points
    assert set(report.unanswered) == drop
    # a vetoed evaluation never passes
    if rubric.vetoes:
        veto = data.draw(st.sampled_from(rubric.vetoes))
        vetoed = score(rubric, answers, [VetoMark(veto.id)])
        assert vetoed.outcome is not None and vetoed.outcome.code == rubric.veto_outcome
        assert vetoed.total == report.total


def _with_sections(report: Any, rubric: Rubric) -> list[tuple[Any, Any]]:
    section_of = {i.id: s for s in rubric.sections for i in s.items()}
    return [(r, section_of[r.id]) for r in report.items]


COUNTED = [
    (r.id, i)
    for r in SCORED
    for i in r.items()
    if isinstance(i.rule, (AllOrNothing, Deduct))
    or (isinstance(i.rule, Tiers) and "problems" in i.rule.measures())
    or (isinstance(i.rule, Grouped) and i.rule.uniform() is not None)
]


@pytest.mark.parametrize(("rubric_id", "item"), COUNTED, ids=lambda x: x if isinstance(x, str) else x.id)
def test_more_problems_never_score_more(rubric_id: str, item: Item) -> None:
    limit = getattr(item.rule, "of", None) or (
        len(item.rule.criteria) if isinstance(item.rule, Grouped) else 12
    )
    last = None
    for n in range(limit + 1):
        try:
            points = score_item(item, Observation(problems=n)).points
        except ObservationError:
            continue  # a gap the document leaves open (exactly three problems on 5.1)
        assert last is None or points <= last
        last = points


def test_a_new_mark_is_a_json_integer_count_or_a_json_number_of_points(sichuan: Rubric) -> None:
    """What is recorded or received is refused when its encoding is odd; what is stored reads as it is."""
    for odd in (
        {"problems": D("1E+400")},
        {"problems": D("2.0")},
        {"problems": 2**53},
        {"unmet": [D("1.0")]},
        {"tier": D("1E+2")},
        {"points": "1", "reason": "x"},
        {"points": D("1E+400"), "reason": "x"},
    ):
        with pytest.raises(ObservationError) as e:
            parse_observation(odd, "1.1.1", new=True)
        assert e.value.where == "1.1.1"
    assert parse_observation({"problems": 2**53 - 1}, "1.1.1", new=True).problems == 2**53 - 1
    assert parse_observation({"points": D("1.5"), "reason": "x"}, "1.1.1", new=True).points == D("1.5")
    assert parse_observation({"points": 1.5, "reason": "x"}, "1.1.1", new=True).points == D("1.5")
    # stored history is read as it was written
    assert parse_observation({"problems": D("2.0")}, "1.1.1").problems == 2
    with pytest.raises(ObservationError, match="整数"):
        parse_answers({"answers": {"1.1.1": {"problems": D("1E+400")}}}, sichuan, "a.json")


def test_a_refusal_in_parts_reads_in_either_language_and_leaves_no_points(sichuan: Rubric) -> None:
    """What the form disallows, in parts (kept language-neutral) and in words (the reader's): the
    same words as signing's check in Chinese, English ones in English; the contract's score object
    has no total, no section sum and no points for the item; a self-comparison leaves it out."""
    from inspector.i18n import language, set_language
    from inspector.rubric.comparison import compare_self
    from inspector.rubric.scoring import (
        disallowed,
        refusal_parts,
        refusal_text,
        refusal_words,
        score_as_recorded,
    )

    answers = full_marks(sichuan)
    answers["6.4.2"] = parse_observation({"na": True, "reason": "无此情形"}, "6.4.2")
    answers["1.1.1"] = parse_observation({"points": 1, "reason": "x"}, "1.1.1")
    report = score(sichuan, answers, recorded=True)
    parts = refusal_parts(report)
    assert parts is not None
    assert [(i["id"], i["kind"]) for i in parts["items"]] == [("1.1.1", "grid"), ("6.4.2", "na")]
    assert parts["items"][0]["values"] == ["0", "2"] and parts["items"][0]["points"] == "1"
    assert refusal_words(parts) == disallowed(report) and "该项不能标记为不适用" in refusal_words(parts)
    was = language()
    try:
        set_language("en")
        english = refusal_words(parts)
        assert english == disallowed(report) and "该项不能" not in english and "6.4.2" in english
    finally:
        set_language(was)
    doc = report.to_json()
    items = {i["id"]: i for i in doc["items"]}
    assert doc["total"] is None and items["6.4.2"]["points"] is None and items["1.1.1"]["points"] is None
    assert items["1.2.1"]["points"] == 2 and all(s["points"] is None for s in doc["sections"])
    # an item the form lacks: the form's own marks scored, the stray named, no total
    with pytest.raises(ObservationError):
        score(sichuan, {**answers, "9.9.9": answers["1.2.1"]}, recorded=True)
    own, whole = score_as_recorded(sichuan, {**answers, "9.9.9": answers["1.2.1"]}, [VetoMark("V99")])
    assert whole is not None and whole["items"] == ["9.9.9"] and whole["vetoes"] == ["V99"]
    said = refusal_words(whole)
    assert said.startswith(f"9.9.9：评估表 {sichuan.id} 没有这个小项；V99：") and "6.4.2" in said
    assert {r.id: r.points for r in own.items}["1.2.1"] == 2 and own.rubric is sichuan
    assert refusal_text("legacy words") == "legacy words"  # a row kept in words stays readable
    # the self-assessment beside it: the disallowed items are not compared (no points to compare)
    clean = score(sichuan, full_marks(sichuan), recorded=True)
    cmp = compare_self(report, clean)
    assert not cmp.items["6.4.2"].comparable and not cmp.items["1.1.1"].comparable
    assert [c.item_id for c in cmp.differing] == []
