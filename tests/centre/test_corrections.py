"""Register corrections: a station proposes, the centre receives (as hostile input) and decides each
one; accepted ones go through the register's writer with history, and a Sichuan change of 负责人 or
contact marks the entry for re-registration (川人社函〔2017〕297号 三（一）)."""

from __future__ import annotations

import math
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from inspector.centre import corrections as c
from inspector.centre.register import get_register, register_entries, register_history, reregistered
from inspector.centre.rulebook_toml import RulebookError, parse_rulebook_text
from inspector.centre.rulebooks import shipped_rulebooks
from inspector.errors import NotFoundError, UsageError
from inspector.store.orgs import add_org
from tests.centre_support import copy_folder, demo_folder

# The sentence of seed 002 (三（一）自查自评) the rulebook cites, as the notice prints it.
CLAUSE = (
    "对鉴定站（所）负责人及联系电话、联系人、通讯地址发生了变化的，按照程序提出变更申请进行重新登记"
    "并换发职业技能鉴定许可证。"
)
SICHUAN_PLAN = "2026年下半年职业技能鉴定站检查评估"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def centre(demo: Path, tmp_path: Path) -> sqlite_utils.Database:
    return copy_folder(demo, tmp_path / "centre")


@pytest.fixture
def station(demo: Path, tmp_path: Path) -> sqlite_utils.Database:
    """A station's folder holding its register entry (here: a copy of the centre's, same ids)."""
    return copy_folder(demo, tmp_path / "station")


def sichuan_org(db: sqlite_utils.Database) -> str:
    row = db.conn.execute(
        "SELECT t.org_id FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE p.title = ?"
        " ORDER BY t.org_id LIMIT 1",
        (SICHUAN_PLAN,),
    ).fetchone()
    return str(row[0])


