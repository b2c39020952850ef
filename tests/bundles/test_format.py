"""The bundle file format, and the campaign of altered, truncated, swapped and hostile bundles.

Every hostile file must be refused with one clear reason (a BundleError naming a member or rule, on
one line) and leave the receiving folder exactly as it was: every table row and every file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from inspector.bundles.container import END, LOCAL, ContainerError, read_container, write_container
from inspector.bundles.format import (
    CHANGES,
    MAX_INNER_TOTAL,
    MAX_PAYLOAD,
    PAYLOAD,
    Member,
    build_inner,
    decrypt_payload,
    encrypt_payload,
    inner_name_ok,
    manifest_bytes,
    parse_manifest,
    read_inner,
)
from inspector.bundles.opening import read_checked
from inspector.crypto import keys
from inspector.crypto.identity import allows, init_centre, is_centre, issue_pair, open_pair, unlock_identity
from inspector.errors import BundleError
from inspector.folder import open_folder
from inspector.store.changes import canonical
from inspector.store.evidence import add_evidence
from inspector.store.rubrics import install_builtin_rubrics
from tests.bundle_support import (
    CA_PASS,
    World,
    change_lines,
    craft,
    dump,
    world,
    world_template,
    write_members,
    zip_of,
)

__all__ = ["world", "world_template"]  # fixtures


# --- the container -------------------------------------------------------------------------------------


def test_container_round_trip_and_any_zip_tool_reads_it(tmp_path: Path) -> None:
    members = [("manifest.json", b"{}"), ("manifest.sig", b"sig"), ("payload.bin", bytes(range(256)) * 40)]
    path = tmp_path / "c.zip"
    with open(path, "wb") as f:
        size = write_container(f, members)
    assert size == path.stat().st_size
    with open(path, "rb") as f:
        entries = read_container(f, size, lambda n: 1 << 20)
    assert [(e.name, e.size) for e in entries] == [(n, len(d)) for n, d in members]
    with zipfile.ZipFile(path) as z:  # a standard reader agrees
        assert z.testzip() is None
        assert [(i.filename, z.read(i)) for i in z.infolist()] == members


def test_container_refuses_what_zip_readers_tolerate(tmp_path: Path) -> None:
    members = [("manifest.json", b"{}"), ("payload.bin", b"x" * 100)]
    buf = io.BytesIO()
    write_container(buf, members)
    good = buf.getvalue()

    def refused(data: bytes, words: str, limit: Callable[[str], int | None] = lambda n: 1 << 20) -> None:
        with pytest.raises(ContainerError, match=words):
            read_container(io.BytesIO(data), len(data), limit)

    refused(b"junk" + good, "没有成员")
    refused(good + b"\0", "多余的数据")
    refused(good[:-1], "截断")
    deflated = bytearray(good)
    deflated[8] = 8  # method: deflate
    refused(bytes(deflated), "规范格式")
    dated = bytearray(good)
    dated[10] ^= 1  # a timestamp bit: harmless to zipfile, refused here
    refused(bytes(dated), "规范格式")
    refused(good, "不允许的成员名称", lambda n: None)
    refused(good, "成员过大", lambda n: 10)
    dup = io.BytesIO()
    write_container(dup, [("a", b"1"), ("a", b"2")])
    refused(dup.getvalue(), "重复")
    comment = good[:-2] + b"\x01\x00!"
    refused(comment, "结束记录|多余")
    assert LOCAL.size == 30 and END.size == 22


# --- names, manifest, crypto -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("changes.jsonl", True),
        ("rubrics/sichuan-2017-inspection-v1.toml", True),
        ("evidence/" + "a" * 64, True),
        ("pdfs/" + "b" * 32 + "/" + "c" * 64 + ".pdf", True),
        ("certs/" + "A" * 64 + ".pem", True),
        ("../changes.jsonl", False),
        ("/etc/passwd", False),
        ("C:\\Windows\\win.ini", False),
        ("evidence/../../x", False),
        ("evidence/" + "A" * 64, False),
        ("pdfs/" + "b" * 32 + "/../../evil.pdf", False),
        ("rubrics/../x-v1.toml", False),
        ("changes.jsonl/", False),
        ("assignment.json\x00.txt", False),
    ],
)
def test_inner_names(name: str, ok: bool) -> None:
    assert inner_name_ok(name) is ok


def _manifest(**over: Any) -> dict[str, Any]:
    m: dict[str, Any] = {
        "format": "inspector-bundle/1",
        "bundle": "01234567-89ab-cdef-0123-456789abcdef",
        "kind": "results",
        "created": "2026-11-22T03:00:00.000+00:00",
        "sender": {
            "certificate": "A",
            "encryption_certificate": "B",
            "device": "d",
            "name": "n",
            "serial": "1",
        },
        "recipient": {"certificate": "C", "name": "m"},
        "counts": dict.fromkeys(
            ("evaluations", "changes", "evidence", "rubrics", "orgs", "pdfs", "certificates", "credentials"),
            0,
        ),
        "evaluations": [],
        "full": False,
        "since": [],
        "payload": {
            "encryption": "HPKE-P256-SHA256-AES256GCM",
            "sha256": "0" * 64,
            "size": 10,
            "members": {CHANGES: {"sha256": "0" * 64, "size": 0}},
        },
        "outer": {"sender.pem": {"sha256": "0" * 64, "size": 1}},
    }
    m.update(over)
    return m


def test_manifest_must_be_canonical_and_complete() -> None:
    assert parse_manifest(manifest_bytes(_manifest())).kind == "results"
    spaced = json.dumps(_manifest(), ensure_ascii=False, sort_keys=True).encode()
    with pytest.raises(BundleError, match="规范格式"):
        parse_manifest(spaced)
    dup = manifest_bytes(_manifest())[:-1] + b',"kind":"assignment"}'
    with pytest.raises(BundleError, match="规范格式"):
        parse_manifest(dup)
    with pytest.raises(BundleError, match="类型"):
        parse_manifest(manifest_bytes(_manifest(full="yes")))
    with pytest.raises(BundleError, match=r"缺少字段 sender\.device"):
        m = _manifest()
        del m["sender"]["device"]
        parse_manifest(manifest_bytes(m))
    with pytest.raises(BundleError, match="不允许的成员名称"):
        m = _manifest()
        m["payload"]["members"]["../evil"] = {"sha256": "0" * 64, "size": 1}
        parse_manifest(manifest_bytes(m))
    with pytest.raises(BundleError, match="过大"):
        m = _manifest()
        m["payload"]["size"] = MAX_PAYLOAD + 1
        parse_manifest(manifest_bytes(m))
    with pytest.raises(BundleError, match="过大"):
        m = _manifest()
        m["payload"]["members"]["evidence/" + "a" * 64] = {"sha256": "0" * 64, "size": MAX_INNER_TOTAL + 1}
        parse_manifest(manifest_bytes(m))
    with pytest.raises(BundleError, match="时区"):
        parse_manifest(manifest_bytes(_manifest(created="2026-11-22T03:00:00")))
    with pytest.raises(BundleError, match="只有派发"):
        m = _manifest()
        m["outer"]["credentials/signing.p12"] = {"sha256": "0" * 64, "size": 1}
        parse_manifest(manifest_bytes(m))


def test_key_usage_of_issued_certificates(tmp_path: Path) -> None:
    """Signing and key agreement are separate keys; the centre's certificates say so."""
    data = tmp_path / "centre"
    open_folder(data)
    init_centre(data, data / "ca", "中心", CA_PASS)
    pair = issue_pair(data / "ca", CA_PASS, "张三", "SC-1", "外督", "123456")
    opened = open_pair(pair.signing.p12, pair.encryption.p12, "123456")
    s, e = opened.signing, opened.encryption
    su = s.extensions.get_extension_for_class(x509.KeyUsage).value
    eu = e.extensions.get_extension_for_class(x509.KeyUsage).value
    assert su.digital_signature and su.content_commitment and not su.key_agreement
    assert eu.key_agreement and not eu.digital_signature and not eu.content_commitment
    assert allows(s, keys.SIGNING) and not allows(s, keys.ENCRYPTION)
    assert allows(e, keys.ENCRYPTION) and not allows(e, keys.SIGNING)
    assert s.public_key() != e.public_key()
    assert not is_centre(s) and is_centre(unlock_identity(data, CA_PASS).identity.signing)
    # HPKE to the encryption certificate, bound to the bundle id and kind
    ct = encrypt_payload(b"secret", e, "id-1", "results")
    assert decrypt_payload(ct, opened.decryption_key, "id-1", "results") == b"secret"
    for bundle, kind in (("id-2", "results"), ("id-1", "assignment")):
        with pytest.raises(BundleError, match="无法解密"):
            decrypt_payload(ct, opened.decryption_key, bundle, kind)
    with pytest.raises(BundleError, match="无法解密"):
        decrypt_payload(ct, opened.signing_key, "id-1", "results")


