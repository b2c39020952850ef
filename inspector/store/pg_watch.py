"""Reading a centre server's write counter from a thread of its own, never waiting long.

The window notices other desks' commits by reading ``inspector_writes.n`` (inspector/store/pg.py)
once a second. On the GUI thread, through the window's own connection, a server that stops answering
mid-session held the window until libpq gave up (30 s and more: a server whose host still
acknowledges TCP but whose process is stuck is never given up on). :class:`WriteCounter` is that read
on a connection of its own, made for the thread that polls (a psycopg connection is not to be shared
between threads): it talks to libpq without blocking (``PQconnectStart``/``PQsendQuery``, as
https://www.postgresql.org/docs/current/libpq-async.html describes) and waits on the socket in short
slices, so that every wait ends when the server does not answer within ``answer_s`` seconds, or at
once when its owner is stopping. Failing is one :class:`~inspector.errors.StoreError`; the owner
decides when to try again (a new connection is made at the next read).
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable

import psycopg
import psycopg.conninfo
from psycopg import pq

from inspector.errors import StoreError
from inspector.i18n import _
from inspector.store.pg import shown, why_not_connected

ANSWER_S = 5.0  # a one-row read (or a connection) the server has not answered by then: not answering
SLICE_S = 0.1  # how often a wait looks whether its owner is stopping
APPLICATION_NAME = "inspector window poll"
_QUERY = b"SELECT n FROM inspector_writes WHERE one = 1"


class Stopped(Exception):
    """The owner is stopping: the read was given up, nothing is wrong with the server."""


class WriteCounter:
    """The server's count of committed writing transactions, read on a connection of its own."""

    def __init__(self, url: str, stopping: Callable[[], bool], answer_s: float = ANSWER_S) -> None:
        self.url = url
        self.where = shown(url)
        self._stopping = stopping
        self._answer_s = answer_s
        self._pg: pq.abc.PGconn | None = None

    def read(self) -> int:
        """The counter now; :class:`StoreError` when the server cannot be reached or does not answer
        in time (the connection is dropped: the next read makes a new one), :class:`Stopped`."""
        try:
            if self._pg is None:
                self._pg = self._connect()
            return self._query(self._pg)
        except (psycopg.Error, OSError) as e:  # libpq's own failure, a socket closed: the same loss
            self.close()
            raise self._failed(str(e)) from None
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._pg is not None:
            self._pg.finish()
            self._pg = None

    # -- libpq, without blocking ------------------------------------------------------------------
    def _connect(self) -> pq.abc.PGconn:
        deadline = time.monotonic() + self._answer_s
        conn = pq.PGconn.connect_start(self._conninfo().encode())
        try:
            if conn.status == pq.ConnStatus.BAD:
                raise self._failed(conn.get_error_message())
            status = pq.PollingStatus.WRITING  # as if PQconnectPoll had said so (libpq's manual)
            while status != pq.PollingStatus.OK:
                if status == pq.PollingStatus.FAILED:
                    raise self._failed(conn.get_error_message())
                self._wait(conn, status == pq.PollingStatus.WRITING, deadline)
                status = pq.PollingStatus(conn.connect_poll())
            conn.nonblocking = 1
        except BaseException:
            conn.finish()
            raise
        return conn

    def _conninfo(self) -> str:
        """The address as given, named for the server's activity view (pg_stat_activity)."""
        try:
            given = psycopg.conninfo.conninfo_to_dict(self.url)
        except psycopg.Error:
            return self.url  # said by libpq itself on connecting
        if "application_name" in given:
            return self.url
        return psycopg.conninfo.make_conninfo(self.url, application_name=APPLICATION_NAME)

    def _query(self, conn: pq.abc.PGconn) -> int:
        deadline = time.monotonic() + self._answer_s
        try:
            conn.send_query(_QUERY)
            while conn.flush() == 1:
                self._wait(conn, True, deadline)
            while True:
                conn.consume_input()
                if not conn.is_busy():
                    break
                self._wait(conn, False, deadline)
            value: int | None = None
            error = ""
            while (result := conn.get_result()) is not None:
                if result.status == pq.ExecStatus.TUPLES_OK and result.ntuples == 1:
                    value = int(result.get_value(0, 0) or 0)
                elif result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
                    error = result.get_error_message()
        except psycopg.Error as e:  # the connection lost (the server gone, its backend ended)
            raise self._failed(str(e)) from None
        if value is None:
            raise self._failed(error or "inspector_writes has no row")
        return value

    def _wait(self, conn: pq.abc.PGconn, writing: bool, deadline: float) -> None:
        """Until the socket is ready, in short slices: :class:`Stopped` as soon as the owner stops,
        a :class:`StoreError` when the server has let the deadline pass."""
        while True:
            if self._stopping():
                raise Stopped
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreError(_("服务器在 {s} 秒内没有应答").format(s=f"{self._answer_s:g}"), self.where)
            sock = conn.socket
            ready = (
                select.select([], [sock], [], min(SLICE_S, left))
                if writing
                else select.select([sock], [], [], min(SLICE_S, left))
            )
            if ready[0] or ready[1]:
                return

    def _failed(self, message: bytes | str) -> StoreError:
        text = (message.decode("utf-8", "replace") if isinstance(message, bytes) else message).strip()
        said = why_not_connected(text)  # what the user can act on, where libpq's words are known
        if said == text:
            said = _("与服务器的连接中断：{e}").format(e=text)
        return StoreError(said, self.where)
