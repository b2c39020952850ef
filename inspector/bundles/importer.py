"""Importing a bundle: check its content against the store, then apply it in one transaction.

:func:`prepare` reads every member (:mod:`inspector.bundles.content`) and checks what only the
store can tell: each chain (evaluation, device) links to what is stored (a gap means an earlier
bundle is missing; the same place with another hash means a forgery), every evaluation has its
creation, every rubric its pinned content. Nothing is written until all of that holds.

:func:`apply` then writes the evidence files (content-addressed: a refused import leaves nothing
that matters), and in ONE transaction the rubrics, organisations, evidence rows, the changes
through :func:`inspector.store.evaluations.apply_change` (the same path as a local change: heads,
out-of-order arrival, conflicts; an evaluation's plain run of marks at once through
:func:`inspector.store.log_batch.apply_run`, the same rows in fewer statements), the
certificates, the marks and the ``bundles`` row; an assignment's credentials are installed just
before the commit. Importing the same bundle again
changes nothing and says so; a change already stored with the same hash is skipped.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography import x509

from inspector.bundles.authority import FINAL as RULE_FINAL
from inspector.bundles.authority import (
    Hold,
    Verdict,
    bind_device,
    held_slots,
    judge,
    lock_problem,
)
from inspector.bundles.content import (
    OrgEntry,
    PdfEntry,
    check_payload,
    create_header,
    evidence_refs,
    read_assignment,
    read_certs,
    read_changes,
    read_evidence_index,
    read_orgs,
    read_pdfs,
    read_rubrics,
    stray_marks,
)
from inspector.bundles.format import (
    ASSIGNMENT,
    CHANGES,
    CORRECTIONS_FILE,
    FROM_CENTRE,
    MANIFEST,
    ORGS,
    SELF_REQUEST,
    SELF_RESULTS,
)
from inspector.bundles.held import hold, release_locks, settle_relay
from inspector.bundles.ledger import mark_chain, mark_files, record_bundle
from inspector.bundles.opening import Opened, open_bundle, read_checked
from inspector.bundles.published import check_pdfs, check_published
from inspector.bundles.self_assessment import (
    check_request,
    read_corrections,
    read_request,
    receive_request,
    record_answer,
)
from inspector.centre.corrections import store_received
from inspector.clock import now
from inspector.crypto import keys
from inspector.crypto.identity import (
    ORG_PREFIX,
    Keyring,
    add_peer,
    install_newer_crl,
    install_pair,
    older_than_installed,
)
from inspector.errors import BundleError, InspectorError
from inspector.fileio import write_bytes_atomic
from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.store.changes import CREATE, GENESIS, LOCK, Change
from inspector.store.db import transaction
from inspector.store.evidence import evidence_path, file_sha256, insert_evidence
from inspector.store.log import HeadValue, apply_change
from inspector.store.log_batch import RUN_KINDS, apply_run
from inspector.store.orgs import insert_org, update_org
from inspector.store.rubrics import PinnedRubrics, insert_rubric
from inspector.store.signed_pdfs import store_signed_pdf

Progress = Callable[[int, int], None]


# The store's own lookup: one memo of pinned rubric versions, not a copy of it here.
Rubrics = PinnedRubrics


@dataclass
class Prepared:
    opened: Opened
    new: list[Change]  # in apply order: creations first
    skipped: int
    chains: dict[tuple[str, str], int]  # every chain the bundle carries → its highest seq
    rubrics: list[Rubric]  # not yet stored
    orgs: list[OrgEntry]
    evidence: dict[str, dict[str, Any]]
    pdfs: list[PdfEntry]
    certs: list[x509.Certificate]
    assignment: dict[str, Any] | None
    evaluations: list[str]
    heads: dict[str, HeadValue] = field(default_factory=dict)  # item heads computed in the checks
    carried_rubrics: list[Rubric] = field(default_factory=list)  # every rubric in the bundle
    warnings: list[str] = field(default_factory=list)
    verdict: Verdict | None = None  # who may change what: the sender, the changes held apart
    request: dict[str, Any] | None = None  # a self-assessment request (issue 19), checked
    corrections: list[dict[str, Any]] = field(default_factory=list)  # a station's, checked
    seen: tuple[Any, ...] = ()  # what the checks judged, as _judged_state read it before them


@dataclass
class ImportReport:
    bundle: str
    kind: str
    sender: dict[str, Any]
    created: str
    already: bool = False
    added: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    identity: str | None = None  # whose credentials were installed with this bundle
    held: list[dict[str, Any]] = field(default_factory=list)  # changes held apart, with the rule
    request: dict[str, Any] | None = None  # a self-assessment request received (issue 19)
    at_centre: bool = False  # imported with the centre's credential: who decides what is held

    def as_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "kind": self.kind,
            "sender": self.sender,
            "created": self.created,
            "already_imported": self.already,
            "added": self.added,
            "skipped": self.skipped,
            "evaluations": self.evaluations,
            "conflicts": self.conflicts,
            "warnings": self.warnings,
            "identity_installed": self.identity,
            "held": self.held,
            **({"request": self.request} if self.request is not None else {}),
        }

    def summary(self) -> list[str]:
        """What an import did, in the words both faces print (conflicts apart: see ``conflict_line``)."""
        if self.already:
            return [_("已导入过：{id}，未做任何更改").format(id=self.bundle)]
        a = self.added
        lines = [
            _(
                "已导入 {id}（来自 {who}）：新增 {c} 条更改、{n} 个评估、{e} 个证据文件；跳过已有更改 {s} 条"
            ).format(
                id=self.bundle,
                who=self.sender.get("name"),
                c=a.get("changes", 0),
                n=a.get("evaluations", 0),
                e=a.get("evidence", 0),
                s=self.skipped,
            )
        ]
        if a.get("pdfs"):  # the signed sheet that came back: the clerk is told it is here, verified
            lines.append(
                _("收到签署的 PDF {n} 份（签名已验证），保存在数据文件夹的 pdfs/ 中").format(n=a["pdfs"])
            )
        if self.identity:
            lines.append(_("已安装 {name} 的证书").format(name=self.identity))
        if self.request is not None:
            deadline = self.request.get("deadline") or {}
            lines.append(
                _("自评通知：{org}，{plan}，截止日期 {day}（inspector station start 开始填写）").format(
                    org=self.request["org"]["name"],
                    plan=self.request["plan"]["title"],
                    day=deadline.get("date") or _("未规定"),
                )
            )
        if self.held:
            # held changes are decided where they are held: at the centre by the centre, on a
            # team lead's laptop by its user (inspector.bundles.held)
            if self.at_centre:
                held = _("搁置 {n} 条不合规则的更改，未并入评估：待中心逐条接受或拒绝（被搁置的更改）")
            else:
                held = _(
                    "搁置 {n} 条不合规则的更改，未并入评估：请在本机逐条接受或拒绝"
                    "（被搁置的更改；inspector bundle accept / reject）"
                )
            lines.append(held.format(n=len(self.held)))
        return lines + [_("注意：") + w for w in self.warnings]


def conflict_line(conflict: dict[str, Any]) -> str:
    """One conflict an import brought, as both faces name it."""
    return _("冲突：{org} 评估 {e} 小项 {i}（两人评分不同，请组长或中心处理）").format(
        org=conflict["org_name"] or conflict["eval"][:8], e=conflict["eval"][:8], i=conflict["item"]
    )


def _chain_checks(
    conn: sqlite3.Connection, changes: list[tuple[Change, str]], own_device: str | None = None
) -> tuple[list[Change], int]:
    """Link every chain to itself and to the store; returns (changes not yet stored, skipped).

    A change held apart links the chain like a stored one; sent again it is skipped, unless it was
    held as relayed and now comes from its own device (``own_device``): then it is judged anew."""
    by_chain: dict[tuple[str, str], list[tuple[Change, str]]] = defaultdict(list)
    for c, where in changes:
        by_chain[(c.eval_id, c.device_id)].append((c, where))
    stored_ids: dict[str, dict[str, tuple[str, int]]] = {}
    new: set[str] = set()
    skipped = 0
    for (eval_id, device), chain in by_chain.items():
        chain.sort(key=lambda p: p[0].device_seq)
        first, last = chain[0][0].device_seq, chain[-1][0].device_seq
        # consecutive, checked pairwise: never a list as long as the numbers a hostile file claims
        if any(b[0].device_seq != a[0].device_seq + 1 for a, b in itertools.pairwise(chain)):
            raise BundleError(_("同一设备的更改序号不连续或重复"), chain[0][1])
        rows = conn.execute(
            "SELECT device_seq, hash FROM changes WHERE eval_id = ? AND device_id = ?"
            " AND device_seq BETWEEN ? AND ?",
            (eval_id, device, first - 1, last),
        ).fetchall()
        stored = {int(r[0]): str(r[1]) for r in rows}
        held = held_slots(conn, eval_id, device, first - 1, last)  # held apart: still links the chain
        if eval_id not in stored_ids:
            stored_ids[eval_id] = {
                r[0]: (r[1], int(r[2]))
                for r in conn.execute(
                    "SELECT id, device_id, device_seq FROM changes WHERE eval_id = ?", (eval_id,)
                )
            }
        expected = GENESIS if first == 1 else stored.get(first - 1, held.get(first - 1, (None, False))[0])
        if expected is None:
            raise BundleError(
                _(
                    "缺少更早的更改（设备 {d} 第 1–{n} 条）：请先导入更早的数据包，或请对方完整导出（--full）"
                ).format(d=device[:8], n=first - 1),
                chain[0][1],
            )
        for c, where in chain:
            if c.prev_hash != expected:
                raise BundleError(_("与前一条更改的链接断开（有更改被删除、插入或改动）"), where)
            expected = c.hash
            if c.device_seq in stored:
                if stored[c.device_seq] != c.hash:
                    raise BundleError(_("与本机已有的同一条更改不同：数据包是伪造的"), where)
                skipped += 1
                continue
            if c.device_seq in held:
                if held[c.device_seq][0] != c.hash:
                    raise BundleError(_("与本机已有的同一条更改不同：数据包是伪造的"), where)
                if not (held[c.device_seq][1] and device == own_device):
                    skipped += 1  # held apart already: its decision stands
                    continue
            same_id = stored_ids[eval_id].get(c.id)
            if same_id is not None and same_id != (c.device_id, c.device_seq):
                raise BundleError(_("更改编号与本机已有的另一条更改相同：数据包是伪造的"), where)
            new.add(c.id)
    ordered = [c for c, _w in changes if c.id in new]
    ordered.sort(key=lambda c: c.kind != CREATE)  # stable: creations first, then the file's order
    return ordered, skipped


def check_kind_here(conn: sqlite3.Connection, kind: str, opened: Opened) -> None:
    """A station's folder takes only its centre's requests; a station's answer goes to the centre only."""
    from inspector.store.folder_role import STATION, folder_role

    station_here = folder_role(conn) == STATION or (
        opened.identity is not None and opened.identity.role == STATION
    )
    if station_here and kind != SELF_REQUEST:
        raise BundleError(_("鉴定站（所）的数据文件夹只接收中心的自评通知"), MANIFEST)
    if kind == SELF_RESULTS and (opened.identity is None or opened.identity.role != "centre"):
        raise BundleError(_("自查自评数据包是发给中心的，本机不是中心"), MANIFEST)


