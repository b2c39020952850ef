"""``results PLAN --json`` written piece by piece (issue 18 S3: one plan holding 100,000 stations).

:func:`desk_json_chunks` yields the text of ``json.dumps(desk.as_json(), ensure_ascii=False,
separators=(",", ":"))`` in pieces, the same characters, without the document's 100,000 JSON objects
and its 90 MB of text existing at once: each target's object is written from its :class:`DeskRow`,
the parts of a row that repeat across a province (its region and visit day, its state, score,
outcome and flags) encoded once per distinct value and reused; the other lists in chunks.
tests/centre/test_desk_equivalence.py compares the joined pieces with the one-document encoding of
every plan, byte for byte, on both engines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from inspector.centre.results import Announcement, Desk, DeskRow, target_json

try:  # the C function json.dumps itself uses for a string when ensure_ascii is off
    from _json import encode_basestring as _enc
except ImportError:  # pragma: no cover - CPython always has it
    from json.encoder import py_encode_basestring as _enc

CHUNK = 1000  # rows per piece: a few hundred kB of text
_CACHE_LIMIT = 50_000  # distinct parts kept per document (a province repeats a few hundred)

Default = Callable[[Any], Any] | None


def _nul(s: str | None) -> str:
    return "null" if s is None else _enc(s)


class _Parts:
    """The compact JSON of the keys ``keys`` of a row's object (no braces), once per distinct value
    of the row's fields ``at`` (what those keys are made of)."""

    def __init__(self, keys: Sequence[str], at: slice, of: Callable[[Any], dict[str, Any]], default: Default):
        self.keys, self.at, self.of, self.default = keys, at, of, default
        self.made: dict[tuple[Any, ...], str] = {}

    def __call__(self, row: tuple[Any, ...]) -> str:
        key = row[self.at]
        text = self.made.get(key)
        if text is None:
            whole = self.of(row)
            part = {k: whole[k] for k in self.keys}
            text = json.dumps(part, ensure_ascii=False, separators=(",", ":"), default=self.default)[1:-1]
            if len(self.made) >= _CACHE_LIMIT:
                self.made.clear()
            self.made[key] = text
        return text


def _targets(rows: Iterable[DeskRow], default: Default) -> Iterator[str]:
    # DeskRow: 0 org_id 1 org_name 2 org_code | 3–8 category … record_due | 9 eval_id |
    # 10–15 state … vetoes | 16 self_eval_id | 17–29 self_total … self_signed_by
    place = _Parts(
        ("category", "region", "date", "team", "team_names", "record_due"), slice(3, 9), target_json, default
    )
    found = _Parts(("state", "total", "max_points", "outcome", "vetoes"), slice(10, 16), target_json, default)
    rest = _Parts(
        (
            "self_total", "self_difference", "differing_items", "rectification", "record_overdue",
            "renewal_apply_by", "renewal_overdue", "applicant_type", "review_only", "review_opinion",
            "decision_due", "decision_overdue", "self_station_signed", "self_signed_by",
        ),
        slice(17, 30),
        target_json,
        default,
    )  # fmt: skip
    for r in rows:
        yield (
            f'{{"org":{_enc(r[0])},"org_name":{_enc(r[1])},"org_code":{_nul(r[2])},{place(r)},'
            f'"eval":{_nul(r[9])},{found(r)},"self_eval":{_nul(r[16])},{rest(r)}}}'
        )


def _announced(rows: Iterable[Announcement], default: Default) -> Iterator[str]:
    # Announcement: 0 org_id 1 org_name 2 org_code | 3–6 category … outcome_label | 7 scope
    def of(row: tuple[Any, ...]) -> dict[str, Any]:
        return Announcement(*row).as_json()

    where = _Parts(("category", "region", "outcome"), slice(3, 7), of, default)
    for a in rows:
        r = (a.org_id, a.org_name, a.org_code, a.category, a.region, a.outcome_code, a.outcome_label, a.scope)
        yield (
            f'{{"org":{_enc(r[0])},"org_name":{_enc(r[1])},"org_code":{_nul(r[2])},{where(r)},'
            f'"scope":{_enc(r[7])}}}'
        )


def _objects(items: Sequence[Any], default: Default) -> Iterator[str]:
    for i in range(0, len(items), CHUNK):
        text = json.dumps(
            [x.as_json() for x in items[i : i + CHUNK]],
            ensure_ascii=False,
            separators=(",", ":"),
            default=default,
        )
        yield text[1:-1]


def _array(pieces: Iterable[str]) -> Iterator[str]:
    """``[a,b,…]`` of the pieces, joined CHUNK at a time."""
    yield "["
    batch: list[str] = []
    first = True
    for p in pieces:
        batch.append(p)
        if len(batch) >= CHUNK:
            yield ("" if first else ",") + ",".join(batch)
            first, batch = False, []
    if batch:
        yield ("" if first else ",") + ",".join(batch)
    yield "]"


def desk_json_chunks(desk: Desk, default: Default = None) -> Iterator[str]:
    """The compact JSON text of ``desk.as_json()`` in pieces (``default``: as ``json.dumps``'s)."""

    def small(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)

    yield '{"plan":' + small(desk.plan.as_json())
    yield ',"today":' + small(desk.today.isoformat())
    yield ',"counts":' + small(desk.counts())
    yield ',"targets":'
    yield from _array(_targets(desk.targets, default))
    yield ',"differences":'
    yield from _array(_objects(desk.differences, default))
    yield ',"recheck_seed":' + small(desk.recheck_seed)
    yield ',"recheck":'
    yield from _array(_objects(desk.recheck, default))
    yield ',"rectifications":'
    yield from _array(_objects(desk.rectifications, default))
    yield ',"demonstration":'
    yield from _array(_objects(desk.demonstration, default))
    yield ',"announcement":'
    yield from _array(_announced(desk.announcement, default))
    yield ',"overdue":'
    yield from _array(_objects(desk.overdue, default))
    yield "}"
