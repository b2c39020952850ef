"""A day's work in the window: legible titles at 1366 and 1024 px, the text size, finding items
(filters, search, the 待核实 flag), and every action a user needs from the menus (new evaluation,
a station's 自查自评 and its report, backup and restore, the demo), on real data folders."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.ui_state import flagged_items, text_size
from tests.ui.conftest import Window, evaluation
from ui.main_window import MainWindow
from ui.tree_model import KIND_ROLE
from ui.tree_titles import TitleDelegate


def item_indexes(window: Window) -> list[QModelIndex]:
    model = window.w.scoring.model
    assert model is not None
    return [model.index_of(item.id) for item in window.w.session.items]  # type: ignore[union-attr]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("size", "shown"), [((1366, 768), 30), ((1024, 768), 15)])
@pytest.mark.parametrize(
    "rubric",
    [
        "sichuan-2017-inspection",
        "chongqing-2024-renewal",
        "henan-2011-quality",
        "henan-2011-demonstration",
        "fujian-2021-supervision-record",
    ],
)
def test_every_item_title_is_legible_in_the_tree(
    window: Window, store: EvaluationStore, size: tuple[int, int], shown: int, rubric: str
) -> None:
    """At 1366 × 768 every item of every shipped form shows at least its first 30 characters (on
    two lines where it needs them), at 1024 × 768 at least 15; they showed about 14 and 4–5."""
    org = store.db.conn.execute("SELECT id FROM orgs ORDER BY name LIMIT 1").fetchone()[0]
    e = store.create(rubric, org, "inspection", visit_date="2026-12-01")
    window.w.resize(*size)
    window.start(e.id, "scoring")
    window.settle()
    tree = window.w.scoring.tree
    delegate = tree.itemDelegateForColumn(0)
    assert isinstance(delegate, TitleDelegate)
    assert window.w.width() <= size[0]
    spacing = tree.fontMetrics().lineSpacing()
    for index in item_indexes(window):
        item = window.w.session.item(index.data(Qt.ItemDataRole.UserRole + 1))  # type: ignore[union-attr]
        lines = delegate.lines(index)
        assert len(lines) <= 2, lines
        visible = squeeze("".join(lines).replace("…", ""))
        want = squeeze(item.text[:shown])
        assert want in visible, (size, item.id, lines, delegate.text_width(index))
        # the row is tall enough for its lines, and the lines fit the column
        tree.scrollTo(index)
        assert tree.visualRect(index).height() >= len(lines) * spacing
        fm = tree.fontMetrics()
        assert all(fm.horizontalAdvance(line) <= delegate.text_width(index) + 1 for line in lines)
    if size[0] == 1366:
        window.shot(f"scoring-{rubric}-{size[0]}")


def test_section_rows_stay_one_line_and_the_legend_never_splits_an_entry(
    window: Window, store: EvaluationStore
) -> None:
    e = evaluation(store, rubric="sichuan-2017-inspection", state="draft")
    window.w.resize(1024, 768)
    window.start(e.id, "scoring")
    tree = window.w.scoring.tree
    model = window.w.scoring.model
    assert model is not None
    section = model.index(0, 0)
    assert section.data(KIND_ROLE) == "section"
    assert tree.itemDelegateForColumn(0).lines(section) == [section.data()]  # type: ignore[union-attr]
    from ui.tree_model import legend_entries
    from ui.tree_titles import Legend

    legend = window.w.scoring.findChild(Legend)
    assert legend is not None
    for line in legend.text().split("\n"):  # every line is whole entries
        assert all(part in legend_entries() for part in line.split("　")), line


def test_text_size_grows_shrinks_and_is_remembered(qtbot: QtBot, demo_folder: Path) -> None:
    from ui.text_size import apply_step, point_size

    base = QApplication.font().pointSizeF()
    try:
        w = MainWindow(demo_folder)
        qtbot.addWidget(w)
        with qtbot.waitSignal(w.ready, timeout=20000):
            w.show()
            w.start()
        w.text_size(+1)
        w.text_size(+1)
        assert QApplication.font().pointSizeF() == pytest.approx(point_size(2))
        assert QApplication.font().pointSizeF() > base
        assert text_size(w.db) == 2
        w.close()
        apply_step(0)  # as a new start: the system's size, until the folder says otherwise
        again = MainWindow(demo_folder)
        qtbot.addWidget(again)
        with qtbot.waitSignal(again.ready, timeout=20000):
            again.show()
            again.start()
        assert QApplication.font().pointSizeF() == pytest.approx(point_size(2))
        again.text_size(-1)
        assert text_size(again.db) == 1
        again.text_size(None)
        assert text_size(again.db) == 0 and QApplication.font().pointSizeF() == pytest.approx(base)
        again.close()
    finally:
        apply_step(0)


# -- finding what matters -----------------------------------------------------------------------


def shown_in_tree(window: Window) -> list[str]:
    tree = window.w.scoring.tree
    out = []
    for index in item_indexes(window):
        hidden = tree.isRowHidden(index.row(), index.parent())
        parent = index.parent()
        while parent.isValid() and not hidden:
            hidden = tree.isRowHidden(parent.row(), parent.parent())
            parent = parent.parent()
        if not hidden:
            out.append(str(index.data(Qt.ItemDataRole.UserRole + 1)))
    return out


def test_filters_show_only_the_items_asked_for_and_pgdn_walks_them(
    window: Window, store: EvaluationStore
) -> None:
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    window.start(e.id, "scoring")
    s = window.w.session
    assert s is not None and s.self_comparison is not None
    expected = {
        "unanswered": [i.id for i in s.items if not s.results[i.id].answered],
        "deducted": [i.id for i in s.items if s.results[i.id].answered and s.results[i.id].points < i.points],
        "differs": [i.id for i in s.items if (c := s.self_result(i.id)) is not None and c.differs],
    }
    for key, ids in expected.items():
        assert ids, key
        window.w.show_only(key)  # 视图 → 只看小项
        assert window.w.scoring.finder.shown == ids, key
        assert shown_in_tree(window) == ids, key
        assert f"{len(ids)} / {len(s.items)}" in window.w.scoring.finder.count.text()
        window.w.scoring.go_to(ids[0])
        for target in ids[1:3]:
            window.w.scoring.next_item()  # PgDn: the next item shown, not the next in the form
            assert window.w.scoring.current_item == target
    window.w.show_only("all")
    assert len(shown_in_tree(window)) == len(s.items)


def test_failed_last_time_lists_what_the_last_inspection_deducted(
    window: Window, store: EvaluationStore
) -> None:
    e = evaluation(store, kind="recheck")
    window.start(e.id, "scoring")
    s = window.w.session
    assert s is not None and s.previous_report is not None
    lost = [r.id for r in s.previous_report.items if r.answered and r.points < r.max_points]
    assert lost
    window.w.scoring.finder.set_filter("failed_before")
    assert window.w.scoring.finder.shown == lost


def test_flag_to_verify_is_durable_and_not_part_of_the_evaluation(
    window: Window, store: EvaluationStore, demo_folder: Path
) -> None:
    """F4 marks the item 待核实 in ui_state (the inspector's bookmark, see inspector/store/ui_state):
    durable, shown in the tree and the 待核实 filter, absent from the change log and the sheet."""
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    changes_before = len(store.changes(e.id))
    window.start(e.id, "scoring")
    window.w.scoring.go_to("2.1.3")
    window.key(Qt.Key.Key_F4)
    assert window.w.session.flags == {"2.1.3"}  # type: ignore[union-attr]
    db = open_folder(demo_folder)  # another connection: it is on disk
    try:
        assert flagged_items(db, e.id) == {"2.1.3"}
    finally:
        db.conn.close()
    model = window.w.scoring.model
    assert model is not None and "？" in model.index_of("2.1.3", 2).data()
    window.w.show_only("flagged")
    assert shown_in_tree(window) == ["2.1.3"]
    assert len(store.changes(e.id)) == changes_before  # not an entry of the audited log
    window.key(Qt.Key.Key_F4)  # and off again
    assert window.w.session.flags == set()  # type: ignore[union-attr]
    assert shown_in_tree(window) == []


def test_a_signed_evaluation_can_be_flagged_but_offers_no_next_or_finish(
    window: Window, store: EvaluationStore
) -> None:
    e = evaluation(store, state="signed")
    window.start(e.id, "scoring")
    page = window.w.scoring
    assert not page.next_button.isVisible() and not page.team_button.isVisible()
    assert page.finish_button.text().startswith("查看汇总")
    page.toggle_flag()
    assert page.current_item in window.w.session.flags  # type: ignore[union-attr]


def test_search_finds_items_by_number_and_words_and_enter_opens_the_first(
    window: Window, store: EvaluationStore
) -> None:
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    window.start(e.id, "scoring")
    window.w.scoring.go_to("1.1.1")
    window.key(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F in an evaluation
    finder = window.w.scoring.finder
    assert window.focus() is finder.search
    window.type("6.3.")
    assert finder.shown == ["6.3.1", "6.3.2"]
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item == "6.3.1"
    finder.search.setText("登记表 原始")  # every word, in the title or the method
    assert finder.shown and all(
        "登记表" in (t := window.w.session.item(i).text + window.w.session.item(i).method)  # type: ignore[union-attr]
        and "原始" in t
        for i in finder.shown
    )
    note_item = next(
        i.id
        for i in window.w.session.items
        if (window.w.session.payload(i.id) or {}).get("note")  # type: ignore[union-attr]
    )
    note = window.w.session.payload(note_item)["note"]  # type: ignore[union-attr, index]
    finder.search.setText(note[:6])
    assert note_item in finder.shown  # the inspector's own notes are searched too
    finder.search.setText("")
    assert not finder.active()


# -- everything a user does is in the window ----------------------------------------------------


def menu_texts(w: MainWindow) -> list[str]:
    out = []
    for top in w.menuBar().actions():
        out.append(top.text())
        menu = top.menu()
        for action in menu.actions() if menu is not None else []:  # type: ignore[attr-defined]
            out.append(action.text())
    return out


def test_the_menus_hold_every_daily_action(window: Window) -> None:
    window.start()
    texts = menu_texts(window.w)
    for words in (
        "新建评估",
        "备份数据文件夹",
        "从备份恢复",
        "生成自查自评报告",
        "填入示例数据",
        "待核实",
        "放大文字",
    ):
        assert any(words in t for t in texts), words
    assert not any("(&D)" in t for t in texts)  # Alt+D is the plans page's 随机抽取(D)


def test_new_self_assessment_from_the_window_and_its_report(
    window: Window, demo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A station starts its own 自查自评 (a station typed in once) and prints the 自查自评报告."""
    from ui.new_evaluation import NEW_ORG, NewEvaluationDialog

    monkeypatch.setenv("INSPECTOR_NO_OPEN", "1")
    window.start()
    dialog = window.w.new_evaluation("self")
    assert isinstance(dialog, NewEvaluationDialog)
    assert dialog.kind.currentData() == "self"
    dialog.rubric.setCurrentIndex(dialog.rubric.findData("sichuan-2017-inspection"))
    dialog.org.setCurrentIndex(dialog.org.findData(NEW_ORG))
    dialog._accept()
    assert dialog.isVisible() and "机构名称" in dialog.error.text()  # refused: nothing created
    dialog.org_name.setText("宜宾市翠屏区职业技能鉴定站")
    dialog._accept()
    window.settle()
    assert window.w.view() == "scoring"
    session = window.w.session
    assert session is not None and session.evaluation.kind == "self"
    assert session.evaluation.org_name == "宜宾市翠屏区职业技能鉴定站"
    for item in session.items:  # the station scores itself (points set by hand: any rule takes them)
        session.record(item.id, {"points": float(item.points), "reason": "自查符合要求"})
    action = window.w.self_report_action
    assert action.isEnabled()
    action.trigger()
    window.settle()
    out = window.w.sheets.last
    assert out is not None and out.exists() and "自查自评报告" in out.name
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "自查自评报告" in text and "宜宾市翠屏区职业技能鉴定站" in text


def test_backup_and_restore_from_the_window(window: Window, demo_folder: Path, tmp_path: Path) -> None:
    from ui.backup_restore import backup_now, restore_from

    window.w.quiet = True  # no message boxes
    window.start()
    before = len(window.w.home.model.rows)
    out = tmp_path / "stick" / "backup.zip"
    out.parent.mkdir()
    backup_now(window.w, out, passphrase="窗口备份口令-2026")
    window.settle()
    assert out.exists() and window.w.last_backup == out
    # a change after the backup, then the backup restored: the change is gone, the window reopened
    db = open_folder(demo_folder)
    EvaluationStore(db, "x").create(
        "sichuan-2017-inspection", db.conn.execute("SELECT id FROM orgs").fetchone()[0]
    )
    db.conn.close()
    window.w.refresh_home()
    window.settle()
    assert len(window.w.home.model.rows) == before + 1
    restore_from(window.w, out, confirmed=True, passphrase="窗口备份口令-2026")
    window.settle()
    window.qtbot.waitUntil(lambda: window.w.store is not None and len(window.w.home.model.rows) == before)
    kept = list(demo_folder.glob("*.before-restore-*"))
    assert kept, "the replaced database is kept beside"
    conn = sqlite3.connect(kept[0])
    assert conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0] == before + 1
    conn.close()


