"""The first hour, as a newcomer and a centre clerk live it (issue 17): each surprise they met, as a test.

Every test here runs the real ``inspector`` command in a subprocess, as a user does, on a demo
folder (the demo centre's credentials included) or on a centre and a laptop made from nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from inspector.crypto.identity import CA_FOLDER
from inspector.crypto.keys import KEYS_DIR
from tests.helpers import Run, refused, run

DEMO_PASS = "demo-1234"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    r = run("demo", "--json", data=data)
    assert r.code == 0, r.err
    assert r.json()["centre"]["passphrase"] == DEMO_PASS and r.json()["centre"]["created"]
    return data


def copy(demo: Path, target: Path, *, keys: bool = True) -> Path:
    shutil.copytree(demo, target)
    if not keys:
        shutil.rmtree(target / KEYS_DIR)
        shutil.rmtree(target / CA_FOLDER)
    return target


def env_run(*args: str | Path, data: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Run:
    with monkeypatch.context() as m:
        for k in ("INSPECTOR_PASSPHRASE", "INSPECTOR_CA_PASSPHRASE", "INSPECTOR_PERSON_PASSPHRASE"):
            m.delenv(k, raising=False)
        for k, v in env.items():
            m.setenv(k, v)
        return run(*args, data=data)


def ids(data: Path, state: str | None = None) -> list[str]:
    r = run("eval", "list", "--ids", *(["--state", state] if state else []), data=data)
    assert r.code == 0, r.err
    return r.out.split()


def signature_fields(pdf: Path) -> list[tuple[str, str]]:
    """(field name, /Location) of every signature in the file, as a PDF reader finds them."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with pdf.open("rb") as f:
        reader = PdfFileReader(f)
        return [(s.field_name, str(s.sig_object.get("/Location"))) for s in reader.embedded_signatures]


# -- 1. the demo is a centre; a missing key is said first ---------------------------------------------


