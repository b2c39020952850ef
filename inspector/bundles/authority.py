"""Who may change what: the rules every imported change passes before it reaches the log.

The signature of a bundle proves who sent it; these rules limit what that sender may change
(docs/bundle-format.md, "Who may change what"). Each rule has a name, shown with every refusal and
every held change:

* ``final`` (rule 1) — a signed evaluation is final: after a lock only changes in the lock's causal
  past (``past`` in its payload: the highest ``device_seq`` per device the signers held) apply; a
  lock applies only over a complete evaluation that holds nothing its signers did not see.
* ``assigned`` (rule 2) — only the assigned may write: the sender (and the person whose device made
  the change) must be the centre or a member of the evaluation's team as the centre dispatched it;
  a supervisor creates an evaluation only for a station the centre sent their team to; only the
  centre changes a team it dispatched.
* ``origin`` (rule 3) — a change's origin is bound to its sender: a device (data folder) belongs to
  one roster person; a change may not claim this folder's device, the centre's, or another
  person's name as its author; its ``wall_time`` must parse.
* ``relay`` (rule 3) — a change made on a device bound to another person than the sender (a team
  lead forwarding a member's marks) is held until that person sends it (then it applies by itself)
  or someone accepts it; a device nobody has claimed yet may be relayed by a member of the team.
* ``time`` (rule 3) — ``wall_time`` within the sender's certificate validity (for the sender's own
  device) and not more than 24 hours after the import.
* ``published`` (rule 4) — only the centre publishes rubrics and the register: a results bundle
  may carry only rubric versions and organisations this folder already holds, and only signed
  PDFs that verify and were signed by someone assigned to the evaluation they are filed under
  (:mod:`inspector.bundles.published`).
* ``chain`` — a change that follows a held change on its device's chain is held with it (a chain
  stays contiguous in the log).
* ``station`` (issue 19) — a station writes only its own self-assessment: every change a station
  representative sends must belong to a self-assessment (kind ``self``) of the organisation its
  certificate was issued for, made on its own folder; anything else (an inspection, another
  station's data, a change from another device) refuses the whole bundle.

A refusal raises :class:`BundleError` (nothing is written). A held change is kept in
``held_changes``, never in the log, until someone accepts or rejects it
(:mod:`inspector.bundles.held`, which also releases a lock once its past has arrived).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
from cryptography import x509

from inspector.crypto import keys
from inspector.crypto.identity import ORG_PREFIX, describe, is_centre, is_station
from inspector.errors import BundleError, InspectorError
from inspector.i18n import _
from inspector.rubric.points import fmt
from inspector.rubric.scoring import disallowed
from inspector.store.changes import CREATE, LOCK, META, Change, loads
from inspector.store.evaluations import fixed_from_lock, fixed_payload, recorded_report
from inspector.store.rubrics import PinnedRubrics

CENTRE = "CENTRE"  # the person every centre device belongs to
FUTURE = dt.timedelta(hours=24)  # the rule: a wall time more than a day after the import is held

FINAL, ASSIGNED, ORIGIN, TIME, PUBLISHED, CHAIN = "final", "assigned", "origin", "time", "published", "chain"
RELAY = "relay"  # rule 3: carried by one person, made on another's bound device
STATION = "station"  # issue 19: a station writes only its own self-assessment
RULES = (FINAL, ASSIGNED, ORIGIN, RELAY, TIME, PUBLISHED, CHAIN, STATION)
# A hold under these rules may be accepted by an explicit decision; the others only rejected.
ACCEPTABLE = (ASSIGNED, TIME, CHAIN, FINAL, RELAY)

_WALL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


def rule_label(rule: str) -> str:
    return {
        FINAL: _("规则1 已签署的评估不可更改"),
        ASSIGNED: _("规则2 只有受派人员可以填写"),
        ORIGIN: _("规则3 更改的来源须是发件人"),
        RELAY: _("规则3 他人设备上的更改须由本人发送"),
        TIME: _("规则3 更改时间须可信"),
        PUBLISHED: _("规则4 评估表和名录只由中心发布"),
        CHAIN: _("紧随被搁置的更改"),
        STATION: _("鉴定站（所）只能填写本站的自查自评"),
    }.get(rule, rule)


def refuse(rule: str, message: str, where: str) -> BundleError:
    return BundleError(f"{rule_label(rule)}：{message}", where)


def parse_wall_time(text: str) -> dt.datetime | None:
    """A change's time, aware; None unless it is ISO 8601 with an offset (what SQLite also reads)."""
    if not isinstance(text, str) or not _WALL.match(text):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# --- people and devices ---------------------------------------------------------------------------


