"""The contract's ``org`` and ``eval`` commands, and ``backup`` / ``restore``, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import refused, run

RUBRIC = "sichuan-2017-inspection"


def new_eval(data: Path) -> tuple[str, str]:
    org = run("org", "add", "--name", "绵阳市职业技能鉴定站", "--code", "51B002", "--json", data=data)
    assert org.code == 0, org.err
    org_id = org.json()["id"]
    e = run("eval", "new", "--rubric", RUBRIC, "--org", org_id, "--json", data=data)
    assert e.code == 0, e.err
    return org_id, e.json()["id"]


def write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_org_add_and_list(tmp_path: Path) -> None:
    data = tmp_path / "d"
    o = run("org", "add", "--name", "宜宾市鉴定站", "--json", data=data).json()
    assert {"id", "name"} <= set(o) and o["name"] == "宜宾市鉴定站"
    assert [x["id"] for x in run("org", "list", "--json", data=data).json()] == [o["id"]]
    run("org", "add", "--name", "甲", "--code", "C1", data=data)
    refused(run("org", "add", "--name", "乙", "--code", "C1", data=data), "C1")


def test_eval_life_through_the_contract(tmp_path: Path) -> None:
    data = tmp_path / "d"
    org_id, eval_id = new_eval(data)
    listed = run("eval", "list", "--json", data=data).json()
    assert [(e["id"], e["rubric"], e["org"], e["kind"], e["state"]) for e in listed] == [
        (eval_id, RUBRIC, org_id, "inspection", "draft")
    ]
    answers = write(tmp_path / "a.json", {"answers": {"4.1.1": {"problems": 2}, "2.2.4": {"met": False}}})
    r = run("eval", "record", eval_id, "--answers", answers, data=data)
    assert r.code == 0, r.err
    assert r.out.splitlines() == ["recorded 4.1.1", "recorded 2.2.4"]
    shown = run("eval", "show", eval_id, "--json", data=data).json()
    assert {"id", "rubric", "org", "kind", "state", "observations", "score"} <= set(shown)
    assert shown["observations"] == {"4.1.1": {"problems": 2}, "2.2.4": {"met": False}}
    assert shown["score"]["total"] == 1 and shown["score"]["rubric"] == RUBRIC
    assert run("eval", "list", "--state", "complete", "--json", data=data).json() == []
    audit = run("eval", "audit", eval_id, "--item", "4.1.1", "--json", data=data)
    assert audit.code == 0 and audit.json()["ok"] and len(audit.json()["history"]) == 1


def test_record_refusals_change_nothing(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    good_then_bad = write(tmp_path / "a.json", {"answers": {"1.1.1": {"met": True}, "5.1.1": {"ratio": 0.5}}})
    refused(run("eval", "record", eval_id, "--answers", good_then_bad, data=data), "5.1.1")
    unknown_item = write(tmp_path / "b.json", {"answers": {"10.1.1": {"met": True}}})
    refused(run("eval", "record", eval_id, "--answers", unknown_item, data=data), "10.1.1")
    missing_photo = write(
        tmp_path / "c.json", {"answers": {"1.1.1": {"met": True, "evidence": ["nope.jpg"]}}}
    )
    refused(run("eval", "record", eval_id, "--answers", missing_photo, data=data), "nope.jpg")
    refused(run("eval", "record", "no-such-eval", "--answers", good_then_bad, data=data), "no-such-eval")
    shown = run("eval", "show", eval_id, "--json", data=data).json()
    assert shown["observations"] == {}
    assert len(run("eval", "audit", eval_id, "--json", data=data).json()["history"]) == 1  # only 'create'


def test_sign_then_writes_are_refused_and_amend_carries_on(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    rubric = run("rubric", "show", RUBRIC, "--json", data=data).json()
    everything = {
        i["id"]: ({"tier": 0} if i["rule"]["kind"] == "tiers" else {"met": True})
        for s in rubric["sections"]
        for i in s["items"]
    }
    assert run("eval", "record", eval_id, "--answers", write(tmp_path / "all.json", {"answers": everything}),
               data=data).code == 0  # fmt: skip
    assert run("eval", "list", "--state", "complete", "--json", data=data).json()[0]["id"] == eval_id
    assert (
        run("eval", "sign", eval_id, "--signer", "张三:组长", "--signer", "王五:机构代表", data=data).code
        == 0
    )
    change = write(tmp_path / "x.json", {"answers": {"1.1.1": {"met": False}}})
    refused(run("eval", "record", eval_id, "--answers", change, data=data), "只读")
    amended = run("eval", "amend", eval_id, "--reason", "更正笔误", "--json", data=data).json()
    assert amended["previous"] == eval_id and amended["revision"] == 2 and amended["state"] == "complete"


def test_evidence_from_the_answers_file(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    (tmp_path / "site.jpg").write_bytes(b"\xff\xd8site")
    answers = write(
        tmp_path / "a.json",
        {"answers": {"5.3.1": {"met": False, "evidence": [{"file": "site.jpg", "caption": "无引导标识"}]}}},
    )
    assert run("eval", "record", eval_id, "--answers", answers, data=data).code == 0
    obs = run("eval", "show", eval_id, "--json", data=data).json()["observations"]["5.3.1"]
    assert obs["evidence"][0]["caption"] == "无引导标识" and len(obs["evidence"][0]["sha256"]) == 64
    (tmp_path / "other.pdf").write_bytes(b"%PDF-1.4 scan")
    assert (
        run("eval", "attach", eval_id, "5.3.1", tmp_path / "other.pdf", "--caption", "扫描件", data=data).code
        == 0
    )
    obs = run("eval", "show", eval_id, "--json", data=data).json()["observations"]["5.3.1"]
    assert [e["caption"] for e in obs["evidence"]] == ["无引导标识", "扫描件"]


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    out = tmp_path / "backup.zip"
    weak = tmp_path / "weak.txt"
    for guess, why in (
        ("123456", "太短"),
        ("12345678", "常见"),
        ("abcdefghij", "连续"),
        ("zzzzzzzzzz", "重复"),
    ):
        weak.write_text(guess + "\n", encoding="utf-8")
        refused(run("backup", "--out", out, "--passphrase-file", weak, data=data), why)
    assert not out.exists() and not list(tmp_path.glob(".backup.zip.*"))
    secret = tmp_path / "secret.txt"
    secret.write_text("川督-2026-备份\n", encoding="utf-8")
    r = run("backup", "--out", out, "--passphrase-file", secret, data=data)
    assert r.code == 0, r.err
    assert b"SQLite format 3" not in out.read_bytes() and out.read_bytes()[:8] == b"INSPBAK1"
    other = tmp_path / "other"
    refused(run("restore", out, data=other), "INSPECTOR_BACKUP_PASSPHRASE")
    refused(run("restore", out, "--passphrase-file", weak, data=other), "口令错误")
    r = run("restore", out, "--passphrase-file", secret, data=other)
    assert r.code == 0, r.err
    assert run("eval", "show", eval_id, "--json", data=other).code == 0
    (tmp_path / "junk.zip").write_bytes(b"junk")
    refused(run("restore", tmp_path / "junk.zip", data=other), "junk.zip")


def test_newer_database_is_refused_by_the_command(tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "d"
    data.mkdir()
    assert run("org", "list", data=data).code == 0
    conn = sqlite3.connect(data / "inspector.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    refused(run("org", "list", data=data), "更新版本")


def test_sign_is_refused_while_a_deduction_says_nothing_found(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    rubric = run("rubric", "show", RUBRIC, "--json", data=data).json()
    everything = {
        i["id"]: ({"tier": 0} if i["rule"]["kind"] == "tiers" else {"met": True})
        for s in rubric["sections"]
        for i in s["items"]
    }
    everything["4.1.1"] = {"problems": 2}
    assert run("eval", "record", eval_id, "--answers", write(tmp_path / "a.json", {"answers": everything}),
               data=data).code == 0  # fmt: skip
    before = run("eval", "audit", eval_id, "--json", data=data).json()["changes"]
    shown = run("eval", "show", eval_id, "--json", data=data).json()
    assert shown["unexplained"] == ["4.1.1"] and "4.1.1" in shown["sign_blockers"][0]
    result = run("eval", "sign", eval_id, "--signer", "张三:组长", data=data)
    refused(result, "4.1.1")
    assert "未写明发现的情况" in result.err and len(result.err.strip().splitlines()) == 1
    assert run("eval", "audit", eval_id, "--json", data=data).json()["changes"] == before
    noted = {"4.1.1": {"problems": 2, "note": "两台设备故障未报修"}}
    assert run("eval", "record", eval_id, "--answers", write(tmp_path / "b.json", {"answers": noted}),
               data=data).code == 0  # fmt: skip
    assert run("eval", "sign", eval_id, "--signer", "张三:组长", data=data).code == 0


def test_answers_file_picks_up_evidence_from_outside_its_folder(tmp_path: Path) -> None:
    """An answers file on a stick named ../../secret and /etc/hostname as evidence: they were
    copied into the evidence store (and into the next bundle). Only its own folder tree counts."""
    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    stick = tmp_path / "stick"
    (stick / "photos").mkdir(parents=True)
    (stick / "photos" / "site.jpg").write_bytes(b"\xff\xd8site")
    (tmp_path / "secret.txt").write_text("private", encoding="utf-8")
    for name in ("../secret.txt", str(tmp_path / "secret.txt"), "photos/../../secret.txt"):
        answers = write(stick / "a.json", {"answers": {"5.3.1": {"met": False, "evidence": [name]}}})
        refused(run("eval", "record", eval_id, "--answers", answers, data=data), "答案文件所在的文件夹")
        assert not list((data / "evidence").rglob("*")) if (data / "evidence").exists() else True
    answers = write(stick / "a.json", {"answers": {"5.3.1": {"met": False, "evidence": ["photos/site.jpg"]}}})
    assert run("eval", "record", eval_id, "--answers", answers, data=data).code == 0


def test_show_lists_evidence_with_capture_time_position_and_flags(tmp_path: Path) -> None:
    from tests.exif_photos import exif_photo

    data = tmp_path / "d"
    org = run("org", "add", "--name", "绵阳市职业技能鉴定站", "--json", data=data).json()["id"]
    made = run("eval", "new", "--rubric", RUBRIC, "--org", org, "--date", "2026-05-12", "--json", data=data)
    eval_id = made.json()["id"]
    exif_photo(tmp_path / "现场.jpg")
    exif_photo(tmp_path / "旧照.jpg", taken="2026:04:30 09:00:00", offset=None, gps=None, colour="red")
    (tmp_path / "台账.pdf").write_bytes(b"%PDF-1.4 ledger")
    evidence = [{"file": "现场.jpg"}, {"file": "旧照.jpg", "caption": "去年的照片"}, {"file": "台账.pdf"}]
    answers = write(tmp_path / "a.json", {"answers": {"1.1.1": {"met": False, "evidence": evidence}}})
    assert run("eval", "record", eval_id, "--answers", answers, data=data).code == 0
    shown = run("eval", "show", eval_id, "--json", data=data).json()
    # the contract's observations as they were recorded
    assert shown["observations"]["1.1.1"]["evidence"][1]["caption"] == "去年的照片"
    e1, e2, e3 = shown["evidence"]
    assert (e1["number"], e1["item"], e1["name"]) == ("E1", "1.1.1", "现场.jpg")
    assert e1["captured_at"] == "2026-05-12T10:03:15+08:00" and e1["captured_offset_assumed"] is False
    assert e1["gps"] == {"lat": 30.657, "lon": 104.066667} and e1["flags"] == []
    assert e2["captured_at"].startswith("2026-04-30T09:00:00") and e2["captured_offset_assumed"] is True
    assert e2["gps"] is None
    assert [f["code"] for f in e2["flags"]] == ["other_day"]
    assert e2["flags"][0]["text"] == "拍摄日期不是督导当日"
    assert e3["captured_at"] is None and e3["flags"] == []  # a document: nothing to say about it
    text = run("eval", "show", eval_id, data=data)
    assert text.code == 0, text.err
    assert "需核对的证据" in text.out and "E2  1.1.1  旧照.jpg" in text.out
    assert "※ 拍摄日期不是督导当日（拍摄于 2026-04-30，督导日为 2026-05-12）" in text.out
    assert "现场.jpg" not in text.out  # only flagged evidence is listed


def _with_stray_mark(tmp_path: Path, answered: int) -> tuple[Path, str]:
    """A folder whose evaluation holds 1.1.1 met and, as an older program wrote it, a mark on 9.9.9,
    an item its form lacks (its head counted ``answered`` as that program counted it)."""
    from inspector.store.changes import GENESIS, OBSERVE, Change
    from inspector.store.db import open_database, transaction
    from inspector.store.evaluations import EvaluationStore
    from inspector.store.log import apply_change

    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    answers = write(tmp_path / "a.json", {"answers": {"1.1.1": {"met": True}}})
    assert run("eval", "record", eval_id, "--answers", answers, data=data).code == 0
    db = open_database(data)
    store = EvaluationStore(db, "张三")
    stray = Change(
        id="f" * 32, eval_id=eval_id, item_id="9.9.9", kind=OBSERVE, payload={"met": True}, parents=(),
        author="李四", device_id="e" * 32, device_seq=1, wall_time="2026-01-01T00:00:00.000+08:00",
        prev_hash=GENESIS,
    ).sealed()  # fmt: skip
    with transaction(db) as conn:
        apply_change(conn, stray, store.rubric, (None, None, answered))
    db.conn.close()
    return data, eval_id


def test_marks_the_engine_refuses_have_no_total_in_the_list_nor_on_the_sheet(tmp_path: Path) -> None:
    """A mark for an item the pinned version lacks (a folder written by an older program): the score
    sheet is refused, and the evaluation list shows no total and no outcome but says why (it showed
    the heads' sum before)."""
    data, eval_id = _with_stray_mark(tmp_path, answered=1)
    listed = run("eval", "list", "--json", data=data).json()
    assert listed[0]["total"] is None and listed[0]["outcome"] is None and "9.9.9" in listed[0]["refused"]
    refused(run("report", "pdf", eval_id, "--out", tmp_path / "s.pdf", data=data), "9.9.9")
    # eval show says why there is no total and which mark; eval clear puts it right, said and kept
    shown = run("eval", "show", eval_id, data=data)
    assert (
        shown.code == 0 and "总分：无（9.9.9：" in shown.out and "9.9.9" in shown.out.split("eval clear")[1]
    )
    refused(run("eval", "clear", eval_id, "8.8.8", data=data), "8.8.8")  # no mark there: nothing written
    cleared = run("eval", "clear", eval_id, "9.9.9", data=data)
    assert cleared.code == 0 and "已清除 9.9.9" in cleared.out and '{"met":true}' in cleared.out
    listed = run("eval", "list", "--json", data=data).json()
    assert listed[0]["total"] == 2 and "refused" not in listed[0]
    history = run("eval", "show", eval_id, "--json", data=data).json()
    assert "9.9.9" not in history["observations"] and "disallowed" not in history


def test_eval_show_json_shows_marks_the_engine_refuses_whole_with_no_total(tmp_path: Path) -> None:
    """A mark for an item the pinned version lacks: ``eval show --json`` exited with an error; it
    shows the evaluation (header, items, the marks as recorded) with no total and why, as the
    window does, and exits 0, the contract's keys kept."""
    data, eval_id = _with_stray_mark(tmp_path, answered=0)
    shown = run("eval", "show", eval_id, "--json", data=data)
    assert shown.code == 0, shown.err
    doc = shown.json()
    assert {"id", "rubric", "org", "kind", "state", "observations", "score"} <= set(doc)
    assert doc["id"] == eval_id and doc["observations"] == {"1.1.1": {"met": True}, "9.9.9": {"met": True}}
    score = doc["score"]
    assert (score["total"], score["base"], score["bonus"], score["outcome"]) == (None, None, None, None)
    assert score["refused"] == f"9.9.9：评估表 {RUBRIC} 没有这个小项"
    assert all(sec["points"] is None for sec in score["sections"])  # no section sums either
    items = {i["id"]: i for i in score["items"]}
    assert "9.9.9" not in items and items["1.1.1"]["answered"] and items["1.1.1"]["points"] == 2
    assert [m["item"] for m in doc["disallowed"]] == ["9.9.9"]
    assert doc["sign_blockers"] == [f"不能签署：{score['refused']}"]


def test_a_mark_the_form_disallows_shows_no_total_in_eval_show(tmp_path: Path) -> None:
    """A not-applicable the form gives no leave for, as a team member's bundle brings it: eval show
    and its JSON give no total, and say why with the item and the form's clause (signing's words)."""
    from inspector.store.changes import OBSERVE
    from inspector.store.db import open_database, transaction
    from inspector.store.evaluations import EvaluationStore
    from inspector.store.log import apply_change

    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    answers = write(tmp_path / "a.json", {"answers": {"1.1.1": {"met": True}}})
    assert run("eval", "record", eval_id, "--answers", answers, data=data).code == 0
    db = open_database(data)
    store = EvaluationStore(db, "李四")
    with transaction(db) as conn:
        na = store._change(conn, eval_id, "6.4.2", OBSERVE, {"na": True, "reason": "无此情形"})
        apply_change(conn, na, store.rubric)
    db.conn.close()
    shown = run("eval", "show", eval_id, data=data)
    assert shown.code == 0 and "总分：无（以下小项的记录评估表不允许" in shown.out and "6.4.2" in shown.out
    assert "总分（暂计）" not in shown.out
    doc = run("eval", "show", eval_id, "--json", data=data).json()
    assert doc["score"]["total"] is None and doc["score"]["outcome"] is None
    assert f"评估表 {RUBRIC} 第{doc['rubric_version']}版 6.4.2：“" in doc["score"]["refused"]  # the clause
    assert [m["item"] for m in doc["disallowed"]] == ["6.4.2"]
    listed = run("eval", "list", "--json", data=data).json()
    assert listed[0]["total"] is None and listed[0]["refused"] == doc["score"]["refused"]
    assert any(doc["score"]["refused"] in b for b in doc["sign_blockers"])


def test_odd_encodings_of_a_mark_are_refused_naming_file_line_and_item(tmp_path: Path) -> None:
    """1e400 problems, 2.0 problems, a 5000-digit count and points written as text: refused with
    the file, the item's line and the item; nothing is recorded."""
    data = tmp_path / "d"
    _org, eval_id = new_eval(data)
    cases = {
        "exp.json": ('{"answers": {\n  "1.1.1": {"problems": 1e400}\n}}', "整数"),
        "point.json": ('{"answers": {\n  "1.1.1": {"problems": 2.0}\n}}', "整数"),
        "huge.json": ('{"answers": {\n  "1.1.1": {"problems": 99999999999999999999}\n}}', "范围"),
        "text.json": (
            '{"answers": {\n  "1.1.1": {"met": true},\n  "4.1.1": {"points": "1", "reason": "x"}\n}}',
            "数字",
        ),
        "digits.json": ('{"answers": {"1.1.1": {"problems": ' + "9" * 5000 + "}}}", "位数"),
    }
    for name, (text, word) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        where = f"{name}: " if name == "digits.json" else f"{name}:{3 if name == 'text.json' else 2}: "
        refused(run("eval", "record", eval_id, "--answers", tmp_path / name, data=data), where, word)
        refused(run("score", RUBRIC, "--answers", tmp_path / name, data=data), where, word)
    assert run("eval", "show", eval_id, "--json", data=data).json()["observations"] == {}
    ok = tmp_path / "ok.json"
    ok.write_text('{"answers": {"1.1.1": {"problems": 3}, "4.1.1": {"points": 0, "reason": "x"}}}', "utf-8")
    assert run("eval", "record", eval_id, "--answers", ok, data=data).code == 0


def test_library_messages_reach_the_user_in_chinese_naming_the_place(tmp_path: Path) -> None:
    """zipfile, SQLite and tomllib speak English: the user reads Chinese, with the file and line."""
    data = tmp_path / "d"
    data.mkdir()
    assert run("org", "list", data=data).code == 0
    (tmp_path / "junk.zip").write_bytes(b"junk")
    r = run("restore", tmp_path / "junk.zip", data=tmp_path / "other")
    refused(r, "junk.zip", "不是 ZIP 格式")
    assert "zip file" not in r.err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "inspector.sqlite3").write_bytes(b"garbage " * 512)
    r = run("org", "list", data=bad)
    refused(r, "inspector.sqlite3", "不是本程序的数据库")
    assert "not a database" not in r.err
    notice = tmp_path / "a.toml"
    notice.write_text("[year]\nfoo bar\n", encoding="utf-8")
    r = run("calendar", "add", notice, data=data)
    refused(r, "a.toml:2", "键之后应有“=”", "第 5 列")
    assert "Expected" not in r.err
    notice.write_text("year = [1,\n", encoding="utf-8")
    refused(run("calendar", "add", notice, data=data), "a.toml", "在文件末尾")