def test_the_empty_home_offers_actions_and_a_field_laptop_shows_its_own_pages(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from inspector.store.ui_state import set_state
    from ui.first_run import DONE_KEY

    folder = tmp_path / "fresh"
    db = open_folder(folder, rubrics=True)
    set_state(db, DONE_KEY, "later")  # the first-run question was answered
    db.conn.close()
    w = MainWindow(folder)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ready, timeout=20000):
        w.show()
        w.start()
    home = w.home
    assert home.empty_actions.isVisible()
    assert "inspector" not in home.empty.text()  # actions, not commands
    buttons = {b.text() for b in home.empty_actions.findChildren(QPushButton)}
    assert any("新建评估" in b for b in buttons) and any("示例" in b for b in buttons)
    # no centre credential, no roster: only 我的评估 in the navigation
    assert all(w.nav.isRowHidden(row) for row in range(1, w.nav.count()))
    # the guide: an empty home offers what the first run offered, the centre's CA among them
    roles = next(b for b in home.empty_actions.findChildren(QPushButton) if "做什么用" in b.text())
    roles.click()
    qtbot.waitUntil(lambda: w.first_run is not None and w.first_run.isVisible(), timeout=5000)
    assert w.first_run is not None and "centre" in w.first_run.choices
    w.first_run.reject()
    demo = next(b for b in home.empty_actions.findChildren(QPushButton) if "示例" in b.text())
    demo.click()
    qtbot.waitUntil(lambda: len(home.model.rows) > 0, timeout=60000)
    assert not home.empty_actions.isVisible()
    # the demo is a centre's: its pages appear once the refilled folder is read again
    qtbot.waitUntil(lambda: not any(w.nav.isRowHidden(row) for row in range(w.nav.count())), timeout=20000)
    w.close()


