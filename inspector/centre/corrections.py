"""Register corrections: a station proposes changes to its 登记表 fields, the centre decides each one.

A station holds its own register entry (carried to it in the centre's request bundle) and cannot
change it: it *proposes* a new value for one field, with its reason, and the proposal travels to
the centre in the station's bundle (inspector.bundles carries :func:`outgoing` and calls
:func:`mark_sent`; at the centre it calls :func:`receive`). Nothing is applied silently: the
centre accepts or rejects each proposal on its own (:func:`decide`); an accepted one is written by
the register's own writer (:func:`inspector.centre.register.apply_correction`) with the register's
history appended, a rejected one keeps its reason, and a decision is final.

Where the rulebook of a plan the organisation is in says a change of that field needs
re-registration (四川 川人社函〔2017〕297号 三（一）: 负责人, 联系电话, 联系人, 通讯地址 — the rule
``reregistration`` in rulebooks/sichuan-2017-inspection.toml, with its quote), the decision says so
and the register entry is marked until the centre records the re-registration done
(:func:`inspector.centre.register.reregistered`).

The register's writes do not go through the change log (``store/log.py`` holds evaluations only),
so neither do these: each call is one transaction (``store.db.transaction``), all or nothing.

Proposals received are hostile input (a file from a USB stick): every one is checked — its keys,
its id, its field, the type and form of both values, its reason, time and author — and the first
problem refuses the whole batch, naming the bundle, the proposal and the field; nothing is stored.
Receiving the same proposal again is a no-op (by id); the same id with other content is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlite_utils

from inspector.centre.common import new_id
from inspector.centre.register import (
    STATION_FIELDS,
    Field,
    apply_correction,
    clean_value,
    get_register,
    mark_reregistration,
    scalar_field,
)
from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.rubric.points import json_number
from inspector.store.changes import canonical, loads
from inspector.store.db import transaction
from inspector.store.orgs import plain_text

KEYS = ("id", "field", "old", "new", "reason", "proposed_at", "by")
MAX_PROPOSALS = 500  # in one bundle: a station has some fifteen fields; more is not a station's batch
REASON_LIMIT = 500
_ID = re.compile(r"^[0-9a-f]{32}$")
_TEXT_KINDS = ("text", "date", "category", "post_code")
_SELECT = "SELECT c.*, o.name AS org_name FROM register_corrections c JOIN orgs o ON o.id = c.org_id"


def station_field(name: str, where: str | None = None) -> Field:
    """A field a station may propose to correct, by key (``head``) or by the form's header (负责人)."""
    for key in STATION_FIELDS:
        f = scalar_field(key)
        if name in (f.key, f.header):
            return f
    headers = "、".join(scalar_field(k).header for k in STATION_FIELDS)
    shown = name if len(name) <= 40 else name[:40] + "…"  # a hostile file's megabyte name is not echoed
    raise UsageError(
        _("登记表没有可由机构更正的“{name}”一项（可更正：{all}）").format(name=shown, all=headers), where
    )


def wire(value: Any) -> Any:
    """A stored value as JSON carries it: an exact decimal as a JSON number."""
    return json_number(value) if isinstance(value, Decimal) else value


def _value(f: Field, raw: Any, where: str) -> Any:
    """One value of a proposal checked like the register checks it, and of the JSON type its kind
    has: a text field takes text only (a list or an object would otherwise become its repr)."""
    if raw is None:
        return None
    if f.kind in _TEXT_KINDS and not isinstance(raw, str):
        raise UsageError(_("{field}应为文字").format(field=f.header), where)
    if f.kind == "bool" and not isinstance(raw, bool):
        raise UsageError(_("{field}应为“是”或“否”").format(field=f.header), where)
    if f.kind in ("number", "int", "year"):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, str)):
            raise UsageError(_("{field}应为数字，收到“{v}”").format(field=f.header, v=raw), where)
        if isinstance(raw, float) and raw != raw:  # NaN: not a number, whatever its type says
            raise UsageError(_("{field}应为数字，收到“{v}”").format(field=f.header, v=raw), where)
    if isinstance(raw, str):
        try:
            raw = plain_text(raw, f.header)
        except UsageError as e:
            raise UsageError(e.message, where) from None
    return clean_value(f, raw, where)


