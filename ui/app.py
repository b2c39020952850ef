"""Starting the window: the application object, the shipped CJK font, the error hook, ``--screenshot``.

``run_gui`` is what ``inspector gui`` calls. The window appears at once and opens the data folder
on the worker thread; ``--screenshot FILE`` waits until the requested view is filled, grabs the
window once, writes the PNG and leaves the event loop with status 0.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QTimer, QTranslator
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from inspector import __version__
from inspector.i18n import _, language
from inspector.paths import font_path, resources_dir
from ui.collector import GuiThreadCollector

SCREENSHOT_SIZE = (1366, 768)  # the laptop the window is designed for
SIZE_ENV = "INSPECTOR_SCREENSHOT_SIZE"
TIMING_ENV = "INSPECTOR_GUI_TIMING"  # bench hook: print wall-clock times of first paint and ready
KEYS_ENV = "INSPECTOR_GUI_KEYS"  # test hook: keys typed into the window once it is ready (see _type_keys)


def register_font() -> str | None:
    """Register the shipped CJK font and make it the fallback of the application font.

    The system's own font stays first (it is what the user expects for Latin text and digits);
    for every character it lacks, Qt falls back to the shipped WenQuanYi Micro Hei, so Chinese
    renders on a machine without any CJK font. Returns the family, or None if it failed to load.
    """
    font_id = QFontDatabase.addApplicationFont(str(font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    font = QApplication.font()
    font.setFamilies([font.family(), families[0]])
    QApplication.setFont(font)
    return families[0]


def install_qt_translation(app: QApplication) -> QTranslator | None:
    """Qt's own words (OK, Cancel, the file dialog) in Chinese when the window is in Chinese.

    Our texts go through :func:`inspector.i18n._`; only Qt's built-in dialogs use this catalogue,
    shipped with PySide6 (``translations/qtbase_zh_CN.qm``; a frozen build must include it). What
    that catalogue leaves in English (the file dialog's "Look in" and "Files of type", a few
    standard buttons) comes from ours, ``resources/translations/qt_extra_zh_CN.qm``, installed
    last so that it is asked first.
    """
    if language() != "zh":
        return None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load("qtbase_zh_CN", folder):
        return None
    app.installTranslator(translator)
    extra = QTranslator(app)
    if extra.load("qt_extra_zh_CN", str(resources_dir() / "translations")):
        app.installTranslator(extra)
    return translator


def configure(app: QApplication) -> None:
    """Everything an application object needs before the first window: names, font, Qt's words."""
    app.setApplicationName("inspector")
    app.setApplicationDisplayName(_("质量督导评估"))
    app.setApplicationVersion(__version__)
    register_font()
    install_qt_translation(app)
    app.collector = GuiThreadCollector(app)  # type: ignore[attr-defined]
    icon = resources_dir() / "icons" / "inspector.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    from ui.input_method import apply_input_method

    apply_input_method()  # fcitx on UOS/Kylin without a plugin: ibus (before Qt starts)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    configure(app)
    return app


def screenshot_size() -> tuple[int, int]:
    """1366 × 768, or ``INSPECTOR_SCREENSHOT_SIZE=1024x768`` (to look at the window on a smaller screen)."""
    w, _sep, h = os.environ.get(SIZE_ENV, "").partition("x")
    if w.isdigit() and h.isdigit():
        return int(w), int(h)
    return SCREENSHOT_SIZE


