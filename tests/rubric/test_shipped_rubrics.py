"""Every shipped form against its source document: item counts, section maxima, rules, outcomes."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inspector.errors import ObservationError
from inspector.paths import rubrics_dir
from inspector.rubric.observations import Observation
from inspector.rubric.rules import Checklist, Deduct, Discretionary, Grouped, Tiers
from inspector.rubric.scoring import VetoMark, score
from inspector.rubric.toml_form import load_rubric_file
from tests.conftest import shipped


def shape(rubric_id: str) -> list[tuple[str, int, int]]:
    r = shipped(rubric_id)
    return [(s.code, int(s.points), sum(1 for _i in s.items())) for s in r.sections]


def test_henan_quality_attachment_1() -> None:
    r = shipped("henan-2011-quality")
    assert (r.max_points, r.bonus_points) == (100, 0)
    assert shape(r.id) == [
        ("1", 11, 7), ("2", 14, 14), ("3", 14, 9), ("4", 5, 2), ("5", 5, 3),
        ("6", 32, 18), ("7", 2, 1), ("8", 7, 4), ("9", 10, 3),
    ]  # fmt: skip
    # the source numbers two different 中项 "6.2"; ids stay unique
    six = r.sections[5]
    assert [(g.code, g.title) for g in six.groups][:3] == [
        ("6.1", "鉴定公告"), ("6.2", "考生资格的审核"), ("6.2", "考生资格的复核"),
    ]  # fmt: skip
    assert [i.id for i in six.groups[2].items] == ["6.2.3", "6.2.4"]
    assert not r.outcomes and not r.vetoes  # the notice gives no pass mark


def test_henan_demonstration_attachment_2() -> None:
    r = shipped("henan-2011-demonstration")
    assert r.max_points == 100
    assert shape(r.id) == [
        ("1", 15, 15),
        ("2", 30, 11),
        ("3", 15, 7),
        ("4", 10, 2),
        ("5", 25, 15),
        ("6", 5, 2),
    ]
    # 2.2: four criteria share four points
    doc = next(i for i in r.items() if isinstance(i.rule, Grouped) and i.points == 4)
    assert len(doc.rule.criteria) == 4 and doc.rule.uniform() == 1
    # 5.3: two sub-lists where any problem voids the line
    subs = [i.subgroup for i in r.items() if i.subgroup]
    assert subs.count("评审前资料准备") == 6 and subs.count("评审结果应包括") == 3
    # 6.2: proportion tiers; 2.1's 表格和记录 is discretionary
    assert any(isinstance(i.rule, Tiers) and "ratio" in i.rule.measures() for i in r.items())
    assert any(isinstance(i.rule, Discretionary) and i.points == 7 for i in r.items())


def test_sichuan_inspection() -> None:
    r = shipped("sichuan-2017-inspection")
    assert r.max_points == 100
    assert shape(r.id) == [
        ("1", 11, 7), ("2", 14, 14), ("3", 14, 9), ("4", 5, 2), ("5", 5, 3),
        ("6", 32, 18), ("7", 2, 1), ("8", 7, 4), ("9", 10, 3),
    ]  # fmt: skip
    assert [g.code for g in r.sections[5].groups] == ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7"]
    assert [v.id for v in r.vetoes] == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert [(o.code, o.label, o.min) for o in r.outcomes] == [("pass", "合格", 60), ("fail", "不合格", None)]
    assert r.veto_outcome == "fail"


def test_chongqing_renewal() -> None:
    r = shipped("chongqing-2024-renewal")
    # 内部管理 10 + 评价组织实施 67 + 评价质量管理 19 (reconstructed) = 96; 加分项 4 → 100
    assert (r.max_points, r.bonus_points) == (96, 4)
    assert shape(r.id) == [("1", 10, 8), ("2", 67, 23), ("3", 19, 10), ("4", 4, 2)]
    assert [s.bonus for s in r.sections] == [False, False, False, True]
    posts = r.item("1.1.1")
    assert isinstance(posts.rule, Deduct) and posts.rule.per == D("0.4") and posts.rule.of == 10
    assert any(i.sampling for i in r.items())
    assert [(o.code, o.min) for o in r.outcomes] == [("renew", 80), ("rectify", 60), ("refuse", None)]
    group_points = {g.title: g.points for s in r.sections for g in s.groups}
    assert group_points["评价场地及设施设备"] == 26 and group_points["视频监控资料管理"] == 7


@pytest.mark.parametrize(
    ("total", "code"), [(D(80), "renew"), (D("79.9"), "rectify"), (D(60), "rectify"), (D("59.9"), "refuse")]
)
def test_chongqing_outcome_thresholds(total: D, code: str) -> None:
    outcome = shipped("chongqing-2024-renewal").outcome_for(total, vetoed=False)
    assert outcome is not None and outcome.code == code


def test_chongqing_bonus_counts_toward_the_outcome() -> None:
    r = shipped("chongqing-2024-renewal")
    answers = {i.id: Observation(met=True) for i in r.items()}
    assert score(r, answers).total == 100
    # with 78 base points, both bonus items lift the station from rectify to renew
    lost = D(0)
    for item in r.base_sections()[1].items():
        grid = item.rule.grid(item.points) or set()
        if lost + item.points <= 18 and not isinstance(item.rule, Tiers) and D(0) in grid:
            answers[item.id] = Observation(points=D(0), reason="测试")
            lost += item.points
    assert lost == 18
    report = score(r, answers)
    assert report.base == 78 and report.bonus == 4 and report.outcome.code == "renew"


def test_fujian_supervision_record_is_a_derived_checklist() -> None:
    r = shipped("fujian-2021-supervision-record")
    assert r.derived and r.max_points == 0 and not r.scored
    assert all(isinstance(i.rule, Checklist) for i in r.items())
    texts = "".join(i.text for i in r.items())
    for topic in [
        "认定范围",
        "收费",
        "资格条件",
        "考场秩序",
        "试卷评阅",
        "评审记录",
        "证书",
        "考评人员",
        "管理人员",
    ]:
        assert topic in texts, topic
    report = score(r, {i.id: Observation(met=True) for i in r.items()}, [])
    assert report.total == 0 and report.outcome is None


def test_sichuan_veto_with_note() -> None:
    r = shipped("sichuan-2017-inspection")
    report = score(r, {}, [VetoMark("V6", "近三年无鉴定记录")])
    assert report.to_json()["veto_notes"] == {"V6": "近三年无鉴定记录"}


# A shipped form, once released, is what evaluations pin. Editing one without raising its version
# would make every existing data folder refuse the new program (same id and version, other content):
# when this test fails, raise the form's `version`, then record the new hash here.
PINNED = {
    "chongqing-2024-renewal.v1": (1, "1b2ea93613753116c70c30650b16b037d6cdc5187e51dc23759c953459e6abe2"),
    "fujian-2021-supervision-record.v1": (
        1,
        "c10486e7f1421324671c972157b86a2078f01ac12f13e3c2a45f8ffcc6d3bba2",
    ),
    "chongqing-2024-renewal.v2": (2, "fb15952f975359688eb00ececbc87d6d36ce55dffc39bb4619079c0f87ba0557"),
    # version 3: the 整改 band quotes the form's 综合评价 as the source prints it
    "chongqing-2024-renewal": (3, "48837c4aa74b0a28b5689c0f4c83e58c08b90fb9db74dcf49eb999f8293aeb27"),
    "fujian-2021-supervision-record": (2, "6906ff864ce17b3fb6c7e618fe5d6654d0f612d576c951c92bf4b822d840f754"),
    "henan-2011-demonstration.v1": (1, "f5c58c8751a8766f96145b1957587122ac08039a7eb3c809080f91772ad9b70a"),
    "henan-2011-quality.v1": (1, "fd83853944533a39e8911bc1289a0f402b30b4849e7a3813e55be86d2e988d69"),
    "sichuan-2017-inspection.v1": (1, "2d9b3db34e3489fdf7a45aa8e52e1eaa251fc3c784ee209aba953b63a7201c88"),
    # version 2: the form's own table labels (表1-1…, 表2-1…) on the 中项 each table starts with
    "henan-2011-demonstration": (2, "19d206720f598226f4bbd5d46ae862bc003b5530e54709843ee456a08ff4d8fe"),
    "henan-2011-quality": (2, "cf7bb8948ab2081523d751548b10cfb60c021b46532c8ab16f97c91a27977159"),
    "sichuan-2017-inspection.v2": (2, "10bec329876de57d0d7befead2046a988e1f325837e363bf12a17f4b0f6a6505"),
    # version 3: the outcomes quote their clauses (the notice's body, 二（二）1 and 2)
    "sichuan-2017-inspection": (3, "cb7a43e851b8c9fcc6e0229694ee1db60eff4bd022790f7569212d642544ea5b"),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_released_forms_do_not_change_under_the_same_version(name: str) -> None:
    r = shipped(name)
    version, digest = PINNED[name]
    assert r.version == version, f"{name}: a released version stays shipped under its own file"
    assert r.content_hash == digest, f"{name} changed: raise its version and pin the new hash"


def test_every_shipped_version_is_a_distinct_id_and_version() -> None:
    seen = [(r.id, r.version) for r in (load_rubric_file(p) for p in sorted(rubrics_dir().glob("*.toml")))]
    assert len(seen) == len(set(seen))
    assert ("chongqing-2024-renewal", 1) in seen and ("chongqing-2024-renewal", 2) in seen


def test_not_applicable_is_refused_on_the_chongqing_form() -> None:
    # The form has no not-applicable; an unmet bonus item is "不得分、不扣分", recorded as not met.
    r = shipped("chongqing-2024-renewal")
    bonus = next(i for i in r.items() if i.in_bonus)
    answers = {i.id: Observation(met=True) for i in r.items()}
    with pytest.raises(ObservationError, match="不能标记为不适用"):
        score(r, {**answers, bonus.id: Observation(na=True, reason="未参加")})
    answers[bonus.id] = Observation(met=False)
    assert score(r, answers).bonus == r.bonus_points - bonus.points
    # Version 1's marks, recorded before the rule, keep their points (a bonus one earns nothing).
    old = load_rubric_file(rubrics_dir() / "chongqing-2024-renewal.v1.toml")
    answers[bonus.id] = Observation(na=True, reason="未参加")
    report = score(old, answers, recorded=True)
    assert report.bonus == r.bonus_points - bonus.points and [i.id for i in report.irregular] == [bonus.id]