def _text(raw: Any, what: str, where: str, limit: int = 200) -> str:
    if not isinstance(raw, str):
        raise UsageError(_("{what}应为文字").format(what=what), where)
    try:
        value = plain_text(raw, what, limit=limit)
    except UsageError as e:
        raise UsageError(e.message, where) from None
    if not value:
        raise UsageError(_("{what}不能为空").format(what=what), where)
    return value


def _time(raw: Any, where: str) -> str:
    value = _text(raw, _("提出时间"), where, limit=40)
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(_("提出时间应为 ISO 格式的时间，收到“{v}”").format(v=value), where) from None
    return value


# -- the station's side ------------------------------------------------------------------------------


def propose(
    db: sqlite_utils.Database, org_id: str, field: str, new_value: Any, reason: str, by: str
) -> dict[str, Any]:
    """Propose a new value (None or blank: clear the field) for one field of this organisation's
    register entry; the old value is the one this folder holds now. Stored unsent; nothing changes
    in the register."""
    f = station_field(field, org_id)
    where = f"{org_id}.{f.key}"
    new = _value(f, new_value, where)
    reason_ = _text(reason, _("更正理由"), where, REASON_LIMIT)
    by_ = _text(by, _("提出人"), where, 100)
    old = get_register(db, org_id)[f.key]
    if old == new:
        raise UsageError(_("{field}的新值与现登记的相同，无须更正").format(field=f.header), where)
    for waiting in outgoing(db, org_id):
        if waiting["field"] == f.key and waiting["new"] == wire(new):
            raise UsageError(_("同一更正已提出，尚未发出：{id}").format(id=waiting["id"]), where)
    proposal_id = new_id()
    with transaction(db) as conn:
        conn.execute(
            "INSERT INTO register_corrections (id, org_id, field, old_value, new_value, reason, proposed_at,"
            " proposed_by, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'own')",
            (proposal_id, org_id, f.key, canonical(old), canonical(new), reason_, now(), by_),
        )
    return get_correction(db, proposal_id)


def outgoing(db: sqlite_utils.Database, org_id: str) -> list[dict[str, Any]]:
    """This organisation's proposals not yet sent, oldest first, each as a bundle carries it."""
    rows = db.conn.execute(
        _SELECT + " WHERE c.org_id = ? AND c.origin = 'own' AND c.sent_bundle IS NULL"
        " ORDER BY c.proposed_at, c.id",
        (org_id,),
    )
    return [{k: v for k, v in _row(r).items() if k in KEYS} for r in rows]


def mark_sent(db: sqlite_utils.Database, ids: Iterable[str], bundle_id: str) -> None:
    """The proposals went out in this bundle (again in the same bundle: nothing changes)."""
    with transaction(db) as conn:
        mark_sent_in(conn, ids, bundle_id)


def mark_sent_in(conn: sqlite3.Connection, ids: Iterable[str], bundle_id: str) -> None:
    """:func:`mark_sent` inside the caller's transaction (the export records the bundle in it)."""
    at = now()
    for proposal_id in dict.fromkeys(ids):
        row = conn.execute(
            "SELECT origin, sent_bundle FROM register_corrections WHERE id = ?", (proposal_id,)
        ).fetchone()
        if row is None or row["origin"] != "own":
            raise NotFoundError(_("没有这项本机提出的更正"), proposal_id)
        if row["sent_bundle"] not in (None, bundle_id):
            raise UsageError(_("这项更正已随数据包 {b} 发出").format(b=row["sent_bundle"]), proposal_id)
        conn.execute(
            "UPDATE register_corrections SET sent_bundle = ?, sent_at = ?"
            " WHERE id = ? AND sent_bundle IS NULL",
            (bundle_id, at, proposal_id),
        )


