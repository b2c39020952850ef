"""Applicant types and the way each is handled (重庆 延续备案通知, seed 003).

一 "评价机构包括用人单位、技工院校、社会培训评价组织（以下简称社评组织）"; 三（二）:

1. "人力社保部门收到用人单位评价机构申报材料后，10个工作日内提出审核意见，向符合延续备案条件的，出具
   延续备案回执。" — an employer (用人单位) is *reviewed*, not scored: its outcome is the review's
   (符合延续备案条件, or not), never a score or a band of the form.
2. "人力社保部门收到技工院校、社评组织申报材料后，按照……评估表（附件3）要求……开展延续备案评估……
   在收到申报材料起20个工作日内分别作出处理" — a technical school or a social training-and-evaluation
   organisation is scored on 附件3.

The numbers live in the plan's rulebook (``unscored_review`` and ``decision_due``), not here; the
register holds each organisation's type (评价机构类型) and the day its application materials were
received (申报材料收到日期), from which both periods run: the day of receipt is not counted (民法典
第二百零一条), and "10个工作日内" includes the tenth working day (第一千二百五十九条 "以内" 包括本数).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from inspector.centre.rulebook import Rulebook
from inspector.centre.workdays import add_working_days
from inspector.errors import UsageError
from inspector.i18n import _

APPLICANT_TYPES = ("employer", "technical_school", "social_org")
REVIEW_OUTCOMES = ("eligible", "ineligible")


def applicant_type_names() -> dict[str, str]:
    """The seed's own words (一): 用人单位、技工院校、社会培训评价组织."""
    return {"employer": _("用人单位"), "technical_school": _("技工院校"), "social_org": _("社会培训评价组织")}


def applicant_type_name(code: str | None) -> str | None:
    return None if code is None else applicant_type_names().get(code, code)


def parse_applicant_type(text: str) -> str:
    """A type as typed in a workbook or on the command line: the code, or the seed's words (also its
    short form 社评组织, and the English of the catalogue)."""
    typed = text.strip()
    names = applicant_type_names()
    words = {
        **{c: c for c in APPLICANT_TYPES},
        "用人单位": "employer",
        "技工院校": "technical_school",
        "社会培训评价组织": "social_org",
        "社评组织": "social_org",
        **{v: k for k, v in names.items()},
    }
    if typed not in words:
        raise UsageError(
            _("评价机构类型应为 {names} 之一，收到“{v}”").format(names="、".join(names.values()), v=text),
            text,
        )
    return words[typed]


def review_outcome_names() -> dict[str, str]:
    """The review's outcome in the seed's words (三（二）1 "向符合延续备案条件的，出具延续备案回执");
    the text names only the one that gets a receipt: the other is its plain negation, and the text
    sets no consequence for it, so the program attaches none."""
    return {"eligible": _("符合延续备案条件"), "ineligible": _("不符合延续备案条件")}


def review_outcome_name(code: str) -> str:
    return review_outcome_names().get(code, code)


def reviewed_without_scoring(book: Rulebook, applicant_type: str | None) -> bool:
    """True when the plan's rulebook has this type reviewed, not scored (重庆 三（二）1)."""
    return applicant_type is not None and book.param("unscored_review", "applicant_type") == applicant_type


def decision_days(book: Rulebook, applicant_type: str | None) -> int | None:
    """The working days the rulebook gives to decide on this type's application (10 for a reviewed
    employer, 20 for the scored types), None when it sets none or the type is not known."""
    if applicant_type is None:
        return None
    if reviewed_without_scoring(book, applicant_type):
        days = book.param("unscored_review", "working_days")
    elif book.has("decision_due"):
        days = book.param("decision_due", "working_days")
    else:
        return None
    return None if days is None else int(days)


def decision_due(book: Rulebook, details: Mapping[str, Any]) -> dt.date | None:
    """The last day to decide, counted on the working-day calendar from the day the application was
    received (not counted); None when the rulebook, the register or the calendar cannot say."""
    days = decision_days(book, details.get("applicant_type"))
    received = details.get("application_received")
    if days is None or not received:
        return None
    try:
        return add_working_days(dt.date.fromisoformat(str(received)), days)
    except UsageError:  # no holiday arrangement for that year yet: unknown, not guessed
        return None
