"""``inspector eval move-version``: a draft moves to another form version only on purpose, on record;
``eval show`` and ``eval list`` say what was fixed at signing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import refused, run

CQ = "chongqing-2024-renewal"


def test_move_version_from_the_command_line(data_dir: Path, tmp_path: Path) -> None:
    org = json.loads(run("org", "add", "--name", "重庆某中心", "--json", data=data_dir).out)["id"]
    new = run("eval", "new", "--rubric", CQ, "--org", org, "--rubric-version", "1", "--json", data=data_dir)
    e = json.loads(new.out)
    assert e["rubric_version"] == 1
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"answers": {"2.2.1": {"unmet": [5]}}}), encoding="utf-8")
    assert run("eval", "record", e["id"], "--answers", answers, data=data_dir).code == 0
    # version 2 has no fifth criterion: refused in one line, naming the item; nothing moved
    refused(
        run("eval", "move-version", e["id"], "--version", "2", "--reason", "改用第2版", data=data_dir),
        "2.2.1",
    )
    answers.write_text(json.dumps({"answers": {"2.2.1": {"unmet": [1]}}}), encoding="utf-8")
    assert run("eval", "record", e["id"], "--answers", answers, data=data_dir).code == 0
    moved = run("eval", "move-version", e["id"], "--version", "2", "--reason", "改用第2版", data=data_dir)
    assert moved.code == 0, moved.err
    assert "第2版" in moved.out and "原第1版" in moved.out
    shown = json.loads(run("eval", "show", e["id"], "--json", data=data_dir).out)
    assert shown["rubric_version"] == 2 and shown["score"]["version"] == 2
    audit = run("eval", "audit", e["id"], data=data_dir)
    assert audit.code == 0, audit.err
    refused(run("eval", "move-version", e["id"], "--version", "2", "--reason", "x", data=data_dir), "第2版")
