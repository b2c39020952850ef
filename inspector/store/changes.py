"""One change to an evaluation: the unit of the append-only, hash-chained log.

Every mark an inspector makes, every veto, the evaluation's creation and its signing are changes.
A change names the changes it supersedes (``parents``): on one laptop that is simply the item's
previous value; when a team's logs are merged, two changes with the same parent are a conflict
that stays visible until someone resolves it with a change superseding both.

Each device numbers its changes (``device_seq``) and chains them per evaluation: ``prev_hash`` is
the hash of the same device's previous change to the same evaluation, and ``hash`` covers every
field that matters. Editing any stored change afterwards breaks the chain, and ``eval audit`` says
where. (Chaining per evaluation rather than across a whole device lets a bundle carry one
evaluation's history without gaps.)
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from inspector.rubric.points import json_number

GENESIS = "0" * 64

# kinds of change
CREATE = "create"  # the evaluation's header: rubric pinned, organisation, kind, team
OBSERVE = "observe"  # an item's observation (payload None: cleared again)
VETO = "veto"  # a veto condition found (payload {"veto": true|false, "note"})
META = "meta"  # header fields changed (team, visit date)
SIGN = "sign"  # one person's sign-off
LOCK = "lock"  # the evaluation is signed and read-only from here
KINDS = (CREATE, OBSERVE, VETO, META, SIGN, LOCK)

_MS_BITS = (1 << 48) - 1


def new_change_id() -> str:
    """A new change's id: 32 lower-case hex digits, as a random UUID's were, laid out as a UUIDv7
    (RFC 9562, section 5.7): a 48-bit Unix time in milliseconds, the version 7, 12 random bits,
    the variant 10 and 62 random bits.

    Why time first: ``supersedes`` is a b-tree keyed by the superseded change's id, so a random id
    puts every mark's row at a random place in it (a page split there now and then, the page of
    another part of the tree written); a time-ordered id puts it at the tree's right edge, in the
    page the previous marks wrote (issue 18, P2: bench/bench_store.py counts the pages). Nothing
    reads an order or a meaning into a change id: the log is ordered by time, device and sequence,
    a conflict's winner by time and then device (``inspector.store.log._refresh_winner``), a
    bundle takes any id of 1-64 letters, digits, ``_.-``; the id is hashed with the change as
    before. The time in it is the change's own ``wall_time``, which the change carries anyway.
    74 random bits keep two changes in the same millisecond apart (a collision would need about
    2^37 changes within that one millisecond). Ids made before (random, version 4) stay as they
    are, mixed with these in the same tables: an id is compared only for equality."""
    r = os.urandom(10)  # 80 bits, 74 used
    ms = time.time_ns() // 1_000_000 & _MS_BITS
    return (ms.to_bytes(6, "big") + bytes((0x70 | r[0] & 0x0F, r[1], 0x80 | r[2] & 0x3F)) + r[3:]).hex()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A payload read back with parse_float=Decimal must print exactly as it was hashed.
        return json_number(value)
    raise TypeError(f"not canonical JSON: {type(value).__name__}")


# One encoder and one decoder for the process: json.dumps/json.loads build a new one per call, which
# was a third of the cost of a call here (a bundle import canonicalises every change three times).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)
_DECODER = json.JSONDecoder(parse_float=Decimal)


def loads(text: str) -> Any:
    """JSON with exact decimals, the inverse of :func:`canonical`."""
    return _DECODER.decode(text)


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text; the input of every hash."""
    return _ENCODER.encode(value)


@dataclass(frozen=True)
class Change:
    id: str
    eval_id: str
    item_id: str | None
    kind: str
    payload: Any
    parents: tuple[str, ...]
    author: str
    device_id: str
    device_seq: int
    wall_time: str
    prev_hash: str
    hash: str = field(default="")

    def hashed_fields(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "eval_id": self.eval_id,
            "item_id": self.item_id,
            "kind": self.kind,
            "payload": self.payload,
            "parents": list(self.parents),
            "author": self.author,
            "device_id": self.device_id,
            "device_seq": self.device_seq,
            "wall_time": self.wall_time,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical(self.hashed_fields()).encode("utf-8")).hexdigest()

    def sealed(self) -> Change:
        """The same change with its hash filled in (every mark pays for this: the fields once)."""
        return Change(
            self.id, self.eval_id, self.item_id, self.kind, self.payload, self.parents, self.author,
            self.device_id, self.device_seq, self.wall_time, self.prev_hash, self.compute_hash(),
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {**self.hashed_fields(), "hash": self.hash}

    @staticmethod
    def from_row(row: Any) -> Change:
        """From a ``changes`` row (sqlite3.Row or mapping)."""
        return Change(
            id=row["id"],
            eval_id=row["eval_id"],
            item_id=row["item_id"],
            kind=row["kind"],
            payload=loads(row["payload"]) if row["payload"] is not None else None,
            parents=tuple(json.loads(row["parents"])),
            author=row["author"],
            device_id=row["device_id"],
            device_seq=row["device_seq"],
            wall_time=row["wall_time"],
            prev_hash=row["prev_hash"],
            hash=row["hash"],
        )

    @staticmethod
    def from_json(data: dict[str, Any]) -> Change:
        return Change(
            id=str(data["id"]),
            eval_id=str(data["eval_id"]),
            item_id=data.get("item_id"),
            kind=str(data["kind"]),
            payload=data.get("payload"),
            parents=tuple(str(p) for p in data.get("parents", [])),
            author=str(data["author"]),
            device_id=str(data["device_id"]),
            device_seq=int(data["device_seq"]),
            wall_time=str(data["wall_time"]),
            prev_hash=str(data["prev_hash"]),
            hash=str(data.get("hash", "")),
        )
