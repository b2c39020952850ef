"""``inspector register …``: a station proposes, the centre lists, accepts and rejects, through the
real command (the bundle that carries the proposals between them is inspector.bundles')."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector.centre import corrections as c
from inspector.folder import open_folder
from inspector.store.db import DB_NAME
from tests.centre_support import demo_folder
from tests.helpers import refused, run

SICHUAN_PLAN = "2026年下半年职业技能鉴定站检查评估"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("demo") / "data")


def _copy(demo: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(demo / DB_NAME, target / DB_NAME)
    return target


def _org(data: Path) -> str:
    db = open_folder(data)
    row = db.conn.execute(
        "SELECT t.org_id FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE p.title = ?"
        " ORDER BY t.org_id LIMIT 1",
        (SICHUAN_PLAN,),
    ).fetchone()
    db.conn.close()
    return str(row[0])


def test_propose_list_accept_reject(demo: Path, tmp_path: Path) -> None:
    station = _copy(demo, tmp_path / "station")
    centre = _copy(demo, tmp_path / "centre")
    org = _org(station)

    refused(run("register", "propose", "负责人", "张新", "--reason", "换届", data=station), "--org")
    refused(
        run("register", "propose", "场地面积（m²）", "很大", "--reason", "x", "--org", org[:8], data=station),
        "场地面积",
    )
    refused(run("register", "propose", "地区", "成都", "--reason", "x", "--org", org, data=station), "地区")
    head = run(
        "register", "propose", "负责人", "张新", "--reason", "换届", "--org", org[:8], "--json", data=station
    )
    assert head.code == 0, head.err
    p = head.json()
    assert (p["field"], p["new"], p["origin"], p["sent_bundle"]) == ("head", "张新", "own", None)
    area = run("register", "propose", "site_area", "1620.5", "--reason", "扩建", "--org", org, data=station)
    assert area.code == 0 and "1620.5" in area.out and "未发出" in area.out

    listed = run("register", "corrections", "--json", data=station).json()
    assert [x["field"] for x in listed] == ["head", "site_area"]

    # the bundle's part: carried from the station's folder to the centre's
    db = open_folder(station)
    out = c.outgoing(db, org)
    c.mark_sent(db, [x["id"] for x in out], "bundle-1")
    db.conn.close()
    db = open_folder(centre)
    assert c.receive(db, org, out, "李站长", "bundle-1") == 2
    db.conn.close()

    text = run("register", "corrections", data=centre).out
    assert "待决定" in text and "李站长" in text and "需重新登记" in text and "→ 张新" in text
    pending = run("register", "corrections", "--json", data=centre).json()
    assert [x["reregistration"] is not None for x in pending] == [True, False]

    missing = run("register", "reject", out[1]["id"][:6], data=centre)  # click's own usage error
    assert missing.code == 2 and "--reason" in missing.err
    rejected = run("register", "reject", out[1]["id"][:6], "--reason", "未附产权证明", "--json", data=centre)
    assert rejected.code == 0 and rejected.json()["decision"] == "rejected"
    accepted = run("register", "accept", out[0]["id"], data=centre)
    assert (
        accepted.code == 0
        and "已接受" in accepted.out
        and "换发" in accepted.out
        and "三（一）" in accepted.out
    )
    refused(run("register", "accept", out[0]["id"], data=centre), "已决定")
    refused(run("register", "accept", "f" * 32, data=centre), "没有这项更正")

    assert run("register", "corrections", "--json", data=centre).json() == []
    everything = run("register", "corrections", "--all", "--json", data=centre).json()
    assert {x["decision"] for x in everything} == {"accepted", "rejected"}
    history = run("register", "history", org, "--json", data=centre).json()
    assert [(h["field"], h["new"]) for h in history] == [("head", "张新")]
    shown = run("org", "list", "--json", data=centre)
    assert shown.code == 0
    refused(run("register", "reregistered", org, "--on", "2999-01-01", data=centre), "--on", "今天")
    assert run("register", "reregistered", org, "--on", "2026-12-01", data=centre).code == 0
    refused(run("register", "reregistered", org, "--on", "2026-12-01", data=centre), "没有待办")


def test_reading_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    refused(run("register", "corrections", data=tmp_path / "nowhere"), "不存在")
    assert not (tmp_path / "nowhere").exists()
