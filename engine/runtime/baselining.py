"""`sqlmig baseline PATH --version N [--force]`: adopt a foreign or untracked file at version N.
The effects of 0…N must be in the file (engine/state/baseline_check.py); otherwise it is refused
with the differences, unless forced. Then, after a verified backup and in one transaction, the
history gets rows 0…N recorded as adopted, each with its audit row, and one `baselined` audit
row says who did it, when, and whether it was forced over which differences."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.core.connect import open_readonly, read_facts
from engine.core.errors import Refused, UsageError
from engine.core.verdicts import Method, ProblemCode, State
from engine.runtime import dialect_history, recording
from engine.runtime.backups import create_backup
from engine.runtime.transaction import write_transaction
from engine.scripts.catalog import Catalog
from engine.state.baseline_check import baseline_differences
from engine.state.inspect import inspect_file

BASELINED = "baselined"
ADOPTABLE = frozenset({State.FOREIGN, State.LEGACY, State.FRESH})


@dataclass(frozen=True)
class BaselineResult:
    path: Path
    version: int
    adopted: tuple[int, ...]
    forced: bool
    differences: tuple[str, ...] = ()  # forced over these
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "version": self.version, "adopted": list(self.adopted),
                "forced": self.forced, "differences": list(self.differences),
                "backup": str(self.backup) if self.backup else None}


def baseline(path: Path, catalog: Catalog, version: int, *, force: bool = False,
             backup: bool = True, wait: float = 10.0) -> BaselineResult:
    chain = [m for m in catalog.migrations if m.version <= version]
    target = catalog.get(version)
    if target is None:
        raise UsageError(f"There is no migration {version} to baseline at.",
                         hint="Give the version of a migration in the folder (see `sqlmig "
                         "status`).")
    inspection = inspect_file(path, catalog)
    if inspection.state in (State.DAMAGED, State.INTERRUPTED) and inspection.problems:
        problem = inspection.problems[0]
        raise Refused(problem.message, hint=problem.hint, code=problem.code)
    if inspection.state not in ADOPTABLE or inspection.applied:
        raise Refused(
            f"Only a foreign or untracked file can be baselined; this one is "
            f"{inspection.state} ({inspection.diagnosis})",
            hint="A tracked file already has its history: use `sqlmig upgrade` or `sqlmig down`."
            if inspection.state == State.TRACKED else "See `sqlmig status` for what it is.",
            code=ProblemCode.REFUSED)
    reader = open_readonly(read_facts(path))
    with contextlib.closing(reader):
        differences = baseline_differences(reader, catalog, version)
    if differences and not force:
        raise Refused(
            f"The file is not at v{version} of the chain: "
            f"{'; '.join(d.rstrip('.') for d in differences[:5])}"
            + (f" (and {len(differences) - 5} more)" if len(differences) > 5 else "") + ".",
            hint="Baseline at a lower version, upgrade the file by other means, or use --force "
            "to record it anyway (the differences are kept in the audit table).",
            detail="\n".join(differences),
            code=ProblemCode.CHECK_FAILED)
    made = create_backup(path, version=inspection.user_version or 0).path if backup else None
    with write_transaction(path, wait=wait) as conn:
        dialect_history.ensure_history_table(conn, catalog)
        recording.ensure_audit_table(conn)
        for migration in chain:
            dialect_history.record(conn, catalog, version=migration.version,
                                   name=migration.name, checksum=migration.checksum,
                                   duration_ms=0, method=Method.ADOPTED)
            recording.audit_step(
                conn, Method.ADOPTED, version=migration.version,
                version_label=migration.version_label,
                name=migration.name, method=Method.ADOPTED, checksum=migration.checksum,
                duration_ms=0, statements=(s.sql for s in migration.up))
        recording.audit_step(
            conn, BASELINED, version=version, version_label=target.version_label,
            name=f"baseline v{version}",
            method=BASELINED, checksum=None, duration_ms=0, statements=(),
            detail=json.dumps({"forced": force, "differences": differences}))
        if catalog.user_version and version < 2**31:
            recording.set_user_version(conn, version)
    return BaselineResult(path, version, tuple(m.version for m in chain), force,
                          tuple(differences), made)
