"""The window of a desk on a centre's server notices other desks' commits from a thread of its own
(ui/external.py, inspector/store/pg_watch.py): another desk's commit still refreshes the page; a
server that stops answering mid-session never holds the GUI thread, is said once in the status bar,
and is tried again quietly until it answers. Real server (tests/pg_support.py), real widgets, and
between the window and the server a real TCP relay that the test can make stop answering."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from inspector.folder import open_folder
from inspector.store.orgs import add_org
from inspector.store.pg_watch import APPLICATION_NAME, WriteCounter
from tests.centre.test_desk_roles import desk
from tests.ui.conftest import SIZE
from tests.ui.test_centre_on_server import settled, shown, window
from ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("folders_as_they_say")


class Relay:
    """A TCP relay to the server that can be made to stop answering: what arrives is taken in (the
    kernel acknowledges it, as a server whose process is stuck does) and held until ``answer()``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.held = 0  # chunks received and not passed on (a request the server has not answered)
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        user = parts.netloc.rpartition("@")[0]
        return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{self.port}"))

    def silence(self) -> None:
        self.flowing.clear()

    def answer(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.flowing.set()
        self.listener.close()
        for s in self.sockets:
            s.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                if not self.flowing.is_set():
                    self.held += 1
                    self.flowing.wait()
                    self.held = 0
                b.sendall(data)
        except OSError:
            pass
        finally:
            a.close()
            b.close()


@pytest.fixture
def relay(pg_url: str) -> Iterator[Relay]:
    parts = urlsplit(pg_url)
    made = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    yield made
    made.close()


def register_names(page: object) -> list[str]:
    return [e["name"] for e in page.table.rows_model.rows]  # type: ignore[attr-defined]


def another_desk_adds(tmp_path: Path, url: str, name: str) -> None:
    other = open_folder(desk(tmp_path, "desk2", url))  # a connection of its own, straight to the server
    add_org(other, name)
    other.conn.close()


def ticking(qtbot: QtBot, seen: Callable[[], None]) -> QTimer:
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(seen)
    timer.start()
    return timer


def test_another_desks_commit_refreshes_the_window_from_the_poll_thread(
    qtbot: QtBot, pg_url: str, tmp_path: Path
) -> None:
    w = window(qtbot, settled(desk(tmp_path, "desk1", pg_url)))
    assert w.external.polling and not w.external.timer.isActive()  # nothing asked on the GUI thread
    page = shown(qtbot, w, "register")
    with qtbot.waitSignal(page.loaded, timeout=30000):  # no check() called: the thread's read does it
        another_desk_adds(tmp_path, pg_url, "另一工作台登记的机构")
    assert "另一工作台登记的机构" in register_names(page)
    assert not w.external.check()  # nothing new since
    poll = w.external._poll
    assert poll is not None
    w.external.watch(w.db.conn)  # what opening another folder does: the old thread ends, a new one runs
    assert not poll.thread.is_alive()
    poll = w.external._poll
    assert poll is not None and w.external.polling
    w.close()
    assert not poll.thread.is_alive() and not w.external.polling  # closed: no thread left running


def test_a_window_on_a_folder_keeps_reading_its_file_on_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    w = window(qtbot, settled(tmp_path / "centre"))
    assert w.external.timer.isActive() and not w.external.polling


def test_the_windows_own_commits_do_not_refresh_it(qtbot: QtBot, pg_url: str, tmp_path: Path) -> None:
    w = window(qtbot, settled(desk(tmp_path, "desk1", pg_url)))
    poll = w.external._poll
    assert poll is not None
    refreshed: list[int] = []
    w.external.committed.connect(lambda: refreshed.append(1))
    add_org(w.db, "本工作台登记的机构")  # the window's own connection: the counter rises by one
    reads: list[int] = []
    poll.bridge.read.connect(reads.append)
    qtbot.waitUntil(lambda: len(reads) >= 3, timeout=30000)  # read (and delivered) since
    assert refreshed == []
    another_desk_adds(tmp_path, pg_url, "另一工作台登记的机构")
    qtbot.waitUntil(lambda: refreshed == [1], timeout=30000)


def test_a_server_that_stops_answering_never_holds_the_window_and_is_said_once(
    qtbot: QtBot, pg_url: str, relay: Relay, tmp_path: Path
) -> None:
    folder = settled(desk(tmp_path, "desk1", relay.url(pg_url)))
    w = MainWindow(folder, "测试")
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.external.answer_s = 1.0  # how long a read may go unanswered (5 s in use)
    with qtbot.waitSignal(w.ready, timeout=30000):
        w.start()
    page = shown(qtbot, w, "register")
    said: list[str] = []
    w.external.server_silent.connect(said.append)
    notice = w.external.notice
    assert notice is not None and notice.isHidden()

    # a safety net: were the GUI thread held by a read (the old code), the relay answers after a
    # minute, and the assertions below fail instead of the test hanging
    net = threading.Timer(60, relay.answer)
    net.daemon = True
    while_unanswered: list[bool] = []
    ticks = ticking(qtbot, lambda: while_unanswered.append(relay.held > 0 and not relay.flowing.is_set()))
    relay.silence()
    net.start()
    try:
        qtbot.waitUntil(lambda: not notice.isHidden(), timeout=30000)
        assert not relay.flowing.is_set()  # said while the server was still silent
        assert any(while_unanswered)  # the GUI thread ran while a request to the server went unanswered
        assert "服务器没有应答" in notice.text() and "其他工作台的更改暂不显示" in notice.toolTip()
        assert "Traceback" not in notice.toolTip()
        w.grab().save(str(tmp_path / "server-silent.png"))
        poll = w.external._poll
        assert poll is not None
        qtbot.waitUntil(lambda: poll.failures >= 2, timeout=30000)  # tried again: said no more
        assert len(said) == 1
    finally:
        ticks.stop()
        net.cancel()
        relay.answer()
    qtbot.waitUntil(lambda: notice.isHidden(), timeout=60000)  # answering again: the line goes
    assert "服务器又有应答了" in w.statusBar().currentMessage()
    with qtbot.waitSignal(page.loaded, timeout=30000):  # and other desks' commits show again
        another_desk_adds(tmp_path, pg_url, "恢复后登记的机构")
    assert "恢复后登记的机构" in register_names(page)
    assert len(said) == 1
    w.close()
    assert not poll.thread.is_alive()


def test_a_poll_connection_ended_by_the_server_is_said_and_made_again(
    qtbot: QtBot, pg_url: str, tmp_path: Path
) -> None:
    w = window(qtbot, settled(desk(tmp_path, "desk1", pg_url)))
    poll = w.external._poll
    assert poll is not None
    reads: list[int] = []
    poll.bridge.read.connect(reads.append)
    qtbot.waitUntil(lambda: len(reads) >= 1, timeout=30000)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            (APPLICATION_NAME,),
        ).fetchall()
    assert ended == [(True,)]  # the window's poll, and nothing else, on its own connection
    with qtbot.waitSignal(w.external.server_silent, timeout=30000) as silent:
        pass
    assert "Traceback" not in str(silent.args)
    with qtbot.waitSignal(w.external.server_back, timeout=30000):
        pass
    page = shown(qtbot, w, "register")
    with qtbot.waitSignal(page.loaded, timeout=30000):
        another_desk_adds(tmp_path, pg_url, "重连后登记的机构")
    assert "重连后登记的机构" in register_names(page)


def test_the_counter_read_gives_up_on_a_server_that_accepts_and_says_nothing() -> None:
    """A port that takes the connection and never answers (a blackhole): one message in time."""
    from inspector.errors import StoreError

    hole = socket.create_server(("127.0.0.1", 0))
    try:
        counter = WriteCounter(f"postgresql://nobody@127.0.0.1:{hole.getsockname()[1]}/x", lambda: False, 0.5)
        with pytest.raises(StoreError, match="没有应答"):
            counter.read()
        stopping = WriteCounter(f"postgresql://nobody@127.0.0.1:{hole.getsockname()[1]}/x", lambda: True)
        from inspector.store.pg_watch import Stopped

        with pytest.raises(Stopped):  # its owner stopping ends the wait at once
            stopping.read()
    finally:
        hole.close()
