"""`sqlmig history PATH`: the file's history rows and its audit trail (read-only) — applied,
adopted, repaired, reverted, accepted and baselined steps with their times, durations, tool
version and who ran them, oldest first."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.core.connect import open_readonly, read_facts
from engine.core.errors import Refused
from engine.core.verdicts import State
from engine.scripts.catalog import Catalog
from engine.state.auditlog import AuditEntry, read_audit
from engine.state.drift import Drifted, drift_of
from engine.state.inspect import inspect_file
from engine.state.inspection import AppliedMigration


@dataclass(frozen=True)
class HistoryReport:
    path: Path
    state: str
    version: int | None
    applied: tuple[AppliedMigration, ...]  # the history table's rows, with their status
    log: tuple[AuditEntry, ...]  # the audit table's rows, oldest first
    drift: tuple[Drifted, ...] = ()  # applied migrations whose file changed, with their diff

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "state": self.state,
            "version": self.version,
            "applied": [
                {"version": a.version, "name": a.name, "applied_at": a.applied_at,
                 "method": a.method, "checksum": a.checksum, "duration_ms": a.duration_ms,
                 "status": a.status}
                for a in self.applied
            ],
            "log": [entry.to_json() for entry in self.log],
            "drift": [d.to_json() for d in self.drift],
        }


def read_history_report(path: str | Path, catalog: Catalog) -> HistoryReport:
    inspection = inspect_file(path, catalog)
    if inspection.state in (State.DAMAGED, State.INTERRUPTED):
        problem = inspection.problems[0]
        raise Refused(problem.message, hint=problem.hint, code=problem.code)
    conn = open_readonly(read_facts(Path(path)))
    with contextlib.closing(conn):
        log = read_audit(conn)
    drift = drift_of(inspection.applied, catalog, log).drifted
    return HistoryReport(Path(path), inspection.state, inspection.current_version,
                         inspection.applied, log, drift)
