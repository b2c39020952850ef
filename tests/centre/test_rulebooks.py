"""Each jurisdiction's rules as its own rulebook: the files, the plan's choice, and each rule fixed
against the clause it cites (seeds 001 Fujian, 004 Zhengzhou, 002 Sichuan, 003 Chongqing, 000 Henan)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from inspector.centre.dispatch import DrawRules, Ground, Supervisor, Target, Visit, draw, explain
from inspector.centre.people import add_ground, add_person, cancel_person, renew_card, set_active
from inspector.centre.plans import (
    add_target,
    dispatches,
    plan_rulebook,
    run_dispatch,
    verify_dispatch,
)
from inspector.centre.rulebook_toml import RulebookError, parse_rulebook_text
from inspector.centre.rulebooks import draw_rules, find_rulebook, shipped_rulebooks
from inspector.errors import DispatchError, UsageError
from inspector.paths import rulebooks_dir
from inspector.store.db import DB_NAME, open_database
from inspector.store.orgs import add_org
from tests.centre.rulebook_helpers import new_plan
from tests.centre_support import new_db

D = dt.date.fromisoformat
FUJIAN = draw_rules(shipped_rulebooks()["fujian-2021-supervision"])
ZHENGZHOU = draw_rules(shipped_rulebooks()["zhengzhou-2014-supervision"])
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def sup(sid: str, kind: str = "external", **kw: object) -> Supervisor:
    return Supervisor(id=sid, name=sid, kind=kind, cert_no=sid, cert_issued=D("2025-01-01"), **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the files


def test_every_shipped_rule_cites_its_clause_or_says_it_is_the_centres() -> None:
    books = shipped_rulebooks()
    assert set(books) == {p.stem for p in rulebooks_dir().glob("*.toml")}
    for rb in books.values():
        for rule in rb.rules:
            assert rule.strength != "centre" and rule.clause and rule.clause.quote and rule.clause.article
    # each rubric shipped belongs with one rulebook
    rubrics = [r for rb in books.values() for r in rb.rubrics]
    assert len(rubrics) == len(set(rubrics)) and "sichuan-2017-inspection" in rubrics


def test_a_bad_rulebook_names_the_file_and_line() -> None:
    text = 'id = "x-1"\ntitle = "t"\nissuer = "i"\ndocument = "d"\nyear = 2026\n\n'
    text += '[[rules]]\nkey = "rotation"\nstrength = "must"\n'
    with pytest.raises(RulebookError, match=r"b\.toml:7.*条款"):
        parse_rulebook_text(text, "b.toml")
    with pytest.raises(RulebookError, match=r"b\.toml:7.*未知的规则"):
        parse_rulebook_text(text.replace('"rotation"', '"made_up"'), "b.toml")
    centre = text + 'strength = "centre"\n'
    with pytest.raises(RulebookError, match="TOML"):
        parse_rulebook_text(centre, "b.toml")  # a key given twice is malformed TOML


def test_the_content_hash_changes_with_any_rule() -> None:
    rb = shipped_rulebooks()["zhengzhou-2014-supervision"]
    assert find_rulebook(None, rb.id).content_hash == rb.content_hash
    text = (rulebooks_dir() / "zhengzhou-2014-supervision.toml").read_text(encoding="utf-8")
    other = parse_rulebook_text(text.replace("max = 3", "max = 2"), "z.toml")
    assert other.content_hash != rb.content_hash and draw_rules(other).rotation_max == 2


# ---------------------------------------------------------------- the draw's rules, each with its clause


def test_internal_supervisors_supervise_their_own_institution_only() -> None:
    # 福建办法 第一章四 "内督…负责对本评价机构实施的职业技能等级认定工作进行质量督导"
    inner = sup("IN", "internal", employer_org="A", roles_at=frozenset({"A"}), internal_at=frozenset({"A"}))
    outer = sup("EX", employer_org="A")
    assert explain(inner, Target("A", D("2026-03-02")), kind_required="internal", rules=FUJIAN) == []
    assert explain(inner, Target("B", D("2026-03-02")), kind_required="internal", rules=FUJIAN) != []
    # 外督 never their own employer
    assert explain(outer, Target("A", D("2026-03-02")), rules=FUJIAN) == ["回避：本单位职工"]
    # a draw without a kind takes 外督 only (第一章三, 第二章五): it does not mix both
    r = draw(
        [inner, outer], [Target("B", D("2026-03-02"))], plan_kind="routine", team_size=1, seed=1, rules=FUJIAN
    )
    assert r.assignments[0].pool == ("EX",)


def test_an_internal_supervisors_other_posts_still_recuse_them() -> None:
    # 福建办法 第三章六 "不能兼任同场次内督、考评、考务工作"
    inner = sup("IN", "internal", employer_org="A", roles_at=frozenset({"A"}), internal_at=frozenset({"A"}),
                staff_at=frozenset({"A"}))  # fmt: skip
    assert explain(inner, Target("A", D("2026-03-02")), kind_required="internal", rules=FUJIAN) != []


def test_record_deadline_only_for_fujian_external_after_routine() -> None:
    # 福建办法 第三章七 "外督应在日常督导工作结束后5个工作日向委派机构提交督导情况记录表"
    people = [sup("E1"), sup("I1", "internal", employer_org="X")]
    t = [Target("X", D("2025-09-30"))]
    routine = draw(
        people, t, plan_kind="routine", team_size=1, seed=1, kind_required="external", rules=FUJIAN
    )
    assert routine.assignments[0].record_due == D("2025-10-14")  # across National Day
    inner = draw(people, t, plan_kind="routine", team_size=1, seed=1, kind_required="internal", rules=FUJIAN)
    assert inner.assignments[0].record_due is None
    special = draw(
        [sup(f"E{i}") for i in range(3)], t, plan_kind="special", team_size=3, seed=1, rules=FUJIAN
    )
    assert special.assignments[0].record_due is None
    sichuan = draw_rules(shipped_rulebooks()["sichuan-2017-inspection"])
    assert (
        draw(people, t, plan_kind="routine", team_size=1, seed=1, rules=sichuan).assignments[0].record_due
        is None
    )


def test_rotation_is_consecutive_by_visit_date_in_both_directions() -> None:
    # 郑州办法 第十九条 "在同一个被督导单位连续从事督导工作不能超过三次"
    later = (Visit("X", D("2026-04-01")), Visit("X", D("2026-05-01")), Visit("X", D("2026-06-01")))
    p = sup("P1", history=later)
    # a visit drawn now but dated before three in a row would make four in a row
    assert any("轮换" in r for r in explain(p, Target("X", D("2026-03-01")), rules=ZHENGZHOU))
    two = sup("P2", history=(*later[:1], Visit("X", D("2026-02-01"))))
    # one before and one after: the new one makes three, allowed
    assert explain(two, Target("X", D("2026-03-01")), rules=ZHENGZHOU) == []
    r = draw(
        [p, sup("P3")],
        [Target("X", D("2026-03-01"))],
        plan_kind="routine",
        team_size=1,
        seed=1,
        rules=ZHENGZHOU,
    )
    assert r.assignments[0].pool == ("P3",)
    # the legacy rules (records before rulebooks) looked backwards only
    assert explain(p, Target("X", D("2026-03-01"))) == []


def test_recorded_grounds_with_dates() -> None:
    # 福建办法 第三章六 "质量督导员不能参加可能影响其客观公正督导的工作"
    p = sup("P1", grounds=(Ground("X", "relative", D("2026-01-01"), D("2026-06-30")),))
    assert explain(p, Target("X", D("2026-03-02")), rules=FUJIAN) == ["回避：亲属在该机构任职"]
    assert explain(p, Target("X", D("2026-07-01")), rules=FUJIAN) == []
    assert explain(p, Target("Y", D("2026-03-02")), rules=FUJIAN) == []


def test_annual_fail_is_flagged_not_excluded_unless_the_centre_chooses() -> None:
    # 郑州办法 第十条 "年度考核结果作为委派的主要依据"; 福建办法 第二章八 "视情况暂停或取消其资格"
    p = sup("P1", annual_fail_year=2025)
    r = draw([p], [Target("X", D("2026-03-02"))], plan_kind="routine", team_size=1, seed=1, rules=ZHENGZHOU)
    assert r.assignments[0].flags == (("P1", 2025),)
    centre = DrawRules(annual="exclude")
    assert explain(p, Target("X", D("2026-03-02")), rules=centre) == [
        "2025 年度考核不合格（本中心自定不予委派）"
    ]


def test_in_principle_team_minimum_warns_and_needs_a_recorded_reason() -> None:
    # 福建办法 第三章四 "督导小组原则上由3名及以上质量督导员组成"
    people = [sup(f"E{i}") for i in range(3)]
    t = [Target("X", D("2026-03-02"))]
    with pytest.raises(UsageError, match="原则上"):
        draw(people, t, plan_kind="special", team_size=2, seed=1, rules=FUJIAN)
    r = draw(
        people, t, plan_kind="special", team_size=2, seed=1, rules=FUJIAN, overridden=frozenset({"team_min"})
    )
    assert len(r.assignments[0].team) == 2
    # 以上 includes the number: three is enough
    assert draw(people, t, plan_kind="special", team_size=3, seed=1, rules=FUJIAN).assignments


# ---------------------------------------------------------------- through the store


def test_a_plan_names_its_rulebook_and_the_record_names_it_with_its_hash(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")["id"]
    for i in range(3):
        add_person(db, name=f"外督{i}", kind="external", cert_no=str(i), cert_issued="2025-01-01")
    plan = new_plan(
        db, "fujian-2021-supervision-record", "专项", "special", rulebook="fujian-2021-supervision"
    )
    assert plan_rulebook(db, plan).id == "fujian-2021-supervision"
    add_target(db, plan.id, org, "2026-03-02")
    with pytest.raises(UsageError, match="原则上"):
        run_dispatch(db, plan.id, team_size=2, seed=1)
    rec = run_dispatch(db, plan.id, team_size=2, seed=1, author="省中心", override_reason="只有两名外督有空")
    book = shipped_rulebooks()["fujian-2021-supervision"]
    assert rec.record["rulebook"] == {"id": book.id, "title": book.title, "hash": book.content_hash}
    (o,) = rec.record["overrides"]
    assert (o["rule"], o["by"], o["reason"], o["clause"]["article"]) == (
        "team_min",
        "省中心",
        "只有两名外督有空",
        "第三章四",
    )
    assert rec.record["assignments"][0]["leader_chosen"] == "drawn"
    assert verify_dispatch(db, rec.id) == []


def test_default_rulebook_follows_the_rubric(tmp_path: Path) -> None:
    from inspector.centre.plans import new_plan as plain_new_plan

    db = new_db(tmp_path / "data")
    sichuan = plain_new_plan(db, "sichuan-2017-inspection", "四川", "routine")
    assert plan_rulebook(db, sichuan).id == "sichuan-2017-inspection"
    henan = plain_new_plan(db, "henan-2011-quality", "河南", "routine")
    assert plan_rulebook(db, henan).id == "henan-2011-quality"


def test_cancellation_is_final_suspension_is_reversible_with_its_term(tmp_path: Path) -> None:
    # 福建办法 第四章一 "被取消资格…的人员不得再从事我省技能人才评价质量督导相关工作"
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")["id"]
    a = add_person(db, name="甲", kind="external", cert_no="1", cert_issued="2025-01-01")
    b = add_person(db, name="乙", kind="external", cert_no="2", cert_issued="2025-01-01")
    cancel_person(db, a.id, "弄虚作假")
    with pytest.raises(UsageError, match="取消资格"):
        set_active(db, a.id, True)
    with pytest.raises(UsageError, match="取消资格"):
        renew_card(db, a.id, cert_no="1b", cert_issued="2026-01-01")
    set_active(db, b.id, False, "暂停委派", until="2026-03-31")
    plan = new_plan(db, "sichuan-2017-inspection", "计划", "routine")
    add_target(db, plan.id, org, "2026-03-31")
    with pytest.raises(DispatchError, match="暂停委派"):
        run_dispatch(db, plan.id, team_size=1, seed=1)
    db.conn.execute("UPDATE plan_targets SET visit_date = '2026-04-01' WHERE plan_id = ?", (plan.id,))
    rec = run_dispatch(db, plan.id, team_size=1, seed=1)
    assert rec.record["assignments"][0]["team"] == [b.id]


def test_a_recorded_ground_keeps_a_person_out_through_the_store(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")["id"]
    p = add_person(db, name="甲", kind="external", cert_no="1", cert_issued="2025-01-01")
    add_ground(db, p.id, org, "consultancy", since="2025-06-01", until="2026-05-31", note="培训服务")
    plan = new_plan(db, "sichuan-2017-inspection", "计划", "routine")
    add_target(db, plan.id, org, "2026-03-02")
    with pytest.raises(DispatchError, match="回避"):
        run_dispatch(db, plan.id, team_size=1, seed=1)


# ---------------------------------------------------------------- history: earlier records keep their rules


@pytest.mark.parametrize("version", [3, 4, 5])
def test_a_draw_published_before_rulebooks_still_verifies_after_the_upgrade(
    tmp_path: Path, version: int
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / f"schema-v{version}.sqlite3", data / DB_NAME)
    db = open_database(data)
    (plan_id,) = [r[0] for r in db.conn.execute("SELECT id FROM plans")]
    (old,) = dispatches(db, plan_id)
    assert "rulebook" not in old.record  # made before: verified under the rules it was drawn with
    assert old.record["format"] == "inspector-dispatch-1"
    assert verify_dispatch(db, old.id) == []
    row = db.conn.execute("SELECT rulebook_hash FROM plans").fetchone()
    assert row[0] is None  # the plan row is not rewritten by the migration
    # the record itself is untouched and still refuses any change
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("UPDATE dispatches SET seed = 'x'")


def test_a_record_states_the_rules_it_ran_under_and_verifies_by_them(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")["id"]
    add_person(db, name="甲", kind="external", cert_no="1", cert_issued="2025-01-01")
    plan = new_plan(db, "sichuan-2017-inspection", "计划", "routine", rulebook="zhengzhou-2014-supervision")
    add_target(db, plan.id, org, "2026-03-02")
    rec = run_dispatch(db, plan.id, team_size=1, seed=1)
    assert verify_dispatch(db, rec.id) == []
    rules = DrawRules.from_json(rec.record["rules"])
    assert rules == ZHENGZHOU and rules.rotation_max == 3 and rules.record_due_days is None
    assert rec.record["rulebook"]["hash"] == shipped_rulebooks()["zhengzhou-2014-supervision"].content_hash
    # the roster changes afterwards (a card renewed, a person suspended): the record still verifies
    (person,) = [r[0] for r in db.conn.execute("SELECT id FROM people")]
    set_active(db, person, False, "暂停")
    assert verify_dispatch(db, rec.id) == []


def test_the_examples_in_docs_rulebooks_md_are_valid(tmp_path: Path) -> None:
    from inspector.centre.rulebooks import add_rulebook_text

    doc = (Path(__file__).resolve().parents[2] / "docs" / "rulebooks.md").read_text(encoding="utf-8")
    blocks = doc.split("```toml\n")[1:]
    file_example, composed = (b.split("```", 1)[0] for b in blocks)
    rb = parse_rulebook_text(file_example, "rulebooks.md")
    assert draw_rules(rb).team_min_principle and rb.not_modelled
    db = new_db(tmp_path / "data")
    centre = add_rulebook_text(db, composed, "rulebooks.md")
    # Sichuan's procedure plus Zhengzhou's people rules, the annual exclusion the centre's own
    assert {"announcement", "milestones", "rotation"} <= {r.key for r in centre.rules}
    assert centre.get("annual_assessment").strength == "centre"  # type: ignore[union-attr]
    assert draw_rules(centre).annual == "exclude"
    # excluding on the annual result is never a document's rule
    with pytest.raises(RulebookError, match="本中心自定"):
        parse_rulebook_text(
            composed.replace('strength = "centre"', 'strength = "must"\narticle = "第十条"\nquote = "x"'),
            "c.toml",
            shipped_rulebooks().__getitem__,
        )


def test_the_default_follows_the_rubric_or_its_issuer() -> None:
    from inspector.centre.rulebooks import default_rulebook_id

    assert default_rulebook_id("henan-2011-demonstration") == "henan-2011-quality"
    # a rubric a centre imported from the same authority: the issuer's rulebook
    assert (
        default_rulebook_id("sichuan-2019-inspection", "四川省人力资源和社会保障厅")
        == "sichuan-2017-inspection"
    )
    with pytest.raises(UsageError, match="--rulebook"):
        default_rulebook_id("somewhere-2020", "某市人社局")