def person_of(conn: sqlite3.Connection, cert: x509.Certificate) -> str | None:
    """The roster person (or CENTRE) a certificate belongs to, or None when this folder cannot tell.

    By the certificate itself (``peers``, filled from the centre's issuing and the assignments),
    else by the card number in the certificate (a re-issued credential of the same person:
    ``people``/``person_cards`` at the centre, another certificate of the same person in ``peers``).
    """
    if is_centre(cert):
        return CENTRE
    if is_station(cert):  # the CA issued it for one organisation: its id is in the certificate
        org = describe(cert)["person_id"]
        return str(org) if isinstance(org, str) and org.startswith(ORG_PREFIX) else None
    fp = keys.fingerprint(cert)
    row = conn.execute("SELECT roster_id FROM peers WHERE fingerprint = ?", (fp,)).fetchone()
    if row is not None and row[0]:
        return str(row[0])
    card = describe(cert)["person_id"]
    if not card:
        return None
    for sql in (
        "SELECT id FROM people WHERE cert_no = ?",
        "SELECT person_id FROM person_cards WHERE cert_no = ?",
        "SELECT roster_id FROM peers WHERE person_id = ? AND roster_id IS NOT NULL",
    ):
        found = {r[0] for r in conn.execute(sql, (card,))}
        if len(found) == 1:
            return str(found.pop())
    return None


