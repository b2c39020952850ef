"""USB sync bundles between a centre and a team of laptops: round trips, merges, increments, safety.

Real keys throughout (a CA made in a temporary folder, credentials issued and carried by the
assignment bundles). The hostile-file campaign is in tests/bundles/test_format.py.
"""

from __future__ import annotations

import errno
import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inspector.bundles.export import export_bundle
from inspector.bundles.opening import read_checked
from inspector.crypto import keys
from inspector.crypto.identity import load_identity, revoke_pair
from inspector.errors import BundleError, StoreError, UsageError
from inspector.store import figures
from inspector.store.audit import audit_evaluation
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence, evidence_path
from inspector.store.signed_pdfs import signed_pdfs, store_signed_pdf
from tests.bundle_support import CA_PASS, World, copy_world, dump, signed_pdf, state, world, world_template

__all__ = ["world", "world_template"]  # fixtures


def score_all(
    world: World, laptop: Path, sections: tuple[str, ...] | None = None, author: str = "组员"
) -> int:
    store = world.store(laptop, author)
    rubric = store.rubric("sichuan-2017-inspection", 1)
    n = 0
    for section in rubric.sections:
        if sections is not None and section.code not in sections:
            continue
        for group in section.groups:
            for item in group.items:
                store.record(world.eval_id, item.id, {"points": item.points, "reason": "符合要求"})
                n += 1
    return n