def test_inner_zip_checks() -> None:
    members = {CHANGES: b"x\n", "evidence/" + "a" * 64: b"photo"}
    declared = {n: Member(hashlib.sha256(b).hexdigest(), len(b)) for n, b in members.items()}
    assert read_inner(build_inner(members), declared) == members
    assert build_inner(members) == build_inner(dict(reversed(members.items())))  # deterministic
    bomb = b" " * (50 << 20)
    with pytest.raises(BundleError, match="压缩炸弹"):
        read_inner(
            zip_of([(CHANGES, bomb, zipfile.ZIP_DEFLATED)]),
            {CHANGES: Member(hashlib.sha256(bomb).hexdigest(), len(bomb))},
        )
    with pytest.raises(BundleError, match="重复"):
        read_inner(zip_of([(CHANGES, b"x\n", 0), (CHANGES, b"y\n", 0)]), declared)
    with pytest.raises(BundleError, match="不允许"):
        read_inner(zip_of([("../../evil", b"x", 0)]), declared)
    with pytest.raises(BundleError, match="大小"):
        read_inner(zip_of([(CHANGES, b"xy\n", 0), ("evidence/" + "a" * 64, b"photo", 0)]), declared)
    with pytest.raises(BundleError, match="不在数据包里"):
        read_inner(zip_of([(CHANGES, b"x\n", 0)]), declared)


