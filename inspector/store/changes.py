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
        """The same change with its hash filled in."""
        return Change(**{**self.hashed_fields(), "parents": self.parents, "hash": self.compute_hash()})

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