def prepare(db: sqlite_utils.Database, rubrics_of: Rubrics, opened: Opened) -> Prepared:
    """Every check of the content; raises :class:`BundleError` naming the member and the rule."""
    members = opened.members
    m = opened.container.manifest
    changes = read_changes(members)
    rubrics = read_rubrics(members)
    orgs = read_orgs(members)
    evidence = read_evidence_index(members, m.members)
    pdfs = read_pdfs(members, m.members)
    certs = read_certs(members, opened.ca, opened.crl, m.created) if m.kind in FROM_CENTRE else []
    assignment = read_assignment(members) if m.kind == ASSIGNMENT else None
    request = read_request(members) if m.kind == SELF_REQUEST else None
    corrections = read_corrections(members, m.bundle) if m.kind == SELF_RESULTS else []
    if CORRECTIONS_FILE in members and m.kind != SELF_RESULTS:
        raise BundleError(_("只有鉴定站的自查自评数据包可以携带登记事项更正"), CORRECTIONS_FILE)
    check_kind_here(db.conn, m.kind, opened)
    if request is not None:
        check_request(db.conn, request, rubrics, opened.carried)
    if any(n.startswith("certs/") for n in members) and m.kind not in FROM_CENTRE:
        raise BundleError(_("只有派发数据包可以携带证书文件"), "certs/")
    eval_ids = sorted({c.eval_id for c, _w in changes})
    counts = {
        "evaluations": len(eval_ids),
        "changes": len(changes),
        "evidence": len(evidence),
        "rubrics": len(rubrics),
        "orgs": len(orgs),
        "pdfs": len(pdfs),
        "certificates": len(certs),
        "credentials": 2 if opened.container.outer.get("credentials/signing.p12") else 0,
    }
    for key, n in counts.items():
        if m.counts[key] != n:
            raise BundleError(_("清单中的数量 {key} 与内容不符").format(key=key), MANIFEST)
    if m.data["evaluations"] != eval_ids:
        raise BundleError(_("清单中的评估列表与内容不符"), MANIFEST)
    conn = db.conn
    # read before the checks: the write compares it again under its lock (_judged_state)
    seen = _judged_state(conn, eval_ids, m.sender["device"])
    new, skipped = _chain_checks(conn, changes, m.sender["device"])

    # every evaluation has its creation, every creation its rubric with the pinned content
    stored_rubrics: dict[tuple[str, int], str] = {
        (r[0], int(r[1])): str(r[2]) for r in conn.execute("SELECT id, version, hash FROM rubrics")
    }
    for (rid, rv), carried in rubrics.items():
        if (rid, rv) in stored_rubrics and stored_rubrics[(rid, rv)] != carried.content_hash:
            raise BundleError(_("本机已有同一版本但内容不同的评估表"), f"rubrics/{rid}-v{rv}.toml")
    pinned: dict[str, Rubric] = {}
    for c, where in changes:
        if c.kind != CREATE:
            continue
        rubric_id, version, digest, _org = create_header(c, where)
        found = rubrics.get((rubric_id, version))
        if found is None and (rubric_id, version) not in stored_rubrics:
            raise BundleError(_("缺少评估所用的评估表 {r} 第{v}版").format(r=rubric_id, v=version), where)
        rubric = found if found is not None else rubrics_of(rubric_id, version)
        if rubric.content_hash != digest:
            raise BundleError(_("评估表内容与评估所固定的版本（哈希）不符"), where)
        if c.eval_id in pinned:
            raise BundleError(_("同一评估有两条创建记录"), where)
        pinned[c.eval_id] = rubric
    new_ids = {c.id for c in new}
    heads: dict[str, HeadValue] = {}
    for c, where in changes:
        if c.kind == CREATE and c.id in new_ids:
            exists = conn.execute("SELECT 1 FROM evaluations WHERE id = ?", (c.eval_id,)).fetchone()
            if exists is not None:
                raise BundleError(_("本机已有这个评估，但创建记录不同：数据包是伪造的"), where)
    for c, where in changes:
        if c.eval_id not in pinned:
            row = conn.execute(
                "SELECT rubric_id, rubric_version, rubric_hash FROM evaluations WHERE id = ?", (c.eval_id,)
            ).fetchone()
            if row is None:
                raise BundleError(_("缺少评估 {e} 的创建记录").format(e=c.eval_id[:8]), where)
            pinned[c.eval_id] = rubrics_of(row[0], row[1], row[2])
        if c.id in new_ids:
            head = check_payload(c, pinned[c.eval_id], where)
            if head is not None:
                heads[c.id] = head

    # who may change what (inspector.bundles.authority): refusals raise, the rest may be held apart
    local_is_centre = opened.identity is not None and opened.identity.role == "centre"
    creates = {c.eval_id: c for c, _w in changes if c.kind == CREATE}
    if m.kind not in FROM_CENTRE:
        org_ids = [(o.id, f"{ORGS}[{i}]") for i, o in enumerate(orgs)]
        org_ids += [
            (str(c.payload["org"]["id"]), w) for c, w in changes if c.kind == CREATE and c.id in new_ids
        ]
        check_published(conn, rubrics, org_ids)
    verdict = judge(
        conn,
        kind=m.kind,
        sender_cert=opened.container.sender,
        sender_device=m.sender["device"],
        local_is_centre=local_is_centre,
        changes=changes,
        new_ids=new_ids,
        bundle=m.bundle,
    )
    if corrections and (verdict.sender is None or not verdict.sender.startswith(ORG_PREFIX)):
        raise BundleError(_("登记事项更正只能由鉴定站代表证书发出"), CORRECTIONS_FILE)
    check_pdfs(
        conn, pdfs, members, opened.ca, opened.crl, local_is_centre, creates, (verdict.device, verdict.sender)
    )

    chains: dict[tuple[str, str], int] = {}
    for c, _w in changes:
        chain = (c.eval_id, c.device_id)
        chains[chain] = max(chains.get(chain, 0), c.device_seq)
    warnings = stray_marks([(c, w) for c, w in changes if c.id in new_ids], pinned)
    referenced = {d for c in new for d in evidence_refs(c)} - set(evidence)
    missing = sorted(
        d
        for d in referenced
        if conn.execute("SELECT 1 FROM evidence WHERE sha256 = ?", (d,)).fetchone() is None
    )
    if missing:
        warnings.append(
            _("有 {n} 个证据文件未随包带来，本机也没有（如 {h}…）").format(n=len(missing), h=missing[0][:12])
        )
    return Prepared(
        opened,
        new,
        skipped,
        chains,
        [r for k, r in rubrics.items() if k not in stored_rubrics],
        orgs,
        evidence,
        pdfs,
        certs,
        assignment,
        eval_ids,
        heads,
        list(rubrics.values()),
        [*opened.container.warnings, *warnings],
        verdict,
        request,
        corrections,
        seen,
    )


