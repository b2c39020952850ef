"""Self-assessment requests: which stations of a plan were asked, which answered, which are late.

Every seed begins with the station (Sichuan 2017 三（一）: 自查自评 4月30日前). The centre sends each
station of a plan a request bundle (:mod:`inspector.bundles.self_assessment`) and the station returns
its self-assessment signed with the credential that came with the request. This module keeps the
ledger (``self_assessment_requests``, one row per request bundle) and reads it back per plan.

The deadline is the plan's rulebook milestone for the stations' self-assessment (the milestone named
exactly 自查自评: Sichuan 2017 三（一）), in the plan's year, with its clause; a rulebook that sets
none gives no deadline and nothing is ever late (never an invented date). Henan 2011's
"省直所（站）自查自评上报 4月1日前" binds only the stations directly under the province, which the
register does not tell apart, so a Henan plan's requests carry no deadline rather than one that
is wrong for most stations. "前" is read as the rulebook records it (the day
itself is in time). A request is *returned* when the centre imported the station's signed
self-assessment; the day that counts is the day the centre received it (the station's own clock
cannot be checked), in the users' time zone.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from inspector.centre.common import today
from inspector.centre.plans import Plan, get_plan, plan_rulebook
from inspector.i18n import _
from inspector.store.changes import canonical, loads

SELF_MILESTONE = "自查自评"  # the name of the rulebook milestone of every station's own step


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    source: dict[str, str]  # rulebook, document, article, milestone, quote, reading

    def as_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), **self.source}


def self_assessment_deadline(db: sqlite_utils.Database, plan: Plan) -> Deadline | None:
    """The plan's self-assessment deadline from its rulebook, with the clause; None if it sets none,
    or if its day falls before the plan's own period begins: the notice sets one campaign's
    timetable, and a plan starting on 1 October cannot hold a station to 4月30日 (the same reading as
    the plan's timetable, inspector.centre.milestones: 计划开始前已截止, not counted late)."""
    book = plan_rulebook(db, plan)
    rule = book.get("milestones")
    if rule is None:
        return None
    for m in sorted(rule.milestones, key=lambda m: m.due):
        if m.name == SELF_MILESTONE:
            month, mday = (int(x) for x in m.due.split("-"))
            day = dt.date(plan.year, month, mday)
            if plan.starts is not None and day < plan.starts:
                return None
            return Deadline(
                day,
                {
                    "rulebook": book.id,
                    "document": rule.clause.document if rule.clause else book.document,
                    "article": rule.clause.article if rule.clause else "",
                    "milestone": m.name,
                    "quote": m.quote,
                    "reading": rule.reading,
                },
            )
    return None


def state_name(state: str) -> str:
    return {
        "sent": _("已发出，待返回"),
        "late": _("已逾期未返回"),
        "returned": _("已返回"),
        "returned_late": _("逾期返回"),
    }.get(state, state)


@dataclass(frozen=True)
class RequestState:
    id: str
    plan_id: str
    org_id: str
    org_name: str
    representative: str
    deadline: dt.date | None
    deadline_source: dict[str, Any] | None
    sent_at: str
    returned_at: str | None
    eval_id: str | None
    signed_by: str | None
    state: str  # sent | late | returned | returned_late

    @property
    def late(self) -> bool:
        return self.state in ("late", "returned_late")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "plan": self.plan_id,
            "org": self.org_id,
            "org_name": self.org_name,
            "representative": self.representative,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_source": self.deadline_source,
            "sent_at": self.sent_at,
            "returned_at": self.returned_at,
            "eval": self.eval_id,
            "signed_by": self.signed_by,
            "state": self.state,
            "state_name": state_name(self.state),
            "late": self.late,
        }


def _local_day(stamp: str) -> dt.date:
    moment = dt.datetime.fromisoformat(stamp)
    return (moment.astimezone() if moment.tzinfo else moment).date()


def request_state(deadline: dt.date | None, returned_at: str | None, on: dt.date) -> str:
    if returned_at is not None:
        late = deadline is not None and _local_day(returned_at) > deadline
        return "returned_late" if late else "returned"
    return "late" if deadline is not None and on > deadline else "sent"


def requests_for_plan(
    db: sqlite_utils.Database, plan_id: str, on: dt.date | None = None
) -> list[RequestState]:
    """Every request sent for a plan (the latest per station first), with its state as of ``on``."""
    get_plan(db, plan_id)  # refuses an unknown plan
    day = on or today()
    rows = db.conn.execute(
        "SELECT r.*, o.name AS org_name FROM self_assessment_requests r LEFT JOIN orgs o ON o.id = r.org_id"
        " WHERE r.plan_id = ? ORDER BY o.name, r.sent_at DESC",
        (plan_id,),
    )
    out = []
    for r in rows:
        deadline = dt.date.fromisoformat(r["deadline"]) if r["deadline"] else None
        out.append(
            RequestState(
                r["id"],
                r["plan_id"],
                r["org_id"],
                r["org_name"] or r["org_id"],
                r["representative"],
                deadline,
                loads(r["deadline_source"]) if r["deadline_source"] else None,
                r["sent_at"],
                r["returned_at"],
                r["eval_id"],
                r["signed_by"],
                request_state(deadline, r["returned_at"], day),
            )
        )
    return out


def record_request(
    conn: sqlite3.Connection,
    request_id: str,
    request: dict[str, Any],
    at: str,
    *,
    received_at: str | None = None,
) -> bool:
    """Keep a request (sent here, or received at a station: ``received_at``) inside the caller's
    transaction. Returns whether it was new (a request imported again changes nothing).

    The one writer of ``self_assessment_requests`` is this module."""
    deadline = request.get("deadline")
    cur = conn.execute(
        "INSERT OR IGNORE INTO self_assessment_requests (id, plan_id, plan_title, org_id, rubric_id,"
        " rubric_version, deadline, deadline_source, representative, credential, sent_at, received_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            request_id,
            request["plan"]["id"],
            request["plan"]["title"],
            request["org"]["id"],
            request["rubric"]["id"],
            int(request["rubric"]["version"]),
            deadline["date"] if deadline else None,
            canonical({k: v for k, v in deadline.items() if k != "date"}) if deadline else None,
            request["representative"]["name"],
            request["representative"]["certificate"],
            at,
            received_at,
        ),
    )
    return cur.rowcount > 0


def attach_evaluation(conn: sqlite3.Connection, request_id: str, eval_id: str) -> None:
    """At the station: the self-assessment opened for this request."""
    conn.execute("UPDATE self_assessment_requests SET eval_id = ? WHERE id = ?", (eval_id, request_id))


def record_returned(
    conn: sqlite3.Connection, org_id: str, eval_id: str, rubric_id: str, bundle: str, signed_by: str, at: str
) -> str | None:
    """The station's signed self-assessment arrived: close its open request for that form (the
    latest sent), or None when no request was sent (a station answering unasked is still kept)."""
    row = conn.execute(
        "SELECT id FROM self_assessment_requests WHERE org_id = ? AND rubric_id = ?"
        " AND (returned_at IS NULL OR eval_id = ?) ORDER BY sent_at DESC LIMIT 1",
        (org_id, rubric_id, eval_id),
    ).fetchone()
    if row is None:
        return None
    conn.execute(
        "UPDATE self_assessment_requests SET returned_bundle = ?, returned_at = ?, eval_id = ?, signed_by = ?"
        " WHERE id = ? AND returned_at IS NULL",
        (bundle, at, eval_id, signed_by, row[0]),
    )
    return str(row[0])
