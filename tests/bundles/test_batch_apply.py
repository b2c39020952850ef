"""The batched apply of a bundle's marks (inspector.store.log_batch) writes exactly what applying
them change by change writes: two copies of one centre import the same varied bundles, one with
the batch and one without, and end with the same rows in every table (changes, heads, supersedes,
evaluations, eval_figures, held changes, the ledger …) and the same files; the audit finds nothing.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import inspector.bundles.importer as importer
from inspector import clock
from inspector.bundles.format import CHANGES
from inspector.crypto.identity import load_identity
from inspector.errors import BundleError
from inspector.rubric import observations
from inspector.store import figures
from inspector.store.audit import audit_evaluation
from inspector.store.changes import CREATE
from tests.bundle_support import RUBRIC, World, craft, dump, world, world_template, write_members
from tests.bundles.authority_support import lines

__all__ = ["world", "world_template"]  # fixtures


def _mark_all(world: World, laptop: Path, author: str, eval_id: str, sections: tuple[str, ...]) -> None:
    store = world.store(laptop, author)
    rubric = store.rubric(RUBRIC, store.get(eval_id).rubric_version)
    for section in rubric.sections:
        if section.code in sections:
            for item in section.items():
                store.record(eval_id, item.id, {"points": item.points, "reason": "符合要求"})


def _freeze_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every module's ``now`` reads one instant (received_at, recorded_at … then agree)."""
    instant = clock.now()
    real = clock.now
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("inspector") and getattr(module, "now", None) is real:
            monkeypatch.setattr(module, "now", lambda: instant)


def _bundles(world: World) -> list[Path]:
    """Bundles to the centre, in the order it imports them: new marks on the assigned evaluation,
    marks changed within one bundle, a cleared mark, vetoes found and withdrawn, a conflict, its
    resolution over the stored conflict, a relayed bundle, a new evaluation with its sign-off and
    lock, and a bundle bringing only part of an item's history."""
    lead, second, third = world.laptops
    e = world.eval_id
    out: list[Path] = []
    s1 = world.store(lead, "张建国")
    _mark_all(world, lead, "张建国", e, ("1", "2"))
    s1.record(e, "1.1.1", {"met": False, "note": "未公示"})  # changed in the same bundle
    s1.record(e, "1.2.1", None)  # cleared again
    rubric = s1.rubric(RUBRIC, s1.get(e).rubric_version)
    veto_ids = [v.id for v in rubric.vetoes]
    s1.set_veto(e, veto_ids[0], True, "现场发现")
    s1.set_veto(e, veto_ids[0], False)
    s1.set_veto(e, veto_ids[1], True, "核实属实")
    out.append(world.results(lead))
    # two members mark the same item differently: a conflict at the centre
    s2, s3 = world.store(second, "李秀英"), world.store(third, "王志强")
    _mark_all(world, second, "李秀英", e, ("4", "5"))
    s2.record(e, "4.1.1", {"problems": 1, "note": "少一本台账"})
    s3.record(e, "4.1.1", {"problems": 2, "note": "两处不符"})
    _mark_all(world, third, "王志强", e, ("7",))
    out.append(world.results(second))
    out.append(world.results(third))
    # the lead takes both in and resolves the conflict; her bundle relays the others' marks
    world.import_(lead, world.results(second, to=world.people[0]))
    world.import_(lead, world.results(third, to=world.people[0]))
    s1.record(e, "4.1.1", {"problems": 1, "note": "组长核实：一处"})
    s1.record(e, "1.2.1", {"met": True})
    out.append(world.results(lead))
    # a new evaluation made on the lead's laptop (an open visit for the station), marked, signed
    team = [{"name": "张建国", "role": "组长", "person_id": world.people[0]}]
    new = s1.create(RUBRIC, world.org_id, "inspection", visit_date="2026-12-02", team=team)
    _mark_all(world, lead, "张建国", new.id, tuple(s.code for s in rubric.sections))
    s1.record(new.id, "2.1.1", {"met": False, "note": "记录不全"})
    out.append(world.results(lead))
    s1.sign(new.id, [{"name": "张建国", "role": "组长"}])
    out.append(world.results(lead))
    # more marks on the assigned evaluation from the third member: new items and a re-mark
    _mark_all(world, third, "王志强", e, ("8",))
    s3.record(e, "7.1.1", {"met": False, "note": "补充"})
    out.append(world.results(third))
    # a mark arriving after the change that superseded it: the second member's mark reaches the
    # lead, who changes it, and the lead's own chain alone reaches the centre first (hand-made)
    item = next(next(s for s in rubric.sections if s.code == "6").items())
    s2.record(e, item.id, {"points": item.points, "reason": "初评符合"})
    world.import_(lead, world.results(second, to=world.people[0]))
    device = s1.device
    (tip,) = (
        world.db(lead)
        .conn.execute("SELECT MAX(device_seq) FROM changes WHERE eval_id = ? AND device_id = ?", (e, device))
        .fetchone()
    )
    s1.record(e, item.id, {"points": 0, "reason": "组长复核：不符合"})
    again = next(next(s for s in rubric.sections if s.code == "2").items())
    s1.record(e, again.id, {"points": 0, "reason": "组长补充：不符合"})
    own = [c for c in s1.changes(e) if c.device_id == device and c.device_seq > tip]
    identity = load_identity(world.centre)
    assert identity is not None and identity.encryption is not None
    made = craft(world.keyring(lead), identity.encryption, {CHANGES: lines(own)}, device=device)
    out.append(write_members(world.path("crafted"), made))
    out.append(world.results(second))  # the superseded mark, at last
    return out


