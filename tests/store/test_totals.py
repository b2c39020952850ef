"""store.totals() (one SQL pass over the heads index, for lists and statistics) and scoring.score()
(the report) are two computations of one figure: pinned together over random answer sets for every
shipped scored form, every version."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.paths import rubrics_dir
from inspector.rubric.model import Rubric
from inspector.rubric.toml_form import load_rubric_file
from inspector.store.changes import OBSERVE, VETO
from inspector.store.db import open_database, transaction
from inspector.store.evaluations import VETO_PREFIX, EvaluationStore, Totals
from inspector.store.log import apply_change
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.rubric.test_scoring import answers_for

_DB: dict[str, Any] = {}


def _store(tmp: Path) -> tuple[EvaluationStore, str]:
    if "store" not in _DB:  # one data folder for the module: each example is a new evaluation in it
        db = open_database(tmp / f"totals-{uuid.uuid4().hex}")
        install_builtin_rubrics(db)
        _DB["store"] = EvaluationStore(db, "性质测试")
        _DB["org"] = add_org(db, "性质测试机构")["id"]
    return _DB["store"], _DB["org"]


SCORED = sorted(
    (r.id, r.version) for r in (load_rubric_file(p) for p in rubrics_dir().glob("*.toml")) if r.scored
)


def _fill(store: EvaluationStore, eval_id: str, raw: dict[str, dict[str, Any]], vetoes: list[str]) -> None:
    """The answers in one transaction, through the one write path (apply_change), as record() does."""
    with transaction(store.db) as conn:
        for item_id, payload in raw.items():
            # every mark says what was found (signing refuses a deduction without a note)
            noted = {**payload, "note": "性质测试所见"}
            apply_change(conn, store._change(conn, eval_id, item_id, OBSERVE, noted), store.rubric)
        for v in vetoes:
            key = VETO_PREFIX + v
            found = {"veto": True, "note": "性质测试所见"}
            apply_change(conn, store._change(conn, eval_id, key, VETO, found), store.rubric)


@pytest.mark.parametrize(("rubric_id", "version"), SCORED, ids=lambda x: str(x))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_totals_equal_the_report(rubric_id: str, version: int, data: st.DataObject, tmp_path: Path) -> None:
    store, org = _store(tmp_path)
    rubric: Rubric = store.rubric(rubric_id, version)
    raw = data.draw(answers_for(rubric))
    drop = data.draw(st.sets(st.sampled_from(sorted(raw)), max_size=4))
    raw = {k: v for k, v in raw.items() if k not in drop}
    vetoes = (
        data.draw(st.lists(st.sampled_from([v.id for v in rubric.vetoes]), max_size=1))
        if rubric.vetoes
        else []
    )
    e = store.create(rubric_id, org, rubric_version=version)
    _fill(store, e.id, raw, vetoes)
    e = store.get(e.id)
    report = store.report(e.id)
    t = store.totals([e])[e.id]
    assert isinstance(t, Totals)
    assert (t.total, t.base, t.bonus, t.max_points) == (
        report.total,
        report.base,
        report.bonus,
        rubric.max_points,
    )
    assert t.vetoed == bool(report.vetoed)
    assert (t.outcome.code if t.outcome else None) == (report.outcome.code if report.outcome else None)
    assert (t.outcome.label if t.outcome else None) == (report.outcome.label if report.outcome else None)
    assert t.provisional == bool(report.unanswered)
    # signed: the figures fixed at signing, equal to both
    if not report.unanswered and not report.irregular:
        store.sign(e.id, [{"name": "性质测试", "role": "组长"}])
        s = store.totals([store.get(e.id)])[e.id]
        assert s.signed and not s.differs and s.total == report.total
