"""Everything a printed document of one evaluation shows, gathered once, and the sheet's hash.

The content hash
----------------
Every document carries a QR code with the evaluation id and a SHA-256 of what the sheet states;
the first 16 hex digits are printed under the code and in every page's footer. The hash is

    SHA-256( canonical JSON of {
        "v": 1,
        "eval": evaluation id, "revision": n,
        "rubric": {"id", "version", "hash"},          # the pinned form (its content hash)
        "org": {"id", "name", "code"}, "kind", "visit_date", "team",
        "score": {"total", "base", "bonus", "max_points", "outcome": code or null,
                  "vetoed": [{"id", "note"}],
                  "sections": [{"code", "points", "max_points"}],
                  "items": [{"id", "points", "max_points", "override", "na", "answered"}]},
        "observations": {item or "veto:ID": the current observation as recorded
                         (with its note and evidence SHA-256s)},
        "signatures": [{"change": hash of the sign change, "name", "role", "signature"}],
    } )

where canonical JSON is :func:`inspector.store.changes.canonical` (sorted keys, no spaces, UTF-8, exact
decimals). It is the score report plus the rubric hash plus the signatures, with no word of the
interface language in it (the reasons are derived from the observations and the rubric, both
hashed), so the same evaluation gives the same hash in Chinese and English and on every machine.
:func:`sheet_hash` recomputes it from a data folder.

The QR code reads ``INSPECTOR-SHEET/V1/<EVALUATION ID>/<REVISION>/<SHA-256>``, in capitals: text
made only of capitals, digits and ``/-`` is encoded in the QR alphanumeric mode, a smaller code
(version 5, 37 × 37 modules, at error-correction level M) that scans better when printed 3 cm wide.
Lower-case the id and the hash to compare them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.rubric.comparison import ItemComparison, SelfComparison, compare_previous, compare_self
from inspector.rubric.model import Rubric
from inspector.rubric.points import json_number
from inspector.rubric.scoring import ItemResult, Report, disallowed
from inspector.store.changes import CREATE, SIGN, Change, canonical
from inspector.store.evaluations import Evaluation, EvaluationStore, Fixed
from inspector.store.evidence import check_evidence, evidence_path
from inspector.store.visit_evidence import EvidenceFacts, list_evidence

HASH_VERSION = 1


@dataclass(frozen=True)
class EvidenceEntry:
    """One evidence file as the appendix lists it (numbered E1, E2… in item order)."""

    number: str
    item_id: str
    sha256: str
    caption: str
    name: str
    added_at: str | None
    mime: str
    problem: str | None  # missing or changed file: printed instead of the picture
    #: capture time, position and the flags for the visit date (inspector.store.visit_evidence)
    facts: EvidenceFacts | None = None

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/") or self.name.lower().endswith((".jpg", ".jpeg", ".png"))

    @property
    def path_key(self) -> str:
        return self.sha256


@dataclass(frozen=True)
class SheetData:
    evaluation: Evaluation
    rubric: Rubric
    report: Report
    payloads: dict[str, dict[str, Any]]  # item id (or veto:ID) → current observation payload
    signatures: list[Change]
    org_code: str | None
    data: Path
    evidence: list[EvidenceEntry]
    self_eval: Evaluation | None
    self_comparison: SelfComparison | None
    self_report: Report | None
    previous_eval: Evaluation | None
    previous: dict[str, ItemComparison] | None
    digest: str
    #: the total and outcome fixed at signing (None: unsigned, or signed before they were kept)
    fixed: Fixed | None = None
    #: why a recomputation differs from what was fixed at signing
    differs: str | None = None

    @property
    def results(self) -> dict[str, ItemResult]:
        return {r.id: r for r in self.report.items}

    @property
    def refused(self) -> str | None:
        """Why the form allows no total (a mark it disallows: :func:`inspector.rubric.scoring.disallowed`,
        what signing refuses with): the sheet then prints no total, no section sum over such an item,
        no outcome and no points for the item, only what was recorded and why (None: it allows one).
        What was fixed at signing still stands where there is one."""
        return disallowed(self.report)

    @property
    def qr_text(self) -> str:
        e = self.evaluation
        return f"INSPECTOR-SHEET/V{HASH_VERSION}/{e.id}/{e.revision}/{self.digest}".upper()

    def evidence_for(self, item_id: str) -> list[EvidenceEntry]:
        return [x for x in self.evidence if x.item_id == item_id]

    def evidence_file(self, entry: EvidenceEntry) -> Path:
        return evidence_path(self.data, entry.sha256)


def score_digest(report: Report) -> dict[str, Any]:
    """The language-neutral part of a score report that the hash covers."""
    return {
        "total": json_number(report.total),
        "base": json_number(report.base),
        "bonus": json_number(report.bonus),
        "max_points": json_number(report.rubric.max_points),
        "outcome": report.outcome.code if report.outcome else None,
        "vetoed": [{"id": v.id, "note": v.note} for v in report.vetoed],
        "sections": [
            {"code": s.code, "points": json_number(s.points), "max_points": json_number(s.max_points)}
            for s in report.sections
        ],
        "items": [
            {
                "id": i.id,
                "points": json_number(i.points),
                "max_points": json_number(i.max_points),
                "override": i.override,
                "na": i.na,
                "answered": i.answered,
            }
            for i in report.items
        ],
    }


def content_hash(
    e: Evaluation,
    org: dict[str, Any],
    report: Report,
    payloads: dict[str, dict[str, Any]],
    signatures: list[Change],
) -> str:
    content = {
        "v": HASH_VERSION,
        "eval": e.id,
        "revision": e.revision,
        "rubric": {"id": e.rubric_id, "version": e.rubric_version, "hash": e.rubric_hash},
        "org": org,
        "kind": e.kind,
        "visit_date": e.visit_date,
        "team": e.team,
        "score": score_digest(report),
        "observations": payloads,
        "signatures": [
            {
                "change": c.hash,
                "name": c.payload.get("name"),
                "role": c.payload.get("role"),
                "signature": c.payload.get("signature"),
            }
            for c in signatures
        ],
    }
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


def _evidence(
    store: EvaluationStore, data: Path, rubric: Rubric, payloads: dict[str, Any], visit_date: str | None
) -> list[EvidenceEntry]:
    rows = {
        r[0]: (r[1], r[2])
        for r in store.conn.execute("SELECT sha256, added_at, mime FROM evidence").fetchall()
    }
    mimes = {digest: str(mime) for digest, (_added, mime) in rows.items()}
    return [
        EvidenceEntry(
            number=x.number,
            item_id=x.item_id,
            sha256=x.sha256,
            caption=x.caption,
            name=x.name,
            added_at=rows.get(x.sha256, (None, ""))[0],
            mime=x.mime,
            problem=check_evidence(data, x.sha256),
            facts=x.facts,
        )
        for x in list_evidence(rubric, payloads, mimes, data, visit_date)
    ]


def load_sheet(store: EvaluationStore, data: Path, eval_id: str) -> SheetData:
    """Read one evaluation with everything its documents show (raises NotFoundError)."""
    e = store.get(eval_id)
    rubric = store.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
    check = store.signed_check(eval_id)
    report = check.report
    payloads = {k: cur.change.payload for k, cur in store.current(eval_id).items() if cur.change.payload}
    changes = store.changes(eval_id)
    signatures = [c for c in changes if c.kind == SIGN]
    created = next((c for c in changes if c.kind == CREATE), None)
    org = dict(created.payload["org"]) if created else {"id": e.org_id, "name": e.org_name, "code": None}
    self_eval = store.self_assessment_for(e)
    self_report = store.report(self_eval.id) if self_eval else None
    previous_eval = store.previous_for(e) if e.kind == "recheck" else None
    return SheetData(
        evaluation=e,
        rubric=rubric,
        report=report,
        payloads=payloads,
        signatures=signatures,
        org_code=org.get("code"),
        data=data,
        evidence=_evidence(store, data, rubric, payloads, e.visit_date),
        self_eval=self_eval,
        self_comparison=compare_self(report, self_report) if self_report else None,
        self_report=self_report,
        previous_eval=previous_eval,
        previous=compare_previous(report, store.report(previous_eval.id)) if previous_eval else None,
        digest=content_hash(e, org, report, payloads, signatures),
        fixed=check.fixed,
        differs=check.differs,
    )


def sheet_hash(store: EvaluationStore, data: Path, eval_id: str) -> str:
    """The content hash printed on the evaluation's documents (see the module docstring)."""
    return load_sheet(store, data, eval_id).digest