def local_device(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    return str(row[0]) if row is not None else None


class People:
    """Who is who in this folder: device owners and the names of known people (cached per import)."""

    def __init__(self, conn: sqlite3.Connection, local_is_centre: bool) -> None:
        self.conn = conn
        self.local = local_device(conn)
        self.local_is_centre = local_is_centre
        self._owners: dict[str, str | None] = {}
        self._names: dict[str, set[str]] | None = None

    def owner(self, device: str) -> str | None:
        if device == self.local and self.local_is_centre:
            return CENTRE
        if device not in self._owners:
            row = self.conn.execute(
                "SELECT person FROM device_owners WHERE device_id = ?", (device,)
            ).fetchone()
            self._owners[device] = str(row[0]) if row is not None else None
        return self._owners[device]

    def bind(self, device: str, person: str) -> None:
        self._owners[device] = person

    def named(self, text: str) -> set[str]:
        """The people (roster ids, CENTRE) whose name is exactly ``text``."""
        if self._names is None:
            names: dict[str, set[str]] = defaultdict(set)
            for name, roster, centre in self.conn.execute("SELECT name, roster_id, centre FROM peers"):
                if centre:
                    names[name].add(CENTRE)
                elif roster:
                    names[name].add(roster)
            for pid, name in self.conn.execute("SELECT id, name FROM people"):
                names[name].add(pid)
            self._names = names
        return self._names.get(text.strip(), set())


# --- teams ----------------------------------------------------------------------------------------


def _create_of(conn: sqlite3.Connection, eval_id: str) -> Change | None:
    row = conn.execute(
        "SELECT * FROM changes WHERE eval_id = ? AND kind = 'create' LIMIT 1", (eval_id,)
    ).fetchone()
    return Change.from_row(row) if row is not None else None


def _team_ids(payload: Any) -> set[str]:
    team = payload.get("team") if isinstance(payload, dict) else None
    out = set()
    for member in team if isinstance(team, list) else []:
        if isinstance(member, dict) and isinstance(member.get("person_id"), str):
            out.add(member["person_id"])
    return out


def _team_names(team: Any) -> set[str] | None:
    if not isinstance(team, list):
        return None
    names = {m.get("name") for m in team if isinstance(m, dict)}
    return {n.strip() for n in names if isinstance(n, str)} if len(names) == len(team) else None


class Teams:
    """Who may write each evaluation: the centre and the team it dispatched (cached per import)."""

    def __init__(self, conn: sqlite3.Connection, people: People, bundle_creates: dict[str, Change]) -> None:
        self.conn = conn
        self.people = people
        self.creates = bundle_creates
        self._auth: dict[str, set[str]] = {}
        self._by_centre: dict[str, bool] = {}
        self._dispatched: dict[str, list[set[str]]] = {}

    def create(self, eval_id: str) -> Change | None:
        return self.creates.get(eval_id) or _create_of(self.conn, eval_id)

    def centre_made(self, eval_id: str) -> bool:
        """Whether the evaluation was opened by the centre (an unbound device, from before these
        rules, counts as the centre's: it was accepted then, and only the centre opened visits)."""
        if eval_id not in self._by_centre:
            c = self.create(eval_id)
            owner = self.people.owner(c.device_id) if c is not None else None
            self._by_centre[eval_id] = c is not None and owner in (None, CENTRE)
        return self._by_centre[eval_id]

    def dispatched(self, org_id: str) -> list[set[str]]:
        """The teams the centre sent to a station: open visits it opened (on a device known to be
        the centre's), and at the centre the current (not withdrawn) assignments of its plans."""
        if org_id not in self._dispatched:
            self._dispatched[org_id] = self._find_dispatched(org_id)
        return self._dispatched[org_id]

    def _find_dispatched(self, org_id: str) -> list[set[str]]:
        teams: list[set[str]] = []
        centre_devices = [
            r[0] for r in self.conn.execute("SELECT device_id FROM device_owners WHERE person = ?", (CENTRE,))
        ]
        if self.people.local_is_centre and self.people.local is not None:
            centre_devices.append(self.people.local)
        for device in centre_devices:  # one primary-key seek per open visit: (eval, device, 1)
            rows = self.conn.execute(
                "SELECT c.payload FROM evaluations e JOIN changes c"
                " ON c.eval_id = e.id AND c.device_id = ? AND c.device_seq = 1"
                " WHERE e.org_id = ? AND e.signed_at IS NULL AND c.kind = 'create'",
                (device, org_id),
            )
            teams += [_team_ids(loads(r[0])) for r in rows]
        members: dict[tuple[str, str], set[str]] = defaultdict(set)
        for dispatch, person in self.conn.execute(
            "SELECT a.dispatch_id, m.person_id FROM assignments a JOIN assignment_members m"
            " ON m.dispatch_id = a.dispatch_id AND m.org_id = a.org_id"
            " WHERE a.org_id = ? AND a.withdrawn_at IS NULL",
            (org_id,),
        ):
            members[(dispatch, org_id)].add(person)
        return teams + list(members.values())

    def may_create(self, person: str, c: Change) -> bool:
        if person == CENTRE:
            return True
        if person.startswith(ORG_PREFIX):  # a station: its own self-assessment (station_rule)
            org = c.payload.get("org", {}).get("id")
            return c.payload.get("kind") == "self" and person == f"{ORG_PREFIX}{org}"
        org = c.payload.get("org", {}).get("id")
        if any(person in team for team in self.dispatched(str(org))):
            return True
        previous = c.payload.get("previous_id")  # an amendment of an evaluation the person may write
        return isinstance(previous, str) and person in self.authorised(previous)

    def authorised(self, eval_id: str) -> set[str]:
        if eval_id in self._auth:
            return self._auth[eval_id]
        out = {CENTRE}
        c = self.create(eval_id)
        if c is not None:
            if self.centre_made(eval_id):
                out |= _team_ids(c.payload)
                for (person,) in self.conn.execute(
                    "SELECT m.person_id FROM plan_targets t JOIN assignments a"
                    " ON a.plan_id = t.plan_id AND a.org_id = t.org_id AND a.withdrawn_at IS NULL"
                    " JOIN assignment_members m ON m.dispatch_id = a.dispatch_id AND m.org_id = a.org_id"
                    " WHERE t.eval_id = ?",
                    (eval_id,),
                ):
                    out.add(person)
            else:
                creator = self.people.owner(c.device_id)
                org = str(c.payload.get("org", {}).get("id"))
                for team in self.dispatched(org):
                    if creator in team:
                        out |= team
                if creator is not None:
                    out.add(creator)
                previous = c.payload.get("previous_id")
                if isinstance(previous, str) and previous != eval_id:
                    out |= self.authorised(previous)
        self._auth[eval_id] = out
        return out


# --- locks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    change: Change
    past: dict[str, int] | None  # None: a lock from before ``past`` was recorded


def _past(c: Change) -> dict[str, int] | None:
    p = c.payload.get("past") if isinstance(c.payload, dict) else None
    if not isinstance(p, dict):
        return None
    return {str(k): v for k, v in p.items() if type(v) is int}


def stored_lock(conn: sqlite3.Connection, eval_id: str) -> Lock | None:
    row = conn.execute(
        "SELECT * FROM changes WHERE eval_id = ? AND kind = 'lock' ORDER BY wall_time LIMIT 1", (eval_id,)
    ).fetchone()
    if row is None:
        return None
    c = Change.from_row(row)
    return Lock(c, _past(c))


def in_past(c: Change, lock: Lock, stored: bool) -> bool:
    """Whether ``c`` is in the lock's causal past. A lock without ``past`` (made before it was
    recorded) covers what was stored with it and its own chain: nothing new."""
    if c.id == lock.change.id:
        return True
    if lock.past is None:
        return stored or (c.device_id == lock.change.device_id and c.device_seq < lock.change.device_seq)
    return lock.past.get(c.device_id, 0) >= c.device_seq


def lock_problem(conn: sqlite3.Connection, c: Change) -> str | None:
    """Why a lock cannot apply here and now (inside the import's transaction), or None.

    The signers must have held everything this folder holds of the evaluation, this folder must hold
    everything they signed over, and the evaluation must be complete.
    """
    past = _past(c)
    if past is None:
        return _("签署记录没有写明签署时已有的更改（请用新版程序签署）")
    stored = {
        r[0]: int(r[1])
        for r in conn.execute(
            "SELECT device_id, MAX(device_seq) FROM changes WHERE eval_id = ? GROUP BY device_id",
            (c.eval_id,),
        )
    }
    for device, seq in past.items():
        if stored.get(device, 0) < seq and not (device == c.device_id and seq < c.device_seq):
            return _("签署时已有的更改本机尚未全部收到（设备 {d} 第 {n} 条）").format(d=device[:8], n=seq)
    for device, seq in stored.items():
        if seq > past.get(device, 0) and not (device == c.device_id and seq < c.device_seq):
            return _("本机有签署人未见过的更改（设备 {d} 第 {n} 条）").format(d=device[:8], n=seq)
    row = conn.execute(
        "SELECT e.items, COALESCE(SUM(CASE WHEN h.winner = 1 AND h.answered = 1"
        " AND h.item_id NOT LIKE 'veto:%' THEN 1 ELSE 0 END), 0),"
        " COUNT(h.item_id) - COUNT(DISTINCT h.item_id), e.signed_at"
        " FROM evaluations e LEFT JOIN heads h ON h.eval_id = e.id WHERE e.id = ? GROUP BY e.id",
        (c.eval_id,),
    ).fetchone()
    if row is None:
        return _("没有这个评估")
    if row[3]:
        return _("该评估已签署")
    if row[1] < row[0] or row[2]:
        return _("评估尚未完成：还有 {n} 个小项未评分，或存在冲突 {k} 处").format(n=row[0] - row[1], k=row[2])
    return _figures_problem(conn, c)


def _figures_problem(conn: sqlite3.Connection, c: Change) -> str | None:
    """A lock's figures (total, outcome, their label) stand as the signed result from then on
    (``Fixed``): they must be exactly what its marks give here, or a signer could put any total and
    conclusion on the desk beside marks that give another."""
    try:
        report = recorded_report(
            conn,
            c.eval_id,
            PinnedRubrics(sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)),
        )
    except InspectorError as e:  # marks the scoring engine refuses as a whole: no result to sign
        return e.message
    why = disallowed(report)  # what EvaluationStore.sign refuses here is not signed by a bundle either
    if why is not None:
        return _("不能签署：{why}").format(why=why)
    if not isinstance(c.payload, dict) or "total" not in c.payload:
        return None  # no figures kept (signed on an older build): the marks are the only result
    claimed = fixed_from_lock(c.payload)
    if claimed is None or claimed != fixed_from_lock(fixed_payload(report)):
        return _("签署记录中的总分或结论（{t}）与其所签的评分（{r} 分）不符").format(
            t=c.payload.get("total"), r=fmt(report.total)
        )
    return None


