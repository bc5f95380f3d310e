"""`sqlmig recover`: roll back the write an interruption cut off (SPEC §7.22), and nothing else.

A crash in the middle of a write leaves a hot `-journal` beside the file. A read-only connection
cannot roll it back (inspection calls the file `interrupted`); opening the file for writing makes
SQLite put back every page the cut-off write had changed, so the file is exactly as it was after
its last committed change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.core.connect import roll_back_journal
from engine.core.errors import Refused
from engine.scripts.catalog import Catalog
from engine.state.inspect import INTERRUPTED, Inspection, inspect_file

UNCHANGED = "Nothing was changed."


@dataclass(frozen=True)
class RecoverResult:
    path: Path
    rolled_back: bool  # a cut-off write was rolled back
    inspection: Inspection  # the file afterwards

    @property
    def message(self) -> str:
        diagnosis = self.inspection.diagnosis
        if self.rolled_back:
            return f"Rolled back the write that was cut off. {self.path.name}: {diagnosis}"
        return f"Nothing to recover: {diagnosis}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "recovered": self.rolled_back,
            "state": self.inspection.state,
            "diagnosis": self.inspection.diagnosis,
        }


def recover(path: Path, catalog: Catalog, *, wait: float = 10.0) -> RecoverResult:
    """Roll back a hot journal beside `path` (waiting up to `wait` s for another writer).

    Raises `Refused` (`read_only`, `locked`, …) when the file cannot be opened for writing."""
    before = inspect_file(path, catalog)
    if before.state != INTERRUPTED:
        return RecoverResult(path, False, before)
    folder = path.resolve().parent
    if not os.access(folder, os.W_OK | os.X_OK) or not os.access(path, os.W_OK):
        what = "its folder" if not os.access(folder, os.W_OK | os.X_OK) else "the file"
        raise Refused(
            f"{path.name} cannot be recovered here: {what} is read-only, and rolling the cut-off "
            f"write back means writing to the file. {UNCHANGED}",
            hint="Run `sqlmig recover` as a user who can write the file and its folder, or copy "
            "the file together with its -journal to a folder you can write to and recover the "
            "copy.",
            code="read_only",
        )
    rolled_back = roll_back_journal(path, wait_seconds=wait)
    after = inspect_file(path, catalog)
    if after.state == INTERRUPTED:
        raise Refused(
            f"{path.name} could not be recovered: SQLite did not roll its journal back. "
            f"{UNCHANGED}",
            hint="Close every program that uses the file and try again.",
            code="locked",
        )
    return RecoverResult(path, rolled_back, after)