# -- smaller things ---------------------------------------------------------------------------------


def test_keys_are_shown_once_and_f1_lists_print_f6_and_the_flag() -> None:
    from ui.shortcuts import keymap, shown

    assert shown("finish").count("+") == 1 or " / " in shown("finish")
    texts = shown("finish").split(" / ")
    assert len(texts) == len(set(texts))
    rows = [(keys, what) for _h, entries in keymap() for keys, what in entries]
    assert any("Ctrl+P" in keys for keys, _w in rows)
    assert any(keys.startswith("F6") and "编号" in what for keys, what in rows)
    assert any(keys == "F4" and "待核实" in what for keys, what in rows)


def test_undo_says_what_it_undid(window: Window, store: EvaluationStore, fresh: object) -> None:
    window.start(fresh.id, "scoring")  # type: ignore[attr-defined]
    page = window.w.scoring
    page.go_to("1.1.1")
    window.type("1")
    window.key(Qt.Key.Key_Return)  # 1.1.1 recorded: one problem, 0 points
    messages: list[str] = []
    page.status.connect(messages.append)
    window.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert messages and messages[-1].startswith("已撤销：") and "1.1.1" in messages[-1]
    assert "未评" in messages[-1]  # what the item stands at now
    window.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert messages[-1].startswith("已重做：") and "0/2 分" in messages[-1]