def run_gui(
    data: Path,
    *,
    user: str | None = None,
    eval_id: str | None = None,
    view: str = "home",
    screenshot: Path | None = None,
) -> int:
    app = make_app()
    from ui.errors import install_excepthook
    from ui.main_window import MainWindow

    window = MainWindow(data, user)
    install_excepthook(lambda: window.data_dir, lambda: window.quiet)
    status = {"code": 0}
    if screenshot is not None:

        def shoot() -> None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(screenshot), "PNG"):
                print(_("无法写入截图：{path}").format(path=screenshot), file=sys.stderr)
                status["code"] = 1
            app.exit(status["code"])

        def failed(message: str) -> None:
            print(_("错误：") + message, file=sys.stderr)
            app.exit(1)

        # singleShot(0): after the view was filled, let the layout settle in this loop turn first
        window.ready.connect(lambda: QTimer.singleShot(0, shoot))
        window.failed.connect(failed)
        window.quiet = True
        window.resize(*screenshot_size())
    elif os.environ.get(KEYS_ENV):
        window.ready.connect(lambda: QTimer.singleShot(0, lambda: _type_keys(window, os.environ[KEYS_ENV])))
    if os.environ.get(TIMING_ENV):
        _report_timing(window)
    window.show()

    def painted() -> None:
        # What the start made (PySide6's types and enums, the modules, the window: some 40,000
        # objects) lives as long as the window: frozen, no later collection walks it again. The
        # collector is off while the window runs (ui/collector.py: a timer collects on the GUI
        # thread), so all of it was still the young generation, and the timer's first collection
        # walked it all while the home list was being scored (30-40 ms of CPU; issue 18, P1).
        gc.freeze()
        window.start(eval_id=eval_id, view=view)

    after_first_paint(window, painted)
    code = app.exec()
    window.close()
    return code or status["code"]


def after_first_paint(window: QWidget, then: Callable[[], None], fallback_ms: int = 500) -> None:
    """Run ``then`` once the window has painted (or after ``fallback_ms``, should it not paint: a
    minimised start). Opening the data folder on the worker thread imports sqlite-utils and the
    store while the window is being built and painted: on two cores the worker's imports held the
    interpreter's lock against the first paint (issue 18, P1)."""
    from PySide6.QtCore import QEvent, QObject

    done = {"started": False}

    def go() -> None:
        if not done["started"]:
            done["started"] = True
            then()

    class _Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, go)  # after this paint has been delivered
            return False

    spy = _Painted(window)
    window.installEventFilter(spy)
    QTimer.singleShot(fallback_ms, go)


def _type_keys(window: QWidget, script: str, tries: int = 40) -> None:
    """Test hook: type a comma-separated list of keys (``2,Return,PgDown``) into the focused widget.

    Used by the kill test, which starts the real program, lets it record some marks through the
    same keyboard path a user takes, then kills it. Prints ``keys-done ITEM`` when finished.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence
    from PySide6.QtTest import QTest

    # the window's own shortcuts (Ctrl+E: the note) fire only in the active window: ask for it,
    # and come back once the platform has made it so (a few tries; offscreen it is at once)
    if not window.isActiveWindow() and tries > 0:
        window.activateWindow()
        QTimer.singleShot(50, lambda: _type_keys(window, script, tries - 1))
        return
    for name in filter(None, (k.strip() for k in script.split(","))):
        combo = QKeySequence(name)[0]  # type: ignore[index]  # (the stubs lack operator[])
        # the window's focus child, even while the (offscreen) window is not the active one
        target = window.focusWidget() or window
        QTest.keyClick(target, Qt.Key(combo.key()), combo.keyboardModifiers())
    current = getattr(getattr(window, "scoring", None), "current_item", None)
    print(f"keys-done {current}", flush=True)


def _report_timing(window: object) -> None:
    """Bench hook: ``first-paint T CPU`` when the window first paints, ``ready T`` when its data is in
    (wall-clock seconds, comparable with the time the parent process started us; CPU: this
    process's CPU seconds so far, steadier than the wall clock on a shared machine)."""
    import time

    from PySide6.QtCore import QEvent, QObject

    class _FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print(f"first-paint {time.time():.6f} {time.process_time():.6f}", flush=True)
                watched.removeEventFilter(self)
            return False

    spy = _FirstPaint(window)  # type: ignore[arg-type]
    window.installEventFilter(spy)  # type: ignore[attr-defined]
    window.ready.connect(lambda: print(f"ready {time.time():.6f}", flush=True))  # type: ignore[attr-defined]
