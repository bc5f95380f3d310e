"""The batch's jobs for the worker thread (see worker.py): each is engine calls only.

Finding and inspecting files runs on a worker thread (a deep folder must not freeze the window);
the upgrades run through `engine.batch`, whose pool of worker processes this thread talks to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import engine
from sqlmig_gui.worker import Emit, Job


@dataclass(frozen=True)
class Found:
    """The files a batch of the paths added takes (folders searched recursively)."""

    paths: tuple[Path, ...]


@dataclass(frozen=True)
class Assessed:
    path: Path
    row: Any  # engine.BatchRow: state, version, size, what it needs


@dataclass(frozen=True)
class Unreadable:
    path: Path
    message: str


def batch_inspect_job(paths: list[Path], migrations: Path | None,
                      cancel: engine.CancelToken) -> Job:
    """Find the files, then assess each (read-only), reporting each as soon as it is known."""

    def job(emit: Emit) -> int:
        catalog = engine.load_catalog(migrations)
        found = engine.batch_files(paths)
        emit(Found(tuple(found)))
        for path in found:
            if cancel.cancelled:
                break
            try:
                emit(Assessed(path, engine.batch_row(engine.assess(path, catalog))))
            except engine.EngineError as exc:  # a missing file, a folder: said in words
                emit(Unreadable(path, exc.message))
        return len(found)

    return job


def batch_job(paths: list[Path], migrations: Path | None, backup_dir: Path | None,
              cancel: engine.CancelToken) -> Job:
    def job(emit: Emit) -> Any:
        catalog = engine.load_catalog(migrations)
        return engine.batch(paths, catalog, backup_dir=backup_dir, on_event=emit, cancel=cancel)

    return job
