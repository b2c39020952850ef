"""``eval audit``: is the history intact, do the indexes agree with it, is the evidence there?

Rebuilds what the log implies and compares it with what is stored, so that an edit made behind
the product's back (the sqlite3 shell, a disk error) is reported with the change it touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from inspector.i18n import _
from inspector.rubric.scoring import refusal_text
from inspector.store import figures
from inspector.store.changes import GENESIS, OBSERVE, VETO, Change
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import check_evidence


@dataclass
class AuditReport:
    eval_id: str
    changes: int = 0
    chains: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_chain(device: str, chain: list[Change], report: AuditReport) -> None:
    expected = GENESIS
    last_seq = 0
    for c in sorted(chain, key=lambda c: c.device_seq):
        where = _("设备 {d} 第 {n} 条更改（{id}）").format(d=device[:8], n=c.device_seq, id=c.id[:8])
        if c.device_seq <= last_seq:
            report.problems.append(where + _("：序号重复"))
        if c.prev_hash != expected:
            report.problems.append(where + _("：与前一条更改的链接断开（有更改被删除、插入或改动）"))
        if c.compute_hash() != c.hash:
            report.problems.append(where + _("：内容与其哈希不符（记录被改动）"))
        expected, last_seq = c.hash, c.device_seq


def audit_evaluation(store: EvaluationStore, data: Path, eval_id: str) -> AuditReport:
    store.get(eval_id)  # refuses an unknown id
    report = AuditReport(eval_id)
    changes = store.changes(eval_id)
    report.changes = len(changes)
    by_device: dict[str, list[Change]] = defaultdict(list)
    for c in changes:
        by_device[c.device_id].append(c)
    report.chains = len(by_device)
    for device, chain in sorted(by_device.items()):
        _check_chain(device, chain, report)
    # the heads index must be exactly the changes that nothing supersedes
    superseded = {p for c in changes for p in c.parents}
    implied = {(c.item_id, c.id) for c in changes if c.kind in (OBSERVE, VETO) and c.id not in superseded}
    stored = {
        (r["item_id"], r["change_id"])
        for r in store.conn.execute("SELECT item_id, change_id FROM heads WHERE eval_id = ?", (eval_id,))
    }
    for item_id, change_id in sorted(implied - stored, key=str):
        report.problems.append(_("小项 {i}：当前值缺失（更改 {c}）").format(i=item_id, c=change_id[:8]))
    for item_id, change_id in sorted(stored - implied, key=str):
        report.problems.append(
            _("小项 {i}：当前值与历史记录不符（更改 {c}）").format(i=item_id, c=change_id[:8])
        )
    # the figures kept for the desk and the statistics must be what the scoring engine gives now
    truth = figures.scored(store.conn, eval_id, store.rubric)
    if truth.refused is not None:  # kept as a refusal too (no total): compared below like any row
        report.problems.append(_("无法按评估表重新计算分数：{m}").format(m=refusal_text(truth.refused)))
    differ = figures.differences(figures.read(store.conn, eval_id), truth)
    if differ:
        report.problems.append(
            _("保存的分数汇总与按记录重新计算的不符：{fields}").format(fields="、".join(differ))
        )
    # every evidence file any observation ever referred to
    seen: set[str] = set()
    for c in changes:
        if c.kind == OBSERVE and c.payload:
            for ev in c.payload.get("evidence", []):
                digest = ev["sha256"] if isinstance(ev, dict) else ev
                if digest in seen:
                    continue
                seen.add(digest)
                problem = check_evidence(data, digest)
                if problem:
                    report.problems.append(
                        _("小项 {i} 的证据 {h}：{p}").format(i=c.item_id, h=digest[:12], p=problem)
                    )
    return report
