"""Gathering what a bundle carries, before it is sealed (:mod:`inspector.bundles.export`).

Results (a laptop → the centre or the team lead): every chain (evaluation, device) past what the
recipient already holds (``bundle_marks``; ``full`` sends everything), the evidence those changes
refer to and the signed PDFs not yet sent, and for each evaluation created in the bundle its pinned
rubric (unless the recipient has that version) and its organisation.

Assignment (the centre → a supervisor's laptop): the visits (evaluations opened at the centre, with
their whole log), the previous evaluation of a re-check, the station's self-assessment, the pinned
rubrics, the stations' register data, the team's and the centre's certificates, and, outside the
encrypted payload, the person's credentials with the CA certificate and revocation list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from inspector.bundles.content import evidence_refs
from inspector.bundles.format import (
    ASSIGNMENT_FILE,
    CRED_CA,
    CRED_CRL,
    CRED_ENCRYPTION,
    CRED_SIGNING,
    EVIDENCE_INDEX,
    ORGS,
    PDFS_INDEX,
)
from inspector.crypto import keys, sealing
from inspector.crypto.identity import (
    Keyring,
    credentials_for,
    peer_certificate,
)
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.store.changes import CREATE, Change, canonical, loads
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.evidence import evidence_path
from inspector.store.signed_pdfs import signed_pdfs


@dataclass
class Content:
    """What goes into one bundle, before it is encrypted."""

    changes: list[Change] = field(default_factory=list)
    members: dict[str, bytes] = field(default_factory=dict)
    outer: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    full: bool = False
    rubrics_sent: list[str] = field(default_factory=list)  # content hashes


# --- gathering ------------------------------------------------------------------------------------


def _chains_since(db: sqlite_utils.Database, eval_id: str, marks: dict[tuple[str, str], int]) -> list[Change]:
    rows = db.conn.execute(
        "SELECT * FROM changes WHERE eval_id = ? ORDER BY device_id, device_seq", (eval_id,)
    )
    return [c for c in map(Change.from_row, rows) if c.device_seq > marks.get((c.eval_id, c.device_id), 0)]


def _add_log(
    db: sqlite_utils.Database, data: Path, content: Content, changes: Sequence[Change], sent: set[str]
) -> None:
    """Changes, and for each evaluation created here its rubric and organisation; the evidence."""
    store_rubrics: set[tuple[str, int]] = set()
    orgs: dict[str, dict[str, Any]] = {}
    for c in changes:
        content.changes.append(c)
        if c.kind == CREATE:
            store_rubrics.add((c.payload["rubric"], int(c.payload["rubric_version"])))
            orgs.setdefault(c.payload["org"]["id"], {})
    for rubric_id, version in sorted(store_rubrics):
        row = db.conn.execute(
            "SELECT toml, hash FROM rubrics WHERE id = ? AND version = ?", (rubric_id, version)
        ).fetchone()
        if row is None:
            raise NotFoundError(_("没有这个评估表"), f"{rubric_id} v{version}")
        if row[1] in sent and not content.full:
            continue  # the recipient has this version (sent before, or it came from there)
        content.members[f"rubrics/{rubric_id}-v{version}.toml"] = str(row[0]).encode("utf-8")
        content.rubrics_sent.append(str(row[1]))
    _add_orgs(db, content, orgs)
    index = loads(content.members.get(EVIDENCE_INDEX, b"{}").decode("utf-8"))
    for c in changes:
        for digest in evidence_refs(c):
            if digest in index or (digest in sent and not content.full):
                continue
            path = evidence_path(data, digest)
            row = db.conn.execute("SELECT name, mime FROM evidence WHERE sha256 = ?", (digest,)).fetchone()
            if not path.is_file():
                content.warnings.append(_("证据文件缺失，未放入数据包：{h}").format(h=digest[:12]))
                continue
            content.members[f"evidence/{digest}"] = path.read_bytes()
            index[digest] = {
                "name": row["name"] if row else digest,
                "mime": row["mime"] if row else "application/octet-stream",
                "size": path.stat().st_size,
            }
    if index:
        content.members[EVIDENCE_INDEX] = canonical(index).encode("utf-8")


def _add_orgs(db: sqlite_utils.Database, content: Content, wanted: dict[str, Any]) -> None:
    entries = loads(content.members.get(ORGS, b"[]").decode("utf-8"))
    have = {e["id"] for e in entries}
    for org_id in sorted(set(wanted) - have):
        row = db.conn.execute("SELECT id, name, code, details FROM orgs WHERE id = ?", (org_id,)).fetchone()
        if row is not None:
            entries.append(
                {"id": row["id"], "name": row["name"], "code": row["code"], "details": loads(row["details"])}
            )
    if entries:
        content.members[ORGS] = canonical(entries).encode("utf-8")


def _add_pdfs(data: Path, content: Content, eval_ids: Sequence[str], sent: set[str]) -> None:
    import hashlib

    index = []
    for eval_id in eval_ids:
        for path in signed_pdfs(data, eval_id):
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()
            if digest in sent and not content.full:
                continue
            content.members[f"pdfs/{eval_id}/{digest}.pdf"] = body
            index.append({"eval": eval_id, "sha256": digest, "name": path.name})
    if index:
        content.members[PDFS_INDEX] = canonical(index).encode("utf-8")


def results_content(
    db: sqlite_utils.Database,
    data: Path,
    recipient: x509.Certificate,
    eval_ids: Sequence[str] | None,
    full: bool,
) -> Content:
    fp = keys.fingerprint(recipient)
    marks: dict[tuple[str, str], int] = {}
    sent: set[str] = set()
    if not full:
        marks = {
            (r[0], r[1]): int(r[2])
            for r in db.conn.execute(
                "SELECT eval_id, device_id, seq FROM bundle_marks WHERE recipient = ?", (fp,)
            )
        }
        sent = {r[0] for r in db.conn.execute("SELECT sha256 FROM bundle_files WHERE recipient = ?", (fp,))}
    if eval_ids is None:
        eval_ids = [r[0] for r in db.conn.execute("SELECT id FROM evaluations ORDER BY created_at, id")]
    else:
        store = EvaluationStore(db)
        for e in eval_ids:
            store.get(e)  # refuses an unknown id
    content = Content(full=full)
    changes: list[Change] = []
    touched: list[str] = []
    for eval_id in eval_ids:
        new = _chains_since(db, eval_id, marks)
        changes += new
        if new or full:
            touched.append(eval_id)
    _add_log(db, data, content, changes, sent)
    # a signed evaluation's sheet may change with no new change in the log: the other members
    # countersign it in turn (pdf sign) and it comes back to reports/; the one not yet sent goes
    # (``sent`` holds the hashes this recipient has), or the export would say "nothing new"
    signed = {r[0] for r in db.conn.execute("SELECT id FROM evaluations WHERE signed_at IS NOT NULL")}
    with_pdfs = touched + [e for e in eval_ids if e in signed and e not in touched]
    _add_pdfs(data, content, with_pdfs if not full else list(eval_ids), sent)
    if not content.changes and not any(n.startswith("pdfs/") for n in content.members):
        raise UsageError(_("没有需要导出的新内容（对方已有全部更改）；如需重发全部内容，请用 --full"))
    return content


# --- assignments ----------------------------------------------------------------------------------


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _person_certs(db: sqlite_utils.Database, who: str) -> tuple[x509.Certificate, x509.Certificate] | None:
    try:
        row = credentials_for(db, who)
    except NotFoundError:
        return None
    s = db.conn.execute("SELECT * FROM peers WHERE fingerprint = ?", (row["signing"],)).fetchone()
    e = db.conn.execute("SELECT * FROM peers WHERE fingerprint = ?", (row["encryption"],)).fetchone()
    return (peer_certificate(s), peer_certificate(e)) if s is not None and e is not None else None


def assignment_visits(
    db: sqlite_utils.Database, plan_id: str, person: str, author: str | None
) -> list[dict[str, Any]]:
    """The visits of a plan whose current team includes ``person``; opens their evaluations if needed."""
    from inspector.centre.plans import assigned, get_plan, leader_of, scored_target, start_evaluation, targets

    plan = get_plan(db, plan_id)
    teams = assigned(db, plan_id)
    visits = []
    for t in targets(db, plan_id):
        team = teams.get(t.org_id)
        if team is None or person not in team.team or not scored_target(db, plan, t.org_id):
            continue  # an employer's renewal is reviewed at the desk, not scored in the field
        eval_id = t.eval_id or start_evaluation(db, plan_id, t.org_id, author).id
        visits.append(
            {
                "eval": eval_id,
                "plan": plan.id,
                "plan_title": plan.title,
                "visit_date": team.visit_date.isoformat(),
                "record_due": team.record_due.isoformat() if team.record_due else None,
                "role": "组长" if (leader_of(db, plan_id, t.org_id) or ("",))[0] == person else "组员",
            }
        )
    if not visits:
        raise UsageError(_("此人在本计划中没有督导任务"), person)
    return visits


def assignment_content(
    db: sqlite_utils.Database,
    data: Path,
    keyring: Keyring,
    recipient_row: Any,
    visits: list[dict[str, Any]],
) -> Content:
    store = EvaluationStore(db)
    content = Content(full=True)
    logs: list[str] = []
    for v in visits:
        e = store.get(v["eval"])
        extra: list[Evaluation | None] = [store.self_assessment_for(e)]
        if e.kind == "recheck":
            extra.append(store.previous_for(e))
        if e.previous_id:
            extra.append(store.get(e.previous_id))
        v["org"], v["org_name"], v["kind"] = e.org_id, e.org_name, e.kind
        v["previous"] = next((x.id for x in extra[1:] if x is not None), None)
        v["self_assessment"] = extra[0].id if extra[0] is not None else None
        v["team"] = []
        for member in e.team:
            entry = {k: member.get(k) for k in ("person_id", "name", "role")}
            certs = _person_certs(db, str(member["person_id"])) if member.get("person_id") else None
            if certs is not None:
                entry["certificate"], entry["encryption_certificate"] = map(keys.fingerprint, certs)
                for cert in certs:
                    content.members[f"certs/{keys.fingerprint(cert)}.pem"] = pem(cert)
            v["team"].append(entry)
        for x in [e, *extra]:
            if x is not None and x.id not in logs:
                logs.append(x.id)
    changes = [c for eval_id in logs for c in _chains_since(db, eval_id, {})]
    _add_log(db, data, content, changes, set())
    # every station visited, with the whole register (the log only carries name and code)
    _add_orgs(db, content, {v["org"]: True for v in visits})
    ident = keyring.identity
    centre = {"name": ident.name, "certificate": keys.fingerprint(ident.signing)}
    if ident.encryption is not None:
        centre["encryption_certificate"] = keys.fingerprint(ident.encryption)
    for own in (ident.signing, ident.encryption):
        if own is not None:
            content.members[f"certs/{keys.fingerprint(own)}.pem"] = pem(own)
    person = {k: recipient_row[k] for k in ("roster_id", "person_id", "name")}
    content.members[ASSIGNMENT_FILE] = canonical(
        {"person": person, "centre": centre, "visits": visits}
    ).encode("utf-8")
    for column in ("signing_p12", "encryption_p12"):
        if not sealing.is_sealed(bytes(recipient_row[column])):  # issued before sealing: re-issue
            raise UsageError(
                _("{name} 的证书是在口令封装之前签发的，不能随数据包携带：请重新签发（keys issue）").format(
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
    return content
