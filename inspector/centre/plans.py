"""Plans (campaigns), their targets, and the random dispatch run through the store.

A plan has one rubric, a kind (routine 日常 / special 专项), a year and optionally a region and a
period; a target is one organisation in the plan (at most once) with its visit day.

``run_dispatch`` draws teams for every target not yet staffed, with the rules and the draw of
:mod:`inspector.centre.dispatch` (reused as they are): the roster is the active people with their
histories (:func:`inspector.centre.people.roster`), the plan's kind sets the special-team minimum.
Everything happens in one transaction, so two windows cannot draw from the same history at once,
and a refused draw stores nothing. What is stored is the published record (``dispatches.record``):
the seed, the roster exactly as the rules saw it (cards, employers, roles, histories), the targets,
and each team with the pool it was drawn from; :func:`verify_dispatch` re-runs the draw from it.
Pools are stored as positions in the record's roster (sorted by id) so that a campaign of 2,000
targets and 500 supervisors does not store the same ids a million times.

Record deadlines: when the plan's rulebook has one (福建办法 第三章七: the external supervisor's
record of a routine supervision, 5 working days after the visit), on the Chinese calendar
(:mod:`inspector.centre.workdays`). When the last working day falls in a year whose holiday
arrangement is not known yet (it is published each November), the draw goes on and the deadline
is stored empty, never guessed; once the year is known (a newer program, or the notice entered
with ``inspector calendar add``), :func:`assigned` fills it in on reading. The published record
keeps what was known at the draw.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from inspector.centre.common import iso, new_id, optional_day, today
from inspector.centre.dispatch import (
    PLAN_KINDS,
    SUPERVISOR_KINDS,
    Draw,
    DrawRules,
    Ground,
    PlanKind,
    Supervisor,
    Target,
    TeamBelowPrinciple,
    Visit,
    dispatch,
    draw,
)
from inspector.centre.people import roster
from inspector.centre.rulebook import Rulebook
from inspector.centre.rulebooks import (
    default_rulebook_id,
    draw_rules,
    find_rulebook,
    pin_rulebook,
    stored_rulebook,
)
from inspector.centre.workdays import due_date
from inspector.clock import now
from inspector.errors import NotFoundError, StoreError, UsageError
from inspector.i18n import _
from inspector.store.changes import canonical, loads
from inspector.store.db import transaction
from inspector.store.evaluations import Evaluation, EvaluationStore, default_author
from inspector.store.orgs import org_names
from inspector.store.rubrics import get_rubric

if TYPE_CHECKING:
    import sqlite_utils

RECORD_FORMAT = "inspector-dispatch-2"  # -1: made before rulebooks (verified under DrawRules.legacy)
ALGORITHM = (
    "inspector.centre.dispatch: targets in (date, org id) order; for each, the eligible pool sorted by id; "
    "random.Random(f'{seed}:{org}:{date}') (seed version 2); partial Fisher-Yates: pick i swaps "
    "position i with i + int(random() * (len(pool) - i))"
)


@dataclass(frozen=True)
class Plan:
    id: str
    rubric_id: str
    title: str
    kind: PlanKind
    year: int
    region: str | None
    starts: dt.date | None
    ends: dt.date | None
    created_at: str
    rulebook_hash: str | None = None  # None: made before rulebooks, reads its rubric's default

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rubric": self.rubric_id,
            "rulebook_hash": self.rulebook_hash,
            "title": self.title,
            "kind": self.kind,
            "year": self.year,
            "region": self.region,
            "starts": iso(self.starts),
            "ends": iso(self.ends),
            "created_at": self.created_at,
        }

    def check_day(self, day: dt.date, where: str) -> None:
        if (self.starts and day < self.starts) or (self.ends and day > self.ends):
            raise UsageError(
                _("督导日期 {d} 不在计划期间 {s} 至 {e} 内").format(
                    d=day.isoformat(), s=iso(self.starts) or "…", e=iso(self.ends) or "…"
                ),
                where,
            )


@dataclass(frozen=True)
class PlanTarget:
    plan_id: str
    org_id: str
    visit_date: dt.date | None
    state: str  # planned | dispatched | cancelled
    eval_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan_id,
            "org": self.org_id,
            "visit_date": iso(self.visit_date),
            "state": self.state,
            "eval": self.eval_id,
        }


@dataclass(frozen=True)
class Assigned:
    """A target's current (not withdrawn) team."""

    dispatch_id: str
    org_id: str
    visit_date: dt.date
    record_due: dt.date | None
    team: tuple[str, ...]  # person ids in the order drawn