def test_team_members_are_picked_from_the_roster(
    window: Window, store: EvaluationStore, fresh: object
) -> None:
    from inspector.centre.people import add_person, list_people
    from ui.team import TeamDialog

    for name, card in (("刘洋", "510000202101"), ("陈静", "510000202102")):
        add_person(store.db, name=name, kind="external", cert_no=card, cert_issued="2025-01-10")
    window.start(fresh.id, "scoring")  # type: ignore[attr-defined]
    session = window.w.session
    assert session is not None
    roster = [(p.id, p.name) for p in list_people(store.db, active_only=True)]
    empty = TeamDialog(session.rubric, [], None, [])
    window.qtbot.addWidget(empty)
    empty.show()
    assert not empty.roster.isVisible()  # no roster (a station's laptop): names are typed
    dialog = TeamDialog(session.rubric, [], None, roster)
    window.qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.roster.isVisible()
    liu = next(i for i in range(dialog.roster.count()) if dialog.roster.itemText(i) == "刘洋")
    dialog._pick(liu)
    dialog._pick(liu)  # once only
    chen = next(i for i in range(dialog.roster.count()) if dialog.roster.itemText(i) == "陈静")
    dialog._pick(chen)
    team = dialog.team()
    assert [(m["name"], m["role"]) for m in team] == [("刘洋", "组长"), ("陈静", "组员")]
    assert team[0]["person_id"] == dict((n, i) for i, n in roster)["刘洋"]
    # every member and one more fit the list: it showed three and a half rows
    rows = dialog.members.verticalHeader().defaultSectionSize()
    assert dialog.members.height() >= 4 * rows


