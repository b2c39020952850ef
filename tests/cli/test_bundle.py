"""``inspector keys …`` and ``inspector bundle …`` as the centre and a laptop use them."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.bundles.container import read_container
from inspector.centre.people import add_person
from inspector.centre.plans import add_target, new_plan, run_dispatch
from inspector.folder import open_folder
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.helpers import refused, run


def secret(folder: Path, name: str, value: str) -> Path:
    path = folder / name
    path.write_text(value + "\n", encoding="utf-8")
    return path


def test_centre_to_laptop_to_centre_on_the_command_line(tmp_path: Path) -> None:
    centre, laptop, stick = tmp_path / "centre", tmp_path / "laptop", tmp_path / "stick"
    stick.mkdir()
    ca_pass = secret(tmp_path, "ca.txt", "centre-secret")
    pin = secret(tmp_path, "pin.txt", "135790")

    r = run(
        "keys",
        "init-ca",
        "--name",
        "四川省职业技能鉴定指导中心",
        "--ca-passphrase-file",
        ca_pass,
        "--json",
        data=centre,
    )
    assert r.code == 0, r.err
    out = r.json()
    assert out["identity"]["role"] == "centre" and len(out["ca"]["fingerprint"]) == 64

    # the desk: a station, a supervisor, a plan with a drawn team
    db = open_folder(centre)
    install_builtin_rubrics(db)
    org = add_org(db, "成都市测试职业技能鉴定所", "12510100TEST0001")["id"]
    person = add_person(
        db, name="张建国", kind="external", cert_no="510000201901", cert_issued="2024-03-15"
    ).id
    plan = new_plan(
        db, "sichuan-2017-inspection", "2026年日常督导", "routine", starts="2026-01-01", ends="2026-12-31"
    )
    add_target(db, plan.id, org, "2026-12-07")
    run_dispatch(db, plan.id, team_size=1, seed="cli-test")
    db.conn.close()

    r = run(
        "keys", "issue", "--person", person, "--ca-passphrase-file", ca_pass, "--person-passphrase-file", pin,
        "--json", data=centre,
    )  # fmt: skip
    assert r.code == 0, r.err
    issued = r.json()
    assert (
        issued["signing"]["name"] == "张建国"
        and issued["encryption"]["certificate"] != issued["signing"]["certificate"]
    )

    a = stick / "张建国-派发.inspbundle"
    r = run(
        "bundle", "export", "--kind", "assignment", "--plan", plan.id, "--person", person, "--out", a,
        "--passphrase-file", ca_pass, "--json", data=centre,
    )  # fmt: skip
    assert r.code == 0, r.err
    export = r.json()
    assert export["counts"]["credentials"] == 2 and export["counts"]["evaluations"] == 1
    eval_id = export["evaluations"][0]
    # --to takes a unique prefix of the person's roster id, as every id option does (issue 17)
    r = run(
        "bundle", "export", "--kind", "assignment", "--eval", eval_id, "--to", person[:8],
        "--out", tmp_path / "again.inspbundle", "--passphrase-file", ca_pass, "--json", data=centre,
    )  # fmt: skip
    assert r.code == 0, r.err
    assert r.json()["recipient"]["name"] == "张建国"

    # verify: at the centre (not the recipient: no decryption), on the fresh laptop with and without the PIN
    r = run("bundle", "verify", a, "--json", data=centre)
    v = r.json()
    assert r.code == 0 and v["valid"] and not v["decrypted"] and v["kind"] == "assignment"
    assert set(v) >= {"valid", "kind", "sender", "recipient", "counts", "created", "bundle", "problems"}
    r = run("bundle", "verify", a, "--json", data=laptop)
    assert r.code == 1 and not r.json()["valid"] and "尚未信任" in r.json()["problems"][0]
    r = run("bundle", "verify", a, "--json", "--passphrase-file", pin, data=laptop)
    assert r.code == 1 and "--ca-fingerprint" in r.json()["problems"][0]  # the first anchor: a decision
    fp = out["ca"]["fingerprint"]
    r = run("bundle", "verify", a, "--json", "--passphrase-file", pin, "--ca-fingerprint", fp, data=laptop)
    assert r.code == 0 and r.json()["decrypted"] and "content" in r.json()["checked"]

    # no terminal to ask: a first assignment without the CA fingerprint is refused, then accepted
    r = run("bundle", "import", a, "--passphrase-file", pin, "--json", data=laptop)
    assert r.code != 0 and "--ca-fingerprint" in r.err and out["ca"]["fingerprint"][:4] in r.err
    wrong = "0" * 64
    refused(
        run("bundle", "import", a, "--passphrase-file", pin, "--ca-fingerprint", wrong, data=laptop), "不符"
    )
    spoken = " ".join(fp[i : i + 4] for i in range(0, 64, 4)).lower()  # as read off the slip
    r = run(
        "bundle", "import", a, "--passphrase-file", pin, "--ca-fingerprint", spoken, "--json", data=laptop
    )
    assert r.code == 0, r.err
    imported = r.json()
    assert imported["identity_installed"] == "张建国" and imported["added"]["evaluations"] == 1
    r = run("bundle", "import", a, data=laptop)
    assert r.code == 0 and "已导入过" in r.out
    r = run("keys", "show", "--json", data=laptop)
    assert r.json()["identity"]["role"] == "field"
    assert any(p["centre"] for p in r.json()["peers"])

    answers = secret(
        tmp_path, "answers.json", json.dumps({"answers": {"1.1.1": {"met": True}, "4.1.1": {"problems": 1}}})
    )
    assert run("eval", "record", eval_id, "--answers", answers, data=laptop).code == 0
    res = stick / "张建国-结果.inspbundle"
    r = run(
        "bundle", "export", "--kind", "results", "--out", res, "--passphrase-file", pin, "--json", data=laptop
    )
    assert r.code == 0, r.err
    assert r.json()["counts"]["changes"] == 2 and r.json()["recipient"]["centre"]
    r = run("bundle", "inspect", res, data=laptop)
    assert r.code == 0 and "changes.jsonl" in r.out and "张建国" in r.out

    # tampered on the way: refused with one line naming the member, nothing stored
    bad = stick / "tampered.inspbundle"
    data = bytearray(res.read_bytes())
    with open(res, "rb") as f:
        payload = read_container(f, len(data), lambda n: 1 << 30)[-1]
    data[payload.offset + payload.size // 2] ^= 0x40
    bad.write_bytes(bytes(data))
    refused(run("bundle", "import", bad, "--passphrase-file", ca_pass, data=centre), "payload.bin")
    r = run("bundle", "verify", bad, "--json", data=centre)
    assert r.code == 1 and not r.json()["valid"] and r.json()["problems"]

    r = run("bundle", "import", res, "--passphrase-file", ca_pass, "--json", data=centre)
    assert r.code == 0, r.err
    assert r.json()["added"]["changes"] == 2 and r.json()["sender"]["name"] == "张建国"
    shown = run("eval", "show", eval_id, "--json", data=centre).json()
    assert shown["observations"]["4.1.1"]["problems"] == 1

    # a folder of bundles in one call (issue 18, P4): one passphrase, one unlock, a list in JSON;
    # the one already imported is recognised, the new one added
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / res.name).write_bytes(res.read_bytes())
    more = secret(tmp_path, "more.json", json.dumps({"answers": {"4.1.1": {"problems": 0}}}))
    assert run("eval", "record", eval_id, "--answers", more, data=laptop).code == 0
    r = run(
        "bundle", "export", "--kind", "results", "--out", batch / "2.inspbundle", "--passphrase-file", pin,
        data=laptop,
    )  # fmt: skip
    assert r.code == 0, r.err
    r = run("bundle", "import", batch, "--passphrase-file", ca_pass, "--json", data=centre)
    assert r.code == 0, r.err
    reports = r.json()
    assert isinstance(reports, list) and len(reports) == 2
    assert sorted(x["already_imported"] for x in reports) == [False, True]
    shown = run("eval", "show", eval_id, "--json", data=centre).json()
    assert shown["observations"]["4.1.1"]["problems"] == 0
    # of several files, the refused one is named, and the ones imported before it are reported
    (batch / "z-junk.inspbundle").write_bytes(b"PK\x03\x04 not really")
    r = run("bundle", "import", batch, "--passphrase-file", ca_pass, data=centre)
    refused(r, "z-junk.inspbundle", "截断")
    assert "已导入过" in r.out, r.out  # 2.inspbundle, before z-junk in the folder's order

    # the centre revokes the credential: the laptop's next bundle is refused
    r = run(
        "keys",
        "revoke",
        issued["signing"]["serial"],
        "--reason",
        "keyCompromise",
        "--ca-passphrase-file",
        ca_pass,
        "--json",
        data=centre,
    )
    assert r.code == 0 and len(r.json()["revoked"]) == 2
    assert run("eval", "record", eval_id, "--answers", answers, data=laptop).code == 0
    later = stick / "later.inspbundle"
    assert (
        run(
            "bundle", "export", "--kind", "results", "--out", later, "--passphrase-file", pin, data=laptop
        ).code
        == 0
    )
    refused(run("bundle", "import", later, "--passphrase-file", ca_pass, data=centre), "吊销")


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    refused(
        run("bundle", "export", "--kind", "results", "--out", tmp_path / "x.inspbundle", data=data, input=""),
        "尚未安装证书",
    )
    (tmp_path / "junk.inspbundle").write_bytes(b"PK\x03\x04 not really")
    refused(run("bundle", "import", tmp_path / "junk.inspbundle", data=data), "junk.inspbundle", "截断")
    # the system's reason in the user's language, not the C library's English
    r = run("bundle", "inspect", tmp_path / "missing.inspbundle", data=data)
    refused(r, "missing.inspbundle", "无法读取", "不存在")
    assert "No such file" not in r.err