# -- the centre's side -------------------------------------------------------------------------------


def _check(raw: Any, n: int, bundle_id: str) -> dict[str, Any]:
    """One received proposal checked as hostile input; ``where`` names the bundle, the proposal
    (its position and id) and the field."""
    where = f"{bundle_id}: {_('更正')} {n + 1}"
    if not isinstance(raw, Mapping):
        raise UsageError(_("每项更正应为一组字段"), where)
    pid = raw.get("id")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise UsageError(_("更正的编号应为 32 位十六进制数字"), f"{where}.id")
    where = f"{where} ({pid})"
    extra = sorted(str(k)[:40] for k in raw if k not in KEYS)
    if extra:
        raise UsageError(_("更正中有未知的键：{k}").format(k="、".join(extra[:5])), where)
    missing = [k for k in KEYS if k not in raw]
    if missing:
        raise UsageError(_("更正缺少：{k}").format(k="、".join(missing)), where)
    if not isinstance(raw["field"], str):
        raise UsageError(_("更正的项目应为文字"), f"{where}.field")
    f = station_field(raw["field"], f"{where}.field")
    where = f"{where}.{f.key}"
    old = _value(f, raw["old"], f"{where}.old")
    new = _value(f, raw["new"], f"{where}.new")
    if old == new:
        raise UsageError(_("更正的新值与原值相同"), where)
    return {
        "id": pid,
        "field": f.key,
        "old": old,
        "new": new,
        "reason": _text(raw["reason"], _("更正理由"), f"{where}.reason", REASON_LIMIT),
        "proposed_at": _time(raw["proposed_at"], f"{where}.proposed_at"),
        "by": _text(raw["by"], _("提出人"), f"{where}.by", 100),
        "where": where,
    }


def receive(db: sqlite_utils.Database, org_id: str, proposals: Any, signer: str, bundle_id: str) -> int:
    """Store the proposals an organisation's signed bundle carries, for the centre to decide; all
    of them or (on any problem) none. Returns how many were new."""
    checked = checked_proposals(proposals, bundle_id)
    get_register(db, org_id)  # refuses an organisation the register does not hold
    with transaction(db) as conn:
        return store_received(conn, org_id, checked, signer, bundle_id)


def checked_proposals(proposals: Any, bundle_id: str) -> list[dict[str, Any]]:
    """Every proposal a bundle carries checked as hostile input, before anything is stored (the
    bundle importer calls this while it checks the bundle, and :func:`store_received` in its
    transaction)."""
    bundle = _text(bundle_id, _("数据包"), "bundle", 200)
    if not isinstance(proposals, list):
        raise UsageError(_("更正应为列表"), bundle)
    if len(proposals) > MAX_PROPOSALS:
        raise UsageError(_("更正太多：一个数据包最多 {n} 项").format(n=MAX_PROPOSALS), bundle)
    checked = [_check(raw, n, bundle) for n, raw in enumerate(proposals)]
    seen: set[str] = set()
    for p in checked:
        if p["id"] in seen:
            raise UsageError(_("同一编号的更正出现了两次"), p["where"])
        seen.add(p["id"])
    return checked


def store_received(
    conn: sqlite3.Connection, org_id: str, checked: list[dict[str, Any]], signer: str, bundle_id: str
) -> int:
    """Store proposals :func:`checked_proposals` passed, inside the caller's transaction;
    idempotent by id. Returns how many were new."""
    bundle = _text(bundle_id, _("数据包"), "bundle", 200)
    signer_ = _text(signer, _("签名人"), bundle, 200)
    if checked and conn.execute("SELECT 1 FROM orgs WHERE id = ?", (org_id,)).fetchone() is None:
        raise NotFoundError(_("没有这个机构"), org_id)
    new = 0
    for p in checked:
        if _known(conn, org_id, p):
            continue
        conn.execute(
            "INSERT INTO register_corrections (id, org_id, field, old_value, new_value, reason,"
            " proposed_at, proposed_by, origin, received_bundle, received_at, signer)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?)",
            (
                p["id"],
                org_id,
                p["field"],
                canonical(p["old"]),
                canonical(p["new"]),
                p["reason"],
                p["proposed_at"],
                p["by"],
                bundle,
                now(),
                signer_,
            ),
        )
        new += 1
    return new