def kind_label(kind: str) -> str:
    """The plan kind as the window's plans desk says it."""
    return _("专项督导") if kind == "special" else _("日常督导")


def _plan(row: sqlite3.Row) -> Plan:
    return Plan(
        id=row["id"],
        rubric_id=row["rubric_id"],
        title=row["title"],
        kind=row["kind"],
        year=row["year"],
        region=row["region"],
        starts=optional_day(row["starts"]),
        ends=optional_day(row["ends"]),
        created_at=row["created_at"],
        rulebook_hash=row["rulebook_hash"],
    )


def plan_rulebook(db: sqlite_utils.Database, plan: Plan) -> Rulebook:
    """The rulebook a plan names; a plan made before rulebooks reads the one for its rubric."""
    if plan.rulebook_hash:
        return stored_rulebook(db, plan.rulebook_hash)
    return find_rulebook(db, default_rulebook_id(plan.rubric_id, get_rubric(db, plan.rubric_id).issuer))


def plan_rules(db: sqlite_utils.Database, plan: Plan) -> DrawRules:
    return draw_rules(plan_rulebook(db, plan))


def new_plan(
    db: sqlite_utils.Database,
    rubric_id: str,
    title: str,
    kind: str,
    *,
    year: int | None = None,
    region: str | None = None,
    starts: dt.date | str | None = None,
    ends: dt.date | str | None = None,
    rulebook: str | None = None,
) -> Plan:
    """A new plan naming its rulebook: ``rulebook`` (an id or a stored hash), else the rubric's own."""
    title = title.strip()
    if not title:
        raise UsageError(_("计划名称不能为空"))
    if kind not in PLAN_KINDS:
        raise UsageError(_("督导类型应为 routine（日常）或 special（专项），收到 {kind}").format(kind=kind))
    issuer = get_rubric(db, rubric_id).issuer  # refuses an unknown rubric
    first, last = optional_day(starts, "starts"), optional_day(ends, "ends")
    if first and last and first > last:
        raise UsageError(
            _("计划开始日期 {s} 晚于结束日期 {e}").format(s=first.isoformat(), e=last.isoformat())
        )
    book = find_rulebook(db, rulebook or default_rulebook_id(rubric_id, issuer))
    plan_id = new_id()
    with transaction(db) as conn:
        book_hash = pin_rulebook(conn, book)
        conn.execute(
            "INSERT INTO plans (id, rubric_id, title, kind, year, region, starts, ends, created_at,"
            " rulebook_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plan_id,
                rubric_id,
                title,
                kind,
                year or (first or today()).year,
                (region or "").strip() or None,
                iso(first),
                iso(last),
                now(),
                book_hash,
            ),
        )
    return get_plan(db, plan_id)


def get_plan(db: sqlite_utils.Database, plan_id: str) -> Plan:
    row = db.conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个计划"), plan_id)
    return _plan(row)


def list_plans(db: sqlite_utils.Database) -> list[Plan]:
    return [_plan(r) for r in db.conn.execute("SELECT * FROM plans ORDER BY year DESC, created_at DESC")]


def _target(row: sqlite3.Row) -> PlanTarget:
    return PlanTarget(
        row["plan_id"], row["org_id"], optional_day(row["visit_date"]), row["state"], row["eval_id"]
    )