def photo(tmp: Path, seed: int, size: int = 200_000) -> Path:
    path = tmp / f"现场照片-{seed}.jpg"
    path.write_bytes(hashlib.sha256(str(seed).encode()).digest() * (size // 32))
    return path


def test_laptop_set_up_by_its_assignment(world: World) -> None:
    lead = world.laptops[0]
    identity = load_identity(lead)
    assert identity is not None and identity.role == "field" and identity.name == "张建国"
    assert load_identity(world.centre).role == "centre"  # type: ignore[union-attr]
    store = world.store(lead)
    e = store.get(world.eval_id)
    assert e.org_name == "成都市测试职业技能鉴定所" and e.team[0]["name"] == "张建国"
    # the self-assessment came along, the register data too, and the team's certificates
    assert store.self_assessment_for(e) is not None
    details = (
        world.db(lead).conn.execute("SELECT details FROM orgs WHERE id = ?", (world.org_id,)).fetchone()[0]
    )
    assert "车床" in details
    peers = (
        world.db(lead)
        .conn.execute("SELECT name, purpose, centre FROM peers ORDER BY name, purpose")
        .fetchall()
    )
    assert {(r[0], r[1]) for r in peers} >= {("李秀英", "encryption"), ("王志强", "signing")}
    assert any(r[2] for r in peers)  # the centre


def test_round_trip_centre_laptop_centre(world: World, tmp_path: Path) -> None:
    lead, centre = world.laptops[0], world.centre
    store = world.store(lead, "张建国")
    assert score_all(world, lead) == 61
    pic = add_evidence(world.db(lead), lead, photo(tmp_path, 1))
    store.record(world.eval_id, "4.1.1", {"problems": 1, "note": "台账缺页", "evidence": [pic]})
    sig = add_evidence(world.db(lead), lead, photo(tmp_path, 2, 3000))
    store.sign(world.eval_id, [{"name": "张建国", "role": "组长", "signature": sig}])
    store_signed_pdf(lead, world.eval_id, "评分表-已签署.pdf", signed_pdf(world, lead))
    # the window's score sheets (ui/sheet.py): the signed one travels, the draft does not
    reports = lead / "reports"
    reports.mkdir()
    tag = world.eval_id[:8]
    (reports / f"测试所_2026-12-01_{tag}_评分表.pdf").write_bytes(signed_pdf(world, lead, "sheet 2"))
    (reports / f"测试所_2026-12-01_{tag}_评分表草稿.pdf").write_bytes(b"%PDF-1.7 draft\n%%EOF\n")
    bundle = world.results(lead)
    report = world.import_(centre, bundle)
    assert not report.already and report.added["changes"] == 64  # 61 + 1 + sign + lock
    assert report.added["evidence"] == 2 and report.added["pdfs"] == 2 and not report.conflicts
    back = world.store(centre)
    assert state(back, world.eval_id) == state(store, world.eval_id)
    assert back.get(world.eval_id).state == "signed"
    assert audit_evaluation(back, centre, world.eval_id).ok
    assert evidence_path(centre, pic).read_bytes() == evidence_path(lead, pic).read_bytes()
    assert sorted(p.name for p in signed_pdfs(centre, world.eval_id)) == [
        f"测试所_2026-12-01_{tag}_评分表.pdf",
        "评分表-已签署.pdf",
    ]
    row = world.db(centre).conn.execute(
        "SELECT direction, kind, outcome FROM bundles WHERE id = ?", (report.bundle,)
    )
    assert tuple(row.fetchone()) == ("import", "results", "imported")
    # the members countersign the sheet in turn (pdf sign) and it comes back to reports/: no new
    # change in the log, but the next results bundle carries it, and only it
    countersigned = signed_pdf(world, lead, "sheet 2, countersigned")
    (reports / f"测试所_2026-12-01_{tag}_评分表.pdf").write_bytes(countersigned)
    again = world.import_(centre, world.results(lead))
    assert again.added["changes"] == 0 and again.added["pdfs"] == 1
    assert countersigned in [p.read_bytes() for p in signed_pdfs(centre, world.eval_id)]


def test_reimport_is_idempotent_and_says_so(world: World) -> None:
    lead, centre = world.laptops[0], world.centre
    score_all(world, lead, ("1",))
    bundle = world.results(lead)
    first = world.import_(centre, bundle)
    before = dump(centre)
    again = world.import_(centre, bundle)
    assert again.already and again.bundle == first.bundle and not again.added
    assert dump(centre) == before
    # a full export of the same log is a new bundle carrying nothing new: every change skipped
    full = world.import_(centre, world.results(lead, full=True))
    assert full.added["changes"] == 0 and full.skipped > 0
    assert state(world.store(centre), world.eval_id) == state(world.store(lead), world.eval_id)


def test_incremental_exports_and_a_lost_bundle(world: World) -> None:
    lead, centre = world.laptops[0], world.centre
    store = world.store(lead)
    store.record(world.eval_id, "1.1.1", {"met": True})
    first = world.results(lead)
    assert read_checked(first).manifest.counts["changes"] == 1
    with pytest.raises(UsageError, match="没有需要导出的新内容"):
        world.results(lead)
    store.record(world.eval_id, "1.2.1", {"met": True})
    lost = world.results(lead)  # never arrives
    assert read_checked(lost).manifest.data["since"]  # it starts after the first bundle
    store.record(world.eval_id, "1.3.1", {"met": False})
    later = world.results(lead)
    world.import_(centre, first)
    before = dump(centre)
    with pytest.raises(BundleError, match=r"缺少更早的更改.*--full"):
        world.import_(centre, later)
    assert dump(centre) == before
    world.import_(centre, world.results(lead, full=True))
    assert state(world.store(centre), world.eval_id) == state(store, world.eval_id)
    world.import_(centre, lost)  # late, harmless: everything in it is already there
    assert state(world.store(centre), world.eval_id) == state(store, world.eval_id)


def test_team_of_three_merges_with_one_conflict_until_resolved(world: World) -> None:
    lead, second, third = world.laptops
    centre = world.centre
    assert score_all(world, lead, ("1", "2", "3"), "张建国") > 0
    score_all(world, second, ("4", "5", "6"), "李秀英")
    score_all(world, third, ("7", "8", "9"), "王志强")
    # both members also mark the same item differently: neither may be lost
    world.store(second, "李秀英").record(world.eval_id, "4.1.1", {"problems": 1, "note": "少一本台账"})
    world.store(third, "王志强").record(world.eval_id, "4.1.1", {"problems": 2, "note": "两处不符"})
    r2 = world.import_(lead, world.results(second, to=world.people[0]))
    r3 = world.import_(lead, world.results(third, to=world.people[0]))
    assert not r2.conflicts and [(c["eval"], c["item"]) for c in r3.conflicts] == [(world.eval_id, "4.1.1")]
    merged = world.store(lead)
    cur = merged.current(world.eval_id)["4.1.1"]
    values = {cur.change.payload["problems"], *(r.payload["problems"] for r in cur.rivals)}
    assert values == {1, 2} and merged.get(world.eval_id).conflicts == 1
    assert merged.get(world.eval_id).state == "draft"  # a conflict blocks completion
    # the centre sees the same conflict
    world.import_(centre, world.results(lead))
    assert world.store(centre).get(world.eval_id).conflicts == 1
    assert state(world.store(centre), world.eval_id) == state(merged, world.eval_id)
    # the lead resolves it; the resolution travels, the conflict is gone everywhere
    merged.record(world.eval_id, "4.1.1", {"problems": 1, "note": "组长核实：一处"})
    assert merged.get(world.eval_id).state == "complete"
    world.import_(centre, world.results(lead))
    at_centre = world.store(centre)
    assert at_centre.get(world.eval_id).conflicts == 0
    assert at_centre.current(world.eval_id)["4.1.1"].change.payload["note"] == "组长核实：一处"
    # a member's bundle arriving at the centre afterwards does not bring the conflict back
    world.import_(centre, world.results(third))
    assert state(world.store(centre), world.eval_id) == state(merged, world.eval_id)
    assert len(at_centre.changes(world.eval_id, "4.1.1")) == 4  # every mark kept, none lost
    for folder in (lead, centre):
        kept_figures_are_recomputed(world.store(folder), world.eval_id)


def kept_figures_are_recomputed(store: EvaluationStore, eval_id: str) -> None:
    kept = figures.read(store.conn, eval_id)
    assert kept is not None
    assert figures.differences(kept, figures.computed(store.conn, eval_id, store.rubric)) == []


def test_write_safety_full_disk_and_failed_read_back(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    lead = world.laptops[0]
    world.store(lead).record(world.eval_id, "1.1.1", {"met": True})
    out = world.root / "stick" / "to-centre.inspbundle"
    export_bundle(world.db(lead), lead, world.keyring(lead), "results", out, full=True)
    previous = out.read_bytes()
    world.store(lead).record(world.eval_id, "1.2.1", {"met": True})

    import inspector.bundles.export as be

    real = be.write_container

    def disk_full(f: Any, members: Any) -> int:
        f.write(b"PK\x03\x04" + b"\0" * 1000)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(be, "write_container", disk_full)
    with pytest.raises(StoreError, match="磁盘已满"):
        export_bundle(world.db(lead), lead, world.keyring(lead), "results", out, full=True)
    assert out.read_bytes() == previous and read_checked(out)
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temporary file left

    def torn(f: Any, members: Any) -> int:  # the stick pulled: what reaches it is cut short
        size = real(f, members)
        f.truncate(size // 2)
        return size

    monkeypatch.setattr(be, "write_container", torn)
    with pytest.raises(BundleError, match="读回校验失败"):
        export_bundle(world.db(lead), lead, world.keyring(lead), "results", out, full=True)
    assert out.read_bytes() == previous
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    # nothing was marked as sent: the next export still carries the new change
    monkeypatch.setattr(be, "write_container", real)
    export_bundle(world.db(lead), lead, world.keyring(lead), "results", out)
    assert read_checked(out).manifest.counts["changes"] == 1


def test_revoked_member_is_refused_after_the_crl_arrives(world: World) -> None:
    lead, second, centre = world.laptops[0], world.laptops[1], world.centre
    world.store(second).record(world.eval_id, "4.1.1", {"problems": 0})
    bundle = world.results(second, to=world.people[0])
    second_cert = load_identity(second).signing  # type: ignore[union-attr]
    revoke_pair(
        world.db(centre),
        centre,
        centre / "ca",
        CA_PASS,
        keys.serial_hex(second_cert.serial_number),
        "keyCompromise",
    )
    # the centre refuses at once; the lead only once a newer assignment brings the new list
    with pytest.raises(BundleError, match="吊销"):
        world.import_(centre, world.results(second))
    out = world.path("assignment")
    export_bundle(
        world.db(centre),
        centre,
        world.keyring(centre),
        "assignment",
        out,
        eval_ids=[world.eval_id],
        to=world.people[0],
    )
    world.import_(lead, out)
    before = dump(lead)
    with pytest.raises(BundleError, match="吊销"):
        world.import_(lead, bundle)
    assert dump(lead) == before


# --- convergence ---------------------------------------------------------------------------------------

ITEMS = ("1.1.1", "2.1.1", "4.1.1", "6.6.1", "9.1.1")
VALUES = (None, {"points": 0, "reason": "不符合"}, {"points": "full", "reason": "符合"})

operation = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 2), st.integers(0, len(ITEMS) - 1), st.integers(0, 2)),
    st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("lose"), st.integers(0, 2), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("replay"), st.integers(0, 2), st.integers(0, 50), st.booleans()),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=14))
