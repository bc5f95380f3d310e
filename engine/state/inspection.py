"""What inspection found about a file: the `Inspection` record and its JSON (SPEC §7.7's
`status --json` object). engine/state/inspect.py reads the file, engine/state/classify.py decides
its state, engine/state/findings.py words it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, NamedTuple

from engine.core.connect import FileFacts
from engine.core.errors import Problem
from engine.core.verdicts import HistoryStatus, State
from engine.state.legacy import LegacyReport


class AppliedMigration(NamedTuple):
    version: int
    name: str
    applied_at: str | None
    method: str | None
    checksum: str | None
    duration_ms: int | None
    status: HistoryStatus  # how the row compares with the catalog (SPEC §7.8)


class PendingMigration(NamedTuple):
    version: int
    name: str
    filename: str


class Inspection(NamedTuple):
    path: Path
    state: State
    diagnosis: str
    user_version: int | None
    current_version: int | None
    head_version: int | None
    applied: tuple[AppliedMigration, ...] = ()
    pending: tuple[PendingMigration, ...] = ()
    problems: tuple[Problem, ...] = ()
    tables: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()  # tables the profile does not list as the app's
    size: int = 0
    page_size: int | None = None
    page_count: int | None = None
    journal_mode: str | None = None
    sqlite_version: str = sqlite3.sqlite_version
    legacy: LegacyReport | None = None  # the bridge's diagnosis (legacy, or a drifted tracked file)
    needs_repair: bool = False  # a tracked file whose shape lacks an effect its rows claim
    facts: FileFacts | None = None
    user_reserved: tuple[tuple[str, str], ...] = ()  # (type, name) named like sqlmig's tables

    @property
    def backup_version(self) -> int | None:
        """The version a backup's name carries: the tracked version, else `user_version`."""
        if self.current_version is not None:
            return self.current_version
        return self.user_version or None

    @property
    def up_to_date(self) -> bool:
        return self.state == State.TRACKED and not self.pending

    def to_json(self) -> dict[str, Any]:
        legacy_json = self.legacy.to_json() if self.legacy is not None else None
        return {
            "path": str(self.path),
            "state": self.state,
            "diagnosis": self.diagnosis,
            "user_version": self.user_version,
            "current_version": self.current_version,
            "head_version": self.head_version,
            "pending": [{"version": p.version, "name": p.name} for p in self.pending],
            "applied": [
                {
                    "version": a.version,
                    "name": a.name,
                    "applied_at": a.applied_at,
                    "method": a.method,
                    "checksum": a.checksum,
                    "duration_ms": a.duration_ms,
                    "status": a.status,
                }
                for a in self.applied
            ],
            "problems": [p.to_json() for p in self.problems],
            "tables": list(self.tables),
            "extras": list(self.extras),
            "legacy": legacy_json,
            "file": {
                "size": self.size,
                "page_size": self.page_size,
                "page_count": self.page_count,
                "journal_mode": self.journal_mode,
                "sqlite_version": self.sqlite_version,
            },
        }
