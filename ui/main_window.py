"""The main window: navigation, the pages, the menus with every shortcut, the status bar.

The window appears at once; the data folder is opened on the worker thread (migrations, the
shipped rubrics), then the home list is scored there too. ``ready`` is emitted when the view
asked for at start is filled (``--screenshot`` waits for it), ``failed`` if it cannot be.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

from inspector import __version__
from inspector.errors import InspectorError
from inspector.i18n import _
from inspector.paths import shown_path
from ui.centre import VIEWS as CENTRE_VIEWS
from ui.centre import CentreNav
from ui.errors import show_user_error
from ui.home import HomePage
from ui.models.evaluations_model import HomeRow, load_home_rows
from ui.sheet import SheetActions
from ui.shortcuts import guard_text_fields, sequences
from ui.worker import Worker

if TYPE_CHECKING:  # the pages are imported when first shown: the home list paints sooner
    from inspector.bundles.demo import Demo
    from inspector.store.evaluations import EvaluationStore
    from ui.finish import FinishPage
    from ui.new_evaluation import NewEvaluationDialog
    from ui.scoring import ScoringPage
    from ui.session import EvaluationSession
    from ui.signoff import SignOffPage

EVAL_PAGES = ("scoring", "finish")
STYLE = """
QLabel#hint, QLabel#muted { color: #5f6368; }
QLabel#heading { font-weight: bold; }
"""


def open_data_folder(progress: Callable[[int, int], None], data: Path) -> Any:
    """Open (create, migrate) the data folder's database and install the shipped rubrics."""
    from inspector.folder import open_folder

    db = open_folder(data, rubrics=True)
    return db  # used from here on by the GUI thread only (the connection allows the hand-over)


def folder_warnings_task(progress: Callable[[int, int], None], data: Path) -> list[str]:
    from inspector.folder import folder_warnings

    return folder_warnings(data)


