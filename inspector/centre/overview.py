"""What the plans page and ``inspector plan show|list`` and ``inspector dispatch`` show: one reading
of a plan, its targets with their teams by name, and a draw's teams, for both faces.

Before, the window and the command line each joined plans, targets, teams, the register and the
roster themselves, and already differed (ids in one, names in the other). Here once, typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inspector.centre.dispatch import DrawRules
from inspector.centre.milestones import MilestoneState, plan_milestones
from inspector.centre.people import person_names
from inspector.centre.plans import (
    DispatchRecord,
    Plan,
    assigned,
    dispatches,
    get_plan,
    kind_label,
    leader_of,
    list_plans,
    plan_rulebook,
    targets,
)
from inspector.centre.presence import holds_centre_data as holds_centre_data  # (its home before)
from inspector.centre.procedure import target_steps
from inspector.centre.register import register_entries
from inspector.centre.rulebook import Rulebook
from inspector.centre.rulebooks import draw_rules
from inspector.i18n import _
from inspector.store.orgs import org_names
from inspector.store.rubrics import list_rubrics

if TYPE_CHECKING:
    import sqlite_utils

plan_kind_name = kind_label  # one wording of a plan's kind for both faces


def target_state_name(state: str) -> str:
    return {"planned": _("待派组"), "dispatched": _("已派组"), "cancelled": _("已取消")}.get(state, state)


@dataclass(frozen=True)
class TargetRow:
    org_id: str
    org_name: str
    org_code: str | None
    region: str | None
    visit_date: str | None
    state: str
    team: tuple[str, ...]  # roster ids, in the order drawn
    team_names: tuple[str, ...]  # the leader first, marked with how they were chosen
    record_due: str | None
    eval_id: str | None
    step: str | None = None  # the procedure's last step recorded, with its day (福建 专项督导)

    def as_json(self, plan_id: str) -> dict[str, Any]:
        """The keys ``plan show --json`` has always printed for a target, and the names beside them.
        ``visit_date`` is the drawn team's day once there is one (the day the visit happens)."""
        return {
            "plan": plan_id,
            "org": self.org_id,
            "org_name": self.org_name,
            "visit_date": self.visit_date,
            "state": self.state,
            "eval": self.eval_id,
            "team": list(self.team),
            "team_names": list(self.team_names),
            "record_due": self.record_due,
        }


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    rubric_title: str
    targets: tuple[TargetRow, ...]
    dispatches: int
    rulebook: Rulebook
    rules: DrawRules
    milestones: tuple[MilestoneState, ...]

    @property
    def period(self) -> str:
        p = self.plan
        if not p.starts and not p.ends:
            return ""
        return f"{p.starts or '…'} – {p.ends or '…'}"

    def count(self, state: str) -> int:
        return sum(1 for t in self.targets if t.state == state)


def plan_rows(db: sqlite_utils.Database, plan_id: str | None = None) -> list[PlanRow]:
    """Every plan (or the one named), with its targets, their teams by name (the leader first, with
    how chosen), the draws made, its rulebook and timetable."""
    register = {e["id"]: e for e in register_entries(db)}
    people = person_names(db)
    rubrics = {r.id: r.title for r in list_rubrics(db)}
    chosen = [get_plan(db, plan_id)] if plan_id is not None else list_plans(db)
    rows = []
    for plan in chosen:
        teams = assigned(db, plan.id)
        found = []
        for t in targets(db, plan.id):
            org, team = register.get(t.org_id, {}), teams.get(t.org_id)
            day = team.visit_date if team else t.visit_date
            lead = leader_of(db, plan.id, t.org_id) if team else None
            found.append(
                TargetRow(
                    org_id=t.org_id,
                    org_name=org.get("name", t.org_id),
                    org_code=org.get("code"),
                    region=org.get("region"),
                    visit_date=day.isoformat() if day else None,
                    state=t.state,
                    team=tuple(team.team) if team else (),
                    team_names=_team_names(team.team, lead, people) if team else (),
                    record_due=team.record_due.isoformat() if team and team.record_due else None,
                    eval_id=t.eval_id,
                    step=_last_step(target_steps(db, plan.id, t.org_id)),
                )
            )
        book = plan_rulebook(db, plan)
        rows.append(
            PlanRow(
                plan,
                rubrics.get(plan.rubric_id, plan.rubric_id),
                tuple(found),
                len(dispatches(db, plan.id)),
                book,
                draw_rules(book),
                tuple(plan_milestones(db, plan.id)),
            )
        )
    return rows


def _team_names(
    team: tuple[str, ...], lead: tuple[str, str] | None, people: dict[str, str]
) -> tuple[str, ...]:
    """The team, the leader first and marked with how they were chosen."""
    if lead is None:
        return tuple(people.get(p, p) for p in team)
    who, how = lead
    mark = _("（组长·指定）") if how == "designated" else _("（组长·抽取）")
    rest = [people.get(p, p) for p in team if p != who]
    return (people.get(who, who) + mark, *rest)


def _last_step(steps: list[Any]) -> str | None:
    if not steps:
        return None
    done = [s for s in steps if s.done_on is not None]
    if not done:
        return _("待：{step}").format(step=steps[0].name)
    return f"{done[-1].name} {done[-1].done_on.isoformat()}"


@dataclass(frozen=True)
class DispatchRow:
    """One team of a draw, by id and by name."""

    org: str
    org_name: str
    date: str
    team: tuple[str, ...]
    team_names: tuple[str, ...]
    record_due: str | None
    pool: tuple[str, ...]
    pool_names: tuple[str, ...]
    leader: str | None = None  # roster id of the 组长
    leader_chosen: str | None = None  # how: drawn, or designated by the centre
    flags: tuple[dict[str, Any], ...] = ()  # what the rulebook asks to mark (an annual 不合格)
    names: dict[str, str] = field(default_factory=dict)  # roster id → name, for the flags

    def flag_text(self) -> str:
        """What the rulebook asks to mark about this team, in words."""
        return "；".join(
            _("{name} {y} 年度考核不合格").format(name=self.names.get(f["person"], f["person"]), y=f["year"])
            for f in self.flags
        )

    def as_json(self, record: DispatchRecord) -> dict[str, Any]:
        """The keys ``dispatch --json`` prints for each team."""
        return {
            "rulebook": (record.record.get("rulebook") or {}).get("id"),
            "leader": self.leader,
            "leader_chosen": self.leader_chosen,
            "flags": list(self.flags),
            "org": self.org,
            "org_name": self.org_name,
            "date": self.date,
            "team": list(self.team),
            "team_names": list(self.team_names),
            "record_due": self.record_due,
            "pool_size": len(self.pool),
            "dispatch": record.id,
            "seed": record.seed,
        }


def dispatch_rows(db: sqlite_utils.Database, record: DispatchRecord) -> list[DispatchRow]:
    orgs = org_names(db)
    people = person_names(db)
    return [
        DispatchRow(
            org=a["org"],
            org_name=orgs.get(a["org"], a["org"]),
            date=a["date"],
            team=tuple(a["team"]),
            team_names=tuple(people.get(p, p) for p in a["team"]),
            record_due=a["record_due"],
            pool=tuple(a["pool"]),
            pool_names=tuple(people.get(p, p) for p in a["pool"]),
            leader=a.get("leader"),
            leader_chosen=a.get("leader_chosen"),
            flags=tuple(a.get("flags", ())),
            names=people,
        )
        for a in record.assignments
    ]