def targets(db: sqlite_utils.Database, plan_id: str) -> list[PlanTarget]:
    rows = db.conn.execute(
        "SELECT t.* FROM plan_targets t JOIN orgs o ON o.id = t.org_id WHERE t.plan_id = ?"
        " ORDER BY t.visit_date IS NULL, t.visit_date, o.code, o.name",
        (plan_id,),
    )
    return [_target(r) for r in rows]


def add_target(
    db: sqlite_utils.Database, plan_id: str, org_id: str, visit_date: dt.date | str | None = None
) -> PlanTarget:
    plan = get_plan(db, plan_id)
    day = optional_day(visit_date, "date")
    if day is not None:
        plan.check_day(day, org_id)
    with transaction(db) as conn:
        if conn.execute("SELECT 1 FROM orgs WHERE id = ?", (org_id,)).fetchone() is None:
            raise NotFoundError(_("没有这个机构"), org_id)
        if conn.execute(
            "SELECT 1 FROM plan_targets WHERE plan_id = ? AND org_id = ?", (plan_id, org_id)
        ).fetchone():
            raise UsageError(_("该机构已在本计划中"), org_id)
        insert_targets(conn, plan_id, [org_id], day, now())
    return next(t for t in targets(db, plan_id) if t.org_id == org_id)


def insert_targets(
    conn: sqlite3.Connection, plan_id: str, org_ids: list[str], day: dt.date | None, added_at: str
) -> None:
    """The one INSERT of plan targets, in the caller's transaction (a target added by hand, or the
    organisations a published draw chose)."""
    conn.executemany(
        "INSERT INTO plan_targets (plan_id, org_id, visit_date, added_at) VALUES (?, ?, ?, ?)",
        [(plan_id, org_id, iso(day), added_at) for org_id in org_ids],
    )


def cancel_target(db: sqlite_utils.Database, plan_id: str, org_id: str, reason: str) -> None:
    """Take an organisation out of a plan (station closed, merged…); its team, if any, is withdrawn."""
    _existing(db, plan_id, org_id)
    if not reason.strip():
        raise UsageError(_("取消督导对象须写明理由"), org_id)
    with transaction(db) as conn:
        _withdraw(conn, plan_id, org_id, reason)
        conn.execute(
            "UPDATE plan_targets SET state = 'cancelled' WHERE plan_id = ? AND org_id = ?", (plan_id, org_id)
        )


def _existing(db: sqlite_utils.Database, plan_id: str, org_id: str) -> PlanTarget:
    row = db.conn.execute(
        "SELECT * FROM plan_targets WHERE plan_id = ? AND org_id = ?", (plan_id, org_id)
    ).fetchone()
    if row is None:
        raise NotFoundError(_("该机构不在本计划中"), org_id)
    return _target(row)


# -- current teams ----------------------------------------------------------------------------------


def assigned(db: sqlite_utils.Database, plan_id: str) -> dict[str, Assigned]:
    """Each target's current team, by organisation id."""
    rows = db.conn.execute(
        "SELECT a.dispatch_id, a.org_id, a.visit_date, a.record_due, m.person_id FROM assignments a"
        " JOIN assignment_members m ON m.dispatch_id = a.dispatch_id AND m.org_id = a.org_id"
        " WHERE a.plan_id = ? AND a.withdrawn_at IS NULL ORDER BY a.org_id, m.position",
        (plan_id,),
    )
    teams: dict[str, list[str]] = {}
    heads: dict[str, tuple[str, str, str | None]] = {}
    for dispatch_id, org, day, due, person in rows:
        heads[org] = (dispatch_id, day, due)
        teams.setdefault(org, []).append(person)
    out: dict[str, Assigned] = {}
    plan = get_plan(db, plan_id)
    rules = plan_rules(db, plan)
    kinds = {r[0]: r[1] for r in db.conn.execute("SELECT id, kind FROM people")}
    for org, (d, day, due) in heads.items():
        visit = dt.date.fromisoformat(day)
        record_due = None
        # the plan's rulebook says whether a record is due at all (福建办法 第三章七: 外督, 日常督导)
        if rules.record_due_applies(plan.kind, (kinds.get(p, "") for p in teams[org])):
            # empty when the calendar did not reach that far at the draw; it may now
            record_due = optional_day(due) or due_date(visit, rules.record_due_days or 0)
        out[org] = Assigned(d, org, visit, record_due, tuple(teams[org]))
    return out


