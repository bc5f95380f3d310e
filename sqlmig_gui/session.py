"""A worker thread that lives as long as a view and runs its engine calls one after another.

The developer's views keep engine objects between calls (a `Browser` paging a table, a `Console`
holding a statement's cursor): those objects and their connections are made, used and closed in
this thread only. A job is `job(emit)`; its result, its failure and what it emits come back to the
GUI thread through signals and reach the callbacks given to `submit`, never blocking the GUI.

`stop()` cancels the running job, closes what the jobs left in `held` (in the worker thread),
then quits and waits for the thread (never `terminate()`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

import engine
from sqlmig_gui.worker import Emit, Failed, log

Job = Callable[[Emit], Any]
Callback = Callable[[Any], None]


class _Runner(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)  # Failed
    progress = Signal(int, object)

    @Slot(int, object)
    def run(self, ticket: int, job: Job) -> None:
        try:
            value = job(lambda item: self.progress.emit(ticket, item))
        except Exception as exc:  # reported to the GUI thread, never lost
            text = traceback.format_exc()
            if not isinstance(exc, engine.EngineError):
                log.error("job failed\n%s", text)
            self.failed.emit(ticket, Failed(ticket, exc, text))
        else:
            self.done.emit(ticket, value)


class Session(QObject):
    _request = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # (generation, engine object with close()) by name: touched by jobs only, in the worker.
        self.held: dict[str, tuple[int, Any]] = {}
        self._tickets = 0
        self._callbacks: dict[int, tuple[Callback, Callback | None, Callback | None]] = {}
        self._cancels: dict[int, engine.CancelToken] = {}
        self._thread = QThread(self)
        self._thread.setObjectName(f"sqlmig-{name}")
        self._runner = _Runner()  # no parent: moved to the thread; Python owns it
        self._runner.moveToThread(self._thread)
        self._request.connect(self._runner.run)
        self._runner.done.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)
        self._runner.progress.connect(self._on_progress)
        self._thread.start()
        self._stopped = False

    def submit(self, job: Job, on_done: Callback, on_failed: Callback | None = None,
               on_progress: Callback | None = None,
               cancel: engine.CancelToken | None = None) -> int:
        """Queue `job`; `cancel` (if given) is cancelled by `cancel_all` and `stop`."""
        if self._stopped:
            return 0
        self._tickets += 1
        self._callbacks[self._tickets] = (on_done, on_failed, on_progress)
        if cancel is not None:
            self._cancels[self._tickets] = cancel
        self._request.emit(self._tickets, job)
        return self._tickets

    def busy(self) -> bool:
        return bool(self._callbacks)

    def cancel_all(self) -> None:
        """Stop the running job and every queued one (each ends with `Cancelled`)."""
        for token in list(self._cancels.values()):
            token.cancel()

    def release(self, key: str) -> None:
        """Close (in the worker thread) what the jobs left under `key`."""
        held = self.held

        def close(_emit: Emit) -> None:
            item = held.pop(key, None)
            if item is not None:
                item[1].close()

        self.submit(close, lambda _value: None)

    def stop(self) -> None:
        if self._stopped:
            return
        self.cancel_all()
        held = self.held

        def close_held(_emit: Emit) -> None:
            try:
                for _generation, item in list(held.values()):
                    item.close()
                held.clear()
            finally:  # the last job quits its own thread: every job queued before it has run
                QThread.currentThread().quit()

        self.submit(close_held, lambda _value: None)
        self._stopped = True
        self._thread.wait()

    # -- relays (GUI thread) ---------------------------------------------------------------------

    @Slot(int, object)
    def _on_done(self, ticket: int, value: Any) -> None:
        self._cancels.pop(ticket, None)
        callbacks = self._callbacks.pop(ticket, None)
        if callbacks is not None and not self._stopped:
            callbacks[0](value)

    @Slot(int, object)
    def _on_failed(self, ticket: int, failed: Failed) -> None:
        self._cancels.pop(ticket, None)
        callbacks = self._callbacks.pop(ticket, None)
        if callbacks is not None and callbacks[1] is not None and not self._stopped:
            callbacks[1](failed)

    @Slot(int, object)
    def _on_progress(self, ticket: int, item: Any) -> None:
        callbacks = self._callbacks.get(ticket)
        if callbacks is not None and callbacks[2] is not None and not self._stopped:
            callbacks[2](item)
