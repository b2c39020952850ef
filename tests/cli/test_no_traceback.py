"""No input makes a traceback or exhausts memory (issue #14, item 8): each case seen, as a test.

Every case runs the real command in a subprocess capped at 1 GiB of address space and 30 s (CPU
and wall clock), so that a regression fails the test instead of taking the machine down: the
register workbook with one merged range A1:XFD1048576 once asked the kernel for 23.8 GB.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from inspector.bundles.format import CHANGES, MANIFEST, PAYLOAD, SENDER, SIGNATURE
from inspector.crypto.identity import unlock_identity
from inspector.store.changes import Change, canonical
from tests.bundle_support import (
    CA_PASS,
    World,
    change_lines,
    craft,
    dump,
    world,
    world_template,
    write_members,
)
from tests.helpers import Run

resource = pytest.importorskip("resource")  # POSIX: the caps below

__all__ = ["world", "world_template"]  # fixtures

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 1 << 30
SECONDS = 30


def _caps() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


def capped(*args: str | Path, data: Path, python: bool = False) -> Run:
    """``inspector ARGS`` (or ``python ARGS``) under the caps; a timeout fails the test."""
    env = {**os.environ, "INSPECTOR_DATA": str(data), "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, *(() if python else ("-m", "inspector")), *map(str, args)]
    try:
        p = subprocess.run(
            argv, capture_output=True, text=True, encoding="utf-8", env=env, preexec_fn=_caps, timeout=SECONDS
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"over {SECONDS} s: {args}")
    return Run(p.returncode, p.stdout, p.stderr)


def one_line_refusal(r: Run, *words: str) -> str:
    assert r.code == 1, (r.code, r.out, r.err[-3000:])
    assert "Traceback" not in r.err and "MemoryError" not in r.err, r.err[-3000:]
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err[-3000:]
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# --- bundles ------------------------------------------------------------------------------------


@pytest.fixture
def centre_pass(world: World) -> Path:
    path = world.root / "ca-pass.txt"
    path.write_text(CA_PASS + "\n", encoding="utf-8")
    return path


def _import(world: World, bundle: Path, centre_pass: Path) -> str:
    world.close()
    before = dump(world.centre)
    r = capped("bundle", "import", bundle, "--passphrase-file", centre_pass, data=world.centre)
    line = one_line_refusal(r)
    assert dump(world.centre) == before
    return line


def test_manifest_nested_200000_deep(world: World, centre_pass: Path) -> None:
    """RecursionError: json.loads of a manifest nested 200,000 deep."""
    pem = (world.centre / "keys" / "signer.crt.pem").read_bytes()
    for deep in (b"[" * 200_000 + b"]" * 200_000, b'{"a":' * 200_000 + b"1" + b"}" * 200_000):
        path = write_members(
            world.root / "deep.inspbundle",
            [(MANIFEST, deep), (SIGNATURE, b"0" * 64), (SENDER, pem), (PAYLOAD, b"x")],
        )
        _import(world, path, centre_pass)
        one_line_refusal(capped("bundle", "verify", path, data=world.centre))
        one_line_refusal(capped("bundle", "inspect", path, data=world.centre))


def _with_unknown_key_type(cert: x509.Certificate) -> x509.Certificate:
    """The certificate with its key's algorithm changed to one cryptography does not know (SM2)."""
    c = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = c["tbs_certificate"]
    spki = tbs["subject_public_key_info"]
    spki["algorithm"]["algorithm"] = "1.2.156.10197.1.301"
    spki["algorithm"]["parameters"] = None
    tbs["subject_public_key_info"] = spki
    c["tbs_certificate"] = tbs
    return x509.load_der_x509_certificate(c.dump(force=True))


