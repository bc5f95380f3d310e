"""The worker: a QObject moved to a QThread that makes one engine call there.

The engine opens (and closes) its own sqlite3 connections inside that call, so every connection
lives and dies in the worker thread. Results and events leave through signals; the controller (in
the GUI thread) is the only receiver.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

import engine

log = logging.getLogger("sqlmig_gui")

Emit = Callable[[object], None]
Job = Callable[[Emit], Any]


@dataclass(frozen=True)
class Finished:
    seq: int
    value: Any


@dataclass(frozen=True)
class Failed:
    seq: int
    error: BaseException
    traceback: str


class Worker(QObject):
    """Runs `job(emit)` once, in whatever thread it was moved to."""

    progress = Signal(object)  # an engine event (not `event`: that is QObject's event handler)
    finished = Signal(object)  # Finished
    failed = Signal(object)  # Failed

    def __init__(self, seq: int, job: Job) -> None:
        super().__init__()
        self.seq = seq
        self._job = job

    @Slot()
    def run(self) -> None:
        try:
            value = self._job(self.progress.emit)
        except Exception as exc:  # reported to the GUI thread, never lost
            text = traceback.format_exc()
            if not isinstance(exc, engine.EngineError):
                log.error("job failed\n%s", text)
            self.failed.emit(Failed(self.seq, exc, text))
        else:
            self.finished.emit(Finished(self.seq, value))


# -- the jobs: each is one engine call (plus loading the catalog it needs) ----------------------


@dataclass(frozen=True)
class Inspected:
    """One look at a file: the engine's assessment of it, and what an upgrade started from this
    look expects the file to be."""

    path: Path
    assessment: Any  # engine.Assessment: state, plan, can_upgrade, steps, newest version, app
    catalog: Any  # engine.Catalog
    expectation: Any  # engine.Expectation

    @property
    def inspection(self) -> Any:  # engine.Inspection
        return self.assessment.inspection


def inspect_job(path: Path, migrations: Path | None) -> Job:
    def job(emit: Emit) -> Inspected:
        catalog = engine.load_catalog(migrations)
        assessment = engine.assess(path, catalog)
        return Inspected(path, assessment, assessment.catalog or catalog,
                         engine.Expectation.of(assessment.inspection))

    return job


def upgrade_job(
    path: Path, catalog: Any, backup_dir: Path | None, cancel: engine.CancelToken, expect: Any,
    rehearse: bool = False,
) -> Job:
    """An upgrade; `rehearse`: the whole plan on a temporary copy (dry run, executed)."""

    def job(emit: Emit) -> Any:
        return engine.upgrade(path, catalog, backup_dir=backup_dir, on_event=emit, cancel=cancel,
                              expect=expect, dry_run=rehearse, execute=rehearse)

    return job


def diff_job(path: Path, catalog: Any, against: str | None) -> Job:
    """The schema of `path` against its version's (None) or another file's (read-only)."""

    def job(emit: Emit) -> Any:
        return engine.diff(path, catalog, against=against)

    return job


def down_job(path: Path, catalog: Any, target: int, allow_data_loss: bool,
             cancel: engine.CancelToken) -> Job:
    """Back up and roll back to `target` (engine.down: the same refusals as `sqlmig down`)."""

    def job(emit: Emit) -> Any:
        return engine.down(path, catalog, target=target, allow_data_loss=allow_data_loss,
                           on_event=emit, cancel=cancel)

    return job


def history_job(path: Path, catalog: Any) -> Job:
    """The history rows, the audit trail and the drift of each applied migration."""

    def job(emit: Emit) -> Any:
        return engine.history(path, catalog)

    return job


def recover_job(path: Path, migrations: Path | None) -> Job:
    """Roll back an interrupted write (engine.recover opens the file for writing)."""

    def job(emit: Emit) -> Any:
        return engine.recover(path, engine.load_catalog(migrations))

    return job


def restore_job(path: Path, backup: Path) -> Job:
    def job(emit: Emit) -> Any:
        return engine.restore(path, backup)

    return job


def compact_job(path: Path) -> Job:
    def job(emit: Emit) -> Any:
        return engine.compact(path)

    return job


def list_backups_job(path: Path, folder: Path | None) -> Job:
    """The file's backups, with the file they are for (the list may arrive after another
    file was opened)."""

    def job(emit: Emit) -> Any:
        return path, engine.list_backups(path, folder)

    return job


def delete_backups_job(path: Path, chosen: list[Path], folder: Path | None) -> Job:
    def job(emit: Emit) -> Any:
        return engine.delete_backups(path, chosen, folder)

    return job


def warm_up_job() -> Job:
    """Load the engine's run-time modules off the GUI thread (the engine imports them lazily;
    importing them on the GUI thread at the click of "upgrade" froze the window ~150 ms)."""

    def job(emit: Emit) -> None:
        for name in ("CancelToken", "UpgradeResult", "describe_event", "PlanEvent", "run_outcome"):
            getattr(engine, name)

    return job
