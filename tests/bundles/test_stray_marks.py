"""A mark on an item the evaluation's form lacks (made by an older program, kept in the sender's
store) travels in a results bundle as a local store keeps it: kept in the log, flagged, never a
point; the centre shows no total and refuses its signing until the clearing arrives, which travels
too. Every other change of the same bundle arrives with it. A malformed one is refused whole,
naming the member's line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.bundles.format import CHANGES
from inspector.crypto.identity import unlock_identity
from inspector.errors import BundleError, InspectorError
from inspector.store.changes import OBSERVE, VETO, Change, canonical
from inspector.store.db import transaction
from inspector.store.disallowed_marks import clear_mark, disallowed_marks
from inspector.store.evaluations import EvaluationStore
from inspector.store.log import apply_change
from tests.bundle_support import CA_PASS, World, craft, dump, world, world_template, write_members

__all__ = ["world", "world_template"]  # fixtures


def _older_program(s: EvaluationStore, eval_id: str, item: str, payload: Any, kind: str = OBSERVE) -> None:
    """A mark straight into the log, as a program that did not check the form wrote it."""
    with transaction(s.db) as conn:
        c = s._change(conn, eval_id, item, kind, payload, s._heads(conn, eval_id, item))
        apply_change(conn, c, s.rubric, (None, None, 0))


def _score_sections(store: EvaluationStore, eval_id: str, codes: tuple[str, ...]) -> int:
    e = store.get(eval_id)
    rubric = store.rubric(e.rubric_id, e.rubric_version)
    n = 0
    for section in rubric.sections:
        if section.code in codes:
            for item in section.items():
                store.record(eval_id, item.id, {"points": item.points, "reason": "符合要求"})
                n += 1
    return n


def test_a_stray_mark_and_its_clearing_travel_and_never_count(world: World) -> None:
    lead, centre = world.laptops[0], world.centre
    store = world.store(lead, "张建国")
    n = _score_sections(store, world.eval_id, ("1",))
    _older_program(store, world.eval_id, "9.9.9", {"met": True})
    _older_program(store, world.eval_id, "veto:V99", {"veto": True, "note": "旧程序"}, VETO)
    store.record(world.eval_id, "4.1.1", {"problems": 0})  # a later, ordinary mark of the same bundle
    assert {m.item_id for m in disallowed_marks(store, world.eval_id)} == {"9.9.9", "veto:V99"}

    report = world.import_(centre, world.results(lead))  # refused whole before
    assert report.added["changes"] == n + 3
    said = "\n".join(report.warnings)
    assert "9.9.9" in said and "veto:V99" in said and f"{CHANGES}:" in said
    back = world.store(centre)
    # kept and flagged as the sender's store keeps it; no total, none at the desk, no signing
    assert {m.item_id for m in disallowed_marks(back, world.eval_id)} == {"9.9.9", "veto:V99"}
    assert "4.1.1" in back.current(world.eval_id)
    totals = back.totals([back.get(world.eval_id)])[world.eval_id]
    assert totals.total is None and totals.outcome is None and totals.refused and "9.9.9" in totals.refused
    with pytest.raises(InspectorError):
        back.report(world.eval_id)
    row = (
        world.db(centre)
        .conn.execute("SELECT total_c, refused FROM eval_figures WHERE eval_id = ?", (world.eval_id,))
        .fetchone()
    )
    assert row[0] == 0 and row[1] is not None  # nothing summed

    # the sender clears them (the one write such an item takes): the clearing travels too
    clear_mark(store, world.eval_id, "9.9.9")
    clear_mark(store, world.eval_id, "veto:V99")
    again = world.import_(centre, world.results(lead))
    assert again.added["changes"] == 2 and not again.warnings
    assert disallowed_marks(back, world.eval_id) == []
    totals = back.totals([back.get(world.eval_id)])[world.eval_id]
    assert totals.refused is None and totals.total == store.report(world.eval_id).total
    assert totals.total == back.report(world.eval_id).total  # the form's items only


def _refused(world: World, path: Path, before: dict[str, Any]) -> str:
    with pytest.raises(BundleError) as err:
        world.import_(world.centre, path)
    assert dump(world.centre) == before  # a refused bundle changes nothing
    return f"{err.value.where}：{err.value.message}"


def test_a_malformed_stray_mark_is_refused_naming_its_line(world: World, tmp_path: Path) -> None:
    """Hostile input stays hostile: a stray mark's id and payload are checked as the form's own
    marks are (a well-formed id, the laptop's limits), and the whole bundle is refused."""
    centre = world.centre
    centre_enc = unlock_identity(centre, CA_PASS).identity.encryption
    lead = world.laptops[0]
    kr = world.keyring(lead)
    store = world.store(lead)
    last = store.record(world.eval_id, "1.1.1", {"met": True})
    lines = store.changes(world.eval_id)
    before = dump(centre)

    def bundle(name: str, item_id: str, payload: Any) -> Path:
        extra = Change(
            id="d" * 32, eval_id=world.eval_id, item_id=item_id, kind=OBSERVE, payload=payload, parents=(),
            author="x", device_id=last.device_id, device_seq=last.device_seq + 1,
            wall_time=last.wall_time, prev_hash=last.hash,
        ).sealed()  # fmt: skip
        text = b"".join(canonical(c.to_json()).encode() + b"\n" for c in (*lines, extra))
        path = tmp_path / f"{name}.inspbundle"
        return write_members(path, craft(kr, centre_enc, {CHANGES: text}, device=last.device_id))

    n = len(lines) + 1
    assert f"{CHANGES}:{n}" in _refused(world, bundle("shape", "9 9/..", {"met": True}), before)
    assert f"{CHANGES}:{n}" in _refused(world, bundle("obs", "9.9.9", {"problems": "many"}), before)