def count(db: sqlite_utils.Database, table: str) -> int:
    return int(db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def sent(station: sqlite_utils.Database, org: str, *changes: tuple[str, Any, str]) -> list[dict[str, Any]]:
    for field, value, reason in changes:
        c.propose(station, org, field, value, reason, "鉴定站站长")
    out = c.outgoing(station, org)
    c.mark_sent(station, [p["id"] for p in out], "bundle-1")
    return out


# -- the rule and its clause -----------------------------------------------------------------------


def test_the_sichuan_rulebook_cites_the_reregistration_clause() -> None:
    rule = shipped_rulebooks()["sichuan-2017-inspection"].get("reregistration")
    assert rule is not None and rule.strength == "must" and rule.clause is not None
    assert rule.clause.quote == CLAUSE and rule.clause.article == "三（一）"
    assert rule.params["fields"] == ["head", "phone", "contact", "address"]
    assert "通讯地址" in rule.reading and "地址" in rule.reading
    seed = Path("/work/shared/seeds/002_ab96be861ef86545.txt")
    if seed.exists():  # the transcription against the source, where the source is at hand
        assert CLAUSE in seed.read_text(encoding="utf-8")
    # no other shipped rulebook states such a rule: none is assumed for them
    others = [rb.id for rb in shipped_rulebooks().values() if rb.has("reregistration")]
    assert others == ["sichuan-2017-inspection"]


def test_a_reregistration_rule_must_name_register_fields() -> None:
    text = 'id = "x-1"\ntitle = "t"\nissuer = "i"\ndocument = "d"\nyear = 2026\n\n[[rules]]\n'
    text += 'key = "reregistration"\nstrength = "must"\narticle = "一"\nquote = "q"\n'
    ok = parse_rulebook_text(text + 'params = { fields = ["head"] }\n', "r.toml")
    assert ok.param("reregistration", "fields") == ["head"]
    for bad in ('["boss"]', "[]", '["region"]', '"head"'):
        with pytest.raises(RulebookError, match=r"r\.toml:7"):
            parse_rulebook_text(text + f"params = {{ fields = {bad} }}\n", "r.toml")


# -- the station proposes --------------------------------------------------------------------------


def test_a_proposal_keeps_the_old_value_and_changes_nothing(station: sqlite_utils.Database) -> None:
    org = sichuan_org(station)
    before = get_register(station, org)
    p = c.propose(station, org, "负责人", " 张新 ", "原负责人退休", "鉴定站站长")
    assert (p["field"], p["old"], p["new"], p["origin"]) == ("head", before["head"], "张新", "own")
    area = c.propose(station, org, "site_area", "1,250.5", "新建实训楼", "鉴定站站长")
    assert area["new"] == 1250.5 and isinstance(area["new"], float)
    assert get_register(station, org) == before  # never applied on the station's side either
    out = c.outgoing(station, org)
    assert [o["id"] for o in out] == [p["id"], area["id"]]
    assert set(out[0]) == {"id", "field", "old", "new", "reason", "proposed_at", "by"}
    c.mark_sent(station, [p["id"]], "bundle-1")
    c.mark_sent(station, [p["id"]], "bundle-1")  # the same bundle again: nothing changes
    assert [o["id"] for o in c.outgoing(station, org)] == [area["id"]]
    with pytest.raises(UsageError, match="bundle-1"):
        c.mark_sent(station, [p["id"]], "bundle-2")
    with pytest.raises(NotFoundError):
        c.mark_sent(station, ["0" * 32], "bundle-2")


@pytest.mark.parametrize(
    ("field", "value", "reason", "message"),
    [
        ("机构名称", "x", "r", "没有可由机构更正"),
        ("region", "成都市", "r", "没有可由机构更正"),  # the centre's own filing
        ("filing_expires", "2027-01-01", "r", "没有可由机构更正"),
        ("site_area", "很大", "r", "场地面积"),
        ("post_code", "6100", "r", "邮编"),
        ("category", "Z", "r", "类别"),
        ("fee_fiscal_account", "也许", "r", "收费进入财政专户"),
        ("head", "张\x00新", "r", "控制字符"),
        ("head", "张新", "  ", "更正理由不能为空"),
        ("head", "张新", "x" * 501, "太长"),
    ],
)
def test_a_wrong_proposal_is_refused_and_nothing_stored(
    station: sqlite_utils.Database, field: str, value: Any, reason: str, message: str
) -> None:
    org = sichuan_org(station)
    with pytest.raises(UsageError, match=message):
        c.propose(station, org, field, value, reason, "鉴定站站长")
    assert count(station, "register_corrections") == 0


def test_a_proposal_that_changes_nothing_is_refused(station: sqlite_utils.Database) -> None:
    org = sichuan_org(station)
    with pytest.raises(UsageError, match="相同"):
        c.propose(station, org, "head", get_register(station, org)["head"], "r", "站长")
    with pytest.raises(NotFoundError):
        c.propose(station, "no-such-org", "head", "张新", "r", "站长")


# -- the centre receives -----------------------------------------------------------------------------


def test_receiving_is_idempotent_by_id(station: sqlite_utils.Database, centre: sqlite_utils.Database) -> None:
    org = sichuan_org(station)
    out = sent(station, org, ("head", "张新", "换届"), ("site_area", 1300, "扩建"))
    assert c.receive(centre, org, out, "李站长", "bundle-1") == 2
    assert c.receive(centre, org, out, "李站长", "bundle-1") == 0
    assert (
        c.receive(centre, org, [*out, *sent(station, org, ("phone", "0813-1234567", "换号"))], "李", "b2")
        == 1
    )
    got = c.pending(centre, org)
    assert [p["field"] for p in got] == ["head", "site_area", "phone"]
    assert got[0]["signer"] == "李站长" and got[0]["bundle"] == "bundle-1" and got[0]["by"] == "鉴定站站长"
    assert got[0]["current"] == get_register(centre, org)["head"]
    # the Sichuan clause is shown before the decision: 负责人 and 联系电话 call for it, 场地面积 not
    assert got[0]["reregistration"]["quote"] == CLAUSE and got[2]["reregistration"] is not None
    assert got[1]["reregistration"] is None
    # the same id with other content: refused, nothing changed
    forged = [{**out[0], "new": "王五"}]
    with pytest.raises(UsageError, match=out[0]["id"]):
        c.receive(centre, org, forged, "李站长", "bundle-3")
    assert len(c.pending(centre)) == 3


def valid(**change: Any) -> dict[str, Any]:
    p = {
        "id": "a" * 32,
        "field": "head",
        "old": "赵丽",
        "new": "张新",
        "reason": "换届",
        "proposed_at": "2026-04-20T09:00:00+08:00",
        "by": "站长",
    }
    p.update(change)
    return {k: v for k, v in p.items() if v is not ...}


HOSTILE: list[tuple[Any, str]] = [
    ({"not": "a list"}, "应为列表"),
    (["text"], "一组字段"),
    ([valid(id="../../etc")], "32 位"),
    ([valid(id=7)], "32 位"),
    ([valid(extra=1)], "未知的键"),
    ([valid(reason=...)], "缺少"),
    ([valid(field="boss")], "没有可由机构更正"),
    ([valid(field="x" * 1_000_000)], "x…”"),  # named, not echoed whole
    ([valid(field=["head"])], "应为文字"),
    ([valid(field="region")], "没有可由机构更正"),
    ([valid(new=["张新"])], "应为文字"),
    ([valid(new={"a": 1})], "应为文字"),
    ([valid(new="张\u0007新")], "控制字符"),
    ([valid(new="张" * 201)], "太长"),
    ([valid(field="site_area", old=None, new=True)], "应为数字"),
    ([valid(field="site_area", old=None, new=math.nan)], "应为数字"),
    ([valid(field="site_area", old=None, new=math.inf)], "场地面积"),
    ([valid(field="site_area", old=None, new=-5)], "不小于 0"),
    ([valid(field="site_area", old=None, new=Decimal("1e999999"))], "场地面积"),
    ([valid(field="fee_fiscal_account", old=None, new="是")], "是"),
    ([valid(field="post_code", old=None, new="61004")], "邮编"),
    ([valid(field="filled_on", old=None, new="2026-02-30")], "日期"),
    ([valid(new="赵丽")], "相同"),
    ([valid(reason="")], "不能为空"),
    ([valid(reason=None)], "应为文字"),
    ([valid(proposed_at="yesterday")], "ISO"),
    ([valid(by="")], "不能为空"),
    ([valid(), valid()], "两次"),
    ([valid(id=f"{n:032x}") for n in range(c.MAX_PROPOSALS + 1)], "太多"),
]


@pytest.mark.parametrize(("proposals", "message"), HOSTILE)
def test_hostile_proposals_refuse_the_whole_batch(
    centre: sqlite_utils.Database, proposals: Any, message: str
) -> None:
    org = sichuan_org(centre)
    good = valid(id="b" * 32, field="contact", old=None, new="钱七")
    batch = [good, *proposals] if isinstance(proposals, list) else proposals
    before = get_register(centre, org)
    with pytest.raises(UsageError, match=message) as e:
        c.receive(centre, org, batch, "李站长", "bundle-x")
    assert "bundle-x" in str(e.value)
    assert count(centre, "register_corrections") == 0  # the good one before it is not kept either
    assert get_register(centre, org) == before


def test_a_refusal_names_the_proposal_and_the_field(centre: sqlite_utils.Database) -> None:
    org = sichuan_org(centre)
    with pytest.raises(UsageError) as e:
        c.receive(centre, org, [valid(), valid(id="c" * 32, field="post_code", new="1")], "李", "bx")
    where = str(e.value.where)
    assert "bx" in where and "2" in where and "c" * 32 in where and "post_code" in where
    with pytest.raises(NotFoundError):
        c.receive(centre, "no-such-org", [valid()], "李", "bx")
    with pytest.raises(UsageError, match="签名人"):
        c.receive(centre, org, [valid()], "", "bx")


# -- the centre decides ------------------------------------------------------------------------------


def test_accepting_a_change_of_head_applies_it_with_history_and_marks_reregistration(
    station: sqlite_utils.Database, centre: sqlite_utils.Database
) -> None:
    org = sichuan_org(station)
    old_head = get_register(centre, org)["head"]
    out = sent(station, org, ("负责人", "张新", "换届"), ("场地面积（m²）", "1300.5", "扩建"))
    c.receive(centre, org, out, "李站长", "bundle-1")
    assert get_register(centre, org)["head"] == old_head  # received: not applied

    head = c.decide(centre, out[0]["id"], True, "省鉴定中心", None)
    assert head["decision"] == "accepted" and head["centre_value"] == old_head
    assert head["reregistration"]["quote"] == CLAUSE and head["reregistration"]["article"] == "三（一）"
    entry = get_register(centre, org)
    assert entry["head"] == "张新"
    assert [m["field"] for m in entry["reregistration"]] == ["head"]
    assert entry["reregistration"][0]["rule"]["quote"] == CLAUSE
    assert register_history(centre, org) == [
        {
            "field": "head",
            "old": old_head,
            "new": "张新",
            "at": head["decided_at"],
            "by": "省鉴定中心",
            "source": f"correction:{out[0]['id']}",
        }
    ]
    area = c.decide(centre, out[1]["id"], True, "省鉴定中心", "核实")
    assert area["reregistration"] is None and get_register(centre, org)["site_area"] == Decimal("1300.5")
    assert c.pending(centre) == []

    for proposal_id in (out[0]["id"], out[1]["id"]):  # a decision is final, either way
        with pytest.raises(UsageError, match="已决定"):
            c.decide(centre, proposal_id, False, "省鉴定中心", "再想想")
    assert get_register(centre, org)["head"] == "张新"

    marked = {e["id"]: e["reregistration"] for e in register_entries(centre)}
    assert len(marked[org]) == 1 and sum(1 for v in marked.values() if v) == 1
    import datetime as dt

    from inspector import clock

    tomorrow = dt.date.fromisoformat(clock.now()[:10]) + dt.timedelta(days=1)
    with pytest.raises(UsageError, match="之后") as refused:  # recorded once done, never ahead
        reregistered(centre, org, tomorrow, "省鉴定中心")
    assert refused.value.where == "on" and len(get_register(centre, org)["reregistration"]) == 1
    assert reregistered(centre, org, dt.date(2026, 12, 1), "省鉴定中心") == 1
    assert get_register(centre, org)["reregistration"] == []
    with pytest.raises(UsageError, match="没有待办"):
        reregistered(centre, org, dt.date(2026, 12, 1), "省鉴定中心")


def test_rejecting_needs_a_reason_and_changes_nothing(
    station: sqlite_utils.Database, centre: sqlite_utils.Database
) -> None:
    org = sichuan_org(station)
    out = sent(station, org, ("联系人", "钱七", "人员调整"))
    c.receive(centre, org, out, "李站长", "bundle-1")
    before = get_register(centre, org)
    with pytest.raises(UsageError, match="理由"):
        c.decide(centre, out[0]["id"], False, "省鉴定中心", "  ")
    got = c.decide(centre, out[0]["id"], False, "省鉴定中心", "未附任命文件")
    assert (got["decision"], got["decision_reason"], got["reregistration"]) == (
        "rejected",
        "未附任命文件",
        None,
    )
    assert get_register(centre, org) == before and register_history(centre, org) == []
    with pytest.raises(UsageError, match="已决定"):
        c.decide(centre, out[0]["id"], True, "省鉴定中心", None)
    assert get_register(centre, org) == before


def test_outside_a_plan_with_the_rule_no_reregistration_is_assumed(
    station: sqlite_utils.Database, centre: sqlite_utils.Database
) -> None:
    org = add_org(centre, "新登记鉴定站", "12510000MB9999999Z", {"head": "周八"})["id"]
    c.receive(centre, org, [valid(old="周八", new="吴九")], "周八", "bundle-1")
    got = c.decide(centre, "a" * 32, True, "省鉴定中心", None)
    assert got["reregistration"] is None and get_register(centre, org)["reregistration"] == []


def test_only_received_proposals_are_decided(station: sqlite_utils.Database) -> None:
    org = sichuan_org(station)
    p = c.propose(station, org, "head", "张新", "换届", "站长")
    with pytest.raises(UsageError, match="本机提出"):
        c.decide(station, p["id"], True, "站长", None)
    with pytest.raises(NotFoundError):
        c.decide(station, "f" * 32, True, "站长", None)


def test_a_decision_is_one_transaction(
    station: sqlite_utils.Database, centre: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while marking re-registration leaves the field, the history and the proposal as
    they were: all of the decision or none of it."""
    org = sichuan_org(station)
    out = sent(station, org, ("负责人", "张新", "换届"))
    c.receive(centre, org, out, "李站长", "bundle-1")
    before = get_register(centre, org)

    def broken(*args: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(c, "mark_reregistration", broken)
    with pytest.raises(Exception, match="磁盘读写错误"):
        c.decide(centre, out[0]["id"], True, "省鉴定中心", None)
    assert get_register(centre, org) == before and register_history(centre, org) == []
    assert c.pending(centre)[0]["decision"] is None


def test_a_huge_number_is_refused_not_expanded() -> None:
    """ "1e999999" is a finite decimal: expanded, it stopped the JSON encoder with a traceback."""
    from inspector.centre.register import clean_register

    with pytest.raises(UsageError, match="太大"):
        clean_register({"site_area": "1e999999"})
    assert clean_register({"site_area": "99999999999999"}) == {"site_area": 99999999999999}


def test_the_same_proposal_twice_before_sending_is_refused(station: sqlite_utils.Database) -> None:
    org = sichuan_org(station)
    first = c.propose(station, org, "head", "张新", "换届", "站长")
    with pytest.raises(UsageError, match=first["id"]):
        c.propose(station, org, "负责人", "张新", "换届", "站长")
    c.mark_sent(station, [first["id"]], "bundle-1")
    again = c.propose(station, org, "head", "张新", "上次的数据包丢失", "站长")  # sent: may be sent again
    assert [p["id"] for p in c.outgoing(station, org)] == [again["id"]]
