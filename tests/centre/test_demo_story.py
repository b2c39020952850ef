"""The demo is what a prospect sees first: one coherent story per province.

Before: Henan and Chongqing stations carried Sichuan approval numbers and random post codes, the
Fujian form was kept on a Chengdu station, a Zhengzhou station sat in a Sichuan plan, notes were
unrelated to their items ("设备一台故障未报修" on 站长岗位职责明确) and a signed sheet listed no 组员.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from inspector.centre.plans import list_plans, targets
from inspector.centre.register import get_register
from inspector.store.demo import CHONGQING, FUJIAN, HENAN, SICHUAN, note_for
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import list_orgs
from tests.centre_support import copy_folder, demo_folder

PROVINCE = {"川": "四川", "渝": "重庆", "豫": "河南", "闽": "福建"}
FORM_PROVINCE = {SICHUAN: "川", CHONGQING: "渝", HENAN: "豫", FUJIAN: "闽"}
CITY_POST = {"重庆市": "40", "郑州市": "45", "福州市": "35"}  # Sichuan's are 61–64


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    folder = demo_folder(tmp_path_factory.mktemp("demo") / "data")
    return copy_folder(folder, tmp_path_factory.mktemp("copy") / "data")


def province_of(db: sqlite_utils.Database, org_id: str) -> str:
    return str(get_register(db, org_id)["approval_no"])[0]


def test_each_station_belongs_to_its_province_and_city(db: sqlite_utils.Database) -> None:
    for org in list_orgs(db):
        entry = get_register(db, org["id"])
        province = str(entry["approval_no"])[0]
        assert province in PROVINCE, entry["approval_no"]
        post = str(entry["post_code"])
        want = CITY_POST.get(str(entry["region"]), "6")
        assert post.startswith(want), (org["name"], entry["region"], post)
        assert ("重庆" in org["name"]) == (province == "渝"), org["name"]
        assert ("郑州" in org["name"]) == (province == "豫"), org["name"]
        assert ("福州" in org["name"]) == (province == "闽"), org["name"]


def test_each_form_is_used_in_its_own_province_by_its_own_people(db: sqlite_utils.Database) -> None:
    store = EvaluationStore(db, "check")
    sichuan_team = {"张建国", "李秀英", "王志强"}
    for e in store.list_evaluations():
        assert province_of(db, e.org_id) == FORM_PROVINCE[e.rubric_id], (e.rubric_id, e.org_name)
        names = {m["name"] for m in e.team}
        if e.rubric_id != SICHUAN:
            assert not names & sichuan_team, (e.rubric_id, names)
        sections = {s.code for s in store.rubric(e.rubric_id, e.rubric_version).sections}
        for m in e.team:
            assert set(m.get("sections", [])) <= sections, (e.rubric_id, m)
    for plan in list_plans(db):  # a Sichuan plan lists Sichuan stations only
        for t in targets(db, plan.id):
            assert province_of(db, t.org_id) == "川", t


def test_notes_are_about_their_items(db: sqlite_utils.Database) -> None:
    store = EvaluationStore(db, "check")
    seen = 0
    for e in store.list_evaluations():
        rubric = store.rubric(e.rubric_id, e.rubric_version)
        for item_id, cur in store.current(e.id).items():
            note = (cur.change.payload or {}).get("note")
            if not note or not rubric.has_item(item_id):
                continue
            seen += 1
            item = rubric.item(item_id)
            if "职责" in item.text:
                assert "职责" in note, (item_id, item.text, note)
            if "设备设施" in item.text and not item.text.endswith("制度"):
                assert "设备" in note or "监控" in note or "一台" in note, (item_id, note)
            if "故障" in note or "监控" in note:
                assert any(w in item.text for w in ("设备", "设施", "场地", "考场", "摄像", "监控")), (
                    item_id,
                    item.text,
                    note,
                )
    assert seen > 20
    one = store.rubric(SICHUAN, 1).item("1.1.1")
    assert "职责" in note_for(one, 0) and "职责" in note_for(one, 3)


def test_a_signed_sheet_is_signed_by_the_whole_team_and_the_station(db: sqlite_utils.Database) -> None:
    store = EvaluationStore(db, "check")
    signed = store.list_evaluations("signed")
    assert signed
    for e in signed:
        people = [(c.payload or {}).get("name") for c in store.signatures(e.id)]
        roles = [(c.payload or {}).get("role") for c in store.signatures(e.id)]
        assert {m["name"] for m in e.team} <= set(people), (e.org_name, people)
        assert "组员" in roles and roles[-1] == "机构代表", roles
        assert "机构代表" not in people  # a person's name, not the role


def test_the_demo_fills_a_fresh_folder_from_the_window_too(tmp_path: Path) -> None:
    from inspector.centre.demo import fill_centre_demo
    from inspector.folder import open_folder

    db = open_folder(tmp_path / "d", rubrics=True)
    summary = fill_centre_demo(db)
    assert summary.created and summary.people == 12 and summary.plans == 2
    assert len(list_orgs(db)) == 12


def test_signed_sheets_carry_drawn_signatures(tmp_path: Path) -> None:
    """Every signer of the demo's signed evaluations has a drawn signature stored in the folder, as
    the window's pad stores one, and the printed sheet shows them (issue 21: before, none)."""
    import subprocess

    from inspector.documents.others import render_document
    from inspector.folder import open_folder
    from inspector.store.evidence import check_evidence, evidence_path

    folder = demo_folder(tmp_path / "data")
    db = open_folder(folder)
    store = EvaluationStore(db, "测试")
    signed = store.list_evaluations("signed")
    assert len(signed) >= 4
    for e in signed:
        people = [c.payload for c in store.signatures(e.id)]
        assert people and all(p.get("signature") for p in people), (e.org_name, people)
        for p in people:
            assert check_evidence(folder, str(p["signature"])) is None
            assert evidence_path(folder, str(p["signature"])).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = tmp_path / "sheet.pdf"
    e = signed[0]
    pdf.write_bytes(render_document(store, folder, e.id, "sheet"))
    images = subprocess.run(["pdfimages", "-list", pdf], capture_output=True, text=True, check=True).stdout
    drawn = len(store.signatures(e.id))
    assert len(images.splitlines()) - 2 >= drawn  # a header of two lines, then one line per image
    db.conn.close()


def test_no_plan_of_the_demo_is_late_on_its_timetable(db: sqlite_utils.Database) -> None:
    """The plans page said "时间表（4 项逾期）" of the Sichuan demo on the demo's own dates: the
    first half's campaign went by the rulebook's timetable (each stage marked done), and the second
    half began after all four stages' days (not late for it)."""
    import datetime as dt

    from inspector.centre.milestones import plan_milestones

    for plan in list_plans(db):
        states = [m.state for m in plan_milestones(db, plan.id, dt.date(2026, 12, 5))]
        assert "late" not in states, (plan.title, states)
        if "上半年" in plan.title:
            assert states == ["done"] * 4
