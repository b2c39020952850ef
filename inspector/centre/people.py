"""The roster of supervisors (质量督导员): cards, recusal grounds, past tasks, reviews, annual record.

A person's card validity is read exactly as the dispatch reads it (inspector.centre.dispatch: three
years, the last valid day the day before the third anniversary unless the card prints its own
end), so the roster never calls a card valid that the draw would refuse, or the other way round.

History is not stored apart: a person's past tasks are the teams of the published dispatches
(withdrawn assignments excluded) and the teams of recorded evaluations that name the person by
``person_id``; the same (organisation, day) from both counts once. These are the visits the
rotation and same-day rules see.

After each task the centre records an evaluation of the supervisor (郑州办法 第十一条: completion of
the task, attitude and grasp of policy, objectivity of the report, any breach of discipline) and
once a year an annual assessment (第十条), which the centre weighs when it suspends someone
(``active = 0``, 福建办法 第二章八 "视情况暂停或取消其资格"); a suspended person is in no pool.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector.centre.common import iso, new_id, optional_day, parse_day, today
from inspector.centre.dispatch import SUPERVISOR_KINDS, Ground, Supervisor, SupervisorKind, Visit, kind_name
from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.store.changes import loads
from inspector.store.db import transaction
from inspector.store.evaluations import default_author
from inspector.store.orgs import plain_text

if TYPE_CHECKING:
    import sqlite_utils

ROLES = ("internal_supervisor", "assessor", "exam_staff")
# After each task: 优秀 良好 合格 不合格. 郑州办法 第十一条 names what is reviewed, not grades: these
# are the centre's own, labelled so (rating_name); the four points are recorded apart.
RATINGS = ("excellent", "good", "pass", "fail")
# Once a year: 优秀 合格 基本合格 不合格. 福建办法 第二章八 names "考核不合格" (so 合格 / 不合格 are the
# document's); 优秀 and 基本合格 are the centre's own grades, labelled so (annual_name).
ANNUAL_RESULTS = ("excellent", "pass", "basic", "fail")
DOCUMENT_ANNUAL = ("pass", "fail")


def role_name(role: str) -> str:
    names = {"internal_supervisor": _("内督"), "assessor": _("考评员"), "exam_staff": _("考务人员")}
    return names.get(role, role)


def rating_name(rating: str) -> str:
    """A task review's grade; every one is the centre's own (第十一条 names no grades)."""
    names = {"excellent": _("优秀"), "good": _("良好"), "pass": _("合格"), "fail": _("不合格")}
    return _("{grade}（本中心自定等次）").format(grade=names.get(rating, rating))


def annual_name(result: str) -> str:
    """An annual result; 优秀 and 基本合格 are the centre's own grades and say so."""
    names = {"excellent": _("优秀"), "pass": _("合格"), "basic": _("基本合格"), "fail": _("不合格")}
    name = names.get(result, result)
    return name if result in DOCUMENT_ANNUAL else _("{grade}（本中心自定等次）").format(grade=name)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    kind: SupervisorKind
    cert_no: str
    cert_issued: dt.date
    cert_valid_until: dt.date | None
    employer_org: str | None
    phone: str | None
    active: bool
    inactive_reason: str | None
    created_at: str
    roles: tuple[tuple[str, str], ...]  # (organisation id, role), sorted
    suspended_until: dt.date | None = None  # 暂停 with a term (included)
    cancelled_at: str | None = None  # 取消资格: final

    @property
    def roles_at(self) -> frozenset[str]:
        return frozenset(org for org, _role in self.roles)

    @property
    def status(self) -> str:
        if self.cancelled_at:
            return "cancelled"
        if self.active:
            return "active"
        return "suspended"

    def supervisor(
        self,
        history: Sequence[Visit] = (),
        grounds: Sequence[Ground] = (),
        annual_fail_year: int | None = None,
    ) -> Supervisor:
        """The person as the dispatch sees them (its constructor re-checks kind and card dates)."""
        return Supervisor(
            id=self.id,
            name=self.name,
            kind=self.kind,
            cert_no=self.cert_no,
            cert_issued=self.cert_issued,
            cert_valid_until=self.cert_valid_until,
            employer_org=self.employer_org,
            roles_at=self.roles_at,
            history=tuple(history),
            internal_at=frozenset(org for org, role in self.roles if role == "internal_supervisor"),
            staff_at=frozenset(org for org, role in self.roles if role != "internal_supervisor"),
            grounds=tuple(grounds),
            suspended_until=self.suspended_until,
            annual_fail_year=annual_fail_year,
        )

    @property
    def cert_last_day(self) -> dt.date:
        return self.supervisor().cert_last_day

    def cert_valid_on(self, day: dt.date) -> bool:
        return self.supervisor().cert_valid_on(day)

    def as_json(self, on: dt.date | None = None) -> dict[str, Any]:
        day = on or today()
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "kind_name": kind_name(self.kind),
            "cert_no": self.cert_no,
            "cert_issued": self.cert_issued.isoformat(),
            "cert_valid_until": iso(self.cert_valid_until),
            "cert_last_day": self.cert_last_day.isoformat(),
            "cert_valid": self.cert_valid_on(day),
            "employer_org": self.employer_org,
            "roles_at": sorted(self.roles_at),
            "roles": [{"org": org, "role": role} for org, role in self.roles],
            "phone": self.phone,
            "active": self.active,
            "inactive_reason": self.inactive_reason,
            "status": self.status,
            "suspended_until": iso(self.suspended_until),
            "cancelled_at": self.cancelled_at,
            "created_at": self.created_at,
        }