# --- applying -------------------------------------------------------------------------------------


def _conflicts(conn: sqlite3.Connection, eval_ids: list[str]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for eval_id in eval_ids:
        rows = conn.execute(
            "SELECT item_id FROM heads WHERE eval_id = ? GROUP BY item_id HAVING COUNT(*) > 1", (eval_id,)
        )
        out |= {(eval_id, r[0]) for r in rows}
    return out


def _superseded(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
    """Which of ``ids`` a stored change already names as its parent."""
    out: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT parent_id FROM supersedes WHERE parent_id IN ({marks})", chunk)
        out |= {r[0] for r in rows}
    return out


def _store_org(conn: sqlite3.Connection, org: OrgEntry, authoritative: bool, created: str) -> bool:
    """Insert an organisation, or (from the centre, newer than what we have) refresh its register."""
    row = conn.execute("SELECT id FROM orgs WHERE id = ?", (org.id,)).fetchone()
    if row is None:
        code = org.code
        if code is not None and conn.execute("SELECT 1 FROM orgs WHERE code = ?", (code,)).fetchone():
            code = None  # another organisation here holds the code: keep this one, uncoded
        added = insert_org(conn, org.id, org.name, code, org.details)
    else:
        added = False
    if authoritative:
        mark = conn.execute("SELECT created FROM register_marks WHERE org_id = ?", (org.id,)).fetchone()
        if mark is None or mark[0] < created:
            if not added:
                update_org(conn, org.id, name=org.name, details=org.details)
            conn.execute(
                "INSERT OR REPLACE INTO register_marks (org_id, created) VALUES (?, ?)", (org.id, created)
            )
    return added


def _write_evidence(data: Path, p: Prepared, progress: Progress | None) -> None:
    total = len(p.evidence)
    for n, digest in enumerate(sorted(p.evidence), start=1):
        target = evidence_path(data, digest)
        if not target.exists() or file_sha256(target) != digest:
            write_bytes_atomic(target, p.opened.members[f"evidence/{digest}"])
        if progress is not None:
            progress(n, total)


def apply(
    db: sqlite_utils.Database,
    data: Path,
    rubrics_of: Rubrics,
    p: Prepared,
    progress: Progress | None = None,
) -> ImportReport:
    m = p.opened.container.manifest
    report = ImportReport(m.bundle, m.kind, m.sender, m.data["created"], warnings=list(p.warnings))
    report.at_centre = p.opened.identity is not None and p.opened.identity.role == "centre"
    _write_evidence(data, p, progress)
    added = dict.fromkeys(
        ("evaluations", "changes", "evidence", "rubrics", "orgs", "pdfs", "certificates"), 0
    )
    sender_fp = m.sender["encryption_certificate"]
    with transaction(db) as conn:
        done = conn.execute("SELECT direction FROM bundles WHERE id = ?", (m.bundle,)).fetchone()
        if done is not None and done[0] == "export":
            raise BundleError(_("这个数据包是本机导出的，不能再导入本机"), MANIFEST)
        if done is not None:
            report.already = True  # imported meanwhile by another window
            return report
        if _taken_meanwhile(conn, p.new) or _judged_state(conn, p.evaluations, m.sender["device"]) != p.seen:
            raise _Moved
        before = _conflicts(conn, p.evaluations)
        known = {
            e
            for e in p.evaluations
            if conn.execute("SELECT 1 FROM evaluations WHERE id = ?", (e,)).fetchone()
        }
        for rubric in p.rubrics:
            insert_rubric(conn, rubric, f"bundle:{m.bundle}")
            added["rubrics"] += 1
        for org in p.orgs:
            added["orgs"] += _store_org(conn, org, m.kind in FROM_CENTRE, m.data["created"])
        for c in p.new:  # a creation's organisation snapshot, when orgs.json did not carry it
            if c.kind == CREATE:
                o = c.payload["org"]
                entry = OrgEntry(o["id"], o["name"], o.get("code"), {})
                added["orgs"] += _store_org(conn, entry, False, m.data["created"])
        for digest, meta in p.evidence.items():
            added["evidence"] += insert_evidence(
                conn, digest, meta["size"], meta["name"], meta["mime"], p.opened.members[f"evidence/{digest}"]
            )
        held_now: set[tuple[str, str, int]] = set()
        superseded = {parent for c in p.new for parent in c.parents} | _superseded(
            conn, [c.id for c in p.new]
        )
        holds = dict(p.verdict.holds) if p.verdict is not None else {}
        if p.verdict is not None:
            bind_device(conn, p.verdict, m.bundle, now())
        # a lock goes last: it applies only over what the rest of the bundle brought (rule 1)
        ordered = sorted(p.new, key=lambda c: c.kind == LOCK)
        relays = conn.execute(  # held as relayed, waiting for this sender's own device?
            "SELECT 1 FROM held_changes WHERE device_id = ? AND rule = 'relay' AND decision IS NULL LIMIT 1",
            (m.sender["device"],),
        ).fetchone()
        applied = 0
        # each evaluation's plain run of marks at once (inspector.store.log_batch), where nothing
        # in it is held apart or waits on a relay: what apply_change would write, in fewer statements
        runs = _runs(ordered, holds) if relays is None else {}
        taken: set[str] = set()  # evaluations whose run was applied whole
        received_at = now()
        for n, c in enumerate(ordered):
            if c.kind in RUN_KINDS:
                run = runs.pop(c.eval_id, None)  # at the evaluation's first mark: all of them, or none
                if run is not None:
                    batch = [(r, None if r.id in superseded else p.heads.get(r.id)) for r in run]
                    try:
                        if apply_run(conn, c.eval_id, batch, rubrics_of, received_at):
                            taken.add(c.eval_id)
                            applied += len(run)
                    except (InspectorError, KeyError, TypeError, ValueError, sqlite3.IntegrityError) as e:
                        where = f"{CHANGES}:{c.id[:8]}"
                        raise BundleError(_("无法应用更改：{e}").format(e=e), where) from None
                if c.eval_id in taken:
                    if progress is not None and n % 50 == 0:
                        progress(n, len(p.new))
                    continue
            why = holds.get(c.id)
            if why is None and c.kind == LOCK:
                problem = lock_problem(conn, c)
                why = Hold(RULE_FINAL, problem) if problem is not None else None
            if why is None and (c.eval_id, c.device_id, c.device_seq - 1) in held_now:
                why = Hold("chain", _("同一设备的前一条更改被搁置"))
            if why is not None:
                hold(conn, c, why, m.bundle, m.sender)
                held_now.add((c.eval_id, c.device_id, c.device_seq))
                report.held.append(
                    {
                        "eval": c.eval_id,
                        "item": c.item_id,
                        "kind": c.kind,
                        "rule": why.rule,
                        "reason": why.reason,
                    }
                )
                continue
            # a head computed in the checks is only good for a change nothing supersedes yet;
            # otherwise apply_change takes its superseded path (a later change arrived first)
            head = None if c.id in superseded else p.heads.get(c.id)
            try:
                apply_change(conn, c, rubrics_of, head)
            except (InspectorError, KeyError, TypeError, ValueError, sqlite3.IntegrityError) as e:
                raise BundleError(_("无法应用更改：{e}").format(e=e), f"{CHANGES}:{c.id[:8]}") from None
            applied += 1
            if relays is not None and c.device_id == m.sender["device"]:
                settle_relay(conn, c, str(m.sender.get("name", "")))
            if progress is not None and n % 50 == 0:
                progress(n, len(p.new))
        # a lock held only until the changes it was signed over arrived applies once they are here
        applied += release_locks(conn, p.evaluations, rubrics_of)
        added["changes"] = applied
        added["evaluations"] = len(set(p.evaluations) - known)
        for cert in p.certs:
            added["certificates"] += add_peer(conn, cert, roster_id=_roster_id(p.assignment, cert))
        for (eval_id, device), seq in p.chains.items():
            mark_chain(conn, sender_fp, eval_id, device, seq)
        carried = [r.content_hash for r in p.carried_rubrics]
        mark_files(conn, sender_fp, [*p.evidence, *(pdf.sha256 for pdf in p.pdfs), *carried])
        after = _conflicts(conn, p.evaluations)
        names = {
            e: conn.execute(
                "SELECT o.name FROM evaluations e JOIN orgs o ON o.id = e.org_id WHERE e.id = ?", (e,)
            ).fetchone()[0]
            for e in p.evaluations
        }
        report.evaluations = [
            {"id": e, "org_name": names.get(e), "new": e not in known} for e in p.evaluations
        ]
        report.conflicts = [
            {"eval": e, "item": i, "org_name": names.get(e)} for e, i in sorted(after - before)
        ]
        report.skipped = p.skipped
        # files that only make sense with the rows: before the commit, so that a failed commit
        # leaves them to be written again by the next attempt (they are idempotent)
        for pdf in p.pdfs:
            body = p.opened.members[pdf.member]
            added["pdfs"] += store_signed_pdf(data, pdf.eval_id, pdf.name, body, conn)[1]
        if p.opened.carried is not None and older_than_installed(data, p.opened.carried):
            report.warnings.append(_("数据包携带的证书比本机已安装的更早签发，未替换本机证书"))
        elif p.opened.carried is not None:
            install_pair(data, p.opened.carried)
            report.identity = keys.common_name(p.opened.carried.signing.subject)
        if p.opened.crl is not None and m.kind in FROM_CENTRE:
            install_newer_crl(data, p.opened.crl)
        if p.request is not None:  # a station's folder from now on, for the request's organisation
            receive_request(conn, p.request, m.bundle, now())
            report.request = p.request
        if m.kind == SELF_RESULTS:  # each signed self-assessment closes its station's request
            record_answer(conn, p.evaluations, m.sender, m.bundle, now())
            # the station's proposed 登记表 changes, checked in prepare, for the centre to decide;
            # the organisation is the one the sender's certificate was issued for, never one a
            # member names
            sender = p.verdict.sender if p.verdict is not None else None
            if p.corrections and sender is not None:  # a station's, checked in prepare
                added["corrections"] = store_received(
                    conn,
                    sender.removeprefix(ORG_PREFIX),
                    p.corrections,
                    str(m.sender.get("name", "")),
                    m.bundle,
                )
        report.added = added
        outcome = "imported" if any(added.values()) or report.identity else "nothing new"
        record_bundle(
            conn, m.data, direction="import", counts=added, outcome=outcome, file=str(p.opened.container.path)
        )
    return report


def _runs(ordered: list[Change], holds: dict[str, Hold]) -> dict[str, list[Change]]:
    """Each evaluation whose new changes besides its creation and its locks are all marks, vetoes
    or sign-offs, none held apart: those in apply order."""
    runs: dict[str, list[Change]] = {}
    mixed: set[str] = set()
    for c in ordered:
        if c.id in holds or c.kind not in (CREATE, LOCK, *RUN_KINDS):
            mixed.add(c.eval_id)
        elif c.kind in RUN_KINDS:
            runs.setdefault(c.eval_id, []).append(c)
    return {e: run for e, run in runs.items() if e not in mixed}


def _roster_id(assignment: dict[str, Any] | None, cert: x509.Certificate) -> str | None:
    if assignment is None:
        return None
    fp = keys.fingerprint(cert)
    for v in assignment.get("visits", []):
        for member in v.get("team", []):
            if isinstance(member, dict) and fp in (
                member.get("certificate"),
                member.get("encryption_certificate"),
            ):
                rid = member.get("person_id")
                return rid if isinstance(rid, str) else None
    return None


def already_imported(db: sqlite_utils.Database, bundle: str) -> bool:
    return (
        db.conn.execute("SELECT 1 FROM bundles WHERE id = ? AND direction = 'import'", (bundle,)).fetchone()
        is not None
    )


def import_bundle(
    db: sqlite_utils.Database,
    data: Path,
    path: Path,
    *,
    passphrase: str | None = None,
    keyring: Keyring | None = None,
    progress: Progress | None = None,
    ca_fingerprint: str | None = None,
) -> ImportReport:
    """Verify ``path`` completely, then import it; a refused bundle raises and changes nothing.

    ``ca_fingerprint``: a first assignment's CA as the user compared it (see opening.open_bundle).
    """
    container = read_checked(Path(path))
    m = container.manifest
    if already_imported(db, m.bundle):
        # the signature was checked: the same id with the same signed manifest is the same bundle
        return ImportReport(m.bundle, m.kind, m.sender, m.data["created"], already=True)
    opened = open_bundle(
        Path(path),
        data,
        passphrase=passphrase,
        keyring=keyring,
        container=container,
        ca_fingerprint=ca_fingerprint,
    )
    rubrics_of = Rubrics(db)
    for _attempt in range(RECHECKS):
        prepared = prepare(db, rubrics_of, opened)
        try:
            return apply(db, data, rubrics_of, prepared, progress)
        except _Moved:  # another desk took in some of the same changes meanwhile: checked again
            continue
    raise BundleError(_("其他工作台正在导入同样的更改，请稍后再导入一次"), MANIFEST)


# How often an import is checked again when other desks keep taking in its changes first.
RECHECKS = 5


class _Moved(Exception):
    """Raised in the import's transaction (rolling it back): some changes the checks found new were
    taken in by another desk between the checks and the write (two desks of a server centre
    importing bundles that overlap: a laptop's second, whole export and its first), or what the
    checks judged by moved meanwhile (:func:`_judged_state`: a team lead's lock taken in by another
    desk while a member's bundle was being checked)."""


def _judged_state(conn: sqlite3.Connection, eval_ids: list[str], device: str) -> tuple[Any, ...]:
    """What the checks of a bundle's changes depend on that another desk (or the window beside the
    command line) may change between the checks (:func:`prepare`, before the write lock) and the
    write: each of its evaluations' changes (a lock taken in meanwhile makes a member's late mark one
    to hold, not to apply), whether it is signed, the changes held apart and their decisions, and
    who the sending device belongs to. Compared under the write's lock: any difference checks the
    bundle again against what is there now."""
    ids = json.dumps(eval_ids)
    within = "eval_id IN (SELECT value FROM json_each(?))"
    counts = conn.execute(
        f"SELECT eval_id, COUNT(*) FROM changes WHERE {within} GROUP BY eval_id ORDER BY eval_id", (ids,)
    ).fetchall()
    signed = conn.execute(
        "SELECT id, signed_at FROM evaluations WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (ids,),
    ).fetchall()
    held = conn.execute(
        f"SELECT COUNT(*), MAX(id), COUNT(decision) FROM held_changes WHERE {within}", (ids,)
    ).fetchone()
    owner = conn.execute("SELECT person FROM device_owners WHERE device_id = ?", (device,)).fetchone()
    return (
        tuple(tuple(r) for r in counts),
        tuple(tuple(r) for r in signed),
        tuple(held),
        None if owner is None else owner[0],
    )


def _taken_meanwhile(conn: sqlite3.Connection, new: list[Change]) -> bool:
    """Whether any of the changes the checks (:func:`prepare`, read before the write lock) found
    new is here now: their checks and heads were made for a state that is gone."""
    if not new:
        return False
    ids = json.dumps([c.id for c in new])
    row = conn.execute("SELECT 1 FROM changes WHERE id IN (SELECT value FROM json_each(?)) LIMIT 1", (ids,))
    return row.fetchone() is not None
