"""Exporting a bundle: seal what :mod:`inspector.bundles.gather` collected, write it safely.

Sealing: the inner ZIP encrypted to the recipient (HPKE), the manifest naming and hashing every
member, signed with this folder's signing key (docs/bundle-format.md).

Writing (:func:`write_bundle`): a temporary name in the target folder, fsync, read back from the
medium and verified, then renamed over the target: a pulled stick or a full disk leaves at most a
temporary file that does not verify, and never harms an earlier bundle of the same name. Only then
does the folder record what the recipient now holds.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography import x509

from inspector.bundles.container import write_container
from inspector.bundles.format import (
    ASSIGNMENT,
    CHANGES,
    CRED_SIGNING,
    ENCRYPTION,
    FORMAT,
    KINDS,
    MANIFEST,
    MAX_INNER_TOTAL,
    ORGS,
    OUTER_ORDER,
    PAYLOAD,
    RESULTS,
    SELF_REQUEST,
    SELF_RESULTS,
    SENDER,
    SIGNATURE,
    build_inner,
    encrypt_payload,
    manifest_bytes,
    sign,
)
from inspector.bundles.gather import Content, assignment_content, assignment_visits, pem, results_content
from inspector.bundles.ledger import mark_chain, mark_files, record_bundle
from inspector.bundles.opening import read_checked
from inspector.bundles.self_assessment import (
    request_content,
    sent_corrections,
    station_person,
    station_results_content,
)
from inspector.centre.corrections import mark_sent_in
from inspector.centre.self_requests import record_request
from inspector.crypto import keys
from inspector.crypto.identity import (
    Keyring,
    certificate_problem,
    credentials_for,
    describe,
    find_recipient,
    load_identity,
    peer_certificate,
)
from inspector.errors import BundleError, UsageError
from inspector.fileio import atomic_path
from inspector.i18n import _
from inspector.store.changes import CREATE, canonical, loads
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore

Progress = Callable[[int, int], None]


@dataclass
class ExportReport:
    bundle: str
    kind: str
    file: Path
    size: int
    recipient: dict[str, Any]
    counts: dict[str, int]
    evaluations: list[str]
    warnings: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "kind": self.kind,
            "file": str(self.file),
            "size": self.size,
            "recipient": self.recipient,
            "counts": self.counts,
            "evaluations": self.evaluations,
            "warnings": self.warnings,
        }


# --- sealing and writing --------------------------------------------------------------------------


def _counts(content: Content) -> dict[str, int]:
    names = content.members
    return {
        "evaluations": len({c.eval_id for c in content.changes}),
        "changes": len(content.changes),
        "evidence": sum(n.startswith("evidence/") for n in names),
        "rubrics": sum(n.startswith("rubrics/") for n in names),
        "orgs": len(loads(names[ORGS].decode("utf-8"))) if ORGS in names else 0,
        "pdfs": sum(n.startswith("pdfs/") for n in names),
        "certificates": sum(n.startswith("certs/") for n in names),
        "credentials": 2 if CRED_SIGNING in content.outer else 0,
    }


def seal(
    content: Content, kind: str, keyring: Keyring, device: str, recipient: x509.Certificate
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The manifest and the container's members, in order."""
    import hashlib

    content.changes.sort(key=lambda c: (c.kind != CREATE, c.wall_time, c.device_id, c.device_seq))
    content.members[CHANGES] = b"".join(
        canonical(c.to_json()).encode("utf-8") + b"\n" for c in content.changes
    )
    if sum(len(b) for b in content.members.values()) > MAX_INNER_TOTAL:
        raise UsageError(_("数据包内容超过 1 GiB：请分几次导出（--eval 选择评估）"))
    bundle = str(uuid.uuid4())
    payload = encrypt_payload(build_inner(content.members), recipient, bundle, kind)
    firsts: dict[tuple[str, str], int] = {}
    for c in content.changes:
        key = (c.eval_id, c.device_id)
        firsts[key] = min(firsts.get(key, c.device_seq), c.device_seq)
    ident = keyring.identity
    assert ident.encryption is not None
    chain = b"".join(pem(c) for c in (ident.signing, ident.encryption, ident.ca))
    sender = {
        **describe(ident.signing),
        "device": device,
        "encryption_certificate": keys.fingerprint(ident.encryption),
    }
    sender.pop("not_after")
    manifest = {
        "format": FORMAT,
        "bundle": bundle,
        "kind": kind,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "sender": sender,
        "recipient": {k: v for k, v in describe(recipient).items() if k != "not_after"},
        "counts": _counts(content),
        "evaluations": sorted({c.eval_id for c in content.changes}),
        "full": content.full,
        "since": [{"eval": e, "device": d, "after": s - 1} for (e, d), s in sorted(firsts.items()) if s > 1],
        "payload": {
            "name": PAYLOAD,
            "encryption": ENCRYPTION,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size": len(payload),
            "members": {
                n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                for n, b in sorted(content.members.items())
            },
        },
        "outer": {
            n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
            for n, b in sorted({SENDER: chain, **content.outer}.items())
        },
    }
    raw = manifest_bytes(manifest)
    members = {
        MANIFEST: raw,
        SIGNATURE: sign(keyring.signing_key, raw),
        SENDER: chain,
        **content.outer,
        PAYLOAD: payload,
    }
    return manifest, [(n, members[n]) for n in OUTER_ORDER if n in members]


