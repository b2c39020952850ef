"""Evaluations: one visit to one organisation, scored against one pinned rubric version.

The log of :mod:`inspector.store.changes` is the truth; the ``evaluations`` and ``heads`` tables are
indexes derived from it (:func:`apply_change` maintains them, ``audit`` rebuilds and compares).
Every public write is one ``BEGIN IMMEDIATE … COMMIT`` under ``synchronous=FULL``: when it
returns, the change is on disk; when it raises, nothing was written.

State is derived, never stored apart: *signed* once a lock change exists; *complete* when every
item has exactly one current answer (an observation or not-applicable) and no conflict; else
*draft*.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlite_utils

from inspector.clock import now
from inspector.errors import NotFoundError, ObservationError, StoreError, UsageError
from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.rubric.observations import Observation, parse_observation
from inspector.rubric.points import ZERO
from inspector.rubric.scoring import Report, VetoMark, score, score_item
from inspector.store.changes import CREATE, LOCK, META, OBSERVE, SIGN, VETO, Change, loads
from inspector.store.db import transaction
from inspector.store.log import CENT, HeadValue, apply_change, chain_tip, device_id, points_c
from inspector.store.rubrics import get_rubric

KINDS = ("inspection", "self", "recheck")
STATES = ("draft", "complete", "signed")
VETO_PREFIX = "veto:"


def default_author() -> str:
    for var in ("INSPECTOR_USER",):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    id: str
    rubric_id: str
    rubric_version: int
    rubric_hash: str
    org_id: str
    org_name: str
    kind: str
    visit_date: str | None
    team: list[dict[str, Any]]
    revision: int
    previous_id: str | None
    amend_reason: str | None
    items: int
    created_at: str
    created_by: str
    updated_at: str
    signed_at: str | None
    answered: int
    conflicts: int

    @property
    def state(self) -> str:
        if self.signed_at:
            return "signed"
        if self.answered >= self.items and not self.conflicts:
            return "complete"
        return "draft"

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rubric": self.rubric_id,
            "rubric_version": self.rubric_version,
            "org": self.org_id,
            "org_name": self.org_name,
            "kind": self.kind,
            "state": self.state,
            "visit_date": self.visit_date,
            "revision": self.revision,
            "previous": self.previous_id,
            "answered": self.answered,
            "items": self.items,
            "conflicts": self.conflicts,
            "updated_at": self.updated_at,
        }


_EVAL_SELECT = """
    SELECT e.*, o.name AS org_name,
        COALESCE(h.answered, 0) AS answered, COALESCE(h.conflicts, 0) AS conflicts
    FROM evaluations e JOIN orgs o ON o.id = e.org_id
    LEFT JOIN (
        SELECT eval_id,
            SUM(CASE WHEN winner = 1 AND answered = 1 AND item_id NOT LIKE 'veto:%' THEN 1 ELSE 0 END)
                AS answered,
            COUNT(*) - COUNT(DISTINCT item_id) AS conflicts
        FROM heads {where_heads} GROUP BY eval_id
    ) h ON h.eval_id = e.id
