"""Fuzzing who may change what: mutated manifests and inner members, signed by a real team member.

The signature holds (the sender is genuine), so every mutation reaches the content and authority
checks. Whatever comes in: never a traceback (only the product's own errors), and a refused bundle
leaves the centre exactly as it was. A seeded loop, so that a failure replays.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

import pytest

from inspector.errors import InspectorError
from inspector.store.changes import KINDS, OBSERVE, Change, canonical
from tests.bundle_support import RUBRIC, dump, signed_pdf
from tests.bundles.authority_support import Teams, chain, change, teams, teams_template

__all__ = ["teams", "teams_template"]  # fixtures

ITEMS = ("1.1.1", "4.1.1", "4.2.1", "veto:V1", "9.9.9", None)
WALLS = (
    "now",
    "2019-01-01T00:00:00.000+08:00",
    "2099-01-01T00:00:00.000+00:00",
    "garbage",
    "",
    "2026-02-30T00:00:00Z",
)
NAMES = ("张建国", "李秀英", "王志强", "赵敏", "测试", "四川省职业技能鉴定指导中心", "")
PAYLOADS: tuple[Any, ...] = (
    None, {"problems": 1}, {"met": False}, {"veto": True}, {"team": []}, {"visit_date": "2026-01-01"},
    {"signers": 1, "past": {}}, {"signers": 1}, {"name": "x"}, [], "text", 7, {"points": 999},
)  # fmt: skip


def _mutate_change(rnd: random.Random, t: Teams, c: Change, devices: list[str]) -> Change:
    fields = c.hashed_fields()
    key = rnd.choice(("eval_id", "item_id", "kind", "payload", "author", "device_id", "wall_time", "parents"))
    if key == "eval_id":
        fields[key] = rnd.choice((t.w.eval_id, t.eval_b, t.w.self_id, "0" * 32, "x"))
    elif key == "item_id":
        fields[key] = rnd.choice(ITEMS)
    elif key == "kind":
        fields[key] = rnd.choice((*KINDS, "delete"))
    elif key == "payload":
        fields[key] = rnd.choice(PAYLOADS)
    elif key == "author":
        fields[key] = rnd.choice(NAMES)
    elif key == "device_id":
        fields[key] = rnd.choice(devices)
    elif key == "wall_time":
        wall = rnd.choice(WALLS)
        fields[key] = c.wall_time if wall == "now" else wall
    else:
        fields[key] = [rnd.choice(("a" * 32, c.id, "")) for _i in range(rnd.randint(0, 2))]
    fields["parents"] = tuple(fields["parents"])
    made = Change(**fields)
    return made.sealed() if rnd.random() < 0.85 else Change(**{**fields, "hash": c.hash})


def _members(rnd: random.Random, t: Teams, changes: list[Change]) -> tuple[dict[str, bytes], dict[str, int]]:
    members = {"changes.jsonl": b"".join(canonical(c.to_json()).encode() + b"\n" for c in changes)}
    counts: dict[str, int] = {}
    roll = rnd.random()
    if roll < 0.15:
        org = {
            "id": rnd.choice((t.w.org_id, t.org_b, "new-org")),
            "name": rnd.choice(("伪造", " ")),
            "details": {},
        }
        members["orgs.json"] = canonical([org]).encode()
        counts["orgs"] = 1
    elif roll < 0.3:
        text = (
            t.w.db(t.w.centre).conn.execute("SELECT toml FROM rubrics WHERE id = ?", (RUBRIC,)).fetchone()[0]
        )
        version = rnd.choice((1, 2, 99))
        text = text.replace("version = 1\n", f"version = {version}\n", 1)
        if rnd.random() < 0.5:
            text = text.replace("min = 60\n", "min = 0\n", 1)
        members[f"rubrics/{RUBRIC}-v{version}.toml"] = text.encode()
        counts["rubrics"] = 1
    elif roll < 0.42:
        pdf = rnd.choice((b"%PDF-1.7 junk\n%%EOF\n", b"not a pdf", signed_pdf(t.w, t.w.laptops[0])[:-40]))
        digest = hashlib.sha256(pdf).hexdigest()
        target = rnd.choice((t.w.eval_id, t.eval_b))
        members["pdfs.json"] = canonical([{"eval": target, "sha256": digest, "name": "x.pdf"}]).encode()
        members[f"pdfs/{target}/{digest}.pdf"] = pdf
        counts["pdfs"] = 1
    return members, counts


def _manifest_edit(rnd: random.Random, counts: dict[str, int], devices: list[str]) -> Any:
    choice = rnd.random()

    def edit(m: dict[str, Any]) -> None:
        m["counts"].update(counts)
        if choice < 0.1:
            m["sender"]["device"] = rnd.choice(devices)
        elif choice < 0.18:
            m["created"] = rnd.choice(("2019-01-01T00:00:00.000+00:00", "2099-01-01T00:00:00.000+00:00", "x"))
        elif choice < 0.24:
            m["counts"]["changes"] += rnd.choice((-1, 1))
        elif choice < 0.3:
            m["evaluations"] = []
        elif choice < 0.35:
            m["since"] = [{"eval": "0" * 32, "device": "1" * 32, "after": 3}]

    return edit


@pytest.mark.parametrize("seed", range(4))
def test_mutated_bundles_from_a_genuine_member_never_crash_and_refusals_change_nothing(
    teams: Teams, seed: int
) -> None:
    t = teams
    rnd = random.Random(seed)
    lead = t.w.laptops[0]
    devices = [t.device(lead), t.device(t.w.centre), t.device(t.w.laptops[1]), "f" * 32, "0" * 31]
    outcomes = {"refused": 0, "imported": 0, "held": 0}
    for n in range(30):
        own = f"{seed:x}{n:03x}".ljust(32, "e")
        base = chain(
            change(
                t.w.eval_id, OBSERVE, "4.1.1", {"problems": rnd.randint(0, 3)}, device=own, author="张建国"
            ),
            change(t.w.eval_id, OBSERVE, "4.2.1", {"problems": 0}, device=own, author="张建国"),
        )
        changes = [_mutate_change(rnd, t, c, devices) if rnd.random() < 0.4 else c for c in base]
        members, counts = _members(rnd, t, changes)
        before = dump(t.w.centre)
        try:
            bundle = t.send(lead, t.w.centre, [], device=own, members=members,
                            manifest_edit=_manifest_edit(rnd, counts, devices))  # fmt: skip
            report = t.import_(t.w.centre, bundle)
        except InspectorError as e:
            assert e.message and "Traceback" not in e.message
            assert dump(t.w.centre) == before, (seed, n, e)
            outcomes["refused"] += 1
            continue
        outcomes["held" if report.held else "imported"] += 1
    assert outcomes["refused"] > 0 and outcomes["imported"] + outcomes["held"] > 0