class MainWindow(QMainWindow):
    ready = Signal()
    failed = Signal(str)
    evaluation_signed = Signal(str)

    def __init__(self, data_dir: Path, user: str | None = None) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.user = user
        self.given_user = user  # --user / INSPECTOR_USER; else chosen per folder when it opens
        self.db: Any = None
        self.store: EvaluationStore | None = None
        self.session: EvaluationSession | None = None
        self.quiet = False  # --screenshot: report on stderr, never wait on a dialog
        self._pending_start: tuple[str | None, str] | None = None
        self._ready_sent = False
        self._last_saved = ""
        self.folder_hold: Any = None  # the data folder marked as open here (hold_folder)
        self.folder_warning: QLabel | None = None  # a network share, said in the status bar
        self._text_step = 0
        self.last_backup: Path | None = None
        self.worker = Worker(self)
        from ui.external import ExternalWrites

        self.external = ExternalWrites(self)  # commits by the command line, imports, other windows
        self.external.committed.connect(self._external_commit)
        self.setStyleSheet(STYLE)
        self._build_pages()
        self._build_status()
        self.external.show_in(self.statusBar())  # a centre's server that stops answering
        self._build_actions()
        self.sheets = SheetActions(self)  # the score sheet after sign-off, and Ctrl+P
        for label in self.findChildren(QLabel, "pageTitle"):
            self._title_font(label)
        self._set_title(None)
        self._size_to_screen()
        self._page_changed()

    # -- building --------------------------------------------------------------------------------
    def _build_pages(self) -> None:
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.nav = QListWidget()
        self.nav.addItem(_("我的评估"))
        self.nav.setCurrentRow(0)
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 9)
        self.centre = CentreNav(self)  # the centre's sections below 我的评估 (ui/centre)
        self.nav.itemClicked.connect(lambda item: self.centre.go(self.nav.row(item)))
        layout.addWidget(self.nav)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.home = HomePage()
        self.home.open_requested.connect(lambda eval_id: self.open_evaluation(eval_id))
        self.home.action_requested.connect(self._home_action)
        self.stack.addWidget(self.home)
        self.pages: dict[str, QWidget] = {"home": self.home}
        self.stack.currentChanged.connect(lambda _i: self._page_changed())

    # The evaluation pages, made on first use (their modules too).
    @property
    def scoring(self) -> ScoringPage:
        if "scoring" not in self.pages:
            from ui.scoring import ScoringPage

            page = ScoringPage(self.worker)
            page.home_requested.connect(self.go_home)
            page.finish_requested.connect(self.show_finish)
            page.amend_requested.connect(self.amend)
            page.team_requested.connect(self.edit_team)
            page.status.connect(lambda text: self.statusBar().showMessage(text, 6000))
            page.draft_changed.connect(self._draft_changed)
            self._add_page("scoring", page)
        return self.pages["scoring"]  # type: ignore[return-value]

    @property
    def finish(self) -> FinishPage:
        if "finish" not in self.pages:
            from ui.finish import FinishPage

            page = FinishPage()
            page.back.connect(self.show_scoring)
            page.jump.connect(self._jump)
            page.sign_requested.connect(self.show_signoff)
            page.amend_requested.connect(self.amend)
            self._add_page("finish", page)
        return self.pages["finish"]  # type: ignore[return-value]

    @property
    def signoff(self) -> SignOffPage:
        if "signoff" not in self.pages:
            from ui.signoff import SignOffPage

            page = SignOffPage()
            page.back.connect(self.show_finish)
            page.signed.connect(self._signed)
            self._add_page("signoff", page)
        return self.pages["signoff"]  # type: ignore[return-value]

    def _add_page(self, name: str, page: QWidget) -> None:
        self.pages[name] = page
        self.stack.addWidget(page)
        guard_text_fields(page)
        for label in page.findChildren(QLabel, "pageTitle"):
            self._title_font(label)

    def _title_font(self, label: QLabel) -> None:
        font = QFont(label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        label.setFont(font)

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.folder_label = QLabel(_("数据文件夹：{path}").format(path=shown_path(self.data_dir)))
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.folder_label, 1)
        self.busy = QProgressBar()
        self.busy.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 14)
        self.busy.hide()
        bar.addPermanentWidget(self.busy)
        self.save_label = QLabel(_("尚无更改"))
        bar.addPermanentWidget(self.save_label)
        self.worker.busy.connect(lambda n: self.busy.setVisible(n > 0))
        self.worker.progress.connect(self._progress)

    def _progress(self, label: str, done: int, total: int) -> None:
        self.busy.setRange(0, total)  # total 0: an indeterminate (busy) bar
        self.busy.setValue(done)
        self.busy.setFormat(f"{label} %v/%m" if total else label)
        self.busy.setToolTip(label)

    def _action(
        self, menu: Any, name: str, text: str, slot: Callable[[], Any], pages: tuple[str, ...] = ()
    ) -> QAction:
        action = QAction(text, self)
        keys = sequences(name) if name else []
        if keys:
            action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)  # shortcuts work while the menu bar is hidden too
        self._pages_of[action] = pages
        return action

    def _build_actions(self) -> None:
        self._pages_of: dict[QAction, tuple[str, ...]] = {}
        bar = self.menuBar()
        file = bar.addMenu(_("文件(&F)"))
        self._action(file, "new_evaluation", _("新建评估（含本站自查自评）…"), self.new_evaluation)
        self._action(file, "open_folder", _("打开数据文件夹…"), self.choose_folder)
        self._action(file, "refresh", _("刷新"), self.refresh_home, ("home",))
        file.addSeparator()
        self._action(file, "", _("导出数据包（U 盘）…"), lambda: self.bundle_dialog("export"))
        self._action(file, "", _("导入数据包（U 盘）…"), lambda: self.bundle_dialog("import"))
        self._action(file, "", _("被搁置的更改…"), self.held_dialog)
        file.addSeparator()
        self._action(file, "", _("备份数据文件夹…"), self.backup)
        self._action(file, "", _("从备份恢复…"), self.restore)
        file.addSeparator()
        self._action(file, "quit", _("退出"), self.close)

        ev = bar.addMenu(_("评估(&E)"))
        self._action(ev, "home", _("返回"), self.back)
        self._action(ev, "search", _("搜索"), self.search, ("home", "scoring"))
        ev.addSeparator()
        self._action(ev, "next_item", _("下一项"), lambda: self.scoring.next_item(), ("scoring",))
        self._action(ev, "previous_item", _("上一项"), lambda: self.scoring.previous_item(), ("scoring",))
        self._action(
            ev, "next_unanswered", _("下一个未评项"), lambda: self.scoring.next_unanswered(), ("scoring",)
        )
        self._action(ev, "tree", _("目录 / 输入 切换"), lambda: self.scoring.toggle_focus(), ("scoring",))
        ev.addSeparator()
        self._action(ev, "vetoes", _("否决项"), lambda: self.scoring.focus_vetoes(), ("scoring",))
        self.team_action = self._action(ev, "team", _("评估组分工…"), self.edit_team, ("scoring",))
        self._action(ev, "finish", _("完成：汇总与签署"), self.forward, ("scoring", "finish", "signoff"))
        self.amend_action = self._action(
            ev, "amend", _("修订已签署的评估…"), self.amend, ("scoring", "finish")
        )
        ev.addSeparator()
        self.self_report_action = self._action(
            ev,
            "",
            _("生成自查自评报告 PDF"),
            lambda: self.sheets.produce_document("self"),
            ("scoring", "finish"),
        )
        self.notice_action = self._action(
            ev,
            "",
            _("生成整改通知书 PDF"),
            lambda: self.sheets.produce_document("notice"),
            ("scoring", "finish"),
        )
        # a Fujian 专项督导 target's 质量督导意见书 (第三章四（三）); the core says when it cannot be yet
        self.opinion_action = self._action(
            ev,
            "",
            _("生成质量督导意见书 PDF"),
            lambda: self.sheets.produce_document("opinion"),
            ("scoring", "finish"),
        )

        # not (&D): Alt+D is the plans page's 随机抽取(D)
        edit = bar.addMenu(_("编辑(&B)"))
        self.undo_action = self._action(edit, "undo", _("撤销"), lambda: self.scoring.undo(), ("scoring",))
        self.redo_action = self._action(edit, "redo", _("重做"), lambda: self.scoring.redo(), ("scoring",))
        edit.addSeparator()
        self._action(edit, "note", _("备注"), self._focus_note, ("scoring",))
        self._action(edit, "attach", _("附加证据…"), self._attach, ("scoring",))
        self._action(edit, "override", _("人工调整分数"), lambda: self._mode("override"), ("scoring",))
        self._action(edit, "not_applicable", _("不适用"), lambda: self._mode("na"), ("scoring",))
        self._action(edit, "clear_item", _("清除本项评分"), lambda: self.scoring.clear_item(), ("scoring",))
        edit.addSeparator()
        self._action(
            edit, "flag", _("待核实（标记 / 取消）"), lambda: self.scoring.toggle_flag(), ("scoring",)
        )

        view = bar.addMenu(_("视图(&V)"))
        self.self_action = self._action(view, "self_panel", _("自评对照"), self._toggle_self, ("scoring",))
        self.self_action.setCheckable(True)
        self.self_action.setChecked(True)
        view.addSeparator()
        shown_items = view.addMenu(_("只看小项"))
        from ui.item_filters import filters

        for key, label, _test in filters():
            self._action(shown_items, "", label, self._show_only(key), ("scoring",))
        view.addSeparator()
        self._action(view, "text_larger", _("放大文字"), lambda: self.text_size(+1))
        self._action(view, "text_smaller", _("缩小文字"), lambda: self.text_size(-1))
        self._action(view, "text_reset", _("文字默认大小"), lambda: self.text_size(None))

        help_menu = bar.addMenu(_("帮助(&H)"))
        self._action(help_menu, "help", _("快捷键…"), self.show_help)
        self._action(help_menu, "", _("填入示例数据…"), self.fill_demo)
        self._action(help_menu, "", _("关于…"), self.about)

    def _size_to_screen(self) -> None:
        """A comfortable size that fits a 1366×768 laptop (and grows on bigger screens)."""
        screen = QGuiApplication.primaryScreen()
        fm = self.fontMetrics()
        want_w, want_h = fm.horizontalAdvance("M") * 150, fm.height() * 52
        if screen is not None:
            free = screen.availableGeometry()
            want_w = min(want_w, int(free.width() * 0.95))
            want_h = min(want_h, int(free.height() * 0.92))
        self.resize(want_w, want_h)
        self.setMinimumSize(min(want_w, fm.horizontalAdvance("M") * 80), min(want_h, fm.height() * 28))

    # -- pages -----------------------------------------------------------------------------------
    def view(self) -> str:
        current = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is current)

    def _page_changed(self) -> None:
        page = self.view()
        read_only = self.session.read_only if self.session else True
        for action, pages in self._pages_of.items():
            action.setEnabled(not pages or page in pages)
        for action in (self.team_action, self.undo_action, self.redo_action):
            action.setEnabled(action.isEnabled() and not read_only)
        self.amend_action.setEnabled(self.amend_action.isEnabled() and bool(self.session) and read_only)
        kind = self.session.evaluation.kind if self.session else None
        self.self_report_action.setEnabled(self.self_report_action.isEnabled() and kind == "self")
        self.notice_action.setEnabled(self.notice_action.isEnabled() and kind != "self")
        self.opinion_action.setEnabled(self.opinion_action.isEnabled() and kind != "self")
        self.nav.setCurrentRow(self.centre.row_of(page))

    def _set_title(self, station: str | None) -> None:
        app = _("质量督导评估")
        self.setWindowTitle(f"{station} — {app}" if station else app)

    # -- start -----------------------------------------------------------------------------------
    def start(self, eval_id: str | None = None, view: str = "home") -> None:
        # the text fields made with the window (home's search): here, after the first paint, not
        # in __init__: looking for them wraps every child widget in Python and makes PySide6 build
        # the types of a dozen (scroll bars, tool buttons…), 3-4 ms before the first paint (issue 18,
        # P1); run_gui calls start() as the paint is delivered, before any key can reach a field
        guard_text_fields(self)
        self._pending_start = (eval_id, view)
        self._ready_sent = False
        self.folder_label.setText(_("数据文件夹：{path}").format(path=shown_path(self.data_dir)))
        if not self.hold_folder():
            return
        self.worker.run(
            _("打开数据文件夹"),
            open_data_folder,
            self.data_dir,
            on_done=self._opened,
            on_error=self._start_failed,
        )

    def hold_folder(self) -> bool:
        """Mark the data folder as open here, so that a restore waits for this window to close
        (inspector.store.folder_lock); False (and said) while a restore is replacing it."""
        from inspector.store.folder_lock import hold_for_window

        self.release_folder()
        try:
            self.folder_hold = hold_for_window(self.data_dir)
        except InspectorError as e:
            self._start_failed(e)
            return False
        return True

    def release_folder(self) -> None:
        """Let the data folder go (closing, another folder chosen, before a restore from here)."""
        if self.folder_hold is not None:
            self.folder_hold.release()
            self.folder_hold = None

    def _start_failed(self, error: InspectorError) -> None:
        self.failed.emit(str(error))
        if not self.quiet:
            show_user_error(self, error, _("无法打开数据文件夹"))

    def _opened(self, db: Any) -> None:
        self.external.stop()
        if self.db is not None:
            self.db.conn.close()
        self.db = db
        from inspector.store.evaluations import EvaluationStore

        if self.given_user is None:  # the installed credential's person, the OS user only without one
            from inspector.folder import folder_author

            self.user = folder_author(self.data_dir)
        self.store = EvaluationStore(db, self.user)
        self._apply_text_size()
        self._apply_role()
        self.external.watch(db.conn)
        self.centre.load_grants()
        self.refresh_home()
        self.worker.run(_("检查数据文件夹"), folder_warnings_task, self.data_dir, on_done=self._warn_folder)

    def _warn_folder(self, warnings: list[str]) -> None:
        """A lasting line in the status bar (a network share): seen, and never in the way."""
        if self.folder_warning is None:
            self.folder_warning = QLabel()
            self.folder_warning.setObjectName("folderWarning")
            self.folder_warning.setStyleSheet("color: #b00020;")
            self.folder_warning.setWordWrap(True)
            self.statusBar().addPermanentWidget(self.folder_warning, 1)
        self.folder_warning.setText("\n".join("⚠ " + w for w in warnings))
        self.folder_warning.setToolTip(self.folder_warning.text())
        self.folder_warning.setVisible(bool(warnings))

    def _external_commit(self) -> None:
        """Another writer committed: show the store as it is now (an edit being typed stays)."""
        if self.session is not None:
            try:
                self.session.reload()
            except InspectorError as e:  # the evaluation is gone (a restore): say so, go home
                self.statusBar().showMessage(str(e), 6000)
                self.session = None
                self.stack.setCurrentWidget(self.home)
            else:
                if self.view() == "finish":
                    self.finish.show_session(self.session)
        if self.view() == "home":
            self.refresh_home()
        elif self.view() in CENTRE_VIEWS:  # another desk of a server centre, or the command line
            self.centre.page(self.view()).committed_elsewhere()

    def refresh_home(self) -> None:
        if self.store is None:
            return
        self.worker.run(
            _("计算各评估得分"),
            load_home_rows,
            self.data_dir,
            self.user,
            on_done=self._rows,
            on_error=self._start_failed,
        )

    def _rows(self, rows: list[HomeRow]) -> None:
        self.home.set_rows(rows)
        from inspector.store.folder_role import STATION, folder_role, station_org

        # a station's folder: its request and deadline above the list (it may have just arrived);
        # the bundles' modules (and cryptography under them) are imported only for a station's
        status = None
        if self.db is not None and folder_role(self.db.conn) == STATION:
            from inspector.bundles.self_assessment import station_status

            status = station_status(self.db)
        self.home.set_station(status)

        station = station_org(self.db.conn) if self.db is not None else None
        self.home.load_register(self.db if station else None, station, self.user)
        if self._pending_start is None:
            return
        eval_id, view = self._pending_start
        self._pending_start = None
        if view in CENTRE_VIEWS:
            self.centre.show(view, then=self._send_ready)
            return
        if view != "home" and eval_id is None and rows:
            eval_id = rows[0].id  # the most recently changed one
        if eval_id is not None and view != "home":
            if not self.open_evaluation(eval_id, view):
                return
        else:
            self.home.focus_list()
        self._send_ready()

    def _send_ready(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()
            from ui.first_run import maybe_first_run  # a fresh folder: what is this computer for?

            self.first_run = maybe_first_run(self)

    # -- navigation ------------------------------------------------------------------------------
    def open_evaluation(self, eval_id: str, view: str = "scoring") -> bool:
        from ui.session import EvaluationSession

        assert self.store is not None
        try:
            session = EvaluationSession(self.store, self.data_dir, eval_id)
        except InspectorError as e:
            self.failed.emit(str(e))
            if not self.quiet:
                show_user_error(self, e)
            return False
        self.session = session
        session.saved.connect(self._saved)
        session.changed.connect(lambda _ids: self._page_changed())
        self.scoring.open(session)
        self._set_title(session.evaluation.org_name)
        self.save_label.setText(_("已打开：自动保存每一项"))
        self.scoring.set_show_self(self.self_action.isChecked())
        if view == "finish":
            self.show_finish()
        elif view == "signoff":
            self.show_finish()
            self.show_signoff()
        else:
            self.stack.setCurrentWidget(self.scoring)
            self.scoring.go_to(self.scoring.current_item or session.resume_item(), commit=False)
        self._page_changed()
        return True

    def go_home(self) -> None:
        if self.view() == "scoring" and not self.scoring.leave():
            return
        self.stack.setCurrentWidget(self.home)
        self._set_title(None)
        self.refresh_home()
        if self.session is not None:
            self.home.select(self.session.eval_id)
        self.home.focus_list()

    def show_scoring(self) -> None:
        if self.session is None:
            return
        self.stack.setCurrentWidget(self.scoring)
        if self.scoring.item_view is not None:
            self.scoring.item_view.focus_input()

    def show_finish(self) -> None:
        if self.session is None:
            return
        if self.view() == "scoring" and not self.scoring.leave():
            return
        self.finish.show_session(self.session)
        self.stack.setCurrentWidget(self.finish)
        self.finish.focus_first_link()

    def show_signoff(self) -> None:
        if self.session is None:
            return
        if self.session.evaluation.state == "draft":
            self.statusBar().showMessage(_("评估尚未完成，不能签署"), 6000)
            return
        # complete: the page shows what is signed and what still blocks; signed: says so, read-only
        self.signoff.show_session(self.session)
        self.stack.setCurrentWidget(self.signoff)
        self.signoff.focus_first()

    def back(self) -> None:
        page = self.view()
        if page == "scoring":
            self.go_home()
        elif page == "finish":
            self.show_scoring()
        elif page == "signoff":
            self.show_finish()

    def forward(self) -> None:
        page = self.view()
        if page == "scoring":
            self.show_finish()
        elif page == "finish":
            self.show_signoff()
        elif page == "signoff":
            self.signoff.sign()

    def _jump(self, item_id: str) -> None:
        self.show_scoring()
        self.scoring.go_to(item_id)

    # -- actions -----------------------------------------------------------------------------------
    def _focus_note(self) -> None:
        if self.scoring.item_view is not None:
            self.scoring.item_view.focus_note()

    def _attach(self) -> None:
        if self.scoring.item_view is not None:
            self.scoring.item_view.attach()

    def _mode(self, mode: str) -> None:
        if self.scoring.item_view is not None:
            self.scoring.item_view.toggle_mode(mode)

    def _toggle_self(self) -> None:
        self.scoring.set_show_self(self.self_action.isChecked())

    def _saved(self, when: str) -> None:
        self._last_saved = _("已保存 {time}").format(time=when)
        self.save_label.setText(self._last_saved)

    def _draft_changed(self, dirty: bool) -> None:
        if dirty:
            self.save_label.setText("● " + _("输入中（未保存）"))
        else:
            self.save_label.setText(self._last_saved or _("已打开：自动保存每一项"))

    def _signed(self, eval_id: str) -> None:
        self.evaluation_signed.emit(eval_id)
        self.statusBar().showMessage(_("已签署并锁定"), 8000)
        if self.session is not None:
            self.scoring.open(self.session)
            self.show_finish()
        self.refresh_home()
        self._page_changed()

    def edit_team(self) -> None:
        if self.session is None or self.session.read_only:
            return
        from ui.team import TeamDialog

        roster: list[tuple[str, str]] = []
        if self.db is not None:
            from inspector.centre.people import list_people

            roster = [(p.id, p.name) for p in list_people(self.db, active_only=True)]
        dialog = TeamDialog(self.session.rubric, self.session.evaluation.team, self, roster)
        if dialog.exec() == TeamDialog.DialogCode.Accepted:
            try:
                self.session.set_team(dialog.team())
            except InspectorError as e:
                show_user_error(self, e)

    def amend(self) -> None:
        s = self.session
        if s is None or not s.read_only or self.store is None:
            return
        from inspector.centre.unscored import amend_evaluation
        from ui.amend import ask_reason

        reason = ask_reason(self, s.evaluation.org_name, s.evaluation.signed_at or "")
        if reason is None:
            return
        try:
            new = amend_evaluation(self.store, s.eval_id, reason)
        except InspectorError as e:
            show_user_error(self, e)
            return
        self.open_evaluation(new.id)
        self.refresh_home()

    def bundle_dialog(self, kind: str) -> None:
        from ui.bundles import open_dialog  # loaded when first used

        open_dialog(self, kind)

    def held_dialog(self) -> None:
        """The changes imports held apart (who may change what), to accept or reject one by one."""
        if self.db is None:
            return
        from ui.held import HeldDialog  # loaded when first used

        dialog = HeldDialog(self.db, self.user, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self.refresh_home())
        dialog.open()

    def choose_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # (see about())

        folder = QFileDialog.getExistingDirectory(self, _("打开数据文件夹"), str(self.data_dir))
        if not folder:
            return
        if self.view() == "scoring" and not self.scoring.leave():
            return
        if "scoring" in self.pages:
            self.scoring.close_session()
        self.session = None
        self.stack.setCurrentWidget(self.home)
        self.data_dir = Path(folder)
        self.start()

    # -- everything a user does, from the window ------------------------------------------------
    def _home_action(self, key: str) -> None:
        if key == "new":
            self.new_evaluation()
        elif key == "import":
            self.bundle_dialog("import")
        elif key == "demo":
            self.fill_demo()
        elif key == "roles":
            from ui.first_run import FirstRunDialog

            self.first_run = FirstRunDialog(self)
            self.first_run.open()

    def new_evaluation(self, kind: str = "inspection") -> NewEvaluationDialog | None:
        """新建评估: the dialog; accepted, the new evaluation opens at its first item."""
        if self.store is None:
            return None
        if self.view() == "scoring" and not self.scoring.leave():
            return None
        from inspector.store.folder_role import STATION, folder_role

        if folder_role(self.store.conn) == STATION:  # a station fills the one form the centre named
            self._open_self_assessment()
            return None
        from ui.new_evaluation import NewEvaluationDialog

        dialog = NewEvaluationDialog(self.store, self, kind)
        dialog.accepted.connect(lambda: self._created(dialog))
        dialog.open()
        return dialog

    def _open_self_assessment(self) -> None:
        from inspector.bundles.self_assessment import start_self_assessment
        from inspector.errors import InspectorError

        assert self.store is not None
        try:
            eval_id = start_self_assessment(self.store.db, self.user)
        except InspectorError as e:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, _("鉴定站（所）自评"), e.message)
            return
        self.refresh_home()
        self.open_evaluation(eval_id)

    def _created(self, dialog: NewEvaluationDialog) -> None:
        if dialog.created is not None:
            self.refresh_home()
            self.open_evaluation(dialog.created.id)

    def backup(self) -> None:
        from ui.backup_restore import backup_now

        backup_now(self)

    def restore(self) -> None:
        from ui.backup_restore import restore_from

        restore_from(self)

    def close_folder(self) -> None:
        """Leave the evaluation shown, close the database and let the folder go (before a restore
        from here replaces it; ``start`` opens and holds it again)."""
        if "scoring" in self.pages:
            self.scoring.close_session()
        self.session = None
        self.stack.setCurrentWidget(self.home)
        self._set_title(None)
        self.worker.wait()
        if self.db is not None:
            self.db.conn.close()
            self.db = None
        self.store = None
        self.release_folder()

    def fill_demo(self) -> None:
        """填入示例数据 (only into a folder without evaluations: the core's rule)."""
        from ui.first_run import _fill_demo

        if self.db is not None:
            from inspector.store.evaluations import count_evaluations

            if count_evaluations(self.db):
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.information(
                    self,
                    _("填入示例数据"),
                    _("数据文件夹中已有数据，未再填入示例。请先打开一个空的数据文件夹。"),
                )
                return
        self.worker.run(_("填入示例数据"), _fill_demo, self.data_dir, on_done=self._demo_filled, owner=self)

    def _demo_filled(self, made: Demo | None = None) -> None:
        self._apply_role()
        self.refresh_home()
        if made is not None and made.keys_made:  # as `inspector demo` prints it
            self.statusBar().showMessage(
                _("已建立演示中心“{name}”的 CA 与本机证书；演示口令：{p}（仅供演示）").format(
                    name=made.centre_name, p=made.passphrase
                )
            )

    def search(self) -> None:
        """Ctrl+F: the home list's search, or in an evaluation the search among its items."""
        if self.view() == "scoring":
            self.scoring.find_item()
        else:
            self.home.focus_search()

    def _show_only(self, key: str) -> Callable[[], None]:
        return lambda: self.show_only(key)

    def show_only(self, key: str) -> None:
        if self.view() == "scoring":
            self.scoring.finder.set_filter(key)

    def text_size(self, change: int | None) -> None:
        """One step larger or smaller (None: the system's size), remembered in the data folder."""
        from inspector.store.ui_state import set_text_size
        from ui.text_size import apply_step, clamp

        self._text_step = 0 if change is None else clamp(self._text_step + change)
        size = apply_step(self._text_step)
        for label in self.findChildren(QLabel, "pageTitle"):
            label.setFont(QFont())
            self._title_font(label)
        if self.db is not None:
            set_text_size(self.db, self._text_step)
        self.statusBar().showMessage(_("文字大小：{size} 磅").format(size=f"{size:g}"), 4000)

    def _apply_text_size(self) -> None:
        from PySide6.QtWidgets import QApplication

        from inspector.store.ui_state import text_size
        from ui.text_size import apply_step, base_size, point_size

        base_size()  # the system's size, before the first step
        self._text_step = text_size(self.db) if self.db is not None else 0
        # this folder's size (another folder opened before may have set a different one)
        if QApplication.font().pointSizeF() != point_size(self._text_step):
            apply_step(self._text_step)
            for label in self.findChildren(QLabel, "pageTitle"):
                label.setFont(QFont())
                self._title_font(label)

    def _apply_role(self) -> None:
        """The left navigation shows the pages of this folder's role (a field laptop: its own)."""
        from ui.centre import centre_pages_shown

        self.centre.set_visible(self.db is not None and centre_pages_shown(self.db, self.data_dir))

    def show_help(self) -> None:
        from ui.help import HelpDialog

        HelpDialog(self).exec()

    def about(self) -> None:
        # the message box's and the file dialog's types are imported where they are shown: PySide6
        # builds a type (and its enums) when a module first names it, before the first paint if at
        # the top of this module (issue 18, P1)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            _("关于"),
            _(
                "职业技能鉴定质量督导评估工具\n版本 {version}\n\n数据文件夹：{path}\n\n"
                "离线使用；每一项评分在记录时即已保存。\n中文字体：文泉驿微米黑（Apache 2.0 / GPLv3）"
            ).format(version=__version__, path=self.data_dir),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if "scoring" in self.pages and self.scoring.item_view is not None:
            self.scoring.item_view.commit(strict=False)
        self.worker.wait()
        self.external.stop()
        if self.db is not None:
            self.db.conn.close()
            self.db = None
        self.release_folder()
        super().closeEvent(event)
