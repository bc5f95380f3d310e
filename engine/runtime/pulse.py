"""The run's pulse: SQLite's progress handler on the run's connection sends `heartbeat` events
while a long statement runs, and stops the statement when the run is cancelled."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator

from engine.core.cancel import HEARTBEAT_SECONDS, PROGRESS_OPS, CancelToken
from engine.core.errors import Cancelled
from engine.core.events import Clock, EventSink, HeartbeatEvent
from engine.planning.planner import Step


class Pulse:
    def __init__(self, cancel: CancelToken, sink: EventSink, clock: Clock) -> None:
        self.cancel = cancel
        self.sink = sink
        self.clock = clock
        self._beat: tuple[Step, int, float] | None = None  # the running statement, since when
        self._last_beat = 0.0

    @contextlib.contextmanager
    def attached(self, conn: sqlite3.Connection) -> Iterator[None]:
        """The progress handler and the cancel token on `conn` while the block runs."""
        conn.set_progress_handler(self._progress, PROGRESS_OPS)
        self.cancel.attach(conn)
        try:
            yield
        finally:
            self.cancel.attach(None)
            conn.set_progress_handler(None, 0)

    @contextlib.contextmanager
    def statement(self, step: Step, index: int) -> Iterator[None]:
        """Heartbeats name this statement while it runs."""
        self._beat = (step, index, time.monotonic())
        try:
            yield
        finally:
            self._beat = None

    def check(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled("Cancelled.")

    def _progress(self) -> int:
        if self.cancel.cancelled:
            return 1  # makes SQLite abort the running statement with SQLITE_INTERRUPT
        beat = self._beat
        now = time.monotonic()
        if beat is not None and now - self._last_beat >= HEARTBEAT_SECONDS:
            self._last_beat = now
            step, index, started = beat
            self.sink(HeartbeatEvent(self.clock(), step.version, step.label, index, now - started))
        return 0
