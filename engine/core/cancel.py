"""Cancelling long work: one token per command, honoured inside long statements and copies.

Layers (ARCHITECTURE.md): a flag checked between steps; SQLite's progress handler returning
non-zero while a statement runs (`watching`); `Connection.interrupt()` on the watched connections
when `cancel()` comes from another thread (the window's Cancel). Lock waits are sliced so that a
cancel is seen between slices (SQLite's busy handler sleeps in C and never looks at the flag).

The CLI turns SIGINT and SIGTERM into `cancel()` (`cancel_on_signals`). Python runs a signal
handler between bytecodes of the main thread, so during a long statement it runs inside the
progress callback: the next callback then stops the statement. The flag is a plain attribute and
the lock re-entrant, because the handler may run while this thread is inside `attach()`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from engine.core.errors import Cancelled, from_sqlite, sqlite_error_name

PROGRESS_OPS = 20_000  # SQLite VM instructions between progress-handler calls
HEARTBEAT_SECONDS = 0.25
LOCK_SLICE_MS = 200  # a lock wait looks at the flag this often
NOTHING_CHANGED = "nothing was changed."

Beat = Callable[[float], None]  # seconds spent in the current statement


class CancelToken:
    """Thread-safe cancel for one run (the same token may be handed to every engine call)."""

    def __init__(self) -> None:
        self._cancelled = False
        self._lock = threading.RLock()
        self._conns: list[sqlite3.Connection] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        self._cancelled = True
        with self._lock:
            for conn in list(self._conns):
                with contextlib.suppress(sqlite3.ProgrammingError):  # closed meanwhile
                    conn.interrupt()

    def attach(self, conn: sqlite3.Connection | None) -> None:
        """The runner's connection (None: detach every connection)."""
        with self._lock:
            self._conns = [conn] if conn is not None else []

    def check(self, state: str = NOTHING_CHANGED) -> None:
        """Raise `Cancelled` ("Cancelled: <state>") when a cancel was asked for."""
        if self._cancelled:
            raise Cancelled(f"Cancelled: {state}")

    def progress(self) -> int:
        """SQLite's progress handler: non-zero stops the running statement (SQLITE_INTERRUPT)."""
        return 1 if self._cancelled else 0

    @contextlib.contextmanager
    def watching(
        self, conn: sqlite3.Connection, *, state: str = NOTHING_CHANGED, beat: Beat | None = None
    ) -> Iterator[None]:
        """Statements on `conn` stop when cancelled and raise `Cancelled` ("Cancelled: <state>").

        `beat(seconds)` is called about every HEARTBEAT_SECONDS while one statement runs."""
        started = time.monotonic()
        last = [started]

        def progress() -> int:
            if beat is not None:
                now = time.monotonic()
                if now - last[0] >= HEARTBEAT_SECONDS:
                    last[0] = now
                    beat(now - started)
            return self.progress()

        conn.set_progress_handler(progress, PROGRESS_OPS)
        with self._lock:
            self._conns.append(conn)
        try:
            yield
        except sqlite3.Error as exc:
            if self._cancelled or sqlite_error_name(exc) == "SQLITE_INTERRUPT":
                raise Cancelled(f"Cancelled: {state}") from exc
            raise
        finally:
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)
            conn.set_progress_handler(None, 0)


def watch(
    conn: sqlite3.Connection,
    cancel: CancelToken | None,
    *,
    state: str = NOTHING_CHANGED,
    beat: Beat | None = None,
) -> contextlib.AbstractContextManager[None]:
    """`cancel.watching(conn)`, or nothing when there is no token."""
    if cancel is None:
        return contextlib.nullcontext()
    return cancel.watching(conn, state=state, beat=beat)


def wait_for_lock(
    conn: sqlite3.Connection,
    sql: str,
    *,
    wait: float,
    cancel: CancelToken | None,
    state: str = NOTHING_CHANGED,
) -> None:
    """Run `sql` (e.g. BEGIN IMMEDIATE), waiting up to `wait` seconds for another writer.

    The wait is cut into slices so a cancel ends it within one slice. SQLITE_BUSY after `wait`
    seconds propagates like the plain statement's."""
    deadline = time.monotonic() + wait
    original = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    try:
        while True:
            if cancel is not None:
                cancel.check(state)
            remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
            conn.execute(f"PRAGMA busy_timeout = {min(LOCK_SLICE_MS, remaining_ms)}")
            try:
                conn.execute(sql)
                return
            except sqlite3.OperationalError as exc:
                if sqlite_error_name(exc) != "SQLITE_BUSY" or remaining_ms == 0:
                    raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {original}")


def interrupted(exc: sqlite3.Error, *, state: str) -> Cancelled:
    """An SQLITE_INTERRUPT that did not come from the token (e.g. a stray KeyboardInterrupt)."""
    error = from_sqlite(exc, state=state)
    return Cancelled(f"Interrupted: {state}", hint=error.hint, detail=error.detail)


@contextlib.contextmanager
def cancel_on_signals(token: CancelToken) -> Iterator[None]:
    """SIGINT and SIGTERM call `token.cancel()` while the block runs (main thread only);
    the previous handlers come back afterwards.

    Python runs the handler itself only when the main thread executes bytecode, which it does
    not while SQLite checks a file's b-trees (PRAGMA quick_check is one VDBE instruction, with no
    progress callback for seconds on a big file). So the signal also wakes a small thread
    (`signal.set_wakeup_fd`) that cancels at once: `interrupt()` stops even that instruction."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        token.cancel()

    previous: dict[signal.Signals, Any] = {}
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    watcher = threading.Thread(
        target=_wake_on_signal, args=(read_end, token), name="sqlmig-signals", daemon=True
    )
    old_wakeup: int | None = None
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
        old_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        watcher.start()
        yield
    finally:
        if old_wakeup is not None:
            signal.set_wakeup_fd(old_wakeup)
        for sig, old in previous.items():
            signal.signal(sig, old)
        os.close(write_end)  # the watcher reads end-of-file and stops
        if watcher.is_alive():
            watcher.join()
        os.close(read_end)


def _wake_on_signal(read_end: int, token: CancelToken) -> None:
    wanted = {int(signal.SIGINT), int(signal.SIGTERM)}
    while True:
        try:
            data = os.read(read_end, 64)
        except OSError:
            return
        if not data:
            return
        if wanted & set(data):
            token.cancel()
