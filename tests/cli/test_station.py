"""The station's loop through the real commands, as the user guide tells it: the centre issues the
representative's credential and exports the request (ids typed as unique prefixes), a fresh folder
imports it and becomes the station's; a request to a station without a credential names the command
that issues one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import refused, run

DEMO_PASS = "demo-1234"  # inspector demo's centre (printed by the command, for demonstration only)


def _ids(data: Path) -> tuple[str, str, str]:
    orgs = json.loads(run("org", "list", "--json", data=data).out)
    plans = json.loads(run("plan", "list", "--json", data=data).out)
    luzhou = next(o["id"] for o in orgs if "泸州" in o["name"])
    zigong = next(o["id"] for o in orgs if "自贡" in o["name"])
    plan = next(p["id"] for p in plans if "下半年" in p["title"])
    return luzhou, zigong, plan


def test_request_issued_exported_and_taken_in_by_prefixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    centre, station = tmp_path / "centre", tmp_path / "station"
    assert run("demo", data=centre).code == 0
    luzhou, zigong, plan = _ids(centre)
    monkeypatch.setenv("INSPECTOR_CA_PASSPHRASE", DEMO_PASS)
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", DEMO_PASS)
    monkeypatch.setenv("INSPECTOR_PERSON_PASSPHRASE", "station-1234")
    # no credential yet: the message names the station's own command, not the inspectors'
    out = tmp_path / "request.inspbundle"
    no_key = run(
        "bundle", "export", "--kind", "self-assessment-request", "--plan", plan[:8], "--org", zigong[:8],
        "--out", out, data=centre,
    )  # fmt: skip
    refused(no_key, "keys issue-station")
    assert not out.exists()
    issued = run("keys", "issue-station", "--org", luzhou[:8], "--name", "王站长", data=centre)
    assert issued.code == 0, issued.err
    sent = run(
        "bundle", "export", "--kind", "self-assessment-request", "--plan", plan[:8], "--org", luzhou[:8],
        "--out", out, data=centre,
    )  # fmt: skip
    assert sent.code == 0, sent.err
    fingerprint = json.loads(run("keys", "show", "--json", data=centre).out)["identity"]["ca"]["certificate"]
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", "station-1234")
    taken = run("bundle", "import", out, "--ca-fingerprint", fingerprint, data=station)
    assert taken.code == 0, taken.err
    status = run("station", "status", data=station)
    assert status.code == 0 and "泸州" in status.out