# found by Hypothesis: a bundle refused for a gap (the one before it was lost) was then "replayed" as
# if it had been taken in; a replay is only of a bundle that was imported
@example(
    ops=[
        ("record", 2, 0, 0),
        ("lose", 2, 0, False),
        ("record", 2, 0, 0),
        ("sync", 2, 0, False),
        ("replay", 0, 0, False),
    ]
)
def test_any_exchange_converges(world_template: World, ops: list[tuple[Any, ...]]) -> None:
    """Records, exports, lost sticks, replays in any order; then everyone sends everyone a full
    bundle: every folder (and the centre) ends with the same changes, values and conflicts."""
    with tempfile.TemporaryDirectory() as tmp:
        w = copy_world(world_template, Path(tmp))
        try:
            laptops = w.laptops
            rubric = w.store(laptops[0]).rubric("sichuan-2017-inspection", 1)
            received: list[tuple[Path, Path]] = []
            for op in ops:
                kind, a, b, flag = op
                if kind == "record":
                    item = ITEMS[b]
                    value: dict[str, Any] | None = VALUES[flag]
                    if value is not None and value["points"] == "full":
                        value = {**value, "points": rubric.item(item).points}
                    w.store(laptops[a]).record(w.eval_id, item, value)
                elif kind in ("sync", "lose") and a != b:
                    try:
                        out = w.results(laptops[a], to=w.people[b], full=flag)
                    except UsageError:
                        continue  # nothing new for that recipient
                    if kind == "sync" and _import_or_gap(w, laptops[b], out):
                        received.append((laptops[b], out))
                elif kind == "replay" and received:
                    into, out = received[b % len(received)]
                    assert w.import_(into, out).already
            for a in range(3):
                for b in range(3):
                    if a != b:
                        w.import_(laptops[b], w.results(laptops[a], to=w.people[b], full=True))
            for laptop in laptops:
                w.import_(w.centre, w.results(laptop, full=True))
            states = [state(w.store(f), w.eval_id) for f in (*laptops, w.centre)]
            assert all(s == states[0] for s in states[1:])
            # the figures each folder keeps (schema v9) are its marks' recomputation, however they came
            for folder in (*laptops, w.centre):
                kept_figures_are_recomputed(w.store(folder), w.eval_id)
        finally:
            w.close()