def _person(row: sqlite3.Row, roles: Iterable[tuple[str, str]]) -> Person:
    return Person(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        cert_no=row["cert_no"],
        cert_issued=dt.date.fromisoformat(row["cert_issued"]),
        cert_valid_until=optional_day(row["cert_valid_until"]),
        employer_org=row["employer_org"],
        phone=row["phone"],
        active=bool(row["active"]),
        inactive_reason=row["inactive_reason"],
        created_at=row["created_at"],
        roles=tuple(sorted(roles)),
        suspended_until=optional_day(row["suspended_until"]),
        cancelled_at=row["cancelled_at"],
    )


def _all_roles(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for person, org, role in conn.execute("SELECT person_id, org_id, role FROM person_roles"):
        out.setdefault(person, []).append((org, role))
    return out


def _check_org(conn: sqlite3.Connection, org_id: str) -> None:
    if conn.execute("SELECT 1 FROM orgs WHERE id = ?", (org_id,)).fetchone() is None:
        raise NotFoundError(_("没有这个机构"), org_id)


def _check_roles(conn: sqlite3.Connection, roles: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for org, role in roles:
        if role not in ROLES:
            raise UsageError(_("任职类别应为 {roles} 之一").format(roles="、".join(ROLES)), role)
        _check_org(conn, org)
        out.append((org, role))
    return sorted(set(out))


def _check_card(
    person_id: str,
    name: str,
    kind: str,
    cert_no: str,
    cert_issued: dt.date | str,
    cert_valid_until: dt.date | str | None,
) -> tuple[dt.date, dt.date | None]:
    """A card's number and dates checked (refusals name the person); its issue and last days."""
    if not cert_no:
        raise UsageError(_("证卡编号不能为空"), name)
    issued = parse_day(cert_issued, "cert_issued")
    until = optional_day(cert_valid_until, "cert_valid_until")
    # The dispatch's own constructor checks the card dates: one statement of the rule.
    try:
        Supervisor(person_id, name, kind, cert_no, issued, until)  # type: ignore[arg-type]
    except UsageError as e:
        raise UsageError(e.message, name) from None
    return issued, until


def add_person(
    db: sqlite_utils.Database,
    *,
    name: str,
    kind: str,
    cert_no: str,
    cert_issued: dt.date | str,
    cert_valid_until: dt.date | str | None = None,
    employer_org: str | None = None,
    roles: Iterable[tuple[str, str]] = (),
    phone: str | None = None,
) -> Person:
    """Put a certified supervisor on the roster; refused with the reason if anything is off."""
    name, cert_no = plain_text(name, _("姓名"), limit=64), plain_text(cert_no, _("证卡编号"), limit=64)
    phone = (plain_text(phone, _("联系电话"), limit=64) or None) if phone is not None else None
    if not name:
        raise UsageError(_("姓名不能为空"))
    if kind not in SUPERVISOR_KINDS:
        raise UsageError(
            _("督导员类别应为 internal（内督）或 external（外督），收到 {kind}").format(kind=kind), name
        )
    person_id = new_id()
    issued, until = _check_card(person_id, name, kind, cert_no, cert_issued, cert_valid_until)
    with transaction(db) as conn:
        _card_taken(conn, cert_no, None)
        if employer_org:
            _check_org(conn, employer_org)
        checked = _check_roles(conn, roles)
        conn.execute(
            "INSERT INTO people (id, name, kind, cert_no, cert_issued, cert_valid_until, employer_org,"
            " phone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                person_id,
                name,
                kind,
                cert_no,
                issued.isoformat(),
                iso(until),
                employer_org or None,
                (phone or "").strip() or None,
                now(),
            ),
        )
        conn.executemany(
            "INSERT INTO person_roles (person_id, org_id, role) VALUES (?, ?, ?)",
            [(person_id, org, role) for org, role in checked],
        )
    return get_person(db, person_id)


def get_person(db: sqlite_utils.Database, person_id: str) -> Person:
    row = db.conn.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("名册中没有这个督导员"), person_id)
    roles = db.conn.execute("SELECT org_id, role FROM person_roles WHERE person_id = ?", (person_id,))
    return _person(row, [(r[0], r[1]) for r in roles])


