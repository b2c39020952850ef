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
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from inspector.clock import not_a_real_date, now
from inspector.errors import NotFoundError, ObservationError, StoreError, UsageError
from inspector.i18n import _
from inspector.rubric.model import Outcome, Rubric
from inspector.rubric.observations import Observation, check_text, parse_observation
from inspector.rubric.points import fmt
from inspector.rubric.scoring import Report, VetoMark, disallowed, refusal_text, score, score_item
from inspector.store.changes import (
    CREATE,
    GENESIS,
    LOCK,
    META,
    OBSERVE,
    SIGN,
    VETO,
    Change,
    canonical,
    loads,
    new_change_id,
)
from inspector.store.db import transaction
from inspector.store.figures import ItemHeads, knows
from inspector.store.folder_role import STATION_SIGNED_SQL, check_station_write
from inspector.store.log import CENT, HeadValue, apply_change, chain_tip, device_id, points_c
from inspector.store.rubrics import PinnedRubrics, get_rubric
from inspector.store.signing_checks import refusal, sign_check

if TYPE_CHECKING:
    import sqlite_utils

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
    #: the team as stored (JSON), parsed when first asked for: lists of 100,000 evaluations
    #: (the statistics) never look at it
    team_json: str
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

    @cached_property
    def team(self) -> list[dict[str, Any]]:
        return list(loads(self.team_json))

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


class Scored(Protocol):
    """What :meth:`EvaluationStore.totals` and :meth:`EvaluationStore.self_assessments_for` read of an
    evaluation: an :class:`Evaluation`, or a narrow row of the same fields (the desk reads 100,000 of
    them, issue 18 S1/S3, without building an Evaluation each)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def org_id(self) -> str: ...
    @property
    def rubric_id(self) -> str: ...
    @property
    def rubric_version(self) -> int: ...
    @property
    def items(self) -> int: ...
    @property
    def answered(self) -> int: ...
    @property
    def conflicts(self) -> int: ...


# The kept figures' columns EvaluationStore.totals_of reads, in its order.
FIGURES_COLUMNS = (
    "base_c, bonus_c, vetoes, refused, fixed_total, fixed_base, fixed_bonus, fixed_outcome, fixed_label"
)


# answered: the items with a current answer; conflicts: the losing heads of items in conflict; both
# kept by the write path in eval_figures (schema v9, inspector.store.figures), not counted per read.
# A missing figures row (never expected: ``eval audit`` reports it) reads as nothing answered. The
# latest change's time is kept there too (schema v13); evaluations.updated_at is the creation's.
_LAST_CHANGE = "COALESCE(f.updated_at, e.updated_at)"
_EVAL_SELECT = f"""
    SELECT e.*, o.name AS org_name, COALESCE(f.answered, 0) AS answered,
        COALESCE(f.conflicts, 0) AS conflicts, {_LAST_CHANGE} AS last_change
    FROM evaluations e JOIN orgs o ON o.id = e.org_id LEFT JOIN eval_figures f ON f.eval_id = e.id