def _import_or_gap(w: World, into: Path, out: Path) -> bool:
    """Whether the bundle was taken in; refused only for a gap, and then nothing changed."""
    before = dump(into)
    try:
        w.import_(into, out)
    except BundleError as e:  # an earlier bundle to this recipient was lost: refused, nothing changed
        assert "缺少更早的更改" in e.message
        assert dump(into) == before
        return False
    return True


def test_assignment_on_a_fresh_laptop_and_on_the_wrong_one(world: World, tmp_path: Path) -> None:
    from inspector.bundles.importer import import_bundle
    from inspector.folder import open_folder
    from tests.bundle_support import PINS

    centre = world.centre
    out = world.path("assignment")
    export_bundle(
        world.db(centre),
        centre,
        world.keyring(centre),
        "assignment",
        out,
        eval_ids=[world.eval_id],
        to=world.people[1],
    )
    fresh = tmp_path / "fresh"
    db = open_folder(fresh)
    before = dump(fresh)
    for pin, words in ((None, "需要证书口令"), ("000000", "口令错误")):
        with pytest.raises(BundleError, match=words):
            import_bundle(db, fresh, out, passphrase=pin)
        assert dump(fresh) == before and load_identity(fresh) is None
    # a bit flipped in the carried credentials: refused before the passphrase is even tried
    with open(out, "rb") as f:
        from inspector.bundles.container import read_container

        entries = {e.name: e for e in read_container(f, out.stat().st_size, lambda n: 1 << 30)}
    for name in (
        "credentials/signing.p12",
        "credentials/encryption.p12",
        "credentials/ca.crt.pem",
        "credentials/ca.crl.pem",
    ):
        data = bytearray(out.read_bytes())
        data[entries[name].offset + entries[name].size // 3] ^= 4
        bad = tmp_path / "bad.inspbundle"
        bad.write_bytes(bytes(data))
        with pytest.raises(BundleError, match=name):
            import_bundle(db, fresh, bad, passphrase=PINS[1])
        assert dump(fresh) == before
    # the lead's laptop: this bundle is for 李秀英
    lead_before = dump(world.laptops[0])
    with pytest.raises(BundleError, match=r"不是发给本机的|本机属于"):
        world.import_(world.laptops[0], out)
    assert dump(world.laptops[0]) == lead_before
    report = import_bundle(db, fresh, out, passphrase=PINS[1], ca_fingerprint=world.ca_fingerprint)
    assert report.identity == "李秀英" and load_identity(fresh).name == "李秀英"  # type: ignore[union-attr]
    db.conn.close()


def test_recheck_assignment_carries_the_previous_evaluation(world: World) -> None:
    """A re-check visit: the last signed inspection of the station goes along, for comparison."""
    centre = world.centre
    clerk = world.store(centre, "省鉴定中心")
    old = clerk.create("sichuan-2017-inspection", world.org_id, "inspection", visit_date="2026-06-01")
    for item in clerk.rubric("sichuan-2017-inspection", 1).items():
        clerk.record(old.id, item.id, {"points": 0, "reason": "整改前"})
    clerk.sign(old.id, [{"name": "张建国", "role": "组长"}])
    recheck = clerk.create("sichuan-2017-inspection", world.org_id, "recheck", visit_date="2026-12-20")
    out = world.path("recheck")
    report = export_bundle(
        world.db(centre),
        centre,
        world.keyring(centre),
        "assignment",
        out,
        eval_ids=[recheck.id],
        to=world.people[0],
    )
    assert set(report.evaluations) == {recheck.id, old.id, world.self_id}
    lead = world.laptops[0]
    world.import_(lead, out)
    at_lead = world.store(lead)
    previous = at_lead.previous_for(at_lead.get(recheck.id))
    assert previous is not None and previous.id == old.id and previous.state == "signed"
    assert state(at_lead, old.id) == state(clerk, old.id)