def list_people(db: sqlite_utils.Database, *, active_only: bool = False) -> list[Person]:
    roles = _all_roles(db.conn)
    sql = "SELECT * FROM people" + (" WHERE active = 1" if active_only else "") + " ORDER BY name, id"
    return [_person(r, roles.get(r["id"], ())) for r in db.conn.execute(sql)]


def set_roles(db: sqlite_utils.Database, person_id: str, roles: Iterable[tuple[str, str]]) -> Person:
    """Replace where the person acts as internal supervisor, assessor or exam staff."""
    get_person(db, person_id)
    with transaction(db) as conn:
        checked = _check_roles(conn, roles)
        conn.execute("DELETE FROM person_roles WHERE person_id = ?", (person_id,))
        conn.executemany(
            "INSERT INTO person_roles (person_id, org_id, role) VALUES (?, ?, ?)",
            [(person_id, org, role) for org, role in checked],
        )
    return get_person(db, person_id)


def _not_cancelled(person: Person) -> None:
    # 福建办法 第四章一 "被取消资格或不予续聘的人员不得再从事我省技能人才评价质量督导相关工作"
    if person.cancelled_at:
        raise UsageError(
            _("{name} 已被取消资格（{d}）：不得再从事质量督导工作，不能恢复或换证").format(
                name=person.name, d=person.cancelled_at[:10]
            ),
            person.id,
        )


def set_active(
    db: sqlite_utils.Database,
    person_id: str,
    active: bool,
    reason: str | None = None,
    until: dt.date | str | None = None,
) -> Person:
    """Suspend (暂停, with the reason on record and optionally its term) or reinstate a supervisor.

    A suspension with a term keeps the person out of every pool for visits up to that day
    (included) and lets them be drawn after it; one without a term lasts until reinstated. A
    cancelled person (:func:`cancel_person`) can be neither.
    """
    person = get_person(db, person_id)
    _not_cancelled(person)
    if not active and not (reason or "").strip():
        raise UsageError(_("暂停或取消督导员资格须写明理由"), person_id)
    term = None if active else optional_day(until, "until")
    with transaction(db) as conn:
        conn.execute(
            "UPDATE people SET active = ?, inactive_reason = ?, suspended_until = ? WHERE id = ?",
            (int(active), None if active else (reason or "").strip(), iso(term), person_id),
        )
    return get_person(db, person_id)


def cancel_person(db: sqlite_utils.Database, person_id: str, reason: str) -> Person:
    """取消资格: final (福建办法 第四章一): never drawn, reinstated or given a new card again."""
    person = get_person(db, person_id)
    _not_cancelled(person)
    if not reason.strip():
        raise UsageError(_("取消资格须写明理由"), person_id)
    with transaction(db) as conn:
        conn.execute(
            "UPDATE people SET active = 0, inactive_reason = ?, suspended_until = NULL, cancelled_at = ?"
            " WHERE id = ?",
            (reason.strip(), now(), person_id),
        )
    return get_person(db, person_id)


GROUNDS = ("relative", "former_employer", "consultancy", "other")