"""


# What a mark reads first, in one statement (issue 18, P2): the evaluation's pinned form, its kept
# figures (the columns figures.item_changed reads, in its order), whether it is signed, this device's
# chain tip on it, and the item's heads, one row each (one row with NULLs when it has none).
_MARK_READ = (
    "SELECT e.rubric_id, e.rubric_version, e.rubric_hash, f.answered, f.conflicts, f.sections, f.vetoes,"
    " f.lost, f.updated_at, f.refused, e.signed_at, t.device_seq, t.hash,"
    " h.change_id, h.section, h.points_c, h.answered, h.winner"
    " FROM evaluations e LEFT JOIN eval_figures f ON f.eval_id = e.id"
    " LEFT JOIN changes t ON t.eval_id = e.id AND t.device_id = ? AND t.device_seq ="
    " (SELECT MAX(device_seq) FROM changes WHERE eval_id = e.id AND device_id = ?)"
    " LEFT JOIN heads h ON h.eval_id = e.id AND h.item_id = ?"
    " WHERE e.id = ?"
)


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
        team_json=row["team"],
        revision=row["revision"],
        previous_id=row["previous_id"],
        amend_reason=row["amend_reason"],
        items=row["items"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        updated_at=row["last_change"],
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
        self.rubric = PinnedRubrics(db)
        if db.conn.in_transaction:  # made inside the caller's (a move audits its copy before committing it)
            self.device = device_id(db.conn)
        else:
            with transaction(db) as conn:
                self.device = device_id(conn)

    # -- building changes -----------------------------------------------------------------------
    def _change(
        self,
        conn: sqlite3.Connection,
        eval_id: str,
        item_id: str | None,
        kind: str,
        payload: Any,
        parents: Sequence[str] = (),
        tip: tuple[int, str] | None = None,
    ) -> Change:
        """A new change of this device's, sealed onto its chain's tip (``tip``: as the caller read it
        in this transaction, else read here: never cached across transactions, as the command line
        and the window may write into the same chain)."""
        seq, prev = chain_tip(conn, self.device, eval_id) if tip is None else tip
        return Change(
            id=new_change_id(),
            eval_id=eval_id,
            item_id=item_id,
            kind=kind,
            payload=payload,
            parents=tuple(parents),
            author=self.author,
            device_id=self.device,
            device_seq=seq + 1,
            wall_time=now(),
            prev_hash=prev,
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
        check_station_write(self.conn, kind, org_id)  # a station opens only its own self-assessment
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
                    if not knows(rubric, item_id):
                        # a stray mark the pinned form lacks (a folder written by an older program):
                        # no point on this form; carried, it would make the revision unscorable
                        continue
                    if cur.change.payload is not None:
                        kind_ = VETO if item_id.startswith(VETO_PREFIX) else OBSERVE
                        self._apply(conn, self._change(conn, eval_id, item_id, kind_, cur.change.payload))
        return self.get(eval_id)

    def get(self, eval_id: str) -> Evaluation:
        sql = _EVAL_SELECT + " WHERE e.id = :id"
        row = self.conn.execute(sql, {"id": eval_id}).fetchone()
        if row is None:
            raise NotFoundError(_("没有这个评估"), eval_id)
        return _evaluation(row)

    def get_many(self, eval_ids: Iterable[str]) -> dict[str, Evaluation]:
        """Many evaluations in one query (the ids ride in as one JSON parameter: no limit on how
        many); ids not found are left out."""
        ids = canonical(sorted(set(eval_ids)))
        sql = _EVAL_SELECT + " WHERE e.id IN (SELECT value FROM json_each(:ids))"
        return {row["id"]: _evaluation(row) for row in self.conn.execute(sql, {"ids": ids})}

    def list_evaluations(
        self, state: str | None = None, *, rubric_id: str | None = None, inspections: bool = False
    ) -> list[Evaluation]:
        """Every evaluation, most recently changed first; or those in ``state``, of one form, or
        (``inspections``) only the inspections and re-checks, never self-assessments. The filters are
        applied in the query: the statistics read 100,000 signed ones out of more."""
        where = ["1 = 1"]
        params: list[Any] = []
        if state == "signed":
            where.append("e.signed_at IS NOT NULL")
        elif state is not None:
            where.append("e.signed_at IS NULL")
        if rubric_id is not None:
            where.append("e.rubric_id = ?")
            params.append(rubric_id)
        if inspections:
            where.append("e.kind != 'self'")
        sql = _EVAL_SELECT + " WHERE " + " AND ".join(where) + f" ORDER BY {_LAST_CHANGE} DESC"
        found = [_evaluation(r) for r in self.conn.execute(sql, params)]
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
        return current_heads(self.conn, eval_id)

    def observations(self, eval_id: str) -> tuple[dict[str, Observation], list[VetoMark]]:
        return current_observations(self.conn, eval_id)

    def report(self, eval_id: str) -> Report:
        """The score recomputed from the log (marks scored as recorded: see ``score_item``)."""
        self.get(eval_id)  # a missing evaluation is said as such
        return recorded_report(self.conn, eval_id, self.rubric)

    def fixed(self, eval_id: str) -> Fixed | None:
        """The total and outcome fixed at signing (None: unsigned, or signed before they were kept)."""
        row = self.conn.execute(
            "SELECT payload FROM changes WHERE eval_id = ? AND kind = ? ORDER BY wall_time LIMIT 1",
            (eval_id, LOCK),
        ).fetchone()
        return fixed_from_lock(loads(row[0]) if row else None)

    def signed_check(self, eval_id: str) -> SignedCheck:
        """The signed result beside a recomputation: a difference is flagged, never shown silently."""
        report = self.report(eval_id)
        fixed = self.fixed(eval_id)
        return SignedCheck(report, fixed, fixed.differs(report) if fixed else None)

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

    def record(
        self, eval_id: str, item_id: str, observation: Observation | Mapping[str, Any] | None
    ) -> Change:
        """Record one item's observation (None clears it) as one durable change.

        The window passes an :class:`Observation` it has parsed once; a mapping (an answers file,
        the contract's JSON) is parsed here. The observation is checked against the item's rule
        first: a refused one writes nothing. Recording over a conflict resolves it (the new change
        supersedes every current head).
        """
        with transaction(self.db) as conn:
            # one read: the evaluation (its form, and whether signed), its kept figures, this
            # device's chain tip on it and the item's heads (a row each; one row with none)
            rows = conn.execute(_MARK_READ, (self.device, self.device, item_id, eval_id)).fetchall()
            if not rows:
                raise NotFoundError(_("没有这个评估"), eval_id)
            first = tuple(rows[0])
            if first[10]:
                raise StoreError(_("该评估已签署，只读：如需更改请另建修订版（eval amend）"), eval_id)
            rubric = self.rubric(first[0], first[1], first[2])
            tip = (0, GENESIS) if first[11] is None else (int(first[11]), str(first[12]))
            parents = [str(r[13]) for r in rows if r[13] is not None]
            winner = next(((r[14], r[15], int(r[16])) for r in rows if r[13] is not None and r[17]), None)
            before: ItemHeads = (winner, len(parents))
            stray = not rubric.has_item(item_id)
            # clearing a stray mark of an item the form lacks (a folder written by an older program)
            # is the one write such an item takes: it puts the evaluation right for the engine
            if stray and (observation is not None or not parents):
                raise ObservationError(_("评估表 {r} 没有这个小项").format(r=rubric.id), item_id)
            section = None if stray else rubric.locate(item_id)[0].code
            payload = None
            head: HeadValue = (section, None, 0)
            if observation is not None:
                if isinstance(observation, Observation):
                    # made by a caller, not read here: checked as its stored form will be read back
                    # (a negative count, an unknown tier or criterion, a ratio above 1 would be
                    # written durably, give points beyond the item's and make the log unreadable)
                    obs = parse_observation(observation.to_dict(), item_id, new=True)
                else:
                    obs = parse_observation(dict(observation), item_id, new=True)
                result = score_item(rubric.item(item_id), obs)  # refuses what the rule refuses
                payload = obs.to_dict()
                head = (section, points_c(result.points), 1)
            c = self._change(conn, eval_id, item_id, OBSERVE, payload, parents, tip)
            # checked: scored above as a new mark, so the form takes it (no second reading)
            apply_change(
                conn, c, self.rubric, head, received_at=c.wall_time, before=before,
                figures_row=first[:10], checked=payload is not None,
            )  # fmt: skip
        return c

    def set_veto(self, eval_id: str, veto_id: str, found: bool, note: str | None = None) -> Change:
        with transaction(self.db) as conn:
            rubric = self._writable(conn, eval_id)
            if rubric.veto(veto_id) is None:
                raise ObservationError(_("评估表 {r} 没有这个否决项").format(r=rubric.id), veto_id)
            key = VETO_PREFIX + veto_id
            payload: dict[str, Any] = {"veto": found}
            if note:
                payload["note"] = check_text(note, "note", veto_id)
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
        """Sign-off: each signer's record, then the lock; refused while :func:`sign_check` finds a blocker."""
        signers = [dict(s) for s in signers]
        if not signers or not all(str(s.get("name", "")).strip() for s in signers):
            raise UsageError(_("签署须至少有一名签署人，且写明姓名"))
        check = sign_check(self, eval_id)
        if check.signed:
            raise StoreError(_("该评估已签署"), eval_id)
        if not check.ok:  # unanswered, conflicts, a deduction or a veto that does not say what was found
            raise StoreError(refusal(check), eval_id)
        with transaction(self.db) as conn:
            self._writable(conn, eval_id)
            report = self.report(eval_id)
            why = disallowed(report)  # the one check the kept figures' refusal shows too
            if why is not None:
                raise StoreError(_("不能签署：{why}").format(why=why), eval_id)
            for s in signers:
                self._apply(conn, self._change(conn, eval_id, None, SIGN, s))
            # the lock names its causal past (every chain's last change the signers held): after
            # it, only those apply anywhere (docs/bundle-format.md, who may change what, rule 1);
            # and the figures fixed at signing, never recomputed
            past = {
                str(r[0]): int(r[1])
                for r in conn.execute(
                    "SELECT device_id, MAX(device_seq) FROM changes WHERE eval_id = ? GROUP BY device_id",
                    (eval_id,),
                )
            }
            lock = {"signers": len(signers), "past": past, **fixed_payload(report)}
            self._apply(conn, self._change(conn, eval_id, None, LOCK, lock))
        return self.get(eval_id)

    def move_to_version(self, eval_id: str, version: int, reason: str) -> Change:
        """Move a draft to another version of its form: an explicit act, recorded in the log.

        Refused for a signed evaluation (amend it), for a version that does not exist, and while a
        current observation would be refused by the new version (the message names the items).
        """
        if not reason.strip():
            raise UsageError(_("改用新版评估表须写明理由"))
        with transaction(self.db) as conn:
            old = self._writable(conn, eval_id)
            new = get_rubric(self.db, old.id, version)
            if new.version == old.version:
                raise UsageError(_("该评估已在使用评估表 {id} 第{v}版").format(id=old.id, v=version), eval_id)
            problems = []
            for item_id, cur in self.current(eval_id).items():
                if item_id.startswith(VETO_PREFIX):
                    if new.veto(item_id[len(VETO_PREFIX) :]) is None and cur.change.payload:
                        problems.append(_("{id}：新版没有这个否决项").format(id=item_id))
                    continue
                if cur.change.payload is None:
                    continue
                if not new.has_item(item_id):
                    problems.append(_("{id}：新版没有这个小项").format(id=item_id))
                    continue
                try:
                    score_item(new.item(item_id), parse_observation(cur.change.payload, item_id))
                except ObservationError as err:
                    problems.append(f"{item_id}：{err.message}")
            if problems:
                raise StoreError(
                    _("不能改用第{v}版：以下记录新版不接受，请先清除或改记：{p}").format(
                        v=version, p="；".join(problems)
                    ),
                    eval_id,
                )
            payload = {
                "rubric_version": new.version,
                "rubric_hash": new.content_hash,
                "from_version": old.version,
                "reason": reason.strip(),
            }
            c = self._change(conn, eval_id, None, META, payload)
            self._apply(conn, c)
        return c

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

    def totals(self, evaluations: Sequence[Scored]) -> dict[str, Totals]:
        """Total, vetoes and outcome of many evaluations, read from the figures the write path keeps
        (schema v9, :mod:`inspector.store.figures`): one row per evaluation, in one query.

        The same figures as :meth:`report` (tests/store/test_totals.py and test_figures.py pin them
        together; ``eval audit`` recomputes them); a signed evaluation's are those fixed at signing,
        with ``differs`` saying whether a recomputation disagrees.
        """
        wanted = {e.id: e for e in evaluations}
        rows = self.conn.execute(
            f"SELECT eval_id, {FIGURES_COLUMNS} FROM eval_figures"
            " WHERE eval_id IN (SELECT value FROM json_each(?))",
            (canonical(sorted(wanted)),),
        )
        return self.totals_of(((wanted[r[0]], tuple(r[1:])) for r in rows), wanted)

    def totals_of(
        self, figures: Iterable[tuple[Scored, Sequence[Any]]], wanted: Iterable[str]
    ) -> dict[str, Totals]:
        """:meth:`totals` from rows already read: each evaluation with its figures' columns
        (:data:`FIGURES_COLUMNS`, read in the caller's own query: the desk reads them with the
        evaluations, issue 18 S1/S3); every id of ``wanted`` must have its row."""
        # Many evaluations share their figures (a form's totals repeat across a province): a Totals
        # is immutable, so one is built per distinct (form, figures, fixed figures, state) and shared.
        made: dict[tuple[Any, ...], Totals] = {}
        out: dict[str, Totals] = {}
        for e, (base_c, bonus_c, vetoes, refused, *fixed_row) in figures:
            eval_id = e.id
            rubric = self.rubric(e.rubric_id, e.rubric_version)
            is_vetoed = vetoes != "[]"
            provisional = e.answered < e.items or e.conflicts > 0
            key = (id(rubric), base_c, bonus_c, is_vetoed, provisional, e.conflicts, refused, *fixed_row)
            t = made.get(key)
            if t is None and refused is not None:  # the engine gives no total: neither does the desk
                why = refusal_text(refused)  # kept in parts: put into the reader's language
                t = Totals(None, None, None, rubric.max_points, False, None, True, e.conflicts, refused=why)
            if t is None:
                base, bonus = Decimal(base_c) / CENT, Decimal(bonus_c) / CENT
                total = base + bonus
                t = Totals(
                    total=total,
                    base=base,
                    bonus=bonus,
                    max_points=rubric.max_points,
                    vetoed=is_vetoed,
                    outcome=rubric.outcome_for(total, is_vetoed) if rubric.outcomes else None,
                    provisional=provisional,
                    conflicts=e.conflicts,
                )
            if key not in made:
                if fixed_row[0] is not None:
                    ftotal, fbase, fbonus, code, label = fixed_row
                    t = Fixed(Decimal(ftotal), Decimal(fbase), Decimal(fbonus), code, label).apply(t)
                made[key] = t
            out[eval_id] = t
        missing = sorted(set(wanted) - set(out))
        if missing:  # never expected (the write path and the migration make every row): say so, loudly
            raise StoreError(_("评估的分数汇总缺失，请运行 eval audit"), missing[0])
        return out

    def _latest(self, e: Evaluation, where: str, *args: Any) -> Evaluation | None:
        row = self.conn.execute(
            "SELECT id FROM evaluations WHERE org_id = ? AND rubric_id = ? AND id != ? AND "
            + where
            + " ORDER BY COALESCE(visit_date, created_at) DESC, created_at DESC LIMIT 1",
            (e.org_id, e.rubric_id, e.id, *args),
        ).fetchone()
        return self.get(row[0]) if row else None

    def self_assessments_for(self, evaluations: Iterable[Scored]) -> dict[str, Evaluation]:
        """:meth:`self_assessment_for` of many evaluations in two queries: inspection id → the
        station's latest self-assessment against the same form (the same order as one by one)."""
        wanted = [e for e in evaluations if e.kind != "self"]
        if not wanted:
            return {}
        # the station's own signed figures win over any typed in at the centre (issue 19)
        rows = self.conn.execute(
            "SELECT e.id, e.org_id, e.rubric_id FROM evaluations e WHERE e.kind = 'self'"
            " AND e.org_id IN (SELECT value FROM json_each(?))"
            f" ORDER BY {STATION_SIGNED_SQL}, COALESCE(e.visit_date, e.created_at), e.created_at",
            (canonical(sorted({e.org_id for e in wanted})),),
        )
        latest = {(org, rubric): eval_id for eval_id, org, rubric in rows}  # later rows win
        found = self.get_many(latest.values())
        return {
            e.id: found[latest[(e.org_id, e.rubric_id)]]
            for e in wanted
            if (e.org_id, e.rubric_id) in latest and latest[(e.org_id, e.rubric_id)] != e.id
        }

    def self_assessment_for(self, e: Evaluation) -> Evaluation | None:
        """The station's own self-assessment against the same form, to show beside an inspection
        (one it signed and sent itself first, else the latest typed in)."""
        if e.kind == "self":
            return None
        return self.self_assessments_for([e]).get(e.id)

    def previous_for(self, e: Evaluation) -> Evaluation | None:
        """For a re-check: the last signed inspection of the same station against the same form."""
        since = e.visit_date or e.created_at
        return self._latest(
            e, "kind != 'self' AND signed_at IS NOT NULL AND COALESCE(visit_date, created_at) <= ?", since
        )

    def signatures(self, eval_id: str) -> list[Change]:
        return [c for c in self.changes(eval_id) if c.kind == SIGN]


@dataclass(frozen=True)
class Totals:
    """One evaluation's figures, as :meth:`EvaluationStore.totals` computes them (``total``, ``base``
    and ``bonus`` None, with ``refused`` saying why, where the scoring engine refuses the marks)."""

    total: Decimal | None
    base: Decimal | None
    bonus: Decimal | None
    max_points: Decimal
    vetoed: bool
    outcome: Outcome | None
    #: items unanswered or a team conflict unresolved: not a result yet
    provisional: bool = False
    conflicts: int = 0
    #: fixed at signing
    signed: bool = False
    #: a recomputation disagrees with what was fixed at signing (flag it, never show it silently)
    differs: bool = False
    #: why the scoring engine refuses the marks as a whole (then no total and no outcome)
    refused: str | None = None

    def outcome_json(self) -> dict[str, str] | None:
        return {"code": self.outcome.code, "label": self.outcome.label} if self.outcome else None


@dataclass(frozen=True)
class Fixed:
    """What was fixed at signing: kept in the lock change, never recomputed."""

    total: Decimal
    base: Decimal
    bonus: Decimal
    outcome_code: str | None
    outcome_label: str | None

    def differs(self, report: Report) -> str | None:
        code = report.outcome.code if report.outcome else None
        if report.total == self.total and code == self.outcome_code:
            return None
        return _(
            "按现行程序重新计算为 {t} 分（{o}），与签署时确定的 {f} 分（{g}）不一致；以签署时为准"
        ).format(
            t=fmt(report.total),
            o=report.outcome.label if report.outcome else "—",
            f=fmt(self.total),
            g=self.outcome_label or "—",
        )

    def apply(self, t: Totals) -> Totals:
        differs = t.total != self.total or (t.outcome.code if t.outcome else None) != self.outcome_code
        outcome = t.outcome
        if self.outcome_code is not None and (outcome is None or outcome.code != self.outcome_code):
            outcome = Outcome(self.outcome_code, self.outcome_label or self.outcome_code)
        elif outcome is not None and self.outcome_label and outcome.label != self.outcome_label:
            outcome = Outcome(outcome.code, self.outcome_label)
        return Totals(
            total=self.total,
            base=self.base,
            bonus=self.bonus,
            max_points=t.max_points,
            vetoed=t.vetoed,
            outcome=outcome,
            provisional=False,
            conflicts=t.conflicts,
            signed=True,
            differs=differs,
            refused=t.refused,
        )


@dataclass(frozen=True)
class SignedCheck:
    report: Report
    fixed: Fixed | None
    #: why the recomputation differs from what was fixed at signing (None: it does not)
    differs: str | None


def fixed_payload(report: Report) -> dict[str, Any]:
    """The figures a lock change keeps (exact decimals as strings)."""
    return {
        "total": fmt(report.total),
        "base": fmt(report.base),
        "bonus": fmt(report.bonus),
        "outcome": report.outcome.code if report.outcome else None,
        "outcome_label": report.outcome.label if report.outcome else None,
    }


def fixed_from_lock(payload: Any) -> Fixed | None:
    if not isinstance(payload, dict) or "total" not in payload:
        return None  # signed before the figures were kept: nothing fixed to compare with
    try:
        return Fixed(
            total=Decimal(str(payload["total"])),
            base=Decimal(str(payload.get("base", payload["total"]))),
            bonus=Decimal(str(payload.get("bonus", 0))),
            outcome_code=payload.get("outcome"),
            outcome_label=payload.get("outcome_label"),
        )
    except (ArithmeticError, ValueError):
        return None


def _check_date(text: str) -> None:
    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        if not_a_real_date(text):
            raise UsageError(_("“{v}”不是真实存在的日期").format(v=text), str(text)) from None
        raise UsageError(_("日期应写成 YYYY-MM-DD"), str(text)) from None


def count_evaluations(db: sqlite_utils.Database) -> int:
    """How many evaluations the folder holds (reads only: no device id is made)."""
    return int(db.conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0])