def test_sender_certificate_with_an_unknown_key_type(world: World, centre_pass: Path) -> None:
    """UnsupportedAlgorithm: the sender's certificate names a key type cryptography cannot load."""
    from inspector.crypto.keys import fingerprint

    lead = world.laptops[0]
    kr = world.keyring(lead)
    centre_enc = unlock_identity(world.centre, CA_PASS).identity.encryption
    odd = _with_unknown_key_type(kr.identity.signing)
    good = change_lines(world.store(lead), world.eval_id)

    def claim(m: dict[str, Any]) -> None:
        m["sender"]["certificate"] = fingerprint(odd)

    members = craft(kr, centre_enc, {CHANGES: good}, manifest_edit=claim)
    chain = b"".join(
        c.public_bytes(serialization.Encoding.PEM)
        for c in (odd, kr.identity.encryption, kr.identity.ca)  # type: ignore[union-attr]
    )
    members = [(n, chain if n == SENDER else b) for n, b in members]
    path = write_members(world.root / "odd.inspbundle", members)
    _import(world, path, centre_pass)
    one_line_refusal(capped("bundle", "verify", path, data=world.centre))


def test_corrupt_deflate_inside_a_signed_inner_zip(world: World, centre_pass: Path) -> None:
    """zlib.error: the inner ZIP's deflate stream is damaged, and the manifest signs it as it is."""
    lead = world.laptops[0]
    store = world.store(lead)
    store.record(world.eval_id, "1.1.1", {"met": True})
    good = change_lines(store, world.eval_id)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        info = zipfile.ZipInfo(CHANGES, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, good * 50)
    inner = bytearray(out.getvalue())
    header = 30 + len(CHANGES)
    for k in range(header + 5, header + 40, 3):
        inner[k] ^= 0x5A
    centre_enc = unlock_identity(world.centre, CA_PASS).identity.encryption
    members = craft(world.keyring(lead), centre_enc, {CHANGES: good * 50}, inner=bytes(inner))
    path = write_members(world.root / "deflate.inspbundle", members)
    _import(world, path, centre_pass)


def test_huge_device_seq_takes_2_gb_for_one_refusal(world: World, centre_pass: Path) -> None:
    """A chain of two changes numbered 1 and 2**31: the gap check built the whole range in memory."""
    lead = world.laptops[0]
    store = world.store(lead)
    store.record(world.eval_id, "1.1.1", {"met": True})
    rows = [json.loads(line) for line in change_lines(store, world.eval_id).splitlines()]
    last = rows[-1]
    far = Change.from_json(
        {**last, "id": uuid.uuid4().hex, "device_seq": 2**31, "prev_hash": last["hash"], "parents": []}
    )
    lines = (
        change_lines(store, world.eval_id)
        + canonical({**far.to_json(), "hash": far.compute_hash()}).encode()
        + b"\n"
    )
    centre_enc = unlock_identity(world.centre, CA_PASS).identity.encryption
    path = write_members(
        world.root / "seq.inspbundle", craft(world.keyring(lead), centre_enc, {CHANGES: lines})
    )
    line = _import(world, path, centre_pass)
    assert "序号" in line


# --- workbooks ------------------------------------------------------------------------------------