def _known(conn: sqlite3.Connection, org_id: str, p: Mapping[str, Any]) -> bool:
    """Whether this proposal is stored already (then nothing to do); the same id with any other
    content is refused: an id names one proposal for ever."""
    row = conn.execute("SELECT * FROM register_corrections WHERE id = ?", (p["id"],)).fetchone()
    if row is None:
        return False
    same = (
        row["origin"] == "received"
        and row["org_id"] == org_id
        and row["field"] == p["field"]
        and loads(row["old_value"]) == p["old"]
        and loads(row["new_value"]) == p["new"]
        and row["reason"] == p["reason"]
        and row["proposed_at"] == p["proposed_at"]
        and row["proposed_by"] == p["by"]
    )
    if not same:
        raise UsageError(_("已收到过同一编号而内容不同的更正：拒收"), p["where"])
    return True


def pending(db: sqlite_utils.Database, org_id: str | None = None) -> list[dict[str, Any]]:
    """Received proposals not yet decided, oldest first, each with the value the centre holds now
    (``current``: it may differ from the station's ``old``) and whether accepting it calls for
    re-registration (``reregistration``: the rule's clause, or None)."""
    sql = _SELECT + " WHERE c.origin = 'received' AND c.decision IS NULL"
    args: tuple[str, ...] = ()
    if org_id is not None:
        sql += " AND c.org_id = ?"
        args = (org_id,)
    out = []
    entries: dict[str, dict[str, Any]] = {}
    for r in db.conn.execute(sql + " ORDER BY c.received_at, c.proposed_at, c.id", args).fetchall():
        p = _row(r)
        entry = entries.get(p["org_id"]) or entries.setdefault(p["org_id"], get_register(db, p["org_id"]))
        p["current"] = wire(entry[p["field"]])
        p["reregistration"] = reregistration_rule(db, p["org_id"], p["field"])
        out.append(p)
    return out


def corrections(
    db: sqlite_utils.Database, org_id: str | None = None, *, decided: bool = False
) -> list[dict[str, Any]]:
    """Every proposal this folder holds (a station's own, a centre's received), oldest first;
    ``decided``: the decided ones too."""
    sql = _SELECT + " WHERE (? = 1 OR c.decision IS NULL)"
    args: tuple[Any, ...] = (int(decided),)
    if org_id is not None:
        sql += " AND c.org_id = ?"
        args = (*args, org_id)
    return [_row(r) for r in db.conn.execute(sql + " ORDER BY c.proposed_at, c.id", args)]


