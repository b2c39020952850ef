"""Every quotation a shipped form's current version cites for a rule the program enforces (an
outcome's band, an item's not-applicable leave, a required evidence) occurs in its seed document;
every outcome of a form cites its clause."""

from __future__ import annotations

import pytest

from inspector.rubric.files import load_rubric_file
from inspector.rubric.model import Rubric
from inspector.store.rubrics import builtin_rubric_files
from tests.seed_quotes import missing_parts, quoted, seed_text


def current_forms() -> list[Rubric]:
    forms: dict[str, Rubric] = {}
    for path in builtin_rubric_files():
        r = load_rubric_file(path)
        if r.id not in forms or forms[r.id].version < r.version:
            forms[r.id] = r
    return [forms[k] for k in sorted(forms)]


def clauses(r: Rubric) -> list[tuple[str, str]]:
    out = [(f"outcome {o.code}", o.clause) for o in r.outcomes]
    for item in r.items():
        if item.na is not None:
            out.append((f"{item.id} na", item.na.clause))
        if item.evidence is not None:
            out.append((f"{item.id} evidence", item.evidence.clause))
    return out


@pytest.mark.parametrize("rubric", current_forms(), ids=lambda r: r.id)
def test_every_outcome_cites_its_clause(rubric: Rubric) -> None:
    assert all(quoted(o.clause) for o in rubric.outcomes), [o.code for o in rubric.outcomes if not o.clause]


@pytest.mark.parametrize("rubric", current_forms(), ids=lambda r: r.id)
def test_every_cited_quote_occurs_in_the_seed(rubric: Rubric) -> None:
    seed = seed_text(rubric.source[:3]) if rubric.source else None
    if seed is None:
        pytest.skip("the seed documents are not at hand (/work/shared/seeds)")
    wrong = {
        where: missing
        for where, clause in clauses(rubric)
        for q in quoted(clause)
        if (missing := missing_parts(q, seed))
    }
    assert wrong == {}
