"""Drift of the applied migrations (read-only): each history row's checksum against its file
(line endings and a BOM do not count, SPEC §7.8), with a unified diff of the up part when the
text that ran is known (the audit table keeps each step's text, SPEC §7.19).

`unverified` rows (applied by another tool, no checksum) and accepted changes are not drift.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from engine.core.verdicts import HistoryStatus
from engine.scripts.catalog import Catalog
from engine.scripts.sqltext import statements_text
from engine.state.auditlog import AuditEntry
from engine.state.inspection import AppliedMigration

STEP_KINDS = frozenset({"applied", "adopted", "repaired", "accepted", "baselined"})
DRIFT_STATUSES = frozenset({HistoryStatus.CHANGED, HistoryStatus.MISSING_FILE})


@dataclass(frozen=True)
class Drifted:
    version: int
    name: str
    status: str  # changed / missing_file
    recorded: str | None  # the checksum in the history
    current: str | None  # the file's checksum now
    diff: tuple[str, ...] = ()  # unified diff, old text -> file; empty when the old is unknown
    old_text_known: bool = False

    def sentence(self) -> str:
        label = f"{self.version:04d}_{self.name}"
        if self.status == HistoryStatus.MISSING_FILE:
            return f"{label}: applied, but its file is not in the migrations folder."
        if not self.old_text_known:
            why = " (the text that ran is not known: applied before sqlmig kept it)"
        elif not self.diff:
            why = " (only comments or spacing: the statements that ran are the same)"
        else:
            why = ""
        return f"{label}: the file changed since it was applied{why}."

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "name": self.name, "status": self.status,
                "recorded": self.recorded, "current": self.current, "diff": list(self.diff)}


@dataclass(frozen=True)
class DriftReport:
    drifted: tuple[Drifted, ...] = ()
    unverified: tuple[int, ...] = ()  # versions without a checksum (another tool applied them)
    accepted: tuple[int, ...] = field(default=())  # versions whose change was accepted

    @property
    def ok(self) -> bool:
        return not self.drifted


def up_text(statements: tuple[str, ...] | list[str]) -> str:
    """A step's text as the audit table keeps it."""
    return statements_text(statements)


def drift_of(applied: tuple[AppliedMigration, ...], catalog: Catalog,
             audit: tuple[AuditEntry, ...]) -> DriftReport:
    drifted = []
    for row in applied:
        if row.status not in DRIFT_STATUSES:
            continue
        migration = catalog.get(row.version)
        current = migration.checksum if migration is not None else None
        old = _text_that_ran(audit, row.version, row.checksum)
        diff: tuple[str, ...] = ()
        if migration is not None and old is not None:
            new = up_text([s.sql for s in migration.up])
            diff = tuple(difflib.unified_diff(
                old.splitlines(), new.splitlines(), fromfile=f"{migration.filename} (applied)",
                tofile=f"{migration.filename} (now)", lineterm=""))
        drifted.append(Drifted(row.version, row.name, row.status, row.checksum, current, diff,
                               old is not None))
    unverified = tuple(a.version for a in applied if a.status == HistoryStatus.UNVERIFIED)
    accepted = tuple(sorted({e.version_number for e in audit if e.kind == "accepted"
                             and e.version_number is not None}))
    return DriftReport(tuple(drifted), unverified, accepted)


def _text_that_ran(audit: tuple[AuditEntry, ...], version: int, checksum: str | None
                   ) -> str | None:
    """The newest audit text of `version` recorded with the history's `checksum`."""
    same = [e for e in audit if e.version_number == version and e.sql is not None
            and e.checksum == checksum and e.kind in STEP_KINDS]
    return same[-1].sql if same else None