def get_correction(db: sqlite_utils.Database, proposal_id: str) -> dict[str, Any]:
    row = db.conn.execute(_SELECT + " WHERE c.id = ?", (proposal_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这项更正"), proposal_id)
    return _row(row)


def reregistration_rule(db: sqlite_utils.Database, org_id: str, key: str) -> dict[str, Any] | None:
    """The clause that makes a change of this field call for re-registration: from the rulebook of
    the latest plan the organisation is a target of (a Sichuan plan: 297号 三（一）); None when no
    such plan's rulebook says so (no rule is assumed)."""
    from inspector.centre.plans import get_plan, plan_rulebook

    plans = db.conn.execute(
        "SELECT p.id FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE t.org_id = ?"
        " ORDER BY p.year DESC, p.created_at DESC, p.id",
        (org_id,),
    ).fetchall()
    for (plan_id,) in plans:
        plan = get_plan(db, plan_id)
        rb = plan_rulebook(db, plan)
        rule = rb.get("reregistration")
        if rule is None or key not in rule.params.get("fields", ()):
            continue
        clause = rule.clause
        return {
            "rulebook": rb.id,
            "plan": plan.id,
            "document": clause.document if clause else "",
            "article": clause.article if clause else "",
            "quote": clause.quote if clause else "",
            "reading": rule.reading,
        }
    return None


def decide(
    db: sqlite_utils.Database, proposal_id: str, accept: bool, by: str, reason: str | None
) -> dict[str, Any]:
    """Accept (the register's writer sets the field, history appended) or reject (the reason is
    required and kept) one received proposal. A decided proposal cannot be decided again. The
    result says whether the change calls for re-registration (then the entry is marked)."""
    p = get_correction(db, proposal_id)
    where = f"{proposal_id} ({scalar_field(p['field']).header})"
    if p["origin"] != "received":
        raise UsageError(_("这是本机提出的更正：由中心决定是否接受"), where)
    if p["decision"] is not None:
        raise UsageError(
            _("这项更正已决定（{d}，{at}，{by}），不能再次决定").format(
                d=decision_name(p["decision"]), at=p["decided_at"], by=p["decided_by"]
            ),
            where,
        )
    who = _text(by, _("决定人"), where, 100)
    why = (reason or "").strip()
    if not accept and not why:
        raise UsageError(_("不接受更正须写明理由"), where)
    if why:
        why = _text(why, _("理由"), where, REASON_LIMIT)
    f = scalar_field(p["field"])
    # the value as stored (an exact decimal), not as JSON carries it
    stored = db.conn.execute(
        "SELECT new_value FROM register_corrections WHERE id = ?", (proposal_id,)
    ).fetchone()
    new = clean_value(f, loads(stored[0]), where)
    rule = reregistration_rule(db, p["org_id"], f.key) if accept else None
    at = now()
    with transaction(db) as conn:
        centre_value: Any = None
        if accept:
            centre_value = apply_correction(
                conn, p["org_id"], f.key, new, by=who, source=f"correction:{proposal_id}", at=at
            )
            if rule is not None:
                mark_reregistration(conn, proposal_id, p["org_id"], f.key, rule, at)
        decided = conn.execute(
            "UPDATE register_corrections SET decision = ?, decided_at = ?, decided_by = ?,"
            " decision_reason = ?, centre_value = ?, reregistration = ? WHERE id = ? AND decision IS NULL",
            (
                "accepted" if accept else "rejected",
                at,
                who,
                why or None,
                canonical(centre_value) if accept else None,
                canonical(rule) if rule is not None else None,
                proposal_id,
            ),
        ).rowcount
        if decided != 1:  # another window decided it between the read and this write
            raise UsageError(_("这项更正已决定，不能再次决定"), where)
    return get_correction(db, proposal_id)


def decision_name(decision: str | None) -> str:
    names = {"accepted": _("已接受"), "rejected": _("已拒绝"), None: _("待决定")}
    return names.get(decision, decision or "")


def _row(r: sqlite3.Row) -> dict[str, Any]:
    f = scalar_field(r["field"])
    out: dict[str, Any] = {
        "id": r["id"],
        "org_id": r["org_id"],
        "field": r["field"],
        "header": f.header,
        "old": wire(loads(r["old_value"])),
        "new": wire(loads(r["new_value"])),
        "reason": r["reason"],
        "proposed_at": r["proposed_at"],
        "by": r["proposed_by"],
        "origin": r["origin"],
        "sent_bundle": r["sent_bundle"],
        "sent_at": r["sent_at"],
        "bundle": r["received_bundle"],
        "received_at": r["received_at"],
        "signer": r["signer"],
        "decision": r["decision"],
        "decided_at": r["decided_at"],
        "decided_by": r["decided_by"],
        "decision_reason": r["decision_reason"],
        "centre_value": wire(loads(r["centre_value"])) if r["centre_value"] is not None else None,
        "reregistration": loads(r["reregistration"]) if r["reregistration"] else None,
    }
    out["org_name"] = r["org_name"]
    return out