def _merged_everything(src: Path, dst: Path) -> None:
    """``src`` with one merged range A1:XFD1048576 added to its first worksheet."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        done = False
        for item in zin.infolist():
            data = zin.read(item)
            if (
                not done
                and item.filename.startswith("xl/worksheets/sheet")
                and item.filename.endswith(".xml")
            ):
                text = data.decode("utf-8")
                merge = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
                if "<mergeCells" in text:
                    text = text.replace("<mergeCells", merge.replace("</mergeCells>", "") + "<!--", 1)
                    text = text.replace("</mergeCells>", "-->", 1).replace("-->", "</mergeCells>", 1)
                else:
                    at = text.index("</sheetData>") + len("</sheetData>")
                    text = text[:at] + merge + text[at:]
                data = text.encode("utf-8")
                done = True
            zout.writestr(item, data)


@pytest.fixture
def rubric_xlsx(tmp_path: Path) -> Path:
    from inspector.rubric.xlsx_form import export_rubric_xlsx
    from tests.conftest import shipped

    path = tmp_path / "sichuan.xlsx"
    export_rubric_xlsx(shipped("sichuan-2017-inspection"), path)
    return path


@pytest.fixture
def register_xlsx(tmp_path: Path) -> Path:
    from inspector.centre.workbooks import export_register
    from inspector.folder import open_folder
    from inspector.store.orgs import add_org

    db = open_folder(tmp_path / "reg")
    for n in range(3):
        add_org(db, f"测试鉴定站{n}", f"12510100TEST000{n}")
    path = tmp_path / "register.xlsx"
    export_register(db, path)
    db.conn.close()
    return path


def test_rubric_workbook_merged_a1_to_xfd1048576(rubric_xlsx: Path, tmp_path: Path) -> None:
    """23.8 GB asked of the kernel: openpyxl makes a cell object for every cell of a merged range."""
    bad = tmp_path / "merged.xlsx"
    _merged_everything(rubric_xlsx, bad)
    one_line_refusal(capped("rubric", "validate", bad, data=tmp_path / "d"), "合并")
    one_line_refusal(capped("rubric", "import", bad, data=tmp_path / "d"), "合并")


def test_register_workbook_merged_a1_to_xfd1048576(register_xlsx: Path, tmp_path: Path) -> None:
    bad = tmp_path / "merged.xlsx"
    _merged_everything(register_xlsx, bad)
    one_line_refusal(capped("org", "import", bad, data=tmp_path / "d"), "合并")


def test_workbook_needing_zip_version_15_8(rubric_xlsx: Path, register_xlsx: Path, tmp_path: Path) -> None:
    """NotImplementedError ("zip file version 15.8"), found by the loop below: zipfile refuses a
    member that claims to need a newer ZIP than it reads, with an exception no reader expected."""
    for src, command in ((rubric_xlsx, ("rubric", "validate")), (register_xlsx, ("org", "import"))):
        data = bytearray(src.read_bytes())
        at = data.index(b"PK\x01\x02")
        data[at + 6 : at + 8] = (158).to_bytes(2, "little")
        bad = tmp_path / f"v158-{src.name}"
        bad.write_bytes(bytes(data))
        one_line_refusal(capped(*command, bad, data=tmp_path / "d"))


@pytest.mark.parametrize("what", ["rubric", "register"])
def test_mutated_workbooks(what: str, rubric_xlsx: Path, register_xlsx: Path, tmp_path: Path) -> None:
    """27 of 400 mutated register workbooks and 3 of 1,000 rubric workbooks raised ParseError,
    zlib.error or "Row numbers must be between 1 and 1048576". A seeded loop, capped."""
    src = rubric_xlsx if what == "rubric" else register_xlsx
    work = tmp_path / "fuzz"
    work.mkdir()
    r = capped(
        "-m", "tests.cli.fuzz_workbooks", what, src, "1414", "150", work, data=tmp_path / "d", python=True
    )
    assert r.code == 0, r.err[-3000:]
    assert r.out.strip().endswith("bugs 0"), r.out[-4000:]


# --- what the user types ------------------------------------------------------------------------


def test_control_character_in_org_add_and_people_add_breaks_the_exports(tmp_path: Path) -> None:
    data = tmp_path / "d"
    for bad in ("鉴定\x0c站", "鉴定\x1b[31m站", "\x07站"):
        one_line_refusal(capped("org", "add", "--name", bad, data=data), "控制字符")
        one_line_refusal(
            capped("people", "add", "--name", bad, "--kind", "external", "--cert-no", "5100002019",
                   "--cert-issued", "2025-01-01", data=data),
            "控制字符",
        )  # fmt: skip
    one_line_refusal(
        capped("people", "add", "--name", "张三", "--kind", "external", "--cert-no", "51\x0b00",
               "--cert-issued", "2025-01-01", data=data),
        "控制字符",
    )  # fmt: skip
    assert capped("org", "add", "--name", "正常的鉴定站", data=data).code == 0
    # a name stored before the check (an older version accepted it) no longer breaks the export
    import sqlite3

    conn = sqlite3.connect(data / "inspector.sqlite3")
    conn.execute("UPDATE orgs SET name = ?", ("旧的\x0c站名",))
    conn.commit()
    conn.close()
    r = capped("org", "export", "--out", tmp_path / "orgs.xlsx", data=data)
    assert r.code == 0, r.err
    r = capped("people", "export", "--out", tmp_path / "people.xlsx", data=data)
    assert r.code == 0, r.err


def test_1000_character_note_breaks_report_pdf(tmp_path: Path) -> None:
    """LayoutError: a 1,000-character note made one row of the score sheet taller than a page."""
    data = tmp_path / "d"
    assert capped("org", "add", "--name", "长备注测试站", data=data).code == 0
    org = json.loads(capped("org", "list", "--json", data=data).out)[0]["id"]
    r = capped("eval", "new", "--rubric", "sichuan-2017-inspection", "--org", org, "--json", data=data)
    eval_id = json.loads(r.out)["id"]
    notes = {
        "1.1.1": "问题描述" * 250,
        "1.2.1": "x" * 2000,
        "2.1.1": ("很长的说明" * 40 + "\n") * 9,
        "2.2.1": "\n" * 1999 + "末",
    }
    answers = tmp_path / "a.json"
    answers.write_text(
        json.dumps({"answers": {k: {"met": False, "note": v} for k, v in notes.items()}}), encoding="utf-8"
    )
    r = capped("eval", "record", eval_id, "--answers", answers, data=data)
    assert r.code == 0, r.err
    pdf = tmp_path / "sheet.pdf"
    r = capped("report", "pdf", eval_id, "--out", pdf, data=data)
    assert r.code == 0, r.err[-2000:]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "末" in text and "".join(text.split()).count("问题描述") >= 250  # every note in full
    # one character more is refused where it is typed, as the centre would refuse it
    answers.write_text(
        json.dumps({"answers": {"1.1.1": {"met": False, "note": "x" * 2001}}}), encoding="utf-8"
    )
    one_line_refusal(capped("eval", "record", eval_id, "--answers", answers, data=data), "2000")
    answers.write_text(json.dumps({"answers": {"1.1.1": {"met": False, "note": "a\x00b"}}}), encoding="utf-8")
    one_line_refusal(capped("eval", "record", eval_id, "--answers", answers, data=data), "控制字符")


def test_note_the_centre_would_refuse_is_refused_on_the_laptop(world: World, centre_pass: Path) -> None:
    """A note the centre refuses (here: over the limit, in a crafted bundle) is refused by the
    centre with the same rule the laptop applies when it is typed."""
    lead = world.laptops[0]
    store = world.store(lead)
    store.record(world.eval_id, "1.1.1", {"met": True})
    rows = [json.loads(line) for line in change_lines(store, world.eval_id).splitlines()]
    last = rows[-1]
    long = Change.from_json(
        {**last, "id": uuid.uuid4().hex, "device_seq": last["device_seq"] + 1, "prev_hash": last["hash"],
         "parents": [last["id"]], "payload": {"met": False, "note": "x" * 2001}}
    )  # fmt: skip
    lines = (
        change_lines(store, world.eval_id)
        + canonical({**long.to_json(), "hash": long.compute_hash()}).encode()
        + b"\n"
    )
    centre_enc = unlock_identity(world.centre, CA_PASS).identity.encryption
    path = write_members(
        world.root / "long.inspbundle", craft(world.keyring(lead), centre_enc, {CHANGES: lines})
    )
    assert "2000" in _import(world, path, centre_pass)
    with pytest.raises(Exception, match="2000"):
        world.store(lead).record(world.eval_id, "1.1.1", {"met": False, "note": "x" * 2001})


# --- a seeded fuzz loop over the manifest and the inner files ---------------------------------------

_ODD: list[Any] = [
    None, True, False, -1, 0, 2**63, 10**30, 1.5, "", "x" * 5000, "../../etc/passwd", "\u202e\x00",
    [], {}, [[[[[[[[[[[]]]]]]]]]]], {"a": {"b": {"c": None}}}, "2099-01-01T00:00:00+00:00", "0" * 64,
]  # fmt: skip


def _poke(rng: Any, value: Any) -> Any:
    """``value`` with one randomly chosen place (at any depth) replaced by an odd value, or removed."""
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(sorted(value))
        out = dict(value)
        if rng.random() < 0.15:
            del out[key]
        else:
            out[key] = _poke(rng, value[key])
        return out
    if isinstance(value, list) and value and rng.random() < 0.8:
        i = rng.randrange(len(value))
        return [*value[:i], _poke(rng, value[i]), *value[i + 1 :]]
    return rng.choice(_ODD)


def test_fuzzed_manifests_and_inner_files_never_make_a_traceback_nor_change_the_store_on_refusal(
    world: World, centre_pass: Path
) -> None:
    """Seeded: 80 bundles signed by a team member with a valid credential, each with one place in
    the manifest or in an inner file (JSON-aware, the change then rehashed so it reaches the
    checks behind the hash) replaced by an odd value. Imported under the caps, one by one."""
    import random

    from inspector.bundles.opening import open_bundle

    lead = world.laptops[0]
    store = world.store(lead)
    store.record(world.eval_id, "1.1.1", {"met": True})
    store.record(world.eval_id, "4.1.1", {"problems": 1, "note": "备注"})
    good = world.results(lead)
    opened = open_bundle(good, world.centre, keyring=world.keyring(world.centre))
    members, original = opened.members, opened.container.manifest.data
    centre_enc = unlock_identity(world.centre, CA_PASS).identity.encryption
    rng = random.Random(1414)
    folder = world.root / "fuzz"
    for n in range(80):
        changed = dict(members)

        def same_as_sent(m: dict[str, Any]) -> None:
            for key in ("counts", "evaluations", "full", "since"):
                m[key] = original[key]

        edit = same_as_sent
        if n % 2 == 0:  # the manifest

            def edit(m: dict[str, Any]) -> None:
                same_as_sent(m)
                key = rng.choice(sorted(m))
                m[key] = _poke(rng, m[key])

        else:  # an inner file
            name = rng.choice(sorted(members))
            data = members[name]
            if name == CHANGES:
                rows = [json.loads(line) for line in data.splitlines()]
                i = len(rows) - 1 - rng.randrange(min(3, len(rows)))  # the new ones: past the chain check
                # what the checks behind the hash and the chain read, more often than the rest
                key = rng.choice(
                    [*sorted(rows[i]), *["payload"] * 6, "item_id", "wall_time", "author", "parents"]
                )
                rows[i] = {**rows[i], key: _poke(rng, rows[i][key])}
                try:
                    c = Change.from_json(rows[i])
                    rows[i] = {**c.to_json(), "hash": c.compute_hash()}
                except Exception:
                    pass  # the shape itself is broken: refused before the hash
                changed[name] = b"".join(canonical(r).encode() + b"\n" for r in rows)
            elif name.endswith(".json"):
                changed[name] = canonical(_poke(rng, json.loads(data))).encode()
            else:
                blob = bytearray(data)
                for _ in range(3):
                    blob[rng.randrange(len(blob))] ^= 1 << rng.randrange(8)
                changed[name] = bytes(blob)
        members_out = craft(world.keyring(lead), centre_enc, changed, manifest_edit=edit)
        write_members(folder / f"{n:03d}.inspbundle", members_out)
    world.close()
    r = capped(
        "-m", "tests.cli.fuzz_bundles", world.centre, centre_pass, folder, data=world.centre, python=True
    )
    assert r.code == 0, r.err[-3000:]
    assert r.out.strip().endswith("bugs 0"), r.out[-4000:]
