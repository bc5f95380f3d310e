"""The GUI-thread controller: starts engine jobs on worker threads and relays what they report.

Widgets and tests connect to the controller's signals only. Worker signals are connected to bound
methods of this object (which lives in the GUI thread), so every relay runs in the GUI thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

import engine
from sqlmig_gui.prompts import ErrorReport
from sqlmig_gui.worker import (
    Failed,
    Finished,
    Inspected,
    Worker,
    inspect_job,
    recover_job,
    restore_job,
    warm_up_job,
)
from sqlmig_gui.worker import upgrade_job as _upgrade_job

log = logging.getLogger("sqlmig_gui")


def error_report(title: str, exc: BaseException, tb: str = "") -> ErrorReport:
    """A sentence for a support person; the technical part goes to `detail`."""
    if isinstance(exc, engine.EngineError):
        detail = "\n".join(x for x in (f"code: {exc.code}", exc.detail) if x)
        return ErrorReport(title, exc.message, exc.hint, detail)
    return ErrorReport(
        title,
        f"sqlmig hit an internal error ({type(exc).__name__}). The file was not changed by it.",
        "Please send the details below to the sqlmig developers.",
        tb or repr(exc),
    )


class Controller(QObject):
    inspecting = Signal(object)  # Path
    inspected = Signal(object)  # Inspected
    inspectFailed = Signal(object, object)  # Path, ErrorReport
    runStarted = Signal(object)  # Path
    runEvent = Signal(object)  # engine event
    runFinished = Signal(object)  # engine.UpgradeResult
    runCrashed = Signal(object)  # ErrorReport (a bug: upgrade() itself never raises)
    restoreFinished = Signal(object)  # engine RestoreResult
    restoreFailed = Signal(object)  # ErrorReport
    recoverFinished = Signal(object)  # engine RecoverResult
    recoverFailed = Signal(object)  # ErrorReport
    runningChanged = Signal()  # ask is_running()

    def __init__(self, migrations: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.migrations = migrations
        self.catalog: Any = None
        self._seq = 0
        self._inspect_seq = -1
        self._jobs: dict[int, tuple[QThread, Worker]] = {}
        self._cancel: engine.CancelToken | None = None
        self._run_seq: int | None = None
        self._inspect_paths: dict[int, Path] = {}
        self._warm = False

    # -- state -------------------------------------------------------------------------------

    def is_running(self) -> bool:
        """An upgrade or a restore is in progress (an inspection does not count)."""
        return self._run_seq is not None

    def is_busy(self) -> bool:
        return bool(self._jobs)

    # -- actions -----------------------------------------------------------------------------

    def inspect(self, path: Path) -> None:
        seq = self._start(inspect_job(path, self.migrations), self._on_inspected,
                          self._on_inspect_failed)
        self._inspect_seq = seq
        self._inspect_paths = {seq: path}
        self.inspecting.emit(path)

    def upgrade(self, path: Path, backup_dir: Path | None, expect: Any = None) -> None:
        """Back up and upgrade `path`; with `expect` (the `Inspected.expectation` the window
        shows), a file changed since then is refused by the engine before anything is written."""
        if self.is_running():
            raise RuntimeError("an upgrade is already running")
        self._cancel = engine.CancelToken()
        job = _upgrade_job(path, self.catalog, backup_dir, self._cancel, expect)
        self._run_seq = self._start(job, self._on_upgraded, self._on_upgrade_crashed,
                                    self._on_event)
        self.runStarted.emit(path)
        self.runningChanged.emit()

    def restore(self, path: Path, backup: Path) -> None:
        if self.is_running():
            raise RuntimeError("an upgrade is running")
        self._run_seq = self._start(restore_job(path, backup), self._on_restored,
                                    self._on_restore_failed)
        self.runningChanged.emit()

    def recover(self, path: Path) -> None:
        """Roll back the write an interruption cut off (the file's hot journal)."""
        if self.is_running():
            raise RuntimeError("an upgrade is running")
        self._run_seq = self._start(recover_job(path, self.migrations), self._on_recovered,
                                    self._on_recover_failed)
        self.runningChanged.emit()

    def cancel(self) -> None:
        """Ask the running upgrade to stop: it rolls back and reports `cancelled`."""
        if self._cancel is not None:
            self._cancel.cancel()

    def shutdown(self) -> None:
        """Cancel whatever runs, then stop and wait for every worker thread (never terminate)."""
        self.cancel()
        for thread, _worker in list(self._jobs.values()):
            thread.quit()
            thread.wait()
        self._jobs.clear()

    # -- threads -----------------------------------------------------------------------------

    def _start(self, job: Any, on_done: Any, on_failed: Any, on_event: Any = None) -> int:
        self._seq += 1
        seq = self._seq
        thread = QThread(self)
        thread.setObjectName(f"sqlmig-job-{seq}")
        worker = Worker(seq, job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(on_done)
        worker.failed.connect(on_failed)
        if on_event is not None:
            worker.progress.connect(on_event)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        # The worker has no parent: Python owns it and deletes it when `_jobs` lets go of it,
        # after its thread has finished (no `deleteLater` as well: that deleted it twice).
        thread.finished.connect(self._on_thread_finished)
        self._jobs[seq] = (thread, worker)
        thread.start()
        return seq

    @Slot()
    def _on_thread_finished(self) -> None:
        for seq, (thread, _worker) in list(self._jobs.items()):
            if thread.isFinished():
                del self._jobs[seq]  # drops the worker (Python-owned)
                thread.deleteLater()  # owned by this controller; deleted in the GUI thread

    def _end_run(self) -> None:
        self._run_seq = None
        self._cancel = None
        self.runningChanged.emit()

    # -- relays (GUI thread) -----------------------------------------------------------------

    @Slot(object)
    def _on_inspected(self, done: Finished) -> None:
        if done.seq != self._inspect_seq:
            return  # a newer file was opened meanwhile
        result: Inspected = done.value
        self.catalog = result.catalog
        self.inspected.emit(result)
        if not self._warm:
            self._warm = True
            self._start(warm_up_job(), self._on_warm, self._on_warm)

    @Slot(object)
    def _on_warm(self, _result: object) -> None:
        """Nothing to relay: the engine's modules are loaded."""

    @Slot(object)
    def _on_inspect_failed(self, failed: Failed) -> None:
        if failed.seq != self._inspect_seq:
            return
        path = self._inspect_paths.get(failed.seq)
        self.inspectFailed.emit(path, error_report("Cannot open the file", failed.error,
                                                   failed.traceback))

    @Slot(object)
    def _on_event(self, event: object) -> None:
        self.runEvent.emit(event)

    @Slot(object)
    def _on_upgraded(self, done: Finished) -> None:
        self._end_run()
        self.runFinished.emit(done.value)

    @Slot(object)
    def _on_upgrade_crashed(self, failed: Failed) -> None:
        self._end_run()
        self.runCrashed.emit(error_report("Upgrade failed", failed.error, failed.traceback))

    @Slot(object)
    def _on_restored(self, done: Finished) -> None:
        self._end_run()
        self.restoreFinished.emit(done.value)

    @Slot(object)
    def _on_recovered(self, done: Finished) -> None:
        self._end_run()
        self.recoverFinished.emit(done.value)

    @Slot(object)
    def _on_recover_failed(self, failed: Failed) -> None:
        self._end_run()
        self.recoverFailed.emit(error_report("Recovery failed", failed.error, failed.traceback))

    @Slot(object)
    def _on_restore_failed(self, failed: Failed) -> None:
        self._end_run()
        self.restoreFailed.emit(error_report("Restore failed", failed.error, failed.traceback))