def write_bundle(out: Path, members: list[tuple[str, bytes]]) -> int:
    """Write, sync, read back and verify under a temporary name, then rename into place.

    The read-back comes before the rename (the issue's order is rename, then verify): verified
    after the rename, a bad copy would already have replaced the previous bundle of that name.
    """
    out = Path(out)
    if out.is_dir():
        raise UsageError(_("输出路径是一个文件夹，请给出文件名"), str(out))
    with atomic_path(out) as tmp:
        with open(tmp, "wb") as f:
            size = write_container(f, members)
            f.flush()
            os.fsync(f.fileno())
            if hasattr(os, "posix_fadvise"):  # read back from the medium, not from the page cache
                os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        _read_back(tmp, out)  # before the rename: a bad copy never replaces a good one
    _read_back(out, out)  # and after it (a FAT stick's rename is not atomic): say so if it failed
    return size


def _read_back(path: Path, out: Path) -> None:
    try:
        read_checked(path)
    except BundleError as e:
        raise BundleError(
            _("写入后读回校验失败（U 盘损坏或已拔出？）：{e}").format(e=e.message), str(out)
        ) from None


def export_bundle(
    db: sqlite_utils.Database,
    data: Path,
    keyring: Keyring,
    kind: str,
    out: Path,
    *,
    eval_ids: Sequence[str] | None = None,
    plan_id: str | None = None,
    person: str | None = None,
    to: str | None = None,
    full: bool = False,
    author: str | None = None,
    progress: Progress | None = None,
    org: str | None = None,
) -> ExportReport:
    # the keys from the keyring, the revocation list from disk (it may have changed since unlocking)
    ident = replace(keyring.identity, crl=getattr(load_identity(data), "crl", None))
    keyring = replace(keyring, identity=ident)
    if ident.encryption is None:
        raise UsageError(_("本机没有加密证书，不能收发数据包：请向中心申请新证书"))
    problem = certificate_problem(ident.signing, ident.ca, ident.crl, dt.datetime.now(dt.UTC), keys.SIGNING)
    if problem:
        raise UsageError(_("本机证书：{p}").format(p=problem))
    if progress is not None:
        progress(0, 3)
    request: dict[str, Any] | None = None
    if kind == SELF_REQUEST:  # issue 19: the centre asks one station of a plan for its self-assessment
        if ident.role != "centre":
            raise UsageError(_("只有中心能发出自评通知"))
        if plan_id is None or org is None:
            raise UsageError(_("自评通知需要 --plan 与 --org"))
        row = credentials_for(db, station_person(org))
        recipient = peer_certificate(
            db.conn.execute("SELECT * FROM peers WHERE fingerprint = ?", (row["encryption"],)).fetchone()
        )
        content, request = request_content(db, data, keyring, row, plan_id, org)
    elif kind == SELF_RESULTS:
        if ident.role != "station":
            raise UsageError(_("只有鉴定站（所）能发出自查自评数据包"))
        recipient = find_recipient(db, to)
        content = station_results_content(db, data, recipient, eval_ids, full)
    elif kind == RESULTS:
        if ident.role == "station":
            raise UsageError(_("鉴定站（所）发出的是自查自评数据包（--kind self-assessment）"))
        if ident.role == "centre":
            raise UsageError(_("中心发出的是派发数据包（--kind assignment）"))
        recipient = find_recipient(db, to)
        content = results_content(db, data, recipient, eval_ids, full)
    elif kind == ASSIGNMENT:
        if ident.role != "centre":
            raise UsageError(_("只有中心能导出派发数据包"))
        if plan_id is not None and person is not None:
            # the credential first: it is read (sealed keys and all) only at the head's desk of a
            # server centre, and a desk refused it must not have opened the visits' evaluations
            row = credentials_for(db, person)
            who, visits = person, assignment_visits(db, plan_id, person, author)
        elif eval_ids and to is not None:
            who, visits = to, [{"eval": e} for e in eval_ids]
            row = credentials_for(db, who)
        else:
            raise UsageError(_("派发数据包需要 --plan 与 --person，或 --eval 与 --to"))
        recipient = peer_certificate(
            db.conn.execute("SELECT * FROM peers WHERE fingerprint = ?", (row["encryption"],)).fetchone()
        )
        content = assignment_content(db, data, keyring, row, visits)
    else:
        raise UsageError(_("数据包类型应为 {kinds} 之一").format(kinds="、".join(KINDS)), kind)
    problem = certificate_problem(recipient, ident.ca, ident.crl, dt.datetime.now(dt.UTC), keys.ENCRYPTION)
    if problem:
        raise UsageError(_("收件人证书：{p}").format(p=problem))
    if recipient == ident.encryption:
        raise UsageError(_("不能导出给本机自己"))
    if progress is not None:
        progress(1, 3)
    device = EvaluationStore(db).device
    manifest, members = seal(content, kind, keyring, device, recipient)
    if progress is not None:
        progress(2, 3)
    size = write_bundle(out, members)
    _record_export(db, manifest, content, keys.fingerprint(recipient), out, request)
    if progress is not None:
        progress(3, 3)
    return ExportReport(
        manifest["bundle"],
        kind,
        out,
        size,
        manifest["recipient"],
        manifest["counts"],
        manifest["evaluations"],
        content.warnings,
    )


def _record_export(
    db: sqlite_utils.Database,
    manifest: dict[str, Any],
    content: Content,
    recipient: str,
    out: Path,
    request: dict[str, Any] | None = None,
) -> None:
    """The file is on the stick and verified: from now on the recipient is taken to hold it."""
    with transaction(db) as conn:
        # the station's proposed 登记表 changes are with the centre from now
        mark_sent_in(conn, sent_corrections(content), manifest["bundle"])
        if request is not None:  # the request is sent: the plan's ledger counts it from now
            record_request(conn, manifest["bundle"], request, manifest["created"])
        for c in content.changes:
            mark_chain(conn, recipient, c.eval_id, c.device_id, c.device_seq)
        mark_files(conn, recipient, content.rubrics_sent)
        mark_files(
            conn,
            recipient,
            [
                name.rsplit("/", 1)[1].removesuffix(".pdf")
                for name in content.members
                if name.startswith(("evidence/", "pdfs/"))
            ],
        )
        record_bundle(
            conn, manifest, direction="export", counts=manifest["counts"], outcome="exported", file=str(out)
        )
