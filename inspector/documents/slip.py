"""The assignment slip (派发单): one page the centre prints for each supervisor, handed over in person.

Why a slip: a fresh laptop has no trust anchor. The first assignment bundle carries the centre's CA
certificate, and whoever can write a bundle can put any CA there; the passphrase proves only that
the *credentials* came from someone who knew it. So the laptop shows the CA fingerprint and asks the
user to compare it, character by character, with one that reached them by another road: this
paper, from the centre's hand (docs/user-guide.md, "核对中心证书"). The slip also names the
credential it should install (serial, holder, last day) so the user can see the right one arrived.
The passphrase is never printed here: it is told separately.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

import sqlite_utils
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from inspector.centre.people import get_person
from inspector.crypto import keys
from inspector.crypto.identity import credentials_for, load_identity
from inspector.documents.style import PORTRAIT, Page, build, cn_date, content_width, font, grid, p
from inspector.errors import SigningError
from inspector.i18n import _

BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")  # the card's dates are Beijing dates


def _fingerprint_box(fp: str, width: float) -> Table:
    """The fingerprint in two lines of eight groups, large and monospaced by layout (one group a cell)."""
    groups = keys.group_fingerprint(fp).split(" ")  # as the window shows it: two lines of eight
    rows = [groups[:8], groups[8:]]
    table = Table(rows, colWidths=[width / 8] * 8, rowHeights=[11 * mm, 11 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font(), 17),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 1.2, "black"),
                ("INNERGRID", (0, 0), (-1, -1), 0.3, "black"),
            ]
        )
    )
    return table


def slip_story(db: sqlite_utils.Database, data: Path, person_id: str) -> tuple[list[Flowable], Page]:
    identity = load_identity(data)
    if identity is None or identity.role != "centre":
        raise SigningError(_("只有中心可以打印派发单：本数据文件夹不是中心（keys init-ca）"), str(data))
    person = get_person(db, person_id)
    row = credentials_for(db, person.id)
    ca_fp = keys.fingerprint(identity.ca)
    width = content_width(PORTRAIT)
    not_after = dt.datetime.fromisoformat(str(row["not_after"])).astimezone(BEIJING)
    facts = [
        [_("督导员"), f"{person.name}（{person.id}）"],
        [
            _("督导员证卡"),
            _("{no}，有效至 {day}").format(no=person.cert_no, day=cn_date(person.cert_last_day)),
        ],
        [_("证书序列号"), str(row["serial"])],
        [_("证书有效至"), cn_date(not_after.date())],
        [_("签名证书指纹"), keys.group_fingerprint(str(row["signing"]))],
        [_("中心"), identity.name],
    ]
    table = Table([[p(a, "label"), p(b, "value")] for a, b in facts], colWidths=[32 * mm, width - 32 * mm])
    table.setStyle(TableStyle(grid(header_rows=0)))
    steps = [
        _("1. 在本机导入中心给您的派发数据包（U 盘）。"),
        _("2. 本机第一次导入时，程序会显示“中心 CA 证书指纹”，共 64 个字符，分 16 组。"),
        _("3. 请与上方方框中的指纹逐组核对。完全一致才点“是”；命令行导入时用 --ca-fingerprint 给出此指纹。"),
        _("4. 有任何一个字符不同：点“否”，不要导入，立即与中心联系。那个数据包不是中心发出的。"),
        _("5. 证书口令由中心另行告知，不印在此单上；请勿把口令写在此单或 U 盘上。"),
    ]
    story: list[Flowable] = [
        p(_("督导员派发单（中心证书核对单）"), "title"),
        p(_("打印日期：{d}").format(d=cn_date(dt.date.today())), "subtitle"),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        p(_("中心 CA 证书指纹（SHA-256）"), "h2"),
        _fingerprint_box(ca_fp, width),
        Spacer(1, 6 * mm),
        p(_("如何核对"), "h2"),
        *[p(s, "list") for s in steps],
        Spacer(1, 10 * mm),
        p("", "body", markup=escape(_("领取人签字：____________      日期：____年__月__日"))),
    ]
    page = Page(
        size=PORTRAIT,
        title=_("督导员派发单 — {name}").format(name=person.name),
        footer_left=identity.name,
        footer_right=_("CA {fp}…").format(fp=ca_fp[:16]),
        draft=False,
        subject=_("中心证书核对单"),
        author=identity.name,
    )
    return story, page


def render_slip(db: sqlite_utils.Database, data: Path, person_id: str) -> bytes:
    """The one-page slip's PDF bytes for a supervisor who holds a credential issued here."""
    story, page = slip_story(db, data, person_id)
    return build(story, page)