def evaluation_choices(db: sqlite_utils.Database) -> list[tuple[str, str, str | None, str]]:
    """(id, organisation name, visit date, kind) of every evaluation, most recently changed first:
    what a list to pick evaluations from shows."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in db.conn.execute(
            "SELECT e.id, o.name, e.visit_date, e.kind FROM evaluations e JOIN orgs o ON o.id = e.org_id"
            f" LEFT JOIN eval_figures f ON f.eval_id = e.id ORDER BY {_LAST_CHANGE} DESC"
        )
    ]


def current_heads(conn: sqlite3.Connection, eval_id: str) -> dict[str, Current]:
    """Each item's winning head, with its rivals while a team conflict is unresolved."""
    rows = conn.execute(
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


def current_observations(
    conn: sqlite3.Connection, eval_id: str
) -> tuple[dict[str, Observation], list[VetoMark]]:
    answers: dict[str, Observation] = {}
    vetoes: list[VetoMark] = []
    for item_id, cur in current_heads(conn, eval_id).items():
        if item_id.startswith(VETO_PREFIX):
            p = cur.change.payload
            if p and p.get("veto"):
                vetoes.append(VetoMark(item_id[len(VETO_PREFIX) :], p.get("note")))
        elif (obs := cur.observation) is not None:
            answers[item_id] = obs
    return answers, vetoes


def recorded_report(conn: sqlite3.Connection, eval_id: str, rubric_for: Any) -> Report:
    """The score of the evaluation's current marks, read on ``conn`` (inside a caller's transaction
    too: a bundle's lock is checked against it before it applies)."""
    row = conn.execute(
        "SELECT rubric_id, rubric_version, rubric_hash FROM evaluations WHERE id = ?", (eval_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个评估"), eval_id)
    answers, vetoes = current_observations(conn, eval_id)
    return score(rubric_for(row[0], row[1], row[2]), answers, vetoes, recorded=True)