def test_batched_apply_writes_exactly_what_change_by_change_writes(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundles = _bundles(world)
    world.close()
    per_change = tmp_path / "centre-per-change"
    shutil.copytree(world.centre, per_change)
    _freeze_clock(monkeypatch)
    real = importer.apply_run
    taken: list[bool] = []

    def counted(*args: Any) -> bool:
        taken.append(real(*args))
        return taken[-1]

    monkeypatch.setattr(importer, "apply_run", counted)
    reports = [world.import_(world.centre, b).as_json() for b in bundles]
    world.close()
    batched_runs = list(taken)
    monkeypatch.setattr(importer, "apply_run", lambda *args: False)  # every change by apply_change
    world_b = World(world.root, per_change, world.laptops, world.eval_id, world.self_id, world.org_id, [])
    world_b._keys[per_change] = world.keyring(world.centre)
    reports_b = [world_b.import_(per_change, b).as_json() for b in bundles]
    world_b.close()

    # both ways were taken: plain runs at once, and runs the batch handed back (the conflict)
    assert batched_runs.count(True) >= 4 and False in batched_runs
    assert [r["held"] for r in reports] == [r["held"] for r in reports_b]
    assert reports == reports_b
    assert any(r["conflicts"] for r in reports)
    assert dump(world.centre) == dump(per_change)

    store = world.store(world.centre)
    evals = [r[0] for r in store.conn.execute("SELECT id FROM evaluations")]
    assert len(evals) == 3
    for eval_id in evals:
        audit = audit_evaluation(store, world.centre, eval_id)
        assert audit.ok, audit.problems
        kept = figures.read(store.conn, eval_id)
        assert figures.differences(kept, figures.computed(store.conn, eval_id, store.rubric)) == []
    signed = store.conn.execute("SELECT COUNT(*) FROM evaluations WHERE signed_at IS NOT NULL").fetchone()
    assert signed[0] == 1
    world.close()


def test_a_refused_run_changes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that fails half-way (here: a database error on its last statement) leaves the centre
    as it was, and the bundle can be imported afterwards."""
    _mark_all(world, world.laptops[0], "张建国", world.eval_id, ("1",))
    bundle = world.results(world.laptops[0])
    before = dump(world.centre)
    real = importer.apply_run

    def failing(conn: Any, *args: Any) -> bool:
        assert real(conn, *args)
        conn.execute("INSERT INTO changes (id) VALUES (NULL)")  # NOT NULL: an IntegrityError
        return True

    monkeypatch.setattr(importer, "apply_run", failing)
    with pytest.raises(BundleError, match="无法应用更改"):
        world.import_(world.centre, bundle)
    world.close()
    assert dump(world.centre) == before
    monkeypatch.setattr(importer, "apply_run", real)
    report = world.import_(world.centre, bundle)
    assert report.added["changes"] > 0 and not report.held
    assert any(c.kind == CREATE for c in world.store(world.centre).changes(world.eval_id))


@pytest.mark.parametrize("note", ["长" * 2001, "夹带\x0c控制字符"])
def test_a_received_note_beyond_the_limits_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, note: str
) -> None:
    """The checks read each received observation once: its note still meets the limits a typed
    one meets (length, no control characters), and a bundle with one changes nothing."""
    lead = world.laptops[0]
    with monkeypatch.context() as m:  # a laptop that did not hold to them
        m.setattr(observations, "MAX_TEXT", 10**6)
        m.setattr(observations, "CONTROL", observations.re.compile("(?!)"))
        world.store(lead, "张建国").record(world.eval_id, "1.1.1", {"met": False, "note": note})
    bundle = world.results(lead)
    world.close()
    before = dump(world.centre)
    with pytest.raises(BundleError, match="note") as refused:
        world.import_(world.centre, bundle)
    assert refused.value.where is not None and refused.value.where.startswith(CHANGES)
    world.close()
    assert dump(world.centre) == before