def _withdraw(conn: sqlite3.Connection, plan_id: str, org_id: str, reason: str) -> int:
    done = conn.execute(
        "UPDATE assignments SET withdrawn_at = ?, withdrawn_reason = ?"
        " WHERE plan_id = ? AND org_id = ? AND withdrawn_at IS NULL",
        (now(), reason.strip(), plan_id, org_id),
    ).rowcount
    conn.execute(
        "UPDATE plan_targets SET state = 'planned' WHERE plan_id = ? AND org_id = ? AND state = 'dispatched'",
        (plan_id, org_id),
    )
    return int(done)


def withdraw(db: sqlite_utils.Database, plan_id: str, org_id: str, reason: str) -> None:
    """Withdraw a target's team (the published record keeps it); the target can be drawn again."""
    if not reason.strip():
        raise UsageError(_("撤回督导组须写明理由"), org_id)
    with transaction(db) as conn:
        if not _withdraw(conn, plan_id, org_id, reason):
            raise UsageError(_("该机构在本计划中没有督导组"), org_id)


# -- the dispatch ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchRecord:
    id: str
    plan_id: str
    seed: str
    team_size: int
    kind_required: str | None
    created_at: str
    created_by: str
    record: dict[str, Any]

    @property
    def assignments(self) -> list[dict[str, Any]]:
        """Each target's team, in the order drawn: org, date, team, record_due, pool (ids)."""
        ids = [p["id"] for p in self.record["roster"]]
        return [{**a, "pool": [ids[i] for i in a["pool"]]} for a in self.record["assignments"]]


def _roster_json(people: Sequence[Supervisor]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "cert_no": s.cert_no,
            "cert_issued": s.cert_issued.isoformat(),
            "cert_valid_until": iso(s.cert_valid_until),
            "employer_org": s.employer_org,
            "roles_at": sorted(s.roles_at),
            "history": [
                [v.org_id, v.date.isoformat()] for v in sorted(s.history, key=lambda v: (v.date, v.org_id))
            ],
            "internal_at": sorted(s.internal_at),
            "staff_at": sorted(s.staff_at),
            "grounds": [[g.org_id, g.ground, iso(g.since), iso(g.until)] for g in s.grounds],
            "suspended_until": iso(s.suspended_until),
            "annual_fail_year": s.annual_fail_year,
        }
        for s in sorted(people, key=lambda s: s.id)
    ]


def _roster_from_json(entries: Sequence[dict[str, Any]]) -> list[Supervisor]:
    return [
        Supervisor(
            id=e["id"],
            name=e["name"],
            kind=e["kind"],
            cert_no=e["cert_no"],
            cert_issued=dt.date.fromisoformat(e["cert_issued"]),
            cert_valid_until=optional_day(e["cert_valid_until"]),
            employer_org=e["employer_org"],
            roles_at=frozenset(e["roles_at"]),
            history=tuple(Visit(org, dt.date.fromisoformat(day)) for org, day in e["history"]),
            # absent from records made before rulebooks, whose rules did not read them
            internal_at=frozenset(e.get("internal_at", ())),
            staff_at=frozenset(e.get("staff_at", ())),
            grounds=tuple(
                Ground(org, ground, optional_day(since), optional_day(until))
                for org, ground, since, until in e.get("grounds", ())
            ),
            suspended_until=optional_day(e.get("suspended_until")),
            annual_fail_year=e.get("annual_fail_year"),
        )
        for e in entries
    ]