def test_changes_are_signed_by_the_installed_credentials_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three laptops all running as "root" signed every change "root": the author is the person
    whose credential is installed in the folder, --user when given, the OS user only without one."""
    import getpass

    monkeypatch.delenv("INSPECTOR_USER", raising=False)
    centre = tmp_path / "centre"
    demo = run("demo", "--json", data=centre)
    assert demo.code == 0, demo.err
    name = demo.json()["centre"]["name"]
    org = run("org", "list", "--json", data=centre).json()[0]["id"]
    eval_id = run("eval", "new", "--rubric", RUBRIC, "--org", org, "--json", data=centre).json()["id"]
    answers = write(tmp_path / "a.json", {"answers": {"1.1.1": {"met": True}}})
    assert run("--user", "王芳", "eval", "record", eval_id, "--answers", answers, data=centre).code == 0
    history = run("eval", "audit", eval_id, "--json", data=centre).json()["history"]
    assert [(c["kind"], c["author"]) for c in history] == [("create", name), ("observe", "王芳")]
    assert name != getpass.getuser()
    # no credential installed: the operating-system user, as before
    _org, plain = new_eval(tmp_path / "plain")
    (create,) = run("eval", "audit", plain, "--json", data=tmp_path / "plain").json()["history"]
    assert create["author"] == getpass.getuser()