# --- the verdict on one bundle ----------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    rule: str
    reason: str


@dataclass
class Verdict:
    sender: str | None  # the roster person (or CENTRE) who sent the bundle
    device: str  # the sender's own data folder (manifest ``sender.device``)
    bind: bool  # whether that device is to be bound to the sender with this import
    holds: dict[str, Hold] = field(default_factory=dict)  # change id → why it is held


def _chain_held(conn: sqlite3.Connection, c: Change) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM held_changes WHERE eval_id = ? AND device_id = ? AND device_seq = ?"
            " AND (decision IS NULL OR decision = 'rejected')",
            (c.eval_id, c.device_id, c.device_seq - 1),
        ).fetchone()
        is not None
    )


def judge(
    conn: sqlite3.Connection,
    *,
    kind: str,
    sender_cert: x509.Certificate,
    sender_device: str,
    local_is_centre: bool,
    changes: list[tuple[Change, str]],
    new_ids: set[str],
    bundle: str,
    at: dt.datetime | None = None,
) -> Verdict:
    """Apply rules 1–3 to every change not yet stored; raises for a refusal, returns the holds."""
    now = at or dt.datetime.now(dt.UTC)
    people = People(conn, local_is_centre)
    sender = person_of(conn, sender_cert)
    if sender_device == people.local:
        raise refuse(ORIGIN, _("清单声称数据包来自本机的数据文件夹"), "manifest.json")
    owner = people.owner(sender_device)
    if owner is not None and sender is not None and owner != sender:
        raise refuse(
            ORIGIN,
            _("发件设备 {d} 属于另一人（{o}），发件人是 {s}").format(d=sender_device[:8], o=owner, s=sender),
            "manifest.json",
        )
    if sender is not None and sender.startswith(ORG_PREFIX):
        station_rule(conn, sender.removeprefix(ORG_PREFIX), sender_device, changes)
    verdict = Verdict(sender, sender_device, owner is None and sender is not None)
    if verdict.bind:
        people.bind(sender_device, str(sender))  # judged as bound already: it will be with this import
    creates = {c.eval_id: c for c, _w in changes if c.kind == CREATE}
    teams = Teams(conn, people, creates)
    not_before, not_after = sender_cert.not_valid_before_utc, sender_cert.not_valid_after_utc

    # the lock each evaluation is judged against: the stored one, else the earliest new one
    locks: dict[str, tuple[Lock, bool]] = {}
    bundle_locks = [p for p in changes if p[0].kind == LOCK]  # only locks' times are compared here
    for c, _w in sorted(bundle_locks, key=lambda p: parse_wall_time(p[0].wall_time) or now):
        if c.eval_id not in locks:
            found = stored_lock(conn, c.eval_id)
            locks[c.eval_id] = (found, True) if found is not None else (Lock(c, _past(c)), False)

    by_chain: dict[tuple[str, str], list[tuple[Change, str]]] = defaultdict(list)
    for c, where in changes:
        if c.id in new_ids:
            by_chain[(c.eval_id, c.device_id)].append((c, where))
    for (eval_id, device), chain in by_chain.items():
        chain.sort(key=lambda p: p[0].device_seq)
        origin = sender if device == sender_device else people.owner(device)
        if device == people.local and people.local is not None:
            raise refuse(ORIGIN, _("更改声称来自本机的数据文件夹"), chain[0][1])
        if origin == CENTRE and sender != CENTRE:
            raise refuse(ORIGIN, _("更改声称来自中心的设备，发件人不是中心"), chain[0][1])
        relayed = sender != CENTRE and origin is not None and origin != sender
        lock = locks.get(eval_id)
        if lock is None and eval_id not in creates:
            found = stored_lock(conn, eval_id)
            lock = (found, True) if found is not None else None
        held = _chain_held(conn, chain[0][0])
        for c, where in chain:
            moment = parse_wall_time(c.wall_time)
            if moment is None:
                raise refuse(
                    ORIGIN, _("更改时间不是带时区的 ISO 8601 时间：{t}").format(t=c.wall_time[:40]), where
                )
            named = people.named(c.author)
            if named and origin is not None and origin not in named:  # unknown relayed origin: no claim
                raise refuse(ORIGIN, _("更改署名为另一人：{a}").format(a=c.author[:40]), where)
            hold = _rule_1_2(c, lock, teams, sender, origin, where)
            if hold is None and relayed and c.kind != CREATE:  # a creation is judged by rule 2 alone
                hold = Hold(
                    RELAY,
                    _("这条更改是在 {p} 的设备上做的，由他人转交：待本人发送或明确接受").format(p=origin),
                )
            if hold is None and held:
                hold = Hold(CHAIN, _("同一设备的前一条更改被搁置"))
            if hold is None:
                hold = _rule_3_time(c, moment, now, device == sender_device, not_before, not_after)
            if hold is not None and c.kind == CREATE:  # an evaluation is never half there
                raise refuse(hold.rule, hold.reason, where)
            if hold is not None:
                verdict.holds[c.id] = hold
                held = True
    if kind != "assignment" and sender != CENTRE:
        for c, where in changes:
            if c.kind == CREATE and c.id in new_ids:
                creator = sender if c.device_id == sender_device else people.owner(c.device_id) or sender
                if (
                    sender is None
                    or creator is None
                    or not all(teams.may_create(x, c) for x in (creator, sender))
                ):
                    raise refuse(
                        ASSIGNED,
                        _("发件人不在中心派往该机构的督导组中，不能新建评估 {e}").format(e=c.eval_id[:8]),
                        where,
                    )
    return verdict