def _unstaffed(db: sqlite_utils.Database, plan: Plan, default_day: dt.date | None) -> list[Target]:
    """The targets a dispatch would draw now: not cancelled, no current team, each with its day."""
    staffed = set(assigned(db, plan.id))
    live = [t for t in targets(db, plan.id) if t.state != "cancelled"]
    todo = [t for t in live if t.org_id not in staffed]
    if not todo and live:
        # every target has its team: drawn already (at another desk, a moment ago, or earlier here)
        last = db.conn.execute(
            "SELECT id, created_by, created_at FROM dispatches WHERE plan_id = ?"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (plan.id,),
        ).fetchone()
        by, at, record = (last[1], last[2], last[0]) if last else ("?", "?", "?")
        message = _(
            "本计划的对象都已抽取：{by} 于 {at} 发布抽取记录 {id}（可能刚由另一工作站抽取），不再重复抽取"
        )
        raise UsageError(message.format(by=by, at=at, id=record), plan.id)
    if not todo:
        raise UsageError(_("本计划没有待抽取的督导对象（请先添加机构）"), plan.id)
    chosen: list[Target] = []
    names = {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM orgs")}
    for t in todo:
        day = t.visit_date or default_day
        where = names.get(t.org_id, t.org_id)  # the station as the clerk knows it
        if day is None:
            raise UsageError(_("该机构没有督导日期：请用 --date 给出，或在添加时指定"), where)
        plan.check_day(day, where)
        chosen.append(Target(t.org_id, day))
    return chosen


def explain_dispatch(
    db: sqlite_utils.Database,
    plan_id: str,
    *,
    team_size: int,
    seed: str | int,
    date: dt.date | str | None = None,
    kind_required: str | None = None,
    override_reason: str | None = None,  # accepted as run_dispatch takes it; nothing is stored here
) -> Draw:
    """The draw :func:`run_dispatch` makes with these arguments, stored nowhere.

    For explaining a refused dispatch: ``blocked`` lists each target without a valid team and
    every person left out of its pool with the rules they fail. (Not a preview to shop for a
    seed with: the window calls it only after ``run_dispatch`` refused.)
    """
    if kind_required is not None and kind_required not in SUPERVISOR_KINDS:
        raise UsageError(
            _("督导员类别应为 internal（内督）或 external（外督），收到 {kind}").format(kind=kind_required)
        )
    plan = get_plan(db, plan_id)
    chosen = _unstaffed(db, plan, optional_day(date, "date"))
    return draw(
        roster(db),
        chosen,
        plan_kind=plan.kind,
        team_size=team_size,
        seed=seed,
        kind_required=kind_required,
        rules=plan_rules(db, plan),
        overridden=frozenset({"team_min"}),  # explaining who is left out, not the team size
    )


def run_dispatch(
    db: sqlite_utils.Database,
    plan_id: str,
    *,
    team_size: int,
    seed: str | int,
    date: dt.date | str | None = None,
    kind_required: str | None = None,
    author: str | None = None,
    override_reason: str | None = None,
) -> DispatchRecord:
    """Draw a team for every target of the plan that has none; store and return the published record.

    A target keeps its own visit day; ``date`` is the day of the others. Raises DispatchError (one
    line naming the blocking rule) when any target has no valid team: then nothing is drawn. The
    draw runs under the plan's rulebook; an in-principle rule (原则上) it would break is gone past
    only with ``override_reason``, recorded in the published record with who gave it.
    """
    if kind_required is not None and kind_required not in SUPERVISOR_KINDS:
        raise UsageError(
            _("督导员类别应为 internal（内督）或 external（外督），收到 {kind}").format(kind=kind_required)
        )
    default_day = optional_day(date, "date")
    plan = get_plan(db, plan_id)
    dispatch_id = new_id()
    reason = (override_reason or "").strip()
    with transaction(db) as conn:
        chosen = _unstaffed(db, plan, default_day)
        book = plan_rulebook(db, plan)
        if plan.rulebook_hash is None:  # a plan made before rulebooks: its first draw pins one
            conn.execute(
                "UPDATE plans SET rulebook_hash = ? WHERE id = ?", (pin_rulebook(conn, book, author), plan.id)
            )
            plan = get_plan(db, plan.id)
        rules = draw_rules(book)
        people = roster(db)
        overridden = frozenset({"team_min"}) if reason else frozenset()
        result = dispatch(
            people,
            chosen,
            plan_kind=plan.kind,
            team_size=team_size,
            seed=seed,
            kind_required=kind_required,
            org_names=org_names(db),
            rules=rules,
            overridden=overridden,
        )
        position = {s.id: i for i, s in enumerate(sorted(people, key=lambda s: s.id))}
        created_at, created_by = now(), author or default_author()
        overrides = []
        least = rules.team_min_for(plan.kind)
        if reason and least is not None and team_size < least:
            rule = book.get("team_min")
            overrides.append(
                {
                    "rule": "team_min",
                    "clause": rule.clause.as_json() if rule and rule.clause else None,
                    "by": created_by,
                    "reason": reason,
                    "team_size": team_size,
                    "min": least,
                }
            )
        record = {
            "format": RECORD_FORMAT,
            "algorithm": ALGORITHM,
            "rulebook": {"id": book.id, "title": book.title, "hash": book.content_hash},
            "rules": rules.as_json(),
            "overrides": overrides,
            "plan": plan.as_json(),
            "seed": result.seed,
            "team_size": team_size,
            "kind_required": kind_required,
            "created_at": created_at,
            "created_by": created_by,
            "roster": _roster_json(people),
            "targets": [{"org": t.org_id, "date": t.date.isoformat()} for t in chosen],
            "assignments": [
                {
                    "org": a.org_id,
                    "date": a.date.isoformat(),
                    "team": list(a.team),
                    "record_due": a.record_due.isoformat() if a.record_due else None,
                    "pool": [position[p] for p in a.pool],
                    # the team leader: the first drawn, marked as drawn (no document names how)
                    "leader": a.team[0],
                    "leader_chosen": rules.leader,
                    "flags": [{"person": p, "rule": "annual_assessment", "year": y} for p, y in a.flags],
                }
                for a in result.assignments
            ],
        }
        conn.execute(
            "INSERT INTO dispatches (id, plan_id, seed, team_size, kind_required, created_at, created_by,"
            " record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dispatch_id,
                plan_id,
                result.seed,
                team_size,
                kind_required,
                created_at,
                created_by,
                canonical(record),
            ),
        )
        conn.executemany(
            "INSERT INTO assignments (dispatch_id, plan_id, org_id, visit_date, record_due)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (
                    dispatch_id,
                    plan_id,
                    a.org_id,
                    a.date.isoformat(),
                    a.record_due.isoformat() if a.record_due else None,
                )
                for a in result.assignments
            ],
        )
        conn.executemany(
            "INSERT INTO assignment_members (dispatch_id, org_id, person_id, position) VALUES (?, ?, ?, ?)",
            [
                (dispatch_id, a.org_id, person, i)
                for a in result.assignments
                for i, person in enumerate(a.team)
            ],
        )
        conn.executemany(
            "UPDATE plan_targets SET visit_date = ?, state = 'dispatched' WHERE plan_id = ? AND org_id = ?",
            [(a.date.isoformat(), plan_id, a.org_id) for a in result.assignments],
        )
    # What was stored, without reading back megabytes of JSON for a large campaign.
    return DispatchRecord(
        dispatch_id, plan_id, result.seed, team_size, kind_required, created_at, created_by, record
    )


