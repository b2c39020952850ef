"""No score for an applicant its form's document reviews without scoring, in or outside a plan.

重庆 延续备案通知 一；三（二）1 (the shipped rulebook's ``unscored_review`` rule, which quotes it): an
employer (用人单位) is reviewed, not scored on 附件3; its outcome is the review's. A plan refused to open
an inspection of one (:func:`inspector.centre.plans.start_evaluation`), but ``eval new`` and the
window's new-evaluation dialog called ``EvaluationStore.create`` directly and made a scored evaluation
of it. :func:`new_evaluation` and :func:`amend_evaluation` are the one way the command line and the
window open (or amend) an evaluation: they refuse it with the rule's own clause, read from the
rulebook file, as the plan does.

Outside a plan the rulebook is the shipped one that lists the form (as the statistics read it,
:func:`inspector.centre.stats._scored_only`); the type is the register's 评价机构类型.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlite_utils

from inspector.centre.applicants import applicant_type_name, reviewed_without_scoring
from inspector.centre.rulebook import Rulebook
from inspector.errors import UsageError
from inspector.i18n import _
from inspector.store.changes import loads
from inspector.store.evaluations import Evaluation, EvaluationStore


def unscored_message(book: Rulebook, applicant_type: str) -> str:
    """The refusal, citing the rule's clause as the rulebook file gives it."""
    rule = book.get("unscored_review")
    clause = rule.clause if rule is not None else None
    basis = (
        _("依据：{document} {article}：“{quote}”").format(
            document=clause.document, article=clause.article, quote=clause.quote
        )
        if clause is not None
        else _("依据：规则册 {id} 的 unscored_review 规则").format(id=book.id)
    )
    return _("{kind}评价机构只审核、不评分，不能按评估表打分：请记录审核意见（plan review）。{basis}").format(
        kind=applicant_type_name(applicant_type), basis=basis
    )


def _books_for(rubric_id: str) -> list[Rulebook]:
    from inspector.centre.rulebooks import shipped_rulebooks  # imports plans' modules: read late

    books = shipped_rulebooks().values()
    return [rb for rb in books if rubric_id in rb.rubrics and rb.has("unscored_review")]


def refuse_unscored(
    db: sqlite_utils.Database, rubric_id: str, org_id: str, books: Sequence[Rulebook] | None = None
) -> None:
    """Raise (UsageError, naming the organisation) where a rulebook of the form (the plan's, else the
    shipped ones that list it) has this organisation's registered type reviewed without scoring."""
    row = db.conn.execute("SELECT details FROM orgs WHERE id = ?", (org_id,)).fetchone()
    details: Mapping[str, Any] = loads(row[0]) if row is not None and row[0] else {}
    kind = details.get("applicant_type")
    if not isinstance(kind, str):
        return
    for book in _books_for(rubric_id) if books is None else books:
        if reviewed_without_scoring(book, kind):
            raise UsageError(unscored_message(book, kind), org_id)


def new_evaluation(
    store: EvaluationStore,
    rubric_id: str,
    org_id: str,
    kind: str = "inspection",
    *,
    visit_date: str | None = None,
    team: Sequence[Mapping[str, Any]] = (),
    rubric_version: int | None = None,
) -> Evaluation:
    """A new evaluation (``eval new``, the window's dialog), refused for an unscored applicant."""
    refuse_unscored(store.db, rubric_id, org_id)
    return store.create(
        rubric_id, org_id, kind, visit_date=visit_date, team=team, rubric_version=rubric_version
    )


def amend_evaluation(store: EvaluationStore, eval_id: str, reason: str) -> Evaluation:
    """A new revision of a signed evaluation (``eval amend``, the window), refused as a new one is:
    an evaluation of an unscored applicant (made before its type was registered) is no score of
    anything, and a revision of it would be one again."""
    old = store.get(eval_id)
    refuse_unscored(store.db, old.rubric_id, old.org_id)
    return store.amend(eval_id, reason)