def station_rule(
    conn: sqlite3.Connection, org_id: str, device: str, changes: list[tuple[Change, str]]
) -> None:
    """A station's bundle holds only its own self-assessment, made on its own folder; else refused."""
    creates = {c.eval_id: c for c, _w in changes if c.kind == CREATE}
    for c, where in changes:
        if c.device_id != device:
            raise refuse(
                STATION, _("更改不是在本站的数据文件夹上做的（设备 {d}）").format(d=c.device_id[:8]), where
            )
        create = creates.get(c.eval_id) or _create_of(conn, c.eval_id)
        if create is None:
            continue  # the chain checks refuse an evaluation without its creation
        payload = create.payload if isinstance(create.payload, dict) else {}
        org = payload.get("org", {}).get("id") if isinstance(payload.get("org"), dict) else None
        if payload.get("kind") != "self":
            raise refuse(STATION, _("数据包中有检查评估（不是自查自评）：鉴定站不能填写"), where)
        if org != org_id:
            raise refuse(STATION, _("数据包中有其他机构的评估：鉴定站只能填写本站的"), where)


def _rule_1_2(
    c: Change,
    lock: tuple[Lock, bool] | None,
    teams: Teams,
    sender: str | None,
    origin: str | None,
    where: str,
) -> Hold | None:
    if lock is not None and not in_past(c, lock[0], stored=False):
        return Hold(
            FINAL,
            _("评估已签署（{t}），这条更改不在签署时已有的更改之中；更正请另建修订版").format(
                t=lock[0].change.wall_time[:16]
            ),
        )
    if c.kind == CREATE:
        return None
    allowed = teams.authorised(c.eval_id)
    if sender is None or sender not in allowed:
        return Hold(ASSIGNED, _("发件人不在该评估的督导组中（以中心派出的为准）"))
    if origin is not None and origin not in allowed:
        return Hold(ASSIGNED, _("这条更改所在设备属于不在督导组中的人（{p}）").format(p=origin))
    team_change = c.kind == META and isinstance(c.payload, dict) and "team" in c.payload
    if team_change and sender != CENTRE and teams.centre_made(c.eval_id):
        # the team divides the sections and names roles; who is in it is the centre's to say
        create = teams.create(c.eval_id)
        if create is None or _team_names(c.payload["team"]) != _team_names(create.payload.get("team")):
            return Hold(ASSIGNED, _("督导组由中心派出，只有中心可以更改其成员"))
    return None


