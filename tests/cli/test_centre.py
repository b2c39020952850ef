"""The centre's commands through the real ``inspector`` command: the contract's names and JSON keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from inspector.store.db import DB_NAME
from tests.centre_support import demo_folder, workbook
from tests.helpers import Run, refused, run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("demo") / "data")


def _copy(demo: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(demo / DB_NAME, target / DB_NAME)
    return target


def test_people_plan_and_dispatch(tmp_path: Path) -> None:
    data = tmp_path / "data"
    org = run("org", "add", "--name", "甲鉴定站", "--code", "C-1", "--json", data=data).json()
    other = run("org", "add", "--name", "乙鉴定站", "--code", "C-2", "--json", data=data).json()
    people = []
    # five people for two teams of two on one day, one of them recused at 甲: never short, whatever the ids
    for i, kind in enumerate(["external", "external", "internal", "external", "internal"]):
        args = [
            "people",
            "add",
            "--name",
            f"督导{i}",
            "--kind",
            kind,
            "--cert-no",
            f"N{i}",
            "--cert-issued",
            "2025-01-02",
        ]
        if i == 0:
            args += ["--org", org["id"]]
        r = run(*args, "--json", data=data)
        assert r.code == 0, r.err
        p = r.json()
        assert {"id", "name", "kind", "cert_no", "cert_issued", "cert_last_day", "employer_org"} <= set(p)
        people.append(p)
    assert people[0]["employer_org"] == org["id"] and people[0]["cert_last_day"] == "2028-01-02"
    refused(
        run(
            "people",
            "add",
            "--name",
            "重复",
            "--kind",
            "external",
            "--cert-no",
            "N1",
            "--cert-issued",
            "2025-01-02",
            data=data,
        ),
        "N1",
    )
    listed = run("people", "list", "--json", data=data).json()
    assert sorted(p["id"] for p in listed) == sorted(p["id"] for p in people)

    # a Sichuan centre that chose Zhengzhou's people rules composes its own rulebook
    composed = tmp_path / "centre.toml"
    composed.write_text(
        'id = "sichuan-centre-2026"\ntitle = "本中心规则册"\nissuer = "四川省鉴定中心"\n'
        'document = "本中心自定"\nyear = 2026\n'
        'based_on = ["sichuan-2017-inspection", "zhengzhou-2014-supervision"]\n',
        encoding="utf-8",
    )
    assert run("rulebook", "validate", composed, data=data).code == 0
    listed = run("rulebook", "list", "--json", data=data).json()
    assert {"id", "title", "document"} <= set(listed[0])
    assert "sichuan-2017-inspection" in {b["id"] for b in listed}
    added = run("rulebook", "add", composed, "--json", data=data)
    assert added.code == 0, added.err
    assert added.json()["rules"] == 11  # Sichuan's 5 (with reregistration) and Zhengzhou's 6
    plan = run(
        "plan",
        "new",
        "--rubric",
        "sichuan-2017-inspection",
        "--title",
        "春季督导",
        "--kind",
        "routine",
        "--rulebook",
        "sichuan-centre-2026",
        "--json",
        data=data,
    ).json()
    assert {"id", "rubric", "title", "kind"} <= set(plan) and plan["kind"] == "routine"
    assert run("plan", "add-target", plan["id"], "--org", org["id"], data=data).code == 0
    assert (
        run("plan", "add-target", plan["id"], "--org", other["id"], "--date", "2025-09-30", data=data).code
        == 0
    )

    before = _snapshot(data, tmp_path / "before")
    r = run(
        "dispatch",
        plan["id"],
        "--date",
        "2025-09-30",
        "--team-size",
        "2",
        "--seed",
        "42",
        "--json",
        data=data,
    )
    assert r.code == 0, r.err
    rows = r.json()
    assert isinstance(rows, list) and len(rows) == 2
    for row in rows:
        assert {"org", "date", "team", "record_due"} <= set(row)
        # neither Sichuan's notice nor Zhengzhou's sets a record deadline (Fujian's is not carried over)
        assert row["date"] == "2025-09-30" and row["record_due"] is None
        assert row["rulebook"] == "sichuan-centre-2026"
        assert len(row["team"]) == 2 and set(row["team"]) <= {p["id"] for p in people}
    mine = next(row for row in rows if row["org"] == org["id"])
    assert people[0]["id"] not in mine["team"]  # recusal: the employer
    # the same seed and the same pool give the same teams
    again = run(
        "dispatch",
        plan["id"],
        "--date",
        "2025-09-30",
        "--team-size",
        "2",
        "--seed",
        "42",
        "--json",
        data=before,
    ).json()
    assert [(x["org"], x["team"]) for x in again] == [(x["org"], x["team"]) for x in rows]
    assert run("plan", "verify", plan["id"], data=data).code == 0
    record = run("plan", "record", plan["id"], data=data).json()
    assert record[0]["seed"] == "42" and set(record[0]["assignments"][0]["team"]) <= set(
        record[0]["assignments"][0]["pool"]
    )
    shown = run("plan", "show", plan["id"], "--json", data=data).json()
    assert {t["state"] for t in shown["targets"]} == {"dispatched"}


def _snapshot(data: Path, target: Path) -> Path:
    target.mkdir()
    shutil.copy(data / DB_NAME, target / DB_NAME)
    for suffix in ("-wal", "-shm"):
        if (data / (DB_NAME + suffix)).exists():
            shutil.copy(data / (DB_NAME + suffix), target / (DB_NAME + suffix))
    return target


def test_a_blocked_dispatch_exits_1_with_the_rule(tmp_path: Path) -> None:
    data = tmp_path / "data"
    org = run("org", "add", "--name", "甲鉴定站", "--json", data=data).json()
    run(
        "people",
        "add",
        "--name",
        "老卡",
        "--kind",
        "external",
        "--cert-no",
        "1",
        "--cert-issued",
        "2020-01-01",
        data=data,
    )
    plan = run(
        "plan",
        "new",
        "--rubric",
        "sichuan-2017-inspection",
        "--title",
        "专项",
        "--kind",
        "special",
        "--rulebook",
        "fujian-2021-supervision",
        "--json",
        data=data,
    ).json()
    assert plan["rulebook"] == "fujian-2021-supervision"
    run("plan", "add-target", plan["id"], "--org", org["id"], data=data)
    # 福建办法 第三章四 "原则上由3名及以上": refused without a reason on record
    refused(
        run("dispatch", plan["id"], "--date", "2026-03-03", "--team-size", "2", "--seed", "1", data=data),
        "3 名及以上",
    )
    r = run(
        "dispatch", plan["id"], "--date", "2026-03-03", "--team-size", "3", "--seed", "1", "--json", data=data
    )
    refused(r, "合格督导员仅 0 人（需要 3 人）", "证卡无效 1 人（老卡）")
    assert r.out == ""


def test_register_export_and_import(demo: Path, tmp_path: Path) -> None:
    data = _copy(demo, tmp_path / "demo")
    out = tmp_path / "register.xlsx"
    assert run("org", "export", "--out", out, data=data).code == 0
    empty = tmp_path / "empty"
    r = run("org", "import", out, "--json", data=empty)
    assert r.code == 0, r.err
    assert r.json() == {"created": 12, "updated": 0, "unchanged": 0}
    assert run("org", "list", "--json", data=empty).json() == run("org", "list", "--json", data=data).json()
    bad = workbook(
        tmp_path / "bad.xlsx",
        {
            "机构登记": [
                ["机构名称", "机构代码", "场地面积（m²）"],
                ["甲站", "X-1", 100],
                ["乙站", "X-1", 200],
            ]
        },
    )
    refused(run("org", "import", bad, data=empty), "机构登记!B3", "X-1")
    bad = workbook(
        tmp_path / "bad2.xlsx", {"机构登记": [["机构名称", "机构代码", "类别"], ["甲站", "X-1", "Z"]]}
    )
    refused(run("org", "import", bad, data=empty), "机构登记!C2", "A–J")
    bad = workbook(
        tmp_path / "bad3.xlsx",
        {"机构登记": [["机构名称", "机构代码", "场地面积（m²）"], ["甲站", "X-1", "三百"]]},
    )
    refused(run("org", "import", bad, data=empty), "机构登记!C2", "数字")
    assert len(run("org", "list", "--json", data=empty).json()) == 12


def test_results_stats_and_roster_workbooks(demo: Path, tmp_path: Path) -> None:
    data = _copy(demo, tmp_path / "demo")
    plans = run("plan", "list", "--json", data=data).json()
    second = next(p for p in plans if "下半年" in p["title"])
    assert second["targets"] == 7
    r = run(
        "results", second["id"], "--today", "2026-11-22", "--json", "--out", tmp_path / "r.xlsx", data=data
    )
    assert r.code == 0, r.err
    res = r.json()
    assert res["counts"] == {"signed": 3, "complete": 2, "draft": 1, "dispatched": 1}
    assert res["overdue"] == []  # a Sichuan plan carries no Fujian record deadline
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "结果汇总"
    # the workbook in the same words: a draft's score is provisional and it has no conclusion yet
    rows = {
        r[0]: r for r in openpyxl.load_workbook(tmp_path / "r.xlsx")["结果汇总"].iter_rows(values_only=True)
    }
    assert rows["绵阳职业技术学院职业技能鉴定站"][7:11] == ("进行中", "43（暂）", 100, "未完成")
    assert rows["成都市技师学院职业技能鉴定所"][7:11] == ("已完成", 87, 100, "合格")
    # the desk in words, as the home list and eval list say them: 进行中 with a provisional score and
    # 未完成, 已完成 (it printed 评估中 … 43 — and 待签署 for the same states)
    lines = run("results", second["id"], "--today", "2026-11-22", data=data).out.splitlines()
    assert "绵阳职业技术学院职业技能鉴定站  进行中  43（暂）  未完成" in lines
    assert "成都市技师学院职业技能鉴定所  已完成  87  合格" in lines
    s = run("stats", "--json", "--out", tmp_path / "s.xlsx", data=data)
    assert s.code == 0, s.err
    assert s.json()["evaluations"] == 4 and s.json()["by_region"]
    assert run("people", "export", "--out", tmp_path / "p.xlsx", data=data).code == 0
    roster = openpyxl.load_workbook(tmp_path / "p.xlsx")["督导员名册"]
    assert roster.max_row == 13  # the header and twelve supervisors
    person = run("people", "list", "--json", data=data).json()[0]
    shown = run("people", "show", person["id"], "--json", data=data).json()
    assert {"history", "reviews", "annual"} <= set(shown)
    refused(run("results", "no-such-plan", data=data), "no-such-plan")


def test_role_at_takes_a_unique_prefix_of_the_organisation(tmp_path: Path) -> None:
    """``--role-at ORG[:ROLE]``: the organisation's id may be a unique prefix, as every id option's
    (issue 17); an ambiguous one is refused naming the matches, and nothing is stored."""
    data = tmp_path / "data"
    org = run("org", "add", "--name", "甲鉴定站", "--json", data=data).json()["id"]

    def add(name: str, role_at: str) -> Run:
        return run("people", "add", "--name", name, "--kind", "external", "--cert-no", name,
                   "--cert-issued", "2025-01-02", "--role-at", role_at, "--json", data=data)  # fmt: skip

    r = add("李四", f"{org[:6]}:exam_staff")
    assert r.code == 0, r.err
    assert r.json()["roles"] == [{"org": org, "role": "exam_staff"}]
    # 17 ids in 16 hex digits: two share a first digit
    ids = [org, *(run("org", "add", "--name", f"乙{i}", "--json", data=data).json()["id"] for i in range(16))]
    shared = next(a[:1] for a in ids for b in ids if a != b and b.startswith(a[:1]))
    refused(add("王五", shared), "不唯一")
    assert "王五" not in run("people", "list", data=data).out


def test_an_employer_renewal_is_reviewed_on_the_command_line(tmp_path: Path) -> None:
    # 重庆 延续备案通知 三（二）1: 用人单位 reviewed (10 working days), 2: 技工院校 scored (20)
    data = tmp_path / "data"
    employer = run("org", "add", "--name", "重庆某集团公司", data=data).out.strip()
    school = run("org", "add", "--name", "重庆某技师学院", data=data).out.strip()
    refused(run("org", "set", employer, "--field", "applicant_type=民办学校", data=data), "评价机构类型应为")
    refused(run("org", "set", employer, "--field", "nonsense=1", data=data), "键=值")
    for org, kind in ((employer, "用人单位"), (school, "技工院校")):
        r = run("org", "set", org[:8], "--field", f"applicant_type={kind}",
                "--field", "application_received=2026-09-25", "--json", data=data)  # fmt: skip
        assert r.code == 0, r.err
    plan = run("plan", "new", "--rubric", "chongqing-2024-renewal", "--title", "延续备案",
               "--kind", "routine", data=data).out.strip()  # fmt: skip
    for org in (employer, school):
        assert run("plan", "add-target", plan, "--org", org, data=data).code == 0
    refused(run("plan", "start-eval", plan, "--org", employer, data=data), "只审核、不评分")
    # outside a plan too, with the rule's clause from the rulebook file (it made one before)
    refused(
        run("eval", "new", "--rubric", "chongqing-2024-renewal", "--org", employer, data=data),
        "只审核、不评分", "三（二）1", "人力社保部门收到用人单位评价机构申报材料后",
    )  # fmt: skip
    assert run("eval", "list", "--json", data=data).json() == []
    refused(run("plan", "review", plan, "--org", school, "--outcome", "eligible", data=data), "须评分")
    r = run("plan", "review", plan, "--org", employer[:8], "--outcome", "eligible", "--opinion", "材料齐全",
            "--on", "2026-10-12", "--json", data=data)  # fmt: skip
    assert r.code == 0, r.err
    assert r.json()["outcome"] == {"code": "eligible", "label": "符合延续备案条件"}
    rows = {
        t["org_name"]: t
        for t in run("results", plan, "--today", "2026-10-20", "--json", data=data).json()["targets"]
    }
    e, s = rows["重庆某集团公司"], rows["重庆某技师学院"]
    assert (e["state"], e["total"], e["review_only"], e["decision_due"]) == (
        "reviewed",
        None,
        True,
        "2026-10-15",
    )
    assert e["outcome"]["label"] == "符合延续备案条件" and not e["decision_overdue"]
    assert (s["review_only"], s["decision_due"]) == (False, "2026-10-29")
    text = run("results", plan, "--today", "2026-10-30", data=data).out
    assert (
        "已审核  —  符合延续备案条件  处理期限 2026-10-15" in text and "处理期限 2026-10-29（逾期）" in text
    )
