"""Issue 19: the station's proposed 登记表 changes ride in its signed self-assessment bundle, are
received at the centre for the station's own organisation (the one its certificate names, never
one a member names), decided one by one there, and are never applied silently."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from inspector.bundles.export import export_bundle, seal, write_bundle
from inspector.bundles.format import CORRECTIONS_FILE, SELF_RESULTS
from inspector.bundles.importer import import_bundle
from inspector.bundles.self_assessment import start_self_assessment, station_results_content
from inspector.centre.corrections import decide, outgoing, pending, propose
from inspector.centre.register import get_register
from inspector.crypto.identity import find_recipient, unlock_identity
from inspector.errors import BundleError
from inspector.store.demo import _fill
from inspector.store.evaluations import EvaluationStore
from tests.bundles.test_station_loop import (  # the same centre, plan and station set-up
    SICHUAN,
    STATION_PASS,
    _station_ready,
    centre,  # noqa: F401  (a fixture)
)


def _signed_self_assessment(sdb, folder: Path) -> str:  # type: ignore[no-untyped-def]
    eval_id = start_self_assessment(sdb, "李站长")
    store = EvaluationStore(sdb, "李站长")
    _fill(store, eval_id, store.rubric(SICHUAN, store.get(eval_id).rubric_version), random.Random(5), 0.95)
    store.sign(eval_id, [{"name": "李站长", "role": "站长"}])
    return eval_id


def test_a_correction_travels_with_the_self_assessment_and_is_decided_at_the_centre(
    centre,  # noqa: F811
    tmp_path: Path,
) -> None:
    data, db, _plan_id, orgs, keyring, folder, sdb = _station_ready(centre, tmp_path)
    _signed_self_assessment(sdb, folder)
    proposal = propose(sdb, orgs[0], "head", "赵新站长", "原负责人退休", "李站长")
    out = tmp_path / "answer.inspbundle"
    export_bundle(sdb, folder, unlock_identity(folder, STATION_PASS), SELF_RESULTS, out)
    assert outgoing(sdb, orgs[0]) == []  # sent with this bundle: not sent again with the next

    report = import_bundle(db, data, out, keyring=keyring)
    assert report.added["corrections"] == 1
    waiting = pending(db)
    assert [p["id"] for p in waiting] == [proposal["id"]]
    assert waiting[0]["org_id"] == orgs[0] and "李站长" in waiting[0]["signer"]
    assert get_register(db, orgs[0])["head"] == "王站长"  # nothing applied before a decision

    again = import_bundle(db, data, out, keyring=keyring)  # idempotent
    assert again.already and len(pending(db)) == 1

    decided = decide(db, proposal["id"], True, "中心", "核实无误")
    assert get_register(db, orgs[0])["head"] == "赵新站长"
    # 川人社函〔2017〕297号 三（一）: a change of 负责人 needs re-registration
    assert decided["reregistration"]
    sdb.conn.close()


def _forged(sdb, folder: Path, eval_id: str, corrections: object) -> tuple[Path, dict[str, bytes]]:  # type: ignore[no-untyped-def]
    """A station's bundle gathered by hand, as a forger would, with the given corrections member."""
    recipient = find_recipient(sdb, None)
    content = station_results_content(sdb, folder, recipient, [eval_id], True)
    content.members[CORRECTIONS_FILE] = json.dumps(corrections, ensure_ascii=False).encode()
    device = EvaluationStore(sdb).device
    _m, members = seal(content, SELF_RESULTS, unlock_identity(folder, STATION_PASS), device, recipient)
    return folder, members


@pytest.mark.parametrize(
    ("corrections", "where"),
    [
        ({"not": "a list"}, "register_corrections.json"),
        ([{"id": "x"}], "register_corrections.json"),
        (
            [
                {
                    "id": "a" * 32,
                    "field": "region",  # the centre's own entry, not the station's to change
                    "old": "四川",
                    "new": "重庆",
                    "reason": "r",
                    "proposed_at": "2026-05-01T08:00:00.000+00:00",
                    "by": "李站长",
                }
            ],
            "register_corrections.json",
        ),
    ],
)
def test_a_hostile_corrections_member_refuses_the_whole_bundle(
    centre,  # noqa: F811
    tmp_path: Path,
    corrections: object,
    where: str,
) -> None:
    data, db, _plan_id, _orgs, keyring, folder, sdb = _station_ready(centre, tmp_path)
    eval_id = _signed_self_assessment(sdb, folder)
    _folder, members = _forged(sdb, folder, eval_id, corrections)
    out = tmp_path / "forged.inspbundle"
    write_bundle(out, members)
    before = db.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    with pytest.raises(BundleError) as refused:
        import_bundle(db, data, out, keyring=keyring)
    assert refused.value.where is not None and refused.value.where.startswith(where)
    assert db.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == before  # nothing changed
    assert pending(db) == []
    sdb.conn.close()