def _rule_3_time(
    c: Change,
    moment: dt.datetime,
    now: dt.datetime,
    own: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> Hold | None:
    if moment > now + FUTURE:
        return Hold(TIME, _("更改时间 {t} 晚于导入时间超过 24 小时").format(t=c.wall_time))
    if own and not (not_before <= moment <= not_after):
        return Hold(TIME, _("更改时间 {t} 不在发件人证书的有效期内").format(t=c.wall_time))
    return None


def bind_device(conn: sqlite3.Connection, verdict: Verdict, bundle: str, when: str) -> None:
    if verdict.bind and verdict.sender is not None:
        conn.execute(
            "INSERT OR IGNORE INTO device_owners (device_id, person, bound_at, bundle) VALUES (?, ?, ?, ?)",
            (verdict.device, verdict.sender, when, bundle),
        )


def held_slots(
    conn: sqlite3.Connection, eval_id: str, device: str, lo: int, hi: int
) -> dict[int, tuple[str, bool]]:
    """The held (not accepted) changes of one chain between two sequence numbers: seq → (hash,
    whether its owner sending it settles it: a pending relay)."""
    return {
        int(r[0]): (str(r[1]), r[2] == RELAY and r[3] is None)
        for r in conn.execute(
            "SELECT device_seq, hash, rule, decision FROM held_changes WHERE eval_id = ? AND device_id = ?"
            " AND device_seq BETWEEN ? AND ? AND (decision IS NULL OR decision = 'rejected')",
            (eval_id, device, lo, hi),
        )
    }
