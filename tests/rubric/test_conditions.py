from decimal import Decimal as D

import pytest

from inspector.rubric.conditions import parse_condition


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        # 以上 / 以内 include the number (Civil Code art. 1259)
        ("问题>=3", ["3", "4", "10"], ["0", "2"]),
        ("问题<=2", ["0", "1", "2"], ["3"]),
        # 超过 excludes it: "超过3个" starts at 4
        ("问题>3", ["4", "5"], ["3", "2"]),
        ("比例>=60%", ["0.6", "0.61", "1"], ["0.59", "0.5999"]),
        ("比例<30%", ["0", "0.29"], ["0.3", "0.31"]),
        ("比例=30%..60%", ["0.3", "0.45", "0.6"], ["0.29", "0.61"]),
        ("比例=100%", ["1"], ["0.99"]),
        ("比例>3%", ["0.031"], ["0.03", "0"]),
        ("ratio<=0.1", ["0.1", "0"], ["0.11"]),
        ("问题 ≥ 3", ["3"], ["2"]),
    ],
)
def test_boundaries(text: str, inside: list[str], outside: list[str]) -> None:
    c = parse_condition(text)
    assert all(c.holds(D(v)) for v in inside)
    assert not any(c.holds(D(v)) for v in outside)


@pytest.mark.parametrize("text", ["问题<=2", "问题>3", "比例>=60%", "比例=30%..60%", "比例<3%", "问题=0"])
def test_text_round_trip(text: str) -> None:
    assert parse_condition(text).text() == text
    assert parse_condition(parse_condition(text).text()) == parse_condition(text)


@pytest.mark.parametrize(
    "text",
    ["问题", "问题<<2", "比例>=160%", "问题>=1.5", "问题=-1", "温度>3", "比例>=60%..70%", "比例=0.6..0.3"],
)
def test_bad_conditions_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_condition(text)
