"""`sqlmig accept PATH VERSION --reason TEXT`: record that an applied migration's file changed
on purpose. The history row takes the file's checksum and the audit table keeps who, when, why,
the old and the new checksum and the new text, so the change is never silent (Flyway's
`repair` rewrites checksums without a trace)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.core.errors import Refused, UsageError
from engine.core.identity import run_by
from engine.core.verdicts import HistoryStatus, ProblemCode
from engine.runtime import dialect_history, recording
from engine.runtime.transaction import write_transaction
from engine.scripts.catalog import Catalog
from engine.state import dialects
from engine.state.classify import applied_rows

ACCEPTED = "accepted"


@dataclass(frozen=True)
class AcceptResult:
    path: Path
    version: int
    name: str
    old_checksum: str | None
    new_checksum: str
    reason: str
    run_by: str

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "version": self.version, "name": self.name,
                "old_checksum": self.old_checksum, "new_checksum": self.new_checksum,
                "reason": self.reason, "run_by": self.run_by}


def accept(path: Path, catalog: Catalog, version: int, reason: str, *, wait: float = 10.0
           ) -> AcceptResult:
    if not reason.strip():
        raise UsageError("--reason cannot be empty: say why the change is accepted.",
                         hint='For example: --reason "fixed a typo in a comment"')
    migration = catalog.get(version)
    if migration is None:
        raise Refused(f"There is no migration {version:04d} in the migrations folder.",
                      hint="Give the version of a migration file that exists.",
                      code=ProblemCode.MISSING_FILE)
    with write_transaction(path, wait=wait) as conn:
        names = {str(r[0]) for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = [a for a in applied_rows(dialects.read_any(conn, names, catalog), catalog)
                if a.version == version]
        if not rows:
            raise Refused(f"Migration {migration.filename} is not applied to this file, so "
                          "there is nothing to accept.", hint="Check the version number.")
        row = rows[0]
        if row.status == HistoryStatus.RENAMED:
            raise Refused(f"The file's history has {version:04d} as '{row.name}', not "
                          f"'{migration.name}': that is another migration, not a change.",
                          hint="See `sqlmig status`.", code=ProblemCode.DIVERGED)
        if row.status == HistoryStatus.OK:
            raise Refused(f"{migration.filename} matches the checksum recorded when it was "
                          "applied: there is nothing to accept.", hint="Nothing to do.")
        recording.ensure_audit_table(conn)
        dialect_history.take_checksum(conn, catalog, migration)
        detail = json.dumps({"reason": reason, "old_checksum": row.checksum,
                             "new_checksum": migration.checksum})
        recording.audit_step(
            conn, ACCEPTED, version=version, version_label=migration.version_label,
            name=migration.name,
            method=ACCEPTED, checksum=migration.checksum, duration_ms=0,
            statements=(s.sql for s in migration.up), detail=detail)
    return AcceptResult(path, version, migration.name, row.checksum, migration.checksum,
                        reason, run_by())
