"""The centre's views in the main window: 机构登记, 督导员名册, 督导计划, 结果汇总, 统计.

:class:`CentreNav` is all the window needs: it adds the sections to the left navigation (with
Alt+1 … Alt+6 for the keyboard, 我的评估 being Alt+1), makes each page on first use (its module
too: the home list paints without them) and loads it on the worker each time it is shown, so a
page never shows what another page or the command line has since changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut

from inspector.i18n import _

if TYPE_CHECKING:
    from ui.centre.common import CentrePage
    from ui.main_window import MainWindow

VIEWS = ("register", "roster", "plans", "results", "stats")


def section_titles() -> dict[str, str]:
    return {
        "register": _("机构登记"),
        "roster": _("督导员名册"),
        "plans": _("督导计划"),
        "results": _("结果汇总"),
        "stats": _("统计"),
    }


def centre_pages_shown(db: Any, data: Path) -> bool:
    """Whether this data folder is the centre's (or a demo of it): the centre's pages belong in its
    navigation. A supervisor's laptop (its credential is not the centre's) shows only its own
    evaluations; so does a fresh folder without centre data. The centre's CA makes it the centre;
    without any credential, a folder that holds a roster or plans (the demo) is shown as one."""
    from inspector.paths import KEYS_DIR

    if (Path(data) / KEYS_DIR).is_dir():  # else no credential: cryptography (15 MB) is not imported
        from inspector.crypto.identity import CENTRE, load_identity

        identity = load_identity(data)
        if identity is not None:
            return bool(identity.role == CENTRE)
    from inspector.centre.presence import holds_centre_data

    return holds_centre_data(db)


def grants_task(progress: Callable[[int, int], None], data: Path) -> Any:
    """What this desk's database user may change (store/desk_grants.py): every area on a file."""
    from inspector.folder import opened_folder
    from inspector.store.desk_grants import desk_grants

    with opened_folder(data) as db:
        return desk_grants(db.conn)


def nav_key(row: int) -> str:
    return f"Alt+{row + 1}"


class CentreNav(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        nav = window.nav
        titles = section_titles()
        for name in VIEWS:
            nav.addItem(titles[name])
        widest = max(nav.fontMetrics().horizontalAdvance(nav.item(i).text()) for i in range(nav.count()))
        nav.setMaximumWidth(max(nav.maximumWidth(), widest + nav.fontMetrics().height() * 2))
        self.shortcuts: list[QShortcut] = []
        for row in range(nav.count()):
            nav.item(row).setToolTip(nav_key(row))
            shortcut = QShortcut(QKeySequence(nav_key(row)), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda row=row: self.go(row))
            self.shortcuts.append(shortcut)
        self.visible = True
        self.grants: Any = None  # store/desk_grants.py DeskGrants, once read
        self.desk_label: Any = None  # the status bar's "which user on the server"

    def load_grants(self) -> None:
        """Read the desk's grants (on opening a folder) and grey out what they do not cover."""
        w = self.window
        if w.db is not None and getattr(w.db.conn, "may_write", None) is None:
            from inspector.store.desk_grants import desk_grants

            self.set_grants(desk_grants(w.db.conn))  # a folder's own file: every area, nothing asked
            return
        w.worker.run(
            _("读取岗位权限"),
            grants_task,
            w.data_dir,
            on_done=self.set_grants,
            on_error=lambda e: w.statusBar().showMessage(str(e), 10000),
            owner=self,
        )

    def set_grants(self, grants: Any) -> None:
        self.grants = grants
        if grants.user is not None:  # a desk of a centre on a server: who this desk is there
            from PySide6.QtWidgets import QLabel

            if self.desk_label is None:
                self.desk_label = QLabel()
                self.desk_label.setObjectName("deskUser")
                self.window.statusBar().addPermanentWidget(self.desk_label)
            self.desk_label.setText(_("服务器上的中心数据库 · 数据库用户 {user}").format(user=grants.user))
        elif self.desk_label is not None:
            self.desk_label.setText("")
        for name in VIEWS:
            page = self.window.pages.get(name)
            if page is not None:
                page.apply_grants(grants)  # type: ignore[attr-defined]

    def set_visible(self, visible: bool) -> None:
        """Show or hide the centre's sections in the navigation (and their Alt keys)."""
        self.visible = visible
        nav = self.window.nav
        for row in range(1, nav.count()):
            nav.setRowHidden(row, not visible)
            self.shortcuts[row].setEnabled(visible)

    def row_of(self, view: str) -> int:
        """The navigation row that shows ``view`` as current (the evaluation pages: 我的评估)."""
        return VIEWS.index(view) + 1 if view in VIEWS else 0

    def go(self, row: int) -> None:
        if row <= 0:
            self.window.go_home()
        else:
            self.show(VIEWS[row - 1])

    def page(self, name: str) -> CentrePage:
        w = self.window
        if name not in w.pages:
            w._add_page(name, self._make(name))
        page: CentrePage = w.pages[name]  # type: ignore[assignment]
        return page

    def _make(self, name: str) -> CentrePage:
        from ui.centre.common import CentreContext

        w = self.window
        ctx = CentreContext(w.worker, lambda: w.data_dir, w.user, self._open_evaluation, lambda: w.quiet)
        page: CentrePage
        if name == "register":
            from ui.centre.register_view import RegisterPage

            page = RegisterPage(ctx)
        elif name == "roster":
            from ui.centre.roster_view import RosterPage

            page = RosterPage(ctx)
        elif name == "plans":
            from ui.centre.plans_view import PlansPage

            plans = PlansPage(ctx)
            plans.results_requested.connect(self.show_results)
            page = plans
        elif name == "results":
            from ui.centre.results_view import ResultsPage

            page = ResultsPage(ctx)
        else:
            from ui.centre.stats_view import StatsPage

            page = StatsPage(ctx)
        if self.grants is not None:
            page.apply_grants(self.grants)
        page.status.connect(lambda text: w.statusBar().showMessage(text, 10000))
        page.failed.connect(w.failed.emit)
        return page

    def show(self, name: str, then: Callable[[], None] | None = None) -> CentrePage | None:
        """Show a section and load it; ``then`` once its data is on screen (``--view``, tests)."""
        w = self.window
        if w.view() == "scoring" and not w.scoring.leave():
            return None
        page = self.page(name)
        if then is not None:
            page.loaded.connect(then, Qt.ConnectionType.SingleShotConnection)
        w.stack.setCurrentWidget(page)
        w._set_title(None)
        page.reload()
        page.focus_first()
        return page

    def show_results(self, plan_id: str) -> None:
        from ui.centre.results_view import ResultsPage

        page = self.page("results")
        assert isinstance(page, ResultsPage)
        page.wanted_plan = plan_id
        self.show("results")

    def _open_evaluation(self, eval_id: str) -> None:
        self.window.open_evaluation(eval_id)