def add_ground(
    db: sqlite_utils.Database,
    person_id: str,
    org_id: str,
    ground: str,
    *,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    note: str | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Record a ground for recusal with its dates (福建办法 第三章六 "可能影响其客观公正")."""
    get_person(db, person_id)
    if ground not in GROUNDS:
        raise UsageError(_("回避事由应为 {g} 之一").format(g="、".join(GROUNDS)), ground)
    first, last = optional_day(since, "since"), optional_day(until, "until")
    if first and last and first > last:
        raise UsageError(_("回避事由的开始日期晚于结束日期"), person_id)
    if ground == "other" and not (note or "").strip():
        raise UsageError(_("“其他”回避事由须写明情形"), person_id)
    gid = new_id()
    with transaction(db) as conn:
        _check_org(conn, org_id)
        conn.execute(
            "INSERT INTO person_grounds (id, person_id, org_id, ground, since, until, note, created_at,"
            " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (gid, person_id, org_id, ground, iso(first), iso(last), (note or "").strip() or None, now(),
             by or default_author()),
        )  # fmt: skip
    return next(g for g in grounds(db, person_id) if g["id"] == gid)


def grounds(db: sqlite_utils.Database, person_id: str) -> list[dict[str, Any]]:
    rows = db.conn.execute(
        "SELECT id, org_id, ground, since, until, note FROM person_grounds WHERE person_id = ?"
        " ORDER BY created_at, id",
        (person_id,),
    )
    return [
        {"id": r[0], "org": r[1], "ground": r[2], "since": r[3], "until": r[4], "note": r[5]} for r in rows
    ]


def _card_taken(conn: sqlite3.Connection, cert_no: str, person_id: str | None) -> None:
    """A card number names one person, now or in their earlier cards."""
    dup = conn.execute(
        "SELECT id, name FROM people WHERE cert_no = ? AND id IS NOT ?", (cert_no, person_id)
    ).fetchone()
    if dup is None:
        dup = conn.execute(
            "SELECT p.id, p.name FROM person_cards c JOIN people p ON p.id = c.person_id"
            " WHERE c.cert_no = ? AND c.person_id IS NOT ?",
            (cert_no, person_id),
        ).fetchone()
    if dup is not None:
        raise UsageError(
            _("证卡编号 {no} 已登记为“{name}”（{id}）").format(no=cert_no, name=dup[1], id=dup[0]), cert_no
        )


def renew_card(
    db: sqlite_utils.Database,
    person_id: str,
    *,
    cert_no: str,
    cert_issued: dt.date | str,
    cert_valid_until: dt.date | str | None = None,
    reason: str | None = None,
    by: str | None = None,
) -> Person:
    """Give a supervisor a new card (renewed every three years, or a card entered wrongly corrected).

    The person keeps their history, reviews and recusal posts; the card replaced is kept in
    ``person_cards`` with who, when and why. A published draw is unaffected: its record holds the
    roster as the rules saw it.
    """
    person = get_person(db, person_id)
    _not_cancelled(person)
    cert_no = plain_text(cert_no, _("证卡编号"), limit=64)
    issued, until = _check_card(person.id, person.name, person.kind, cert_no, cert_issued, cert_valid_until)
    with transaction(db) as conn:
        # the card as it is now, read inside the write: a renewal made meanwhile elsewhere (the
        # window and the command line at once) is the card this one replaces, and is kept
        current = conn.execute(
            "SELECT cert_no, cert_issued, cert_valid_until FROM people WHERE id = ?", (person.id,)
        ).fetchone()
        if (cert_no, issued.isoformat(), iso(until)) == tuple(current):
            raise UsageError(_("新证卡与现有证卡相同，未作更改"), person.name)
        _card_taken(conn, cert_no, person.id)
        conn.execute(
            "INSERT INTO person_cards (person_id, cert_no, cert_issued, cert_valid_until, replaced_at,"
            " replaced_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                person.id,
                *current,
                now(),
                by or default_author(),
                (reason or "").strip() or _("换发证卡"),
            ),
        )
        conn.execute(
            "UPDATE people SET cert_no = ?, cert_issued = ?, cert_valid_until = ? WHERE id = ?",
            (cert_no, issued.isoformat(), iso(until), person.id),
        )
    return get_person(db, person.id)


def earlier_cards(db: sqlite_utils.Database, person_id: str) -> list[dict[str, Any]]:
    """The cards a supervisor held before the current one, the latest replaced first."""
    rows = db.conn.execute(
        "SELECT cert_no, cert_issued, cert_valid_until, replaced_at, replaced_by, reason FROM person_cards"
        " WHERE person_id = ? ORDER BY replaced_at DESC, rowid DESC",
        (person_id,),
    )
    return [dict(r) for r in rows]


# -- history ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastTask:
    person_id: str
    org_id: str
    date: dt.date
    source: str  # "dispatch" or "evaluation"
    ref: str  # the plan id or the evaluation id


def past_tasks(db: sqlite_utils.Database, person_id: str | None = None) -> list[PastTask]:
    """Every person's supervisions (or one person's), once per (person, organisation, day)."""
    conn = db.conn
    found: dict[tuple[str, str, dt.date], PastTask] = {}
    rows = conn.execute(
        "SELECT m.person_id, a.org_id, a.visit_date, a.plan_id FROM assignment_members m"
        " JOIN assignments a ON a.dispatch_id = m.dispatch_id AND a.org_id = m.org_id"
        " WHERE a.withdrawn_at IS NULL" + (" AND m.person_id = ?" if person_id else ""),
        (person_id,) if person_id else (),
    )
    for person, org, day, plan in rows:
        d = dt.date.fromisoformat(day)
        found.setdefault((person, org, d), PastTask(person, org, d, "dispatch", plan))
    # Evaluations name a person by person_id inside the team JSON; LIKE narrows the rows to parse.
    rows = conn.execute(
        "SELECT id, org_id, visit_date, team FROM evaluations"
        " WHERE kind != 'self' AND visit_date IS NOT NULL AND team LIKE '%person_id%'"
    )
    for eval_id, org, day, team in rows:
        d = dt.date.fromisoformat(day)
        for member in loads(team):
            who = member.get("person_id") if isinstance(member, dict) else None
            if who and (person_id is None or who == person_id):
                found.setdefault((who, org, d), PastTask(who, org, d, "evaluation", eval_id))
    return sorted(found.values(), key=lambda t: (t.person_id, t.date, t.org_id))


def roster(db: sqlite_utils.Database) -> list[Supervisor]:
    """The people the dispatch takes, with their histories, grounds and last annual result.

    The active ones, and those suspended with a term (the draw keeps them out up to its last day);
    never the cancelled nor those suspended until reinstated.
    """
    histories: dict[str, list[Visit]] = {}
    for t in past_tasks(db):
        histories.setdefault(t.person_id, []).append(Visit(t.org_id, t.date))
    recorded: dict[str, list[Ground]] = {}
    for pid, org, ground, since, until in db.conn.execute(
        "SELECT person_id, org_id, ground, since, until FROM person_grounds ORDER BY created_at, id"
    ):
        recorded.setdefault(pid, []).append(Ground(org, ground, optional_day(since), optional_day(until)))
    failed: dict[str, int] = {}
    for pid, year, result in db.conn.execute(
        "SELECT person_id, year, result FROM person_annual a WHERE year ="
        " (SELECT MAX(year) FROM person_annual b WHERE b.person_id = a.person_id)"
    ):
        if result == "fail":
            failed[pid] = year
    return [
        p.supervisor(histories.get(p.id, ()), recorded.get(p.id, ()), failed.get(p.id))
        for p in list_people(db)
        if p.active or (p.suspended_until is not None and not p.cancelled_at)
    ]


def history(db: sqlite_utils.Database, person_id: str) -> list[dict[str, Any]]:
    """One person's tasks, oldest first, with the organisation's name, for the roster view."""
    get_person(db, person_id)
    names = {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM orgs")}
    return [
        {
            "org": t.org_id,
            "org_name": names.get(t.org_id),
            "date": t.date.isoformat(),
            "source": t.source,
            "ref": t.ref,
        }
        for t in past_tasks(db, person_id)
    ]


# -- reviews after each task, annual assessment -----------------------------------------------------


def add_review(
    db: sqlite_utils.Database,
    person_id: str,
    *,
    task_date: dt.date | str,
    rating: str,
    plan_id: str | None = None,
    org_id: str | None = None,
    eval_id: str | None = None,
    violation: bool = False,
    comment: str | None = None,
    reviewer: str | None = None,
    completion: str | None = None,
    attitude: str | None = None,
    objectivity: str | None = None,
) -> dict[str, Any]:
    """The centre's evaluation of a supervisor after one task (郑州办法 第十一条: (一) 任务完成情况
    ``completion``, (二) 工作态度与执行政策的水平 ``attitude``, (三) 督导报告的客观真实性
    ``objectivity``, (四) 有无违纪行为 ``violation``), each recorded apart, beside the rating."""
    get_person(db, person_id)
    if rating not in RATINGS:
        raise UsageError(_("评价等次应为 {r} 之一").format(r="、".join(RATINGS)), rating)
    day = parse_day(task_date, "task_date")
    review_id = new_id()
    with transaction(db) as conn:
        if org_id:
            _check_org(conn, org_id)
        conn.execute(
            "INSERT INTO person_reviews (id, person_id, plan_id, org_id, eval_id, task_date, rating,"
            " violation, comment, reviewer, created_at, completion, attitude, objectivity)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                review_id,
                person_id,
                plan_id,
                org_id,
                eval_id,
                day.isoformat(),
                rating,
                int(violation),
                (comment or "").strip() or None,
                reviewer or default_author(),
                now(),
                (completion or "").strip() or None,
                (attitude or "").strip() or None,
                (objectivity or "").strip() or None,
            ),
        )
    return next(r for r in reviews(db, person_id) if r["id"] == review_id)


def reviews(db: sqlite_utils.Database, person_id: str) -> list[dict[str, Any]]:
    rows = db.conn.execute(
        "SELECT * FROM person_reviews WHERE person_id = ? ORDER BY task_date, created_at", (person_id,)
    )
    return [
        {
            "id": r["id"],
            "task_date": r["task_date"],
            "rating": r["rating"],
            "rating_name": rating_name(r["rating"]),
            "violation": bool(r["violation"]),
            "completion": r["completion"],
            "attitude": r["attitude"],
            "objectivity": r["objectivity"],
            "plan": r["plan_id"],
            "org": r["org_id"],
            "eval": r["eval_id"],
            "comment": r["comment"],
            "reviewer": r["reviewer"],
        }
        for r in rows
    ]


def set_annual(
    db: sqlite_utils.Database,
    person_id: str,
    year: int,
    result: str,
    comment: str | None = None,
    assessed_by: str | None = None,
) -> dict[str, Any]:
    """Record (or correct) a year's assessment; it stays a record, suspension is a separate act."""
    get_person(db, person_id)
    if result not in ANNUAL_RESULTS:
        raise UsageError(_("年度考核结果应为 {r} 之一").format(r="、".join(ANNUAL_RESULTS)), result)
    if not 2000 <= year <= 2100:
        raise UsageError(_("年度不正确：{y}").format(y=year))
    with transaction(db) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO person_annual (person_id, year, result, comment, assessed_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                person_id,
                year,
                result,
                (comment or "").strip() or None,
                assessed_by or default_author(),
                now(),
            ),
        )
    return annual_summary(db, person_id, year)


