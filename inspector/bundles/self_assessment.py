"""The station's side (issue 19): the centre's self-assessment request, the station's signed answer.

Request (the centre → a station, kind ``self-assessment-request``): ``request.json`` names the plan,
the form (rubric id, version, content hash: the rubric file rides along), the station's register
entry (``orgs.json``, authoritative like an assignment's), the deadline with its clause (the plan's
rulebook, :func:`inspector.centre.self_requests.self_assessment_deadline`) and the representative's
credential, carried outside the payload as an assignment carries a supervisor's. Importing it makes
the folder a station's (:mod:`inspector.store.folder_role`) for that organisation.

Answer (the station → the centre, kind ``self-assessment``): the station's own signed
self-assessments (their whole log, their signed PDFs), encrypted to the centre and signed with the
representative's credential. At the centre :mod:`inspector.bundles.authority` (rule ``station``)
refuses anything else, and the request is marked returned with who signed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives import serialization

from inspector.bundles.format import (
    CORRECTIONS_FILE,
    CRED_CA,
    CRED_CRL,
    CRED_ENCRYPTION,
    CRED_SIGNING,
    REQUEST_FILE,
)
from inspector.bundles.gather import Content, _add_orgs, pem, results_content
from inspector.centre.corrections import checked_proposals, outgoing
from inspector.centre.self_requests import (
    attach_evaluation,
    record_request,
    record_returned,
    self_assessment_deadline,
)
from inspector.crypto import keys, sealing
from inspector.crypto.identity import ORG_PREFIX, Keyring
from inspector.errors import BundleError, UsageError
from inspector.i18n import _
from inspector.store.changes import SIGN, canonical, loads
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore
from inspector.store.folder_role import STATION, folder_role, set_folder_role, station_org


def station_person(org_id: str) -> str:
    """The id a station's representative has in certificates and ``peers``: ``org:`` + register id."""
    return f"{ORG_PREFIX}{org_id}"


# --- the centre: the request ----------------------------------------------------------------------