def test_the_demo_signs_and_verifies_with_the_passphrase_it_prints(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy(demo, tmp_path / "d")
    shown = run("keys", "show", data=data)
    assert "（中心）" in shown.out and "序列号" in shown.out
    sheet = tmp_path / "sheet.pdf"
    assert run("report", "pdf", ids(data, "signed")[0], "--out", sheet, data=data).code == 0
    r = env_run("pdf", "sign", sheet, "--role", "组长", data=data, monkeypatch=monkeypatch,
                INSPECTOR_PASSPHRASE=DEMO_PASS)  # fmt: skip
    assert r.code == 0, r.err
    v = run("pdf", "verify", sheet, "--json", data=data)
    assert v.code == 0 and v.json()["valid"], v.err


def test_a_missing_key_is_said_before_a_passphrase_is_asked(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy(demo, tmp_path / "d", keys=False)
    sheet = tmp_path / "sheet.pdf"
    assert run("report", "pdf", ids(data, "signed")[0], "--out", sheet, data=data).code == 0
    # no passphrase anywhere, no terminal: the old code said "需要口令" (a passphrase for no key)
    refused(
        env_run("pdf", "sign", sheet, "--role", "组长", data=data, monkeypatch=monkeypatch),
        "尚未安装签名证书",
    )
    refused(
        env_run("report", "pdf", ids(data, "signed")[0], "--out", sheet, "--sign", "组长", data=data,
                monkeypatch=monkeypatch),
        "尚未安装签名证书",
    )  # fmt: skip


# -- 2. eval sign makes the signed sheet, as the window does ------------------------------------------------


def test_eval_sign_locks_then_writes_the_digitally_signed_sheet(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy(demo, tmp_path / "d")
    eval_id = ids(data, "complete")[0]
    station = run("eval", "show", eval_id, "--json", data=data).json()["org_name"]
    wrong = env_run("eval", "sign", eval_id, "--signer", "刘洋:组长", data=data, monkeypatch=monkeypatch,
                    INSPECTOR_PASSPHRASE="not-it")  # fmt: skip
    refused(wrong, "口令错误")
    assert eval_id in ids(data, "complete"), "a wrong passphrase locks nothing"
    r = env_run("eval", "sign", eval_id[:10], "--signer", "刘洋:组长", data=data, monkeypatch=monkeypatch,
                INSPECTOR_PASSPHRASE=DEMO_PASS)  # fmt: skip
    assert r.code == 0, r.err
    assert eval_id in ids(data, "signed")
    sheets = list((data / "reports").glob(f"*_{eval_id[:8]}_*.pdf"))
    assert len(sheets) == 1 and str(sheets[0]) in r.out
    [(field, location)] = signature_fields(sheets[0])
    assert re.fullmatch(r"sig_1_[0-9a-f]{1,16}", field) and location == station
    v = run("pdf", "verify", sheets[0], "--json", data=data)
    assert v.code == 0 and v.json()["signers"][0]["role"] == "组长"


def test_eval_sign_without_a_credential_still_makes_the_sheet_and_says_so(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy(demo, tmp_path / "d", keys=False)
    eval_id = ids(data, "complete")[0]
    r = env_run("eval", "sign", eval_id, "--signer", "刘洋:组长", data=data, monkeypatch=monkeypatch)
    assert r.code == 0, r.err
    assert "没有数字签名" in r.err and list((data / "reports").glob(f"*_{eval_id[:8]}_*.pdf"))


# -- 3, 4, 5. outputs, write errors, folders -----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("bundle", "export", "--kind", "results"),
        ("backup",),
        ("stats",),
        ("org", "export"),
        ("people", "export"),
        ("rubric", "export", "sichuan-2017-inspection"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_an_output_on_a_stick_that_is_not_there_is_refused(
    demo: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    stick = tmp_path / "media" / "usb"
    r = run(*args, "--out", stick / "out.file", data=demo)
    refused(r, "U 盘未插入或路径不存在")
    assert not (tmp_path / "media").exists(), "nothing is created on the local disk"


@pytest.mark.parametrize(
    ("args", "name", "suffix"),
    [
        (("stats",), "x.csv", ".xlsx"),
        (("org", "export"), "orgs.csv", ".xlsx"),
        (("people", "export"), "people.xls", ".xlsx"),
        (("results", "no-such-plan"), "r.csv", ".xlsx"),
        (("bundle", "export", "--kind", "results"), "b.zip", ".inspbundle"),
        (("calendar", "template", "2027"), "t.json", ".toml"),
        (("plan", "record", "no-such-plan"), "p.txt", ".json"),
    ],
    ids=lambda a: " ".join(a[:2]) if isinstance(a, tuple) else str(a),
)
def test_an_output_named_for_another_format_is_refused(
    demo: Path, tmp_path: Path, args: tuple[str, ...], name: str, suffix: str
) -> None:
    """stats --out x.csv wrote an xlsx workbook under a .csv name: the name says what is written."""
    r = run(*args, "--out", tmp_path / name, data=demo)
    refused(r, "--out", suffix, name)
    assert not (tmp_path / name).exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder nobody can write: /proc")
@pytest.mark.parametrize(
    "args",
    [("stats",), ("org", "export"), ("people", "export"), ("backup",)],
    ids=lambda a: " ".join(a),
)
def test_a_write_error_is_one_line_without_a_traceback(
    demo: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_BACKUP_PASSPHRASE", "绿色鉴定站-备份-2026")  # a backup is encrypted
    refused(run(*args, "--out", "/proc/out.xlsx", data=demo), "无法写入")


def test_a_results_workbook_write_error_is_one_line(demo: Path) -> None:
    plan = run("plan", "list", "--ids", data=demo).out.split()[0]
    if Path("/proc/self").is_dir():
        refused(run("results", plan, "--out", "/proc/r.xlsx", data=demo), "无法写入")


def test_read_only_commands_refuse_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    typo = tmp_path / "inspector-dmeo"
    for args in (("eval", "list"), ("results", "abc"), ("keys", "show"), ("people", "list")):
        refused(run(*args, data=typo), "数据文件夹不存在")
    assert not typo.exists()
    # reading only the shipped rubrics needs no folder, and makes none
    assert run("rubric", "list", data=typo).code == 0
    assert not typo.exists()
    # a command that sets a folder up makes it
    assert run("org", "add", "--name", "甲", data=typo).code == 0 and typo.is_dir()


# -- 8. one vocabulary, two languages ------------------------------------------------------------------


def test_the_command_line_says_the_windows_words(demo: Path) -> None:
    listing = run("eval", "list", data=demo).out
    assert "进行中" in listing and "（暂）" in listing and "未完成" in listing and "待开始" in listing
    assert "草稿" not in listing and " 0分 " not in listing
    assert re.search(r"待开始  0/61  —  —", listing)
    draft = next(line.split()[0] for line in listing.splitlines() if "未完成" in line)
    shown = run("eval", "show", draft, data=demo).out
    assert "总分（暂计）" in shown and "结论：未完成" in shown
    plan = run("plan", "list", "--ids", data=demo).out.split()[0]
    for args in (("results", plan), ("plan", "list"), ("plan", "show", plan), ("eval", "show", ids(demo)[0])):
        out = run(*args, data=demo).out
        for english in ("signed", "complete", "draft", "dispatched", "planned", "routine", "inspection"):
            assert not re.search(rf"(^|\s){english}(\s|$)", out, re.M), (args, english)


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", "en", "--help"),
        ("--lang", "en", "eval", "sign", "--help"),
        ("--lang", "en", "keys", "--help"),
    ],
)
def test_help_is_english_with_lang_en(args: tuple[str, ...]) -> None:
    r = run(*args)
    assert r.code == 0, r.err
    described = [line for line in r.out.splitlines() if line.strip() and "组长" not in line]
    assert not [line for line in described if CJK.search(line)], r.out


def test_english_output_with_lang_en(demo: Path) -> None:
    out = run("--lang", "en", "eval", "list", data=demo).out
    assert "in progress" in out.lower() or "In progress" in out
    assert not CJK.search(out.replace("不合格", "").split("  ")[1])


# -- 9, 10, 11. keys, messages, ids --------------------------------------------------------------------


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, Path]:
    """A centre with one station, three people, 王芳's certificates, a dispatched plan and her assignment."""
    base = tmp_path_factory.mktemp("campaign")
    data = base / "centre"
    with pytest.MonkeyPatch.context() as m:
        m.setenv("INSPECTOR_CA_PASSPHRASE", "ca-secret")
        m.setenv("INSPECTOR_PASSPHRASE", "centre-secret")
        m.setenv("INSPECTOR_PERSON_PASSPHRASE", "wang-secret")
        assert run("keys", "init-ca", "--name", "中心", data=data).code == 0
        org = run("org", "add", "--name", "甲鉴定站", data=data).out.strip()
        people = [
            run("people", "add", "--name", name, "--kind", "internal", "--cert-no", f"ZD-{i}",
                "--cert-issued", "2025-03-01", data=data).out.strip()
            for i, name in enumerate(["王芳", "李强", "赵敏"])
        ]  # fmt: skip
        assert run("keys", "issue", "--person", people[0][:6], data=data).code == 0
        plan = run("plan", "new", "--rubric", "sichuan-2017-inspection", "--title", "检查",
                   "--kind", "routine", data=data).out.strip()  # fmt: skip
        assert (
            run("plan", "add-target", plan[:5], "--org", org[:5], "--date", "2026-12-02", data=data).code == 0
        )
        r = run("dispatch", plan, "--team-size", "3", "--seed", "1", data=data)
        assert r.code == 0, r.err
        bundle = base / "a.inspbundle"
        r = run("bundle", "export", "--kind", "assignment", "--plan", plan, "--person", people[0],
                "--out", bundle, data=data)  # fmt: skip
        assert r.code == 0, r.err
    return data, org, plan, bundle


def test_keys_show_gives_the_serial_that_revoke_takes_with_a_chinese_reason(
    centre: tuple[Path, str, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy(centre[0], tmp_path / "c")
    shown = run("keys", "show", data=data).out
    serial = re.search(r"^  ([0-9A-F]{30,})  王芳  有效期至", shown, re.M)
    assert serial, shown
    refused(
        env_run("keys", "revoke", serial[1], "--reason", "不知道", data=data, monkeypatch=monkeypatch),
        "密钥泄露",
    )
    r = env_run("keys", "revoke", serial[1][:8], "--reason", "密钥泄露", data=data, monkeypatch=monkeypatch,
                INSPECTOR_CA_PASSPHRASE="ca-secret")  # fmt: skip
    assert r.code == 0, r.err
    assert re.search(rf"^  {serial[1]}  王芳  已吊销", run("keys", "show", data=data).out, re.M)


def test_messages_name_the_real_thing(
    centre: tuple[Path, str, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, org, _plan, bundle = centre
    r = env_run("keys", "init-ca", "--name", "X", data=tmp_path / "new", monkeypatch=monkeypatch)
    refused(r, "--ca-passphrase-file", "INSPECTOR_CA_PASSPHRASE")
    refused(
        run("people", "add", "--name", "甲", "--kind", "internal", "--cert-no", "Z9",
            "--cert-issued", "2026-02-30", data=tmp_path / "p"),
        "不是真实存在的日期",
    )  # fmt: skip
    r = run("restore", tmp_path / "no-such-backup.zip", data=tmp_path / "r")
    refused(r, "文件不存在")
    assert "Errno" not in r.err
    # a wrong passphrase on the laptop names the credentials carried in the bundle, not a signing key
    r = env_run("bundle", "import", bundle, data=tmp_path / "laptop", monkeypatch=monkeypatch,
                INSPECTOR_PASSPHRASE="wrong")  # fmt: skip
    refused(r, "口令错误", "随包携带的证书")
    assert "payload.bin" not in r.err and "签名证书" not in r.err
    # a dispatch that cannot staff a station names the station, not its id
    copied = copy(data, tmp_path / "c")
    plan2 = run("plan", "new", "--rubric", "sichuan-2017-inspection", "--title", "二", "--kind", "routine",
                data=copied).out.strip()  # fmt: skip
    run("plan", "add-target", plan2, "--org", org, "--date", "2026-12-03", data=copied)
    r = run("dispatch", plan2, "--team-size", "5", "--seed", "1", data=copied)
    refused(r, "甲鉴定站")
    assert org not in r.err


def test_ids_accept_a_unique_prefix_and_name_the_matches_when_ambiguous(demo: Path) -> None:
    all_ids = ids(demo)
    first = all_ids[0]
    shortest = next(n for n in range(1, 33) if sum(i.startswith(first[:n]) for i in all_ids) == 1)
    shown = run("eval", "show", first[:shortest], "--json", data=demo)
    assert shown.code == 0 and shown.json()["id"] == first
    shared = next(
        (a[:n] for a in all_ids for b in all_ids if a != b for n in range(1, 3) if b.startswith(a[:n])), None
    )
    assert shared is not None
    r = run("eval", "show", shared, data=demo)
    refused(r, "不唯一")
    matching = [i for i in all_ids if i.startswith(shared)]
    assert all(i in r.err for i in matching[:8])
    plan = run("plan", "list", "--ids", data=demo).out.split()[0]
    assert run("results", plan[:12], data=demo).code == 0


def test_the_results_desk_says_a_veto_as_the_window_does(demo: Path) -> None:
    """87 points and 不合格 side by side, without the veto, reads as a wrong outcome: the window says
    不合格（否决） and names V3; the command line says the same."""
    plan = run("plan", "list", "--ids", data=demo).out.split()[0]
    targets = run("results", plan, "--json", data=demo).json()["targets"]
    vetoed = [t for t in targets if t["vetoes"]]
    assert vetoed, "the demo has a vetoed station"
    lines = run("results", plan, data=demo).out.splitlines()
    for t in vetoed:
        (line,) = [x for x in lines if x.startswith(t["org_name"] + "  ")]
        assert "（否决）" in line and all(v in line for v in t["vetoes"]), line


def test_a_record_form_shows_no_zero_total(demo: Path) -> None:
    """Fujian's 督导情况记录表 scores nothing: the window and the sheet say so; eval show said
    "总分（暂计）：0 / 0" and "0 / 0" beside every section."""
    rows = run("eval", "list", "--json", data=demo).json()
    record = next(e["id"] for e in rows if e["rubric"].startswith("fujian-2021-supervision-record"))
    out = run("eval", "show", record, data=demo).out
    assert "不计分" in out and "0 / 0" not in out, out