"""


def _evaluation(row: sqlite3.Row) -> Evaluation:
    return Evaluation(
        id=row["id"],
        rubric_id=row["rubric_id"],
        rubric_version=row["rubric_version"],
        rubric_hash=row["rubric_hash"],
        org_id=row["org_id"],
        org_name=row["org_name"],
        kind=row["kind"],
        visit_date=row["visit_date"],
        team=loads(row["team"]),
        revision=row["revision"],
        previous_id=row["previous_id"],
        amend_reason=row["amend_reason"],
        items=row["items"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        updated_at=row["updated_at"],
        signed_at=row["signed_at"],
        answered=row["answered"],
        conflicts=row["conflicts"],
    )


@dataclass(frozen=True)
class Current:
    """The current value of one item (or veto): its winning change, and rivals if in conflict."""

    change: Change
    rivals: tuple[Change, ...]

    @property
    def observation(self) -> Observation | None:
        c = self.change
        if c.payload is None or c.kind != OBSERVE:
            return None
        assert c.item_id is not None
        return parse_observation(c.payload, c.item_id)


class EvaluationStore:
    """Evaluations in one data folder's database, written by one device and author."""

    def __init__(self, db: sqlite_utils.Database, author: str | None = None) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.author = author or default_author()
        self._rubrics: dict[tuple[str, int], Rubric] = {}  # stored rubric versions never change
        with transaction(db) as conn:
            self.device = device_id(conn)

    # -- rubrics pinned by evaluations -----------------------------------------------------------
    def rubric(self, rubric_id: str, version: int, digest: str | None = None) -> Rubric:
        key = (rubric_id, version)
        r = self._rubrics.get(key)
        if r is None:
            r = self._rubrics[key] = get_rubric(self.db, rubric_id, version)
        if digest is not None and r.content_hash != digest:
            raise StoreError(
                _("评估表 {id} 第{v}版的内容与评估所用版本不一致").format(id=rubric_id, v=version), rubric_id
            )
        return r

    # -- building changes -----------------------------------------------------------------------
    def _change(
        self,
        conn: sqlite3.Connection,
        eval_id: str,
        item_id: str | None,
        kind: str,
        payload: Any,
        parents: Sequence[str] = (),
    ) -> Change:
        seq, tip = chain_tip(conn, self.device, eval_id)
        return Change(
            id=uuid.uuid4().hex,
            eval_id=eval_id,
            item_id=item_id,
            kind=kind,
            payload=payload,
            parents=tuple(parents),
            author=self.author,
            device_id=self.device,
            device_seq=seq + 1,
            wall_time=now(),
            prev_hash=tip,
        ).sealed()

    def _apply(self, conn: sqlite3.Connection, c: Change) -> None:
        apply_change(conn, c, self.rubric)

    # -- evaluations ----------------------------------------------------------------------------
    def create(
        self,
        rubric_id: str,
        org_id: str,
        kind: str = "inspection",
        *,
        visit_date: str | None = None,
        team: Sequence[Mapping[str, Any]] = (),
        rubric_version: int | None = None,
        previous: Evaluation | None = None,
        amend_reason: str | None = None,
    ) -> Evaluation:
        if kind not in KINDS:
            raise UsageError(_("评估类型应为 {kinds} 之一").format(kinds="、".join(KINDS)), kind)
        rubric = get_rubric(self.db, rubric_id, rubric_version)
        org = self.conn.execute("SELECT id, name, code FROM orgs WHERE id = ?", (org_id,)).fetchone()
        if org is None:
            raise NotFoundError(_("没有这个机构"), org_id)
        if visit_date is not None:
            _check_date(visit_date)
        eval_id = uuid.uuid4().hex
        payload = {
            "rubric": rubric.id,
            "rubric_version": rubric.version,
            "rubric_hash": rubric.content_hash,
            "org": {"id": org["id"], "name": org["name"], "code": org["code"]},
            "kind": kind,
            "visit_date": visit_date,
            "team": [dict(m) for m in team],
            "revision": previous.revision + 1 if previous else 1,
            "previous_id": previous.id if previous else None,
            "amend_reason": amend_reason,
        }
        with transaction(self.db) as conn:
            self._apply(conn, self._change(conn, eval_id, None, CREATE, payload))
            if previous is not None:
                for item_id, cur in self.current(previous.id).items():
                    if cur.change.payload is not None:
                        kind_ = VETO if item_id.startswith(VETO_PREFIX) else OBSERVE
                        self._apply(conn, self._change(conn, eval_id, item_id, kind_, cur.change.payload))
        return self.get(eval_id)

    def get(self, eval_id: str) -> Evaluation:
        sql = _EVAL_SELECT.format(where_heads="WHERE eval_id = :id") + " WHERE e.id = :id"
        row = self.conn.execute(sql, {"id": eval_id}).fetchone()
        if row is None:
            raise NotFoundError(_("没有这个评估"), eval_id)
        return _evaluation(row)

    def list_evaluations(self, state: str | None = None) -> list[Evaluation]:
        sql = _EVAL_SELECT.format(where_heads="") + " ORDER BY e.updated_at DESC"
        found = [_evaluation(r) for r in self.conn.execute(sql)]
        return [e for e in found if state is None or e.state == state]

    # -- the log ----------------------------------------------------------------------------------
    def changes(self, eval_id: str, item_id: str | None = None) -> list[Change]:
        if item_id is None:
            rows = self.conn.execute(
                "SELECT * FROM changes WHERE eval_id = ? ORDER BY wall_time, device_id, device_seq",
                (eval_id,),
            )
        else:
            rows = self.conn.execute(
                "SELECT * FROM changes WHERE eval_id = ? AND item_id = ? ORDER BY wall_time, device_id,"
                " device_seq",
                (eval_id, item_id),
            )
        return [Change.from_row(r) for r in rows]

    def current(self, eval_id: str) -> dict[str, Current]:
        rows = self.conn.execute(
            "SELECT c.*, h.winner FROM heads h JOIN changes c"
            " ON c.eval_id = h.eval_id AND c.device_id = h.device_id AND c.device_seq = h.device_seq"
            " WHERE h.eval_id = ?"
            " ORDER BY h.winner DESC",
            (eval_id,),
        ).fetchall()
        out: dict[str, Current] = {}
        for row in rows:
            c = Change.from_row(row)
            assert c.item_id is not None
            if row["winner"]:
                out[c.item_id] = Current(c, ())
            else:
                cur = out[c.item_id]
                out[c.item_id] = Current(cur.change, (*cur.rivals, c))
        return out

    def observations(self, eval_id: str) -> tuple[dict[str, Observation], list[VetoMark]]:
        answers: dict[str, Observation] = {}
        vetoes: list[VetoMark] = []
        for item_id, cur in self.current(eval_id).items():
            if item_id.startswith(VETO_PREFIX):
                p = cur.change.payload
                if p and p.get("veto"):
                    vetoes.append(VetoMark(item_id[len(VETO_PREFIX) :], p.get("note")))
            elif (obs := cur.observation) is not None:
                answers[item_id] = obs
        return answers, vetoes

    def report(self, eval_id: str) -> Report:
        e = self.get(eval_id)
        answers, vetoes = self.observations(eval_id)
        return score(self.rubric(e.rubric_id, e.rubric_version, e.rubric_hash), answers, vetoes)

    # -- writing ----------------------------------------------------------------------------------
    def _writable(self, conn: sqlite3.Connection, eval_id: str) -> Rubric:
        row = conn.execute(
            "SELECT rubric_id, rubric_version, rubric_hash, signed_at FROM evaluations WHERE id = ?",
            (eval_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(_("没有这个评估"), eval_id)
        if row["signed_at"]:
            raise StoreError(_("该评估已签署，只读：如需更改请另建修订版（eval amend）"), eval_id)
        return self.rubric(row["rubric_id"], row["rubric_version"], row["rubric_hash"])

    def _heads(self, conn: sqlite3.Connection, eval_id: str, item_id: str) -> list[str]:
        rows = conn.execute(
            "SELECT change_id FROM heads WHERE eval_id = ? AND item_id = ?", (eval_id, item_id)
        ).fetchall()
        return [r[0] for r in rows]

    def record(self, eval_id: str, item_id: str, observation: Mapping[str, Any] | None) -> Change:
        """Record one item's observation (None clears it) as one durable change.

        The observation is checked against the item's rule first: a refused one writes nothing.
        Recording over a conflict resolves it (the new change supersedes every current head).
        """
        with transaction(self.db) as conn:
            rubric = self._writable(conn, eval_id)
            if not rubric.has_item(item_id):
                raise ObservationError(_("评估表 {r} 没有这个小项").format(r=rubric.id), item_id)
            section = rubric.locate(item_id)[0].code
            payload = None
            head: HeadValue = (section, None, 0)
            if observation is not None:
                obs = parse_observation(dict(observation), item_id)
                result = score_item(rubric.item(item_id), obs)  # refuses what the rule refuses
                payload = obs.to_dict()
                head = (section, points_c(result.points), 1)
            c = self._change(conn, eval_id, item_id, OBSERVE, payload, self._heads(conn, eval_id, item_id))
            apply_change(conn, c, self.rubric, head)
        return c

    def set_veto(self, eval_id: str, veto_id: str, found: bool, note: str | None = None) -> Change:
        with transaction(self.db) as conn:
            rubric = self._writable(conn, eval_id)
            if rubric.veto(veto_id) is None:
                raise ObservationError(_("评估表 {r} 没有这个否决项").format(r=rubric.id), veto_id)
            key = VETO_PREFIX + veto_id
            payload: dict[str, Any] = {"veto": found}
            if note:
                payload["note"] = note
            c = self._change(conn, eval_id, key, VETO, payload, self._heads(conn, eval_id, key))
            self._apply(conn, c)
        return c

    def set_meta(self, eval_id: str, **fields: Any) -> Change:
        unknown = set(fields) - {"team", "visit_date"}
        if unknown:
            raise UsageError(_("不能修改：{names}").format(names="、".join(sorted(unknown))))
        if fields.get("visit_date") is not None:
            _check_date(fields["visit_date"])
        with transaction(self.db) as conn:
            self._writable(conn, eval_id)
            c = self._change(conn, eval_id, None, META, fields)
            self._apply(conn, c)
        return c

    def sign(self, eval_id: str, signers: Iterable[Mapping[str, Any]]) -> Evaluation:
        """Sign-off: each signer's record, then the lock; refused unless complete."""
        signers = [dict(s) for s in signers]
        if not signers or not all(str(s.get("name", "")).strip() for s in signers):
            raise UsageError(_("签署须至少有一名签署人，且写明姓名"))
        e = self.get(eval_id)
        if e.state == "signed":
            raise StoreError(_("该评估已签署"), eval_id)
        if e.state != "complete":
            missing = e.items - e.answered
            raise StoreError(
                _("评估尚未完成：还有 {n} 个小项未评分，或存在冲突 {c} 处").format(n=missing, c=e.conflicts),
                eval_id,
            )
        with transaction(self.db) as conn:
            self._writable(conn, eval_id)
            for s in signers:
                self._apply(conn, self._change(conn, eval_id, None, SIGN, s))
            # the lock names its causal past (every chain's last change the signers held): after
            # it, only those apply anywhere (docs/bundle-format.md, who may change what, rule 1)
            past = {
                str(r[0]): int(r[1])
                for r in conn.execute(
                    "SELECT device_id, MAX(device_seq) FROM changes WHERE eval_id = ? GROUP BY device_id",
                    (eval_id,),
                )
            }
            self._apply(
                conn, self._change(conn, eval_id, None, LOCK, {"signers": len(signers), "past": past})
            )
        return self.get(eval_id)

    def amend(self, eval_id: str, reason: str) -> Evaluation:
        """A new revision of a signed evaluation, carrying its answers; the old one stays as it was."""
        if not reason.strip():
            raise UsageError(_("修订须写明理由"))
        old = self.get(eval_id)
        if old.state != "signed":
            raise StoreError(_("只有已签署的评估需要修订；未签署的评估可直接修改"), eval_id)
        return self.create(
            old.rubric_id,
            old.org_id,
            old.kind,
            visit_date=old.visit_date,
            team=old.team,
            rubric_version=old.rubric_version,
            previous=old,
            amend_reason=reason,
        )

    def totals(self, evaluations: Sequence[Evaluation]) -> dict[str, dict[str, Any]]:
        """Total, vetoes and outcome of many evaluations in one pass over the heads index."""
        wanted = {e.id: e for e in evaluations}
        sums: dict[str, dict[str | None, int]] = {e: {} for e in wanted}
        vetoed: dict[str, int] = {}
        rows = self.conn.execute(
            "SELECT eval_id, section, SUM(points_c), SUM(CASE WHEN item_id LIKE 'veto:%' THEN answered END)"
            " FROM heads WHERE winner = 1 GROUP BY eval_id, section"
        )
        for eval_id, section, points, vetoes in rows:
            if eval_id in wanted:
                sums[eval_id][section] = points or 0
                vetoed[eval_id] = vetoed.get(eval_id, 0) + (vetoes or 0)
        out = {}
        for eval_id, e in wanted.items():
            rubric = self.rubric(e.rubric_id, e.rubric_version)
            base = bonus = ZERO
            for s in rubric.sections:
                points = Decimal(sums[eval_id].get(s.code, 0)) / CENT
                if s.bonus:
                    bonus += min(points, s.points)
                else:
                    base += points
            outcome = (
                rubric.outcome_for(base + bonus, vetoed.get(eval_id, 0) > 0) if rubric.outcomes else None
            )
            out[eval_id] = {
                "total": base + bonus,
                "max_points": rubric.max_points,
                "vetoed": vetoed.get(eval_id, 0) > 0,
                "outcome": {"code": outcome.code, "label": outcome.label} if outcome else None,
            }
        return out

    def _latest(self, e: Evaluation, where: str, *args: Any) -> Evaluation | None:
        row = self.conn.execute(
            "SELECT id FROM evaluations WHERE org_id = ? AND rubric_id = ? AND id != ? AND "
            + where
            + " ORDER BY COALESCE(visit_date, created_at) DESC, created_at DESC LIMIT 1",
            (e.org_id, e.rubric_id, e.id, *args),
        ).fetchone()
        return self.get(row[0]) if row else None

    def self_assessment_for(self, e: Evaluation) -> Evaluation | None:
        """The station's own self-assessment against the same form, to show beside an inspection."""
        if e.kind == "self":
            return None
        return self._latest(e, "kind = 'self'")

    def previous_for(self, e: Evaluation) -> Evaluation | None:
        """For a re-check: the last signed inspection of the same station against the same form."""
        since = e.visit_date or e.created_at
        return self._latest(
            e, "kind != 'self' AND signed_at IS NOT NULL AND COALESCE(visit_date, created_at) <= ?", since
        )

    def signatures(self, eval_id: str) -> list[Change]:
        return [c for c in self.changes(eval_id) if c.kind == SIGN]


def _check_date(text: str) -> None:
    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UsageError(_("日期应写成 YYYY-MM-DD"), str(text)) from None