def request_content(
    db: sqlite_utils.Database, data: Path, keyring: Keyring, recipient_row: Any, plan_id: str, org_id: str
) -> tuple[Content, dict[str, Any]]:
    """What a station's request carries; ``recipient_row`` is the representative's credential."""
    from inspector.centre.plans import get_plan, plan_rulebook, targets
    from inspector.centre.unscored import refuse_unscored

    plan = get_plan(db, plan_id)
    if org_id not in {t.org_id for t in targets(db, plan_id)}:
        raise UsageError(_("该机构不在本计划的受检机构中"), org_id)
    # no form to score for an applicant the plan's rulebook reviews without scoring (重庆 用人单位)
    refuse_unscored(db, plan.rubric_id, org_id, [plan_rulebook(db, plan)])
    rubric = db.conn.execute(
        "SELECT id, version, hash, toml FROM rubrics WHERE id = ? ORDER BY version DESC LIMIT 1",
        (plan.rubric_id,),
    ).fetchone()
    org = db.conn.execute("SELECT id, name, code FROM orgs WHERE id = ?", (org_id,)).fetchone()
    deadline = self_assessment_deadline(db, plan)
    ident = keyring.identity
    request = {
        "plan": {"id": plan.id, "title": plan.title, "year": plan.year},
        "org": {"id": org["id"], "name": org["name"], "code": org["code"]},
        "rubric": {"id": rubric["id"], "version": int(rubric["version"]), "hash": rubric["hash"]},
        "deadline": deadline.as_json() if deadline is not None else None,
        "representative": {
            "name": recipient_row["name"],
            "person_id": recipient_row["person_id"],
            "certificate": recipient_row["signing"],
        },
        "centre": {"name": ident.name, "certificate": keys.fingerprint(ident.signing)},
        "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    content = Content(full=True)
    content.members[f"rubrics/{rubric['id']}-v{rubric['version']}.toml"] = str(rubric["toml"]).encode("utf-8")
    content.rubrics_sent.append(str(rubric["hash"]))
    _add_orgs(db, content, {org_id: True})
    for own in (ident.signing, ident.encryption):
        if own is not None:
            content.members[f"certs/{keys.fingerprint(own)}.pem"] = pem(own)
    content.members[REQUEST_FILE] = canonical(request).encode("utf-8")
    for column in ("signing_p12", "encryption_p12"):
        if not sealing.is_sealed(bytes(recipient_row[column])):
            raise UsageError(
                _("{name} 的证书未用口令封装，不能随数据包携带：请重新签发").format(
                    name=recipient_row["name"]
                )
            )
    content.outer = {
        CRED_SIGNING: bytes(recipient_row["signing_p12"]),
        CRED_ENCRYPTION: bytes(recipient_row["encryption_p12"]),
        CRED_CA: pem(ident.ca),
    }
    if ident.crl is not None:
        content.outer[CRED_CRL] = ident.crl.public_bytes(serialization.Encoding.PEM)
    return content, request


# --- reading a request (hostile input) -------------------------------------------------------------

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_request(members: dict[str, bytes]) -> dict[str, Any]:
    """``request.json``, every field checked; a bad one is refused naming the member and the key."""
    import json

    if REQUEST_FILE not in members:
        raise BundleError(_("自评通知数据包中没有 {name}").format(name=REQUEST_FILE), REQUEST_FILE)
    try:
        data = json.loads(members[REQUEST_FILE].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BundleError(_("不是有效的 JSON"), REQUEST_FILE) from None

    def need(obj: Any, path: str, keys_: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise BundleError(_("自评通知缺少 {key}").format(key=path), REQUEST_FILE)
        for k in keys_:
            if not isinstance(obj.get(k), str) or not obj[k].strip():
                raise BundleError(_("自评通知缺少 {key}").format(key=f"{path}.{k}"), REQUEST_FILE)
        return obj

    if not isinstance(data, dict):
        raise BundleError(_("自评通知缺少 {key}").format(key="plan"), REQUEST_FILE)
    need(data.get("plan"), "plan", ("id", "title"))
    need(data.get("org"), "org", ("id", "name"))
    rubric = need(data.get("rubric"), "rubric", ("id", "hash"))
    if type(rubric.get("version")) is not int or rubric["version"] < 1:
        raise BundleError(_("自评通知缺少 {key}").format(key="rubric.version"), REQUEST_FILE)
    need(data.get("representative"), "representative", ("name", "certificate"))
    deadline = data.get("deadline")
    if deadline is not None:
        need(deadline, "deadline", ("date", "quote"))
        try:
            if not _DAY.match(deadline["date"]):
                raise ValueError
            dt.date.fromisoformat(deadline["date"])
        except ValueError:
            raise BundleError(_("自评通知缺少 {key}").format(key="deadline.date"), REQUEST_FILE) from None
    return data


def check_request(
    conn: sqlite3.Connection, request: dict[str, Any], rubrics: dict[Any, Any], carried: Any
) -> None:
    """What the request must agree with: its form rides along, its credential is the one carried,
    and this folder is not already another station's or another role's."""
    r = request["rubric"]
    form = rubrics.get((r["id"], r["version"]))
    stored = conn.execute(
        "SELECT hash FROM rubrics WHERE id = ? AND version = ?", (r["id"], r["version"])
    ).fetchone()
    digest = form.content_hash if form is not None else (stored[0] if stored else None)
    if digest != r["hash"]:
        raise BundleError(_("自评通知所用的评估表不在数据包中，或内容与通知不符"), REQUEST_FILE)
    if carried is not None and keys.fingerprint(carried.signing) != request["representative"]["certificate"]:
        raise BundleError(_("随包携带的证书不是通知中的鉴定站代表"), CRED_SIGNING)
    role = folder_role(conn)
    if role not in (None, STATION):
        raise BundleError(_("这是发给鉴定站（所）的自评通知，本数据文件夹不是鉴定站的"), REQUEST_FILE)
    own = station_org(conn)
    if own is not None and own != request["org"]["id"]:
        raise BundleError(_("自评通知是发给另一个机构的：本数据文件夹属于另一个鉴定站"), REQUEST_FILE)


def receive_request(conn: sqlite3.Connection, request: dict[str, Any], bundle: str, at: str) -> None:
    """At the station, inside the import's transaction: keep the request, make this a station's folder."""
    set_folder_role(conn, STATION, request["org"]["id"])
    record_request(conn, bundle, request, request.get("sent_at") or at, received_at=at)


# --- the station: its self-assessment --------------------------------------------------------------


def current_request(db: sqlite_utils.Database) -> sqlite3.Row:
    """The station's latest request (what its self-assessment is filled against)."""
    row = db.conn.execute("SELECT * FROM self_assessment_requests ORDER BY sent_at DESC LIMIT 1").fetchone()
    if row is None or folder_role(db.conn) != STATION:
        raise UsageError(_("本数据文件夹还没有收到中心的自评通知：请先导入自评通知数据包"))
    return row  # type: ignore[no-any-return]


def station_status(db: sqlite_utils.Database, on: dt.date | None = None) -> dict[str, Any] | None:
    """What a station's folder shows first (window and ``station status``): its request, the
    deadline with its clause, its self-assessment's state, and whether it is overdue; None for a
    folder that is not a station's or has no request yet."""
    from inspector.centre.self_requests import request_state

    if folder_role(db.conn) != STATION:
        return None
    req = db.conn.execute("SELECT * FROM self_assessment_requests ORDER BY sent_at DESC LIMIT 1").fetchone()
    if req is None:
        return None
    deadline = dt.date.fromisoformat(req["deadline"]) if req["deadline"] else None
    state = None
    if req["eval_id"]:
        row = db.conn.execute("SELECT signed_at FROM evaluations WHERE id = ?", (req["eval_id"],)).fetchone()
        state = "signed" if row is not None and row[0] else "open"
    org = db.conn.execute("SELECT name FROM orgs WHERE id = ?", (req["org_id"],)).fetchone()
    return {
        "request": req["id"],
        "plan": req["plan_id"],
        "plan_title": req["plan_title"],
        "org": req["org_id"],
        "org_name": org[0] if org is not None else req["org_id"],
        "rubric": req["rubric_id"],
        "rubric_version": req["rubric_version"],
        "deadline": req["deadline"],
        "deadline_source": loads(req["deadline_source"]) if req["deadline_source"] else None,
        "representative": req["representative"],
        "eval": req["eval_id"],
        "eval_state": state,
        "overdue": state != "signed" and request_state(deadline, None, on or dt.date.today()) == "late",
    }


def start_self_assessment(db: sqlite_utils.Database, author: str | None = None) -> str:
    """Open (or find) the station's self-assessment for its latest request: the form and version the
    centre named, the station's own organisation. Returns the evaluation id."""
    req = current_request(db)
    if req["eval_id"]:
        return str(req["eval_id"])
    store = EvaluationStore(db, author) if author else EvaluationStore(db)
    e = store.create(
        req["rubric_id"],
        req["org_id"],
        "self",
        rubric_version=int(req["rubric_version"]),
        visit_date=dt.date.today().isoformat(),
    )
    with transaction(db) as conn:
        attach_evaluation(conn, req["id"], e.id)
    return e.id


def station_results_content(
    db: sqlite_utils.Database, data: Path, recipient: Any, eval_ids: Sequence[str] | None, full: bool
) -> Content:
    """The station's signed self-assessments of its own organisation; a draft is not sent (the centre
    compares against signed figures only)."""
    org = station_org(db.conn)
    if org is None:
        raise UsageError(_("本数据文件夹不是鉴定站的：只有鉴定站发出自查自评数据包"))
    store = EvaluationStore(db)
    own = [e for e in store.list_evaluations() if e.kind == "self" and e.org_id == org]
    chosen = [e for e in own if eval_ids is None or e.id in eval_ids]
    if eval_ids is not None and len(chosen) != len(set(eval_ids)):
        raise UsageError(_("只能发出本站的自查自评"), ",".join(sorted(set(eval_ids) - {e.id for e in own})))
    unsigned = [e for e in chosen if not e.signed_at]
    if eval_ids is not None and unsigned:
        raise UsageError(_("自查自评尚未签署：请先签署再发出"), unsigned[0].id)
    signed = [e.id for e in chosen if e.signed_at]
    if not signed:
        raise UsageError(_("没有已签署的自查自评可发出：请先填写并签署"))
    content = results_content(db, data, recipient, signed, full)
    # the station's proposed 登记表 changes not yet sent ride along; they are marked sent once the
    # bundle is on the stick and verified (export._record_export), and decided at the centre
    proposals = outgoing(db, org)
    if proposals:
        content.members[CORRECTIONS_FILE] = canonical(proposals).encode("utf-8")
    return content


def sent_corrections(content: Content) -> list[str]:
    """The ids of the register corrections a bundle's content carries (none: an empty list)."""
    raw = content.members.get(CORRECTIONS_FILE)
    return [str(p["id"]) for p in json.loads(raw)] if raw else []


def read_corrections(members: dict[str, bytes], bundle: str) -> list[dict[str, Any]]:
    """``register_corrections.json`` of a station's bundle, every proposal checked as hostile input
    (the whole bundle is refused, naming the member and the proposal, on the first problem)."""
    raw = members.get(CORRECTIONS_FILE)
    if raw is None:
        return []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleError(_("不是有效的 JSON"), CORRECTIONS_FILE) from None
    try:
        return checked_proposals(data, bundle)
    except UsageError as e:
        raise BundleError(e.message, f"{CORRECTIONS_FILE}: {e.where}") from None


# --- the centre: the answer arrives ----------------------------------------------------------------


def record_answer(
    conn: sqlite3.Connection, evaluations: list[str], sender: dict[str, Any], bundle: str, at: str
) -> None:
    """Inside the import: each signed self-assessment closes its station's request, with who signed."""
    for eval_id in evaluations:
        row = conn.execute(
            "SELECT org_id, rubric_id, signed_at FROM evaluations WHERE id = ? AND kind = 'self'", (eval_id,)
        ).fetchone()
        if row is None or not row["signed_at"]:
            continue
        names = [
            str(r[0])
            for r in conn.execute(
                "SELECT json_extract(payload, '$.name') FROM changes WHERE eval_id = ? AND kind = ?"
                " ORDER BY wall_time",
                (eval_id, SIGN),
            )
            if r[0]
        ]
        who = _("{rep}（鉴定站代表证书）").format(rep=sender.get("name", ""))
        if names:
            who += "；" + _("签署人：{names}").format(names="、".join(names))
        record_returned(conn, row["org_id"], eval_id, row["rubric_id"], bundle, who, at)


__all__ = [
    "check_request",
    "current_request",
    "read_corrections",
    "read_request",
    "receive_request",
    "record_answer",
    "request_content",
    "sent_corrections",
    "start_self_assessment",
    "station_person",
    "station_results_content",
]
