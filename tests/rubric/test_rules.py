"""Every rule kind at its boundaries, as the documents state them."""

from decimal import Decimal as D

import pytest

from inspector.errors import ObservationError
from inspector.rubric.observations import parse_observation
from inspector.rubric.ruletext import format_rule, parse_rule


def score(rule_text: str, max_points: str, obs: dict) -> tuple[D, str | None]:
    rule = parse_rule(rule_text)
    result = rule.score(D(max_points), parse_observation(obs, "X"), "X")
    return result.points, result.reason


def test_all_or_nothing() -> None:
    assert score("全有全无", "2", {"problems": 0}) == (D(2), None)
    points, reason = score("全有全无", "2", {"problems": 1})
    assert points == 0 and "发现1个问题" in reason and "发现问题不得分" in reason
    assert score("全有全无", "2", {"met": True})[0] == 2
    assert score("全有全无", "2", {"met": False})[0] == 0


def test_yes_no() -> None:
    assert score("是否", "3", {"met": True})[0] == 3
    points, reason = score("是否", "3", {"met": False})
    assert points == 0 and "不符合" in reason


def test_deduct_with_zero_at_three() -> None:
    # 发现1个问题扣1分；2个问题扣2分；3个问题以上不得分 (以上 includes 3)
    rule = "扣分 每个=1 单位=问题 不得分=3"
    assert [score(rule, "3", {"problems": n})[0] for n in range(6)] == [3, 2, 1, 0, 0, 0]
    # with a bigger item the floor still comes at three problems, not at the arithmetic zero
    assert score(rule, "6", {"problems": 3})[0] == 0
    assert score(rule, "6", {"problems": 2})[0] == 4


def test_deduct_fractional_down_to_zero_exactly() -> None:
    # 缺一岗位及人员扣0.4分，扣完为止 — exact decimals, no 0.39999
    rule = "扣分 每个=0.4 单位=缺少的岗位 最多=10"
    assert score(rule, "4", {"problems": 1})[0] == D("3.6")
    assert score(rule, "4", {"problems": 3})[0] == D("2.8")
    assert score(rule, "4", {"problems": 10})[0] == 0
    with pytest.raises(ObservationError, match="最多10个"):
        score(rule, "4", {"problems": 11})


def test_deduct_floor_at_zero() -> None:
    # 未按要求阅卷 1个批次扣0.6分，扣完为止: four batches would be 2.4 > 2
    rule = "扣分 每个=0.6 单位=不合格批次"
    assert score(rule, "2", {"problems": 3})[0] == D("0.2")
    assert score(rule, "2", {"problems": 4})[0] == 0
    with pytest.raises(ObservationError, match="个数"):
        score(rule, "2", {"met": False})


COUNT_TIERS = (
    "分档\n2 | 问题=0 | 符合要求\n1 | 问题<=2 | 发现2个以内一般性问题\n0 | 问题>3 | 问题超过3个或问题严重"
)


def test_count_tiers_and_the_gap_at_three() -> None:
    assert score(COUNT_TIERS, "2", {"problems": 0})[0] == 2
    assert score(COUNT_TIERS, "2", {"problems": 1})[0] == 1
    assert score(COUNT_TIERS, "2", {"problems": 2})[0] == 1  # 以内 includes 2
    assert score(COUNT_TIERS, "2", {"problems": 4})[0] == 0  # 超过3个 starts at 4
    # exactly three is in no tier the document defines: refused, with the tiers to choose from
    with pytest.raises(ObservationError, match="第2档：发现2个以内一般性问题"):
        score(COUNT_TIERS, "2", {"problems": 3})
    # the serious-problem tier is chosen directly
    points, reason = score(COUNT_TIERS, "2", {"tier": 2})
    assert points == 0 and "问题超过3个或问题严重" in reason


RATIO_TIERS = "\n".join(
    [
        "分档",
        "3 | 比例=100% | 全部人员",
        "2 | 比例>=60% | 60%以上",
        "1 | 比例=30%..60% | 30%-60%",
        "0 | 比例<30% | 低于30%",
    ]
)


@pytest.mark.parametrize(
    ("ratio", "points"),
    [("1", 3), ("0.99", 2), ("0.6", 2), ("0.59", 1), ("0.3", 1), ("0.29", 0), ("0", 0)],
)
def test_ratio_tiers(ratio: str, points: int) -> None:
    assert score(RATIO_TIERS, "3", {"ratio": D(ratio)})[0] == points


def test_error_rate_tiers_leave_exactly_three_percent_open() -> None:
    rule = "分档\n1 | 比例<3% | 差错率低于3%\n0 | 比例>3% | 差错率高于3%"
    assert score(rule, "1", {"ratio": D("0.029")})[0] == 1
    assert score(rule, "1", {"ratio": D("0.031")})[0] == 0
    with pytest.raises(ObservationError, match="不在文件规定的任何一档内"):
        score(rule, "1", {"ratio": D("0.03")})


def test_choice_tiers() -> None:
    rule = "分档\n2 | 相关场地齐备\n1 | 有部分相关场地\n0 | 没有相关场地"
    assert [score(rule, "2", {"tier": k})[0] for k in range(3)] == [2, 1, 0]
    assert score(rule, "2", {"met": True})[0] == 2
    with pytest.raises(ObservationError, match="没有第 3 档"):
        score(rule, "2", {"tier": 3})
    with pytest.raises(ObservationError, match="不按问题数"):
        score(rule, "2", {"problems": 1})
    with pytest.raises(ObservationError, match="分多档"):
        score(rule, "2", {"met": False})