def get_dispatch(db: sqlite_utils.Database, dispatch_id: str) -> DispatchRecord:
    row = db.conn.execute("SELECT * FROM dispatches WHERE id = ?", (dispatch_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这次抽取记录"), dispatch_id)
    return DispatchRecord(
        id=row["id"],
        plan_id=row["plan_id"],
        seed=row["seed"],
        team_size=row["team_size"],
        kind_required=row["kind_required"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        record=loads(row["record"]),
    )


def dispatches(db: sqlite_utils.Database, plan_id: str) -> list[DispatchRecord]:
    rows = db.conn.execute("SELECT id FROM dispatches WHERE plan_id = ? ORDER BY created_at", (plan_id,))
    return [get_dispatch(db, r[0]) for r in rows]


def verify_dispatch(db: sqlite_utils.Database, dispatch_id: str) -> list[str]:
    """Re-run the draw from the published record alone; the differences (none when it holds)."""
    rec = get_dispatch(db, dispatch_id)
    r = rec.record
    people = _roster_from_json(r["roster"])
    chosen = [Target(t["org"], dt.date.fromisoformat(t["date"])) for t in r["targets"]]
    problems: list[str] = []
    if "rules" in r:
        rules = DrawRules.from_json(r["rules"])
        # the rulebook the record names must still be stored, unchanged, under its hash; the draw is
        # re-run under the rules the record states (a later program deriving more from the same
        # rulebook must not make an earlier record fail)
        try:
            book = stored_rulebook(db, r["rulebook"]["hash"])
        except NotFoundError:
            problems.append(_("记录所依规则册 {h} 不在数据库中").format(h=r["rulebook"]["hash"]))
        else:
            if book.content_hash != r["rulebook"]["hash"]:
                problems.append(_("记录所依规则册与公布的规则不符"))
    else:
        rules = DrawRules.legacy()  # published before rulebooks: the rules it was drawn under
    overridden = frozenset(o["rule"] for o in r.get("overrides", ()))
    try:
        again = draw(
            people,
            chosen,
            plan_kind=r["plan"]["kind"],
            team_size=r["team_size"],
            seed=r["seed"],
            kind_required=r["kind_required"],
            rules=rules,
            overridden=overridden,
        )
    except TeamBelowPrinciple as e:
        return [*problems, e.message]
    names = org_names(db)
    problems += [
        _("无法组队：{m}").format(m=replace(b, org_id=names.get(b.org_id, b.org_id)).message())
        for b in again.blocked
    ]
    published = {(a["org"], a["date"]): a for a in rec.assignments}
    for a in again.assignments:
        mine = published.pop((a.org_id, a.date.isoformat()), None)
        if mine is None or mine["team"] != list(a.team) or mine["pool"] != list(a.pool):
            problems.append(
                _("{org} {date}：重新抽取的结果与公布的不同").format(org=a.org_id, date=a.date.isoformat())
            )
    problems += [_("{org} {date}：公布了但重新抽取时没有").format(org=o, date=d) for o, d in published]
    return problems


def leader_of(db: sqlite_utils.Database, plan_id: str, org_id: str) -> tuple[str, str] | None:
    """The target's team leader and how they were chosen (``designated`` or ``drawn``)."""
    team = assigned(db, plan_id).get(org_id)
    if team is None:
        return None
    row = db.conn.execute(
        "SELECT person_id FROM plan_leaders WHERE plan_id = ? AND org_id = ?", (plan_id, org_id)
    ).fetchone()
    if row is not None and row[0] in team.team:
        return row[0], "designated"
    if plan_rules(db, get_plan(db, plan_id)).leader == "designated":
        return None
    return team.team[0], "drawn"


def designate_leader(
    db: sqlite_utils.Database, plan_id: str, org_id: str, person_id: str, by: str | None = None
) -> None:
    """The centre names the team leader (组长) of a target's current team (a member of it)."""
    team = assigned(db, plan_id).get(org_id)
    if team is None:
        raise UsageError(_("该机构在本计划中还没有督导组：请先抽取"), org_id)
    if person_id not in team.team:
        raise UsageError(_("组长须是该督导组的成员"), person_id)
    with transaction(db) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO plan_leaders (plan_id, org_id, person_id, designated_by, designated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (plan_id, org_id, person_id, by or default_author(), now()),
        )


def scored_target(db: sqlite_utils.Database, plan: Plan, org_id: str) -> bool:
    """False for a target the plan's rulebook reviews without scoring (重庆 延续备案通知 三（二）1:
    an employer, by the register's 评价机构类型): it gets a review outcome, never a score."""
    from inspector.centre.applicants import reviewed_without_scoring

    book = plan_rulebook(db, plan)
    if not book.has("unscored_review"):
        return True
    row = db.conn.execute("SELECT details FROM orgs WHERE id = ?", (org_id,)).fetchone()
    details = loads(row[0]) if row is not None and row[0] else {}
    return not reviewed_without_scoring(book, details.get("applicant_type"))


def _refuse_unscored(db: sqlite_utils.Database, plan: Plan, org_id: str) -> None:
    from inspector.centre.unscored import refuse_unscored  # the one message, with the rule's clause

    refuse_unscored(db, plan.rubric_id, org_id, [plan_rulebook(db, plan)])


def start_evaluation(
    db: sqlite_utils.Database, plan_id: str, org_id: str, author: str | None = None
) -> Evaluation:
    """Open the inspection of a staffed target: the plan's rubric, its day and team, linked to it.

    The leader is the one the centre designated, else the first drawn (marked as drawn in the
    published record); a rulebook that has the centre designate refuses until it has.
    """
    from inspector.store.desk_grants import require_writes

    # on a server centre: the dispatcher's desk (store/pg_roles.py START_TABLES); refused before
    # the evaluation is made, never after it with the link to the plan missing
    require_writes(db.conn, ("evaluations", "changes", "plan_targets"), _("新建督导对象的检查评估"))
    plan = get_plan(db, plan_id)
    target = _existing(db, plan_id, org_id)
    _refuse_unscored(db, plan, org_id)
    if target.eval_id is not None:
        raise UsageError(_("该机构在本计划中已有评估 {id}").format(id=target.eval_id), org_id)
    team = assigned(db, plan_id).get(org_id)
    if team is None:
        raise UsageError(_("该机构在本计划中还没有督导组：请先抽取"), org_id)
    chosen = leader_of(db, plan_id, org_id)
    if chosen is None:
        raise UsageError(_("本计划的规则册要求由中心指定组长：请先指定（plan leader）"), org_id)
    leader = chosen[0]
    names = {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM people")}
    # Stored data is in the source language whatever the window's language (roles print on forms).
    order = [leader, *(p for p in team.team if p != leader)]
    members = [{"name": names[p], "role": "组长" if p == leader else "组员", "person_id": p} for p in order]
    store = EvaluationStore(db, author)
    e = store.create(
        plan.rubric_id, org_id, "inspection", visit_date=team.visit_date.isoformat(), team=members
    )
    link_evaluation(db, plan_id, org_id, e.id)
    return e


def link_evaluation(db: sqlite_utils.Database, plan_id: str, org_id: str, eval_id: str) -> None:
    """Tie an evaluation (made here or carried in from a laptop) to a plan's target."""
    plan = get_plan(db, plan_id)
    _existing(db, plan_id, org_id)
    _refuse_unscored(db, plan, org_id)
    e = EvaluationStore(db).get(eval_id)
    if e.org_id != org_id or e.rubric_id != plan.rubric_id or e.kind == "self":
        raise StoreError(_("该评估不是本计划对该机构的检查（机构、评估表或类型不符）"), eval_id)
    with transaction(db) as conn:
        conn.execute(
            "UPDATE plan_targets SET eval_id = ? WHERE plan_id = ? AND org_id = ?", (eval_id, plan_id, org_id)
        )