def annual_summary(db: sqlite_utils.Database, person_id: str, year: int) -> dict[str, Any]:
    """A year at a glance: tasks, the reviews by rating, breaches, and the recorded assessment."""
    get_person(db, person_id)
    prefix = f"{year:04d}-"
    tasks = [t for t in past_tasks(db, person_id) if t.date.isoformat().startswith(prefix)]
    mine = [r for r in reviews(db, person_id) if r["task_date"].startswith(prefix)]
    row = db.conn.execute(
        "SELECT result, comment, assessed_by FROM person_annual WHERE person_id = ? AND year = ?",
        (person_id, year),
    ).fetchone()
    return {
        "person": person_id,
        "year": year,
        "tasks": len(tasks),
        "reviews": {rating: sum(1 for r in mine if r["rating"] == rating) for rating in RATINGS},
        "violations": sum(1 for r in mine if r["violation"]),
        "result": row["result"] if row else None,
        "result_name": annual_name(row["result"]) if row else None,
        "comment": row["comment"] if row else None,
        "assessed_by": row["assessed_by"] if row else None,
    }


def person_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Roster id → name, for lists that show names where the rows hold ids."""
    return {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM people")}


def assessed_years(db: sqlite_utils.Database, person_id: str) -> list[int]:
    """The years for which the person's annual assessment is recorded, oldest first."""
    return [
        int(y)
        for (y,) in db.conn.execute(
            "SELECT year FROM person_annual WHERE person_id = ? ORDER BY year", (person_id,)
        )
    ]


def recusal_grounds(db: sqlite_utils.Database) -> list[tuple[str, str, str, str | None, str | None]]:
    """(person, organisation, ground, since, until) of every recorded ground for recusal, in order."""
    return [
        (r[0], r[1], r[2], r[3], r[4])
        for r in db.conn.execute(
            "SELECT person_id, org_id, ground, since, until FROM person_grounds ORDER BY created_at, id"
        )
    ]