GROUPED = "分组\n1 | 发布前批准\n1 | 内容清晰\n1 | 更改有规定\n1 | 作废文件标识"


def test_grouped_criteria_share_the_points() -> None:
    assert score(GROUPED, "4", {"met": True})[0] == 4
    points, reason = score(GROUPED, "4", {"unmet": [2, 4]})
    assert points == 2 and "2. 内容清晰" in reason and "4. 作废文件标识" in reason
    assert score(GROUPED, "4", {"problems": 4})[0] == 0
    with pytest.raises(ObservationError, match="没有第 5 条"):
        score(GROUPED, "4", {"unmet": [5]})


def test_grouped_with_unequal_deductions_needs_the_criteria_named() -> None:
    rule = "分组\n10 | 未建题库\n3 | 缺编制说明\n3 | 缺评审意见\n3 | 缺备案记录"
    assert score(rule, "10", {"unmet": [2, 3]})[0] == 4
    assert score(rule, "10", {"unmet": [1, 2]})[0] == 0  # capped at the item's points
    with pytest.raises(ObservationError, match="unmet"):
        score(rule, "10", {"problems": 1})
    quarters = "分组\n0.25 | 无销毁计划\n0.25 | 无销毁回单"
    assert score(quarters, "0.5", {"unmet": [1]})[0] == D("0.25")


def test_discretionary_needs_a_reason_to_take_points() -> None:
    assert score("酌情", "7", {"met": True})[0] == 7
    assert score("酌情", "7", {"points": 7})[0] == 7
    points, reason = score("酌情", "7", {"points": D("4.5"), "reason": "缺少两类记录表"})
    assert points == D("4.5") and "缺少两类记录表" in reason
    with pytest.raises(ObservationError, match="理由"):
        score("酌情", "7", {"points": 4})
    with pytest.raises(ObservationError, match="超过"):
        score("酌情", "7", {"points": 8, "reason": "x"})
    with pytest.raises(ObservationError, match="单位"):
        score("酌情 步长=0.5", "7", {"points": D("4.2"), "reason": "x"})


def test_checklist_is_unscored() -> None:
    assert score("记录", "0", {"met": True}) == (0, None)
    points, reason = score("记录", "0", {"met": False, "note": "考场秩序混乱"})
    assert points == 0 and "考场秩序混乱" in reason


@pytest.mark.parametrize(
    "obs",
    [{"ratio": 0.5}, {"tier": 1}, {"unmet": [1]}],
)
def test_shapes_that_do_not_fit_are_refused(obs: dict) -> None:
    with pytest.raises(ObservationError, match="不接受"):
        score("全有全无", "2", obs)


@pytest.mark.parametrize(
    "obs",
    [
        {},
        {"problems": -1},
        {"problems": 1.5},
        {"problems": True},
        {"ratio": 1.2},
        {"met": "yes"},
        {"problems": 1, "met": True},
        {"colour": "red"},
        {"na": True},
        [],
    ],
)
def test_malformed_observations(obs: object) -> None:
    with pytest.raises(ObservationError):
        parse_observation(obs, "X")


@pytest.mark.parametrize(
    "text",
    [
        "全有全无",
        "是否",
        "记录",
        "酌情",
        "酌情 步长=0.5",
        "扣分 每个=1 单位=问题 不得分=3",
        "扣分 每个=0.4 单位=缺少的岗位 最多=10",
        COUNT_TIERS,
        RATIO_TIERS,
        GROUPED,
        "分组\n0.25 | 无销毁计划\n0.25 | 无销毁回单",
    ],
)
def test_rule_text_round_trip(text: str) -> None:
    assert format_rule(parse_rule(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "好评",
        "扣分",
        "扣分 每个=一",
        "扣分 每个=1 颜色=红",
        "扣分 每个=1 不得分=二",
        "分档",
        "分档 多=1",
        "分档\n2",
        "分档\n2 | 问题<<2 | x",
        "分组\n没有扣分",
        "全有全无 每个=1",
        "全有全无\n多余",
    ],
)
def test_bad_rule_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(text)


def test_rule_checks_against_item_points() -> None:
    assert parse_rule(COUNT_TIERS).check(D(3))  # best tier must be full marks
    assert parse_rule("扣分 每个=5").check(D(3))
    assert parse_rule("记录").check(D(1))
    assert parse_rule("分档\n1 | a\n2 | b").check(D(2))
    assert not parse_rule(COUNT_TIERS).check(D(2))


def test_absurd_numbers_are_refused_not_crashed() -> None:
    for text in ["分档\n1e300 | 好\n0 | 差", "扣分 每个=1e300", "扣分 每个=NaN"]:
        with pytest.raises(ValueError):
            parse_rule(text)


def test_a_not_met_observation_round_trips() -> None:
    assert parse_observation({"met": False}, "X").to_dict() == {"met": False}
    assert parse_observation({"na": True, "reason": "不涉及"}, "X").to_dict() == {
        "na": True,
        "reason": "不涉及",
    }


def test_a_unit_must_survive_the_text_form() -> None:
    from inspector.rubric.rules import rule_from_dict

    with pytest.raises(ValueError, match="一个词"):
        rule_from_dict({"kind": "deduct", "per": 1, "unit": "一般 问题"})
    with pytest.raises(ValueError, match="不得分"):
        parse_rule("扣分 每个=1 不得分=abc")
