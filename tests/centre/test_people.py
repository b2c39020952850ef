"""The roster: cards read as the dispatch reads them, recusal grounds, history, reviews, annual record."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from inspector.centre.dispatch import certificate_last_day
from inspector.centre.people import (
    add_person,
    add_review,
    annual_summary,
    earlier_cards,
    get_person,
    history,
    list_people,
    past_tasks,
    renew_card,
    roster,
    set_active,
    set_annual,
    set_roles,
)
from inspector.centre.plans import add_target, new_plan, run_dispatch, withdraw
from inspector.centre.workbooks import export_roster
from inspector.errors import NotFoundError, UsageError
from inspector.folder import open_folder
from inspector.store.db import DB_NAME
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from tests.centre_support import new_db

D = date.fromisoformat
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_card_validity_is_the_dispatch_reading(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    p = add_person(db, name="张三", kind="external", cert_no="N1", cert_issued="2023-05-10")
    assert p.cert_last_day == D("2026-05-10") == certificate_last_day(D("2023-05-10"))
    # 民法典 第二百零一、二百零二条: issued 2023-05-10, three years, valid through 2026-05-10
    assert p.cert_valid_on(D("2026-05-10")) and not p.cert_valid_on(D("2026-05-11"))
    assert not p.cert_valid_on(D("2023-05-09"))
    printed = add_person(
        db,
        name="李四",
        kind="internal",
        cert_no="N2",
        cert_issued="2023-05-10",
        cert_valid_until="2026-05-09",
    )
    # a printed last day still wins
    assert printed.cert_valid_on(D("2026-05-09")) and not printed.cert_valid_on(D("2026-05-10"))
    j = p.as_json(on=D("2026-05-11"))
    assert {
        "id",
        "name",
        "kind",
        "cert_no",
        "cert_issued",
        "cert_last_day",
        "cert_valid",
        "employer_org",
        "roles_at",
    } <= set(j)
    assert j["cert_valid"] is False and j["cert_last_day"] == "2026-05-10"


def test_bad_people_are_refused(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    add_person(db, name="张三", kind="external", cert_no="N1", cert_issued="2024-01-01")
    with pytest.raises(UsageError, match="已登记为“张三”"):
        add_person(db, name="张三二", kind="external", cert_no="N1", cert_issued="2024-01-01")
    with pytest.raises(UsageError, match="internal"):
        add_person(db, name="王五", kind="guest", cert_no="N2", cert_issued="2024-01-01")
    with pytest.raises(UsageError, match="早于颁发日期"):
        add_person(
            db,
            name="王五",
            kind="external",
            cert_no="N2",
            cert_issued="2024-01-01",
            cert_valid_until="2023-01-01",
        )
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        add_person(db, name="王五", kind="external", cert_no="N2", cert_issued="2024/01/01")
    with pytest.raises(NotFoundError):
        add_person(
            db, name="王五", kind="external", cert_no="N2", cert_issued="2024-01-01", employer_org="nope"
        )
    with pytest.raises(UsageError, match="任职类别"):
        org = add_org(db, "某站")
        add_person(
            db,
            name="王五",
            kind="external",
            cert_no="N2",
            cert_issued="2024-01-01",
            roles=[(org["id"], "cook")],
        )
    assert [p.name for p in list_people(db)] == ["张三"]


def test_a_renewed_card_keeps_the_person_and_the_card_before(tmp_path: Path) -> None:
    """Cards last three years: the renewal is the same supervisor (history, recusal posts, reviews
    kept), with the card replaced on record; the dispatch reads the new one."""
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")["id"]
    p = add_person(
        db, name="张三", kind="external", cert_no="N1", cert_issued="2023-05-10", roles=[(org, "assessor")]
    )
    other = add_person(db, name="李四", kind="external", cert_no="N9", cert_issued="2024-01-01")
    assert not p.cert_valid_on(D("2026-06-01"))
    renewed = renew_card(db, p.id, cert_no="N2", cert_issued="2026-05-10", by="省鉴定中心")
    assert renewed.id == p.id and renewed.roles == p.roles
    assert renewed.cert_valid_on(D("2026-06-01")) and renewed.cert_last_day == D("2029-05-10")
    (card,) = earlier_cards(db, p.id)
    assert (card["cert_no"], card["cert_issued"], card["replaced_by"], card["reason"]) == (
        "N1",
        "2023-05-10",
        "省鉴定中心",
        "换发证卡",
    )
    assert [s.cert_no for s in roster(db) if s.id == p.id] == ["N2"]

    # the same number kept on a renewal is fine; a number someone holds, or held, is not
    again = renew_card(
        db, p.id, cert_no="N2", cert_issued="2026-05-10", cert_valid_until="2029-12-31", reason="有效期更正"
    )
    assert again.cert_last_day == D("2029-12-31") and earlier_cards(db, p.id)[0]["reason"] == "有效期更正"
    before = [tuple(r) for r in db.conn.execute("SELECT * FROM people ORDER BY id")]
    cards_before = [tuple(r) for r in db.conn.execute("SELECT * FROM person_cards")]
    for cert_no, issued, until, words in [
        ("N9", "2026-05-10", None, "李四"),
        ("", "2026-05-10", None, "不能为空"),
        ("N3", "2026-05-40", None, "cert_issued"),
        ("N3", "2026-05-10", "2026-01-01", "早于颁发日期"),
        ("N2", "2026-05-10", "2029-12-31", "相同"),
    ]:
        with pytest.raises(UsageError, match=words):
            renew_card(db, p.id, cert_no=cert_no, cert_issued=issued, cert_valid_until=until)
    with pytest.raises(UsageError, match="张三"):
        add_person(
            db, name="王五", kind="external", cert_no="N1", cert_issued="2026-01-01"
        )  # 张三's old card
    with pytest.raises(UsageError, match="张三"):
        renew_card(db, other.id, cert_no="N1", cert_issued="2026-01-01")
    with pytest.raises(NotFoundError):
        renew_card(db, "nobody", cert_no="N5", cert_issued="2026-01-01")
    assert [tuple(r) for r in db.conn.execute("SELECT * FROM people ORDER BY id")] == before
    assert [tuple(r) for r in db.conn.execute("SELECT * FROM person_cards")] == cards_before


def test_roster_carries_recusal_grounds_and_leaves_out_the_suspended(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    a, b = add_org(db, "甲站")["id"], add_org(db, "乙站")["id"]
    p = add_person(db, name="张三", kind="internal", cert_no="N1", cert_issued="2024-01-01", employer_org=a)
    set_roles(db, p.id, [(b, "assessor"), (b, "exam_staff")])
    q = add_person(db, name="李四", kind="external", cert_no="N2", cert_issued="2024-01-01")
    s = next(s for s in roster(db) if s.name == "张三")
    assert s.name == "张三" and s.employer_org == a and s.roles_at == frozenset({b})
    with pytest.raises(UsageError, match="理由"):
        set_active(db, q.id, False)
    set_active(db, q.id, False, "年度考核不合格")
    assert [s.name for s in roster(db)] == ["张三"]
    assert get_person(db, q.id).inactive_reason == "年度考核不合格"
    set_active(db, q.id, True)
    assert len(roster(db)) == 2


def test_history_from_dispatches_and_evaluation_teams(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")
    other = add_org(db, "乙站")
    p = add_person(db, name="张三", kind="external", cert_no="N1", cert_issued="2024-01-01")
    plan = new_plan(db, "sichuan-2017-inspection", "计划", "routine")
    add_target(db, plan.id, org["id"], "2025-03-04")
    run_dispatch(db, plan.id, team_size=1, seed=1)
    store = EvaluationStore(db, "测试")
    # the same visit recorded by the evaluation counts once; another one from a laptop counts too
    store.create(
        "sichuan-2017-inspection",
        org["id"],
        visit_date="2025-03-04",
        team=[{"name": "张三", "person_id": p.id}],
    )
    store.create(
        "sichuan-2017-inspection",
        other["id"],
        visit_date="2025-04-01",
        team=[{"name": "张三", "person_id": p.id}],
    )
    store.create(
        "sichuan-2017-inspection",
        other["id"],
        "self",
        visit_date="2025-04-02",
        team=[{"name": "x", "person_id": p.id}],
    )
    got = [(t["org"], t["date"], t["source"]) for t in history(db, p.id)]
    assert got == [(org["id"], "2025-03-04", "dispatch"), (other["id"], "2025-04-01", "evaluation")]
    (s,) = roster(db)
    assert len(s.history) == 2
    withdraw(db, plan.id, org["id"], "督导员生病")
    # the evaluation still records the visit
    assert [t.source for t in past_tasks(db, p.id)] == ["evaluation", "evaluation"]


def test_reviews_and_annual_assessment(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")
    p = add_person(db, name="张三", kind="external", cert_no="N1", cert_issued="2024-01-01")
    add_review(
        db, p.id, task_date="2025-03-04", rating="good", org_id=org["id"], comment="报告客观", reviewer="中心"
    )
    add_review(db, p.id, task_date="2025-06-01", rating="fail", violation=True, reviewer="中心")
    add_review(db, p.id, task_date="2024-12-30", rating="excellent", reviewer="中心")
    with pytest.raises(UsageError):
        add_review(db, p.id, task_date="2025-06-01", rating="so-so")
    summary = set_annual(db, p.id, 2025, "basic", "一次违纪", "中心")
    assert summary["reviews"] == {"excellent": 0, "good": 1, "pass": 0, "fail": 1}
    assert (
        summary["violations"] == 1
        and summary["result"] == "basic"
        and summary["result_name"] == "基本合格（本中心自定等次）"
    )
    set_annual(db, p.id, 2025, "fail", None, "中心")  # a correction replaces the year's record
    assert annual_summary(db, p.id, 2025)["result"] == "fail"
    with pytest.raises(UsageError):
        set_annual(db, p.id, 2025, "great")


def test_roster_workbook(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")
    add_person(
        db, name="张三", kind="external", cert_no="N1", cert_issued="2022-03-01", employer_org=org["id"]
    )
    out = tmp_path / "roster.xlsx"
    counts = export_roster(db, out, on=D("2026-01-01"))
    assert counts["督导员名册"] == 1
    ws = openpyxl.load_workbook(out)["督导员名册"]
    assert ws["A2"].value == "张三" and ws["E2"].value == "2025-03-01" and ws["F2"].value == "否"
    assert ws["G2"].value == "甲站"


def test_the_v3_fixture_upgrades_with_its_roster(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "schema-v3.sqlite3", data / DB_NAME)
    db = open_folder(data)
    (p,) = list_people(db)
    assert p.cert_no == "FIXTURE-CARD-1" and p.roles
    assert db.conn.execute("SELECT COUNT(*) FROM dispatches").fetchone()[0] == 1
