"""``eval show`` and ``eval sign`` with a centre's rubric version that requires a photo for a
deduction (issue 21): the missing evidence named, each item's evidence counted, signing refused."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.rubric.toml_form import dump_rubric_toml, load_rubric_file, parse_rubric_text
from inspector.store.rubrics import builtin_rubric_files
from tests.helpers import refused, run

RUBRIC = "sichuan-2017-inspection"
CLAUSE = "本中心2026年第3号通知：扣分项须留存现场照片"


def centre_file(tmp_path: Path) -> Path:
    shipped = next(p for p in builtin_rubric_files() if p.name == f"{RUBRIC}.toml")
    text = dump_rubric_toml(load_rubric_file(shipped))
    text = text.replace("version = 3\n", "version = 7\n", 1)
    marker = 'id = "1.1.1"\n'
    text = text.replace(marker, marker + f'evidence = {{requires = "photo", clause = "{CLAUSE}"}}\n', 1)
    assert parse_rubric_text(text, "x").item("1.1.1").evidence is not None
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_show_and_sign_name_the_missing_photo(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert run("rubric", "import", centre_file(tmp_path), data=data).code == 0
    org = run("org", "add", "--name", "绵阳市职业技能鉴定站", "--json", data=data).json()["id"]
    e = run("eval", "new", "--rubric", RUBRIC, "--org", org, "--json", data=data).json()
    assert e["rubric_version"] == 7
    answers: dict[str, dict[str, object]] = {"answers": {"1.1.1": {"met": False, "note": "未设站长岗位"}}}
    rubric = run("rubric", "show", RUBRIC, "--json", data=data).json()
    for s in rubric["sections"]:
        for i in s["items"]:
            if i["id"] != "1.1.1":
                answers["answers"][i["id"]] = {"tier": 0} if i["rule"]["kind"] == "tiers" else {"met": True}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    assert run("eval", "record", e["id"], "--answers", path, data=data).code == 0
    shown = run("eval", "show", e["id"], "--json", data=data).json()
    assert shown["missing_evidence"] == [{"item": "1.1.1", "missing": ["photo"], "clause": CLAUSE}]
    assert any("1.1.1（缺照片）" in b for b in shown["sign_blockers"])
    assert shown["evidence_counts"] == {}
    text = run("eval", "show", e["id"], data=data)
    assert "1.1.1（缺照片）" in text.out and CLAUSE in text.out
    refused(run("eval", "sign", e["id"], "--signer", "张三:组长", data=data), "1.1.1（缺照片）")
    photo = tmp_path / "岗位.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 photo")
    attached = run("eval", "attach", e["id"], "1.1.1", photo, data=data)
    assert attached.code == 0, attached.err
    shown = run("eval", "show", e["id"], "--json", data=data).json()
    assert shown["missing_evidence"] == [] and shown["evidence_counts"] == {"1.1.1": 1}
    assert "1.1.1 ×1" in run("eval", "show", e["id"], data=data).out