def test_amend_asks_in_a_real_dialog(window: Window, store: EvaluationStore) -> None:
    from ui.amend import AmendDialog

    e = evaluation(store, state="signed")
    dialog = AmendDialog(None, e.org_name, e.signed_at or "")
    window.qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() > 400 and dialog.height() > 150  # was a bare 202 × 95 line edit
    assert not any(b.isEnabled() and b.text() == "建立修订版" for b in dialog.buttons.buttons())
    dialog.reason.setPlainText("复核时发现 2.1.3 计分有误")
    assert any(b.isEnabled() and b.text() == "建立修订版" for b in dialog.buttons.buttons())
    assert dialog.text() == "复核时发现 2.1.3 计分有误"


def test_a_vetoed_complete_evaluation_is_red_in_its_outcome_not_its_state(window: Window) -> None:
    from ui.models.evaluations_model import EvaluationsModel

    window.start()
    model = window.w.home.model
    row = next(n for n, r in enumerate(model.rows) if r.vetoed)
    phase = model.index(row, EvaluationsModel.COLUMNS.index("phase"))
    outcome = model.index(row, EvaluationsModel.COLUMNS.index("outcome"))
    assert model.data(phase, Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(outcome, Qt.ItemDataRole.ForegroundRole) is not None


def test_evidence_tooltip_names_the_file_once() -> None:
    from ui.evidence import EvidenceStrip
    from ui.worker import Worker

    strip = EvidenceStrip(Worker())
    strip.show_refs(Path("/nonexistent"), [{"sha256": "ab" * 32, "name": "现场.pdf"}], True)
    tip = strip.list.item(0).toolTip()
    assert tip.count("现场.pdf") == 1