# --- the mutation campaign ---------------------------------------------------------------------------


@pytest.fixture
def sample(world: World, tmp_path: Path) -> tuple[World, Path]:
    """A results bundle from the lead with 61 observations, a 200 kB photo and a signature."""
    lead = world.laptops[0]
    store = world.store(lead)
    for item in store.rubric("sichuan-2017-inspection", 1).items():
        store.record(world.eval_id, item.id, {"points": item.points, "reason": "符合"})
    pic = tmp_path / "photo.jpg"
    pic.write_bytes(hashlib.sha256(b"p").digest() * 6250)
    store.record(
        world.eval_id, "4.1.1", {"problems": 1, "evidence": [add_evidence(world.db(lead), lead, pic)]}
    )
    return world, world.results(lead)


def _refused(world: World, folder: Path, path: Path, before: dict[str, Any]) -> str:
    with pytest.raises(BundleError) as info:
        world.import_(folder, path)
    text = str(info.value)
    assert text.strip() and "\n" not in text, text
    assert dump(folder) == before
    return text


def test_bit_flips_anywhere_are_refused(sample: tuple[World, Path]) -> None:
    world, good = sample
    data = good.read_bytes()
    with open(good, "rb") as f:
        entries = read_container(f, len(data), lambda n: 1 << 31)
    offsets: set[int] = set()
    for e in entries:
        offsets |= set(range(e.header, e.offset))  # every header and name byte
        offsets |= {e.offset + e.size * k // 16 for k in range(16) if e.size}  # 16 places in the content
        offsets.add(e.offset + e.size - 1)
    end_of_data = entries[-1].offset + entries[-1].size
    offsets |= set(range(end_of_data, len(data)))  # the whole central directory and end record
    mutant = world.root / "mutant.inspbundle"
    before = dump(world.centre)
    reasons: dict[str, int] = {}
    for n, offset in enumerate(sorted(offsets)):
        flipped = bytearray(data)
        flipped[offset] ^= 1 << (n % 8)
        mutant.write_bytes(flipped)
        reason = _refused(world, world.centre, mutant, before)
        reasons[reason.split(":")[-1][:12]] = reasons.get(reason.split(":")[-1][:12], 0) + 1
    assert len(offsets) > 400 and len(reasons) > 5  # many places, each refused for its own reason
    world.import_(world.centre, good)  # and the original was fine all along


def test_truncation_at_many_offsets_is_refused(sample: tuple[World, Path]) -> None:
    world, good = sample
    data = good.read_bytes()
    before = dump(world.centre)
    cut = world.root / "cut.inspbundle"
    for offset in sorted({0, 1, 4, 29, 30, 31, *range(0, len(data), max(1, len(data) // 97)), len(data) - 1}):
        cut.write_bytes(data[:offset])
        _refused(world, world.centre, cut, before)


def test_member_swap_between_two_bundles_is_refused(sample: tuple[World, Path]) -> None:
    world, a = sample
    world.store(world.laptops[0]).record(world.eval_id, "1.1.1", {"met": False})
    b = world.results(world.laptops[0], full=True)
    before = dump(world.centre)

    def members(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as z:
            return {i.filename: z.read(i) for i in z.infolist()}

    ma, mb = members(a), members(b)
    assert ma["sender.pem"] == mb["sender.pem"]  # same sender: swapping it changes no byte
    for name in [n for n in ma if ma[n] != mb[n]]:
        swapped = dict(ma)
        swapped[name] = mb[name]
        path = write_members(world.root / f"swap-{name.replace('/', '_')}", list(swapped.items()))
        _refused(world, world.centre, path, before)
    # B's manifest, signature and certificates around A's payload
    mixed = {**mb, PAYLOAD: ma[PAYLOAD]}
    _refused(world, world.centre, write_members(world.root / "mixed", list(mixed.items())), before)


def test_replay_into_the_wrong_folder_is_refused(sample: tuple[World, Path], tmp_path: Path) -> None:
    world, good = sample
    for folder in world.laptops[1:]:
        before = dump(folder)
        assert "不是发给本机的" in _refused(world, folder, good, before)
    # another centre, with a CA of its own
    other = tmp_path / "other-centre"
    db = open_folder(other)
    install_builtin_rubrics(db)
    init_centre(other, other / "ca", "另一个中心", CA_PASS)
    db.conn.close()
    before = dump(other)
    from inspector.bundles.importer import import_bundle

    db = open_folder(other)
    with pytest.raises(BundleError, match="不是发给本机的"):
        import_bundle(db, other, good, keyring=unlock_identity(other, CA_PASS))
    db.conn.close()
    assert dump(other) == before
    # a bundle exported here cannot be imported here either
    with pytest.raises(BundleError, match="不是发给本机的"):
        world.import_(world.laptops[0], good)


def test_unknown_revoked_and_wrong_role_senders_are_refused(world: World, tmp_path: Path) -> None:
    centre = world.centre
    centre_enc = unlock_identity(centre, CA_PASS).identity.encryption
    lines = change_lines(world.store(world.laptops[0]), world.eval_id)
    members = {CHANGES: lines}
    # an expired credential (issued before the snapshot: issuing writes to the CA folder)
    old = issue_pair(
        centre / "ca", CA_PASS, "过期者", "X-2", "外督", "123456",
        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=800), valid_days=365,
    )  # fmt: skip
    before = dump(centre)
    # someone from another CA, encrypting properly to our centre
    other = tmp_path / "other"
    open_folder(other).conn.close()
    init_centre(other, other / "ca", "另一个中心", CA_PASS)
    stranger = issue_pair(other / "ca", CA_PASS, "陌生人", "X-1", "外督", "123456")
    from inspector.crypto.identity import Keyring, install_pair

    laptop = tmp_path / "stranger"
    install_pair(laptop, open_pair(stranger.signing.p12, stranger.encryption.p12, "123456"))
    kr = unlock_identity(laptop, "123456")
    path = write_members(tmp_path / "stranger.inspbundle", craft(kr, centre_enc, members))
    assert "不是由本机信任的中心" in _refused(world, centre, path, before)
    # the centre signing results
    path = write_members(tmp_path / "centre.inspbundle", craft(world.keyring(centre), centre_enc, members))
    assert "发件人是中心" in _refused(world, centre, path, before)
    # a laptop sending an assignment
    lead_kr = world.keyring(world.laptops[0])
    path = write_members(
        tmp_path / "assign.inspbundle", craft(lead_kr, centre_enc, members, kind="assignment")
    )
    assert "只能由中心" in _refused(world, centre, path, before)
    # an expired credential, and a bundle from the future
    expired = tmp_path / "expired"
    install_pair(expired, open_pair(old.signing.p12, old.encryption.p12, "123456"))
    path = write_members(
        tmp_path / "old.inspbundle", craft(unlock_identity(expired, "123456"), centre_enc, members)
    )
    assert "已过期" in _refused(world, centre, path, before)

    def future(m: dict[str, Any]) -> None:
        m["created"] = "2099-01-01T00:00:00.000+00:00"

    path = write_members(
        tmp_path / "future.inspbundle", craft(lead_kr, centre_enc, members, manifest_edit=future)
    )
    assert "未来" in _refused(world, centre, path, before)
    assert isinstance(kr, Keyring)


def test_hostile_content_signed_by_a_valid_member_is_refused(world: World, tmp_path: Path) -> None:
    """A compromised laptop still cannot climb out of folders, bomb, forge history or lie about sizes."""
    centre = world.centre
    centre_enc = unlock_identity(centre, CA_PASS).identity.encryption
    lead = world.laptops[0]
    kr = world.keyring(lead)
    store = world.store(lead)
    store.record(world.eval_id, "1.1.1", {"met": True})
    good = change_lines(store, world.eval_id)
    world.import_(centre, world.results(lead))
    before = dump(centre)

    def bundle(name: str, members: dict[str, bytes], **kw: Any) -> Path:
        return write_members(tmp_path / f"{name}.inspbundle", craft(kr, centre_enc, members, **kw))

    def lines_with(edit: Callable[[dict[str, Any]], None], index: int = -1, rehash: bool = True) -> bytes:
        from inspector.store.changes import Change

        rows = [json.loads(line) for line in good.splitlines()]
        edit(rows[index])
        if rehash:
            c = Change.from_json(rows[index])
            rows[index] = {**c.to_json(), "hash": c.compute_hash()}
        return b"".join(canonical(r).encode() + b"\n" for r in rows)

    def appended(fields: dict[str, Any]) -> bytes:
        """One more change after the last, properly chained and hashed, with ``fields`` changed."""
        import uuid

        from inspector.store.changes import Change

        last = json.loads(good.splitlines()[-1])
        row = {
            **last,
            "id": uuid.uuid4().hex,
            "device_seq": last["device_seq"] + 1,
            "prev_hash": last["hash"],
        }
        row.update(parents=[], **fields)
        c = Change.from_json(row)
        return good + canonical({**c.to_json(), "hash": c.compute_hash()}).encode() + b"\n"

    cases: list[tuple[str, Path]] = []
    # path traversal: in the manifest, and hidden in the inner ZIP only
    cases.append(("不允许的成员名称", bundle("trav", {CHANGES: good, "../../evil.sh": b"rm -rf /"})))
    inner = zip_of([(CHANGES, good, 0), ("../../evil.sh", b"rm -rf /", 0)])
    cases.append(("不允许的成员名称", bundle("trav2", {CHANGES: good}, inner=inner)))
    cases.append(("不允许的成员名称", bundle("abs", {CHANGES: good, "/etc/cron.d/x": b"x"})))
    # sizes: declared beyond the cap, declared smaller than the truth, duplicates
    evidence_name = "evidence/" + hashlib.sha256(b"x").hexdigest()

    def huge(m: dict[str, Any]) -> None:
        m["payload"]["members"][evidence_name] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 2 << 30}

    cases.append(("过大", bundle("huge", {CHANGES: good}, manifest_edit=huge)))

    def smaller(m: dict[str, Any]) -> None:
        m["payload"]["size"] -= 1

    cases.append(("SHA-256 不符", bundle("small", {CHANGES: good}, manifest_edit=smaller)))
    dup = zip_of([(CHANGES, good, 0), (CHANGES, good, 0)])
    cases.append(("重复", bundle("dup", {CHANGES: good}, inner=dup)))
    # a zip bomb: 64 MB of the same byte deflated to a few kB, declared honestly
    bomb = b"\n" * (64 << 20)
    bombed = zip_of([(CHANGES, bomb, zipfile.ZIP_DEFLATED)])
    cases.append(("压缩炸弹", bundle("bomb", {CHANGES: bomb}, inner=bombed)))
    # history: an edited change (hash no longer fits), a rehashed one (chain broken), a forged
    # replacement of a change the centre already has, a gap, a second creation
    cases.append(
        (
            "哈希不符",
            bundle("edit", {CHANGES: lines_with(lambda r: r.update(payload={"met": False}), rehash=False)}),
        )
    )
    cases.append(
        ("伪造|链接断开", bundle("forge", {CHANGES: lines_with(lambda r: r["payload"].update(met=False))}))
    )
    cases.append(
        (
            "不连续|缺少更早",
            bundle("gap", {CHANGES: lines_with(lambda r: r.update(device_seq=r["device_seq"] + 5))}),
        )
    )
    cases.append(
        (
            "伪造",
            bundle(
                "create",
                {CHANGES: lines_with(lambda r: r.update(wall_time="2020-01-01T00:00:00.000+08:00"), index=0)},
            ),
        )
    )
    cases.append(("规范格式", bundle("ws", {CHANGES: good.replace(b'","', b'", "', 1)})))
    cases.append(("换行", bundle("nl", {CHANGES: good.rstrip(b"\n")})))
    # content that does not fit its rubric, certificates in a results bundle, a wrong count
    # an item the form lacks is kept (tests/bundles/test_stray_marks.py), one of no id's shape is not
    cases.append(("小项", bundle("item", {CHANGES: appended({"item_id": "99.9.9/../x"})})))
    cases.append(("problems", bundle("obs", {CHANGES: appended({"payload": {"problems": "many"}})})))
    cases.append(("未知的更改类型", bundle("kind", {CHANGES: appended({"kind": "delete"})})))
    cases.append(("只有派发", bundle("certs", {CHANGES: good, "certs/" + "A" * 64 + ".pem": b"x"})))

    def miscount(m: dict[str, Any]) -> None:
        m["counts"]["changes"] += 1

    cases.append(("数量", bundle("count", {CHANGES: good}, manifest_edit=miscount)))
    for words, path in cases:
        reason = _refused(world, centre, path, before)
        assert any(w in reason for w in words.split("|")), (path.name, reason)


def test_rubric_that_does_not_match_its_pin_is_refused(world: World, tmp_path: Path) -> None:
    centre = world.centre
    centre_enc = unlock_identity(centre, CA_PASS).identity.encryption
    kr = world.keyring(world.laptops[0])
    before = dump(centre)
    text = (
        world.db(centre)
        .conn.execute("SELECT toml FROM rubrics WHERE id = 'sichuan-2017-inspection'")
        .fetchone()[0]
    )
    changed = text.replace('title = "', 'title = "改', 1).encode()
    members = {
        CHANGES: change_lines(world.store(world.laptops[0]), world.eval_id),
        "rubrics/sichuan-2017-inspection-v1.toml": changed,
    }
    path = write_members(tmp_path / "r.inspbundle", craft(kr, centre_enc, members))
    assert "内容不同" in _refused(world, centre, path, before)


def test_verification_without_the_key(sample: tuple[World, Path]) -> None:
    _world, good = sample
    c = read_checked(good)
    assert c.checked == ["container", "manifest", "signature", "hashes"]
    m = c.manifest
    assert m.kind == "results" and m.counts["changes"] == 62 and m.counts["evidence"] == 1
    assert parse_manifest(m.raw).bundle == m.bundle
    assert set(c.outer) == {"sender.pem"}  # hashed like every other member


def test_the_reader_in_the_format_document_reads_real_bundles(sample: tuple[World, Path]) -> None:
    """docs/bundle-format.md is enough to read a bundle: its reader, run as printed."""
    import re

    world, good = sample
    doc = (Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    code = re.search(r"<!-- reader -->\n```python\n(.*?)```", doc, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), "docs/bundle-format.md", "exec"), namespace)
    key = namespace["load_key"](world.centre / "keys" / "decrypt.p12", CA_PASS)
    manifest, changes = namespace["read_bundle"](good, key)
    stored = world.store(world.laptops[0]).changes(world.eval_id)
    assert manifest["kind"] == "results" and {c["hash"] for c in changes} <= {c.hash for c in stored}
    assert len(changes) == manifest["counts"]["changes"] == 62
    # and an assignment, with the laptop's key
    lead = world.laptops[0]
    from tests.bundle_support import PINS

    out = world.path("assignment")
    from inspector.bundles.export import export_bundle

    export_bundle(world.db(world.centre), world.centre, world.keyring(world.centre), "assignment", out,
                  eval_ids=[world.eval_id], to=world.people[0])  # fmt: skip
    manifest, changes = namespace["read_bundle"](
        out, namespace["load_key"](lead / "keys" / "decrypt.p12", PINS[0])
    )
    assert manifest["kind"] == "assignment" and manifest["counts"]["credentials"] == 2
    with pytest.raises(Exception):  # noqa: B017 - the reader's own asserts or the AEAD, any refusal
        namespace["read_bundle"](out, key)  # the centre's key does not open the laptop's bundle
