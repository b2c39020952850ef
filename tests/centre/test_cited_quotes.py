"""Every quote a shipped rulebook cites occurs in the seed document it comes from, and each rule
names its own document (Chongqing's rules are the notice's, but one: the rectification notice
template, 附件6)."""

from __future__ import annotations

import pytest

from inspector.centre.rulebooks import shipped_rulebooks
from tests.seed_quotes import missing_parts, seed_text

# rulebook id → the seed file it transcribes (seeds/README.md)
SOURCES = {
    "chongqing-2024-renewal": "003",
    "fujian-2021-supervision": "001",
    "henan-2011-quality": "000",
    "sichuan-2017-inspection": "002",
    "zhengzhou-2014-supervision": "004",
}


def test_every_shipped_rulebook_has_its_seed_named() -> None:
    assert set(shipped_rulebooks()) == set(SOURCES)


@pytest.mark.parametrize("rulebook_id", sorted(SOURCES))
def test_every_cited_quote_occurs_in_its_seed(rulebook_id: str) -> None:
    seed = seed_text(SOURCES[rulebook_id])
    if seed is None:
        pytest.skip("the seed documents are not at hand (/work/shared/seeds)")
    rb = shipped_rulebooks()[rulebook_id]
    quotes = [(r.key, r.clause.quote) for r in rb.rules if r.clause is not None and r.clause.quote]
    quotes += [(f"not_modelled {n.article}", n.quote) for n in rb.not_modelled if n.quote]
    assert quotes
    wrong = {key: missing for key, quote in quotes if (missing := missing_parts(quote, seed))}
    assert wrong == {}


def test_each_chongqing_rule_names_its_own_document() -> None:
    """The rules from the notice's body named the rectification template (附件6), the rulebook's
    document then; only the rectification term is the template's."""
    rb = shipped_rulebooks()["chongqing-2024-renewal"]
    named = {r.key: r.clause.document for r in rb.rules if r.clause is not None}
    assert "附件6" in named.pop("rectification_term")
    assert named and all("附件" not in d for d in named.values()), named
    assert "附件" not in rb.document
