"""`sqlmig diff`: a file's schema against the expected schema of a version, or another file's,
as differences and as the SQL that reconciles them (read-only: both files are only read)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.core.errors import EXIT_FAILED, EXIT_OK, Refused, UsageError, from_sqlite
from engine.core.tables import is_bookkeeping
from engine.core.verdicts import State
from engine.runtime.reconcile import Reconciliation, reconcile
from engine.schema import SchemaDiff, Snapshot, compare, snapshot
from engine.scripts.catalog import Catalog
from engine.state.inspect import inspect_file


@dataclass(frozen=True)
class DiffReport:
    path: Path
    against: str  # "version 18", or the other file's path
    against_version: int | None  # None when against another file
    diff: SchemaDiff
    reconciliation: Reconciliation
    file_version: int | None = None  # the file's own version, when it has one

    @property
    def against_file(self) -> bool:
        return self.against_version is None

    @property
    def ok(self) -> bool:
        """Equal: against a version, extras are the user's own objects (SPEC §7.5); against
        another file, its exact schema is the goal, so an extra object is a difference too."""
        return self.diff.ok and not (self.against_file and self.diff.extras)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        r = self.reconciliation
        return {
            "path": str(self.path),
            "against": self.against,
            "against_version": self.against_version,
            "differences": [
                {"kind": d.kind, "object": d.object, "message": d.message, "expected": d.expected,
                 "actual": d.actual} for d in self.diff.differences
            ],
            "extras": list(self.diff.extras),
            "renames": list(r.renames),
            "notes": list(r.notes),
            "sql": r.script() if not r.empty else "",
        }


def parse_against(text: str | None) -> int | Path | None:
    """`--against`: None (the file's own version), "head" (-1), a version number, or a file."""
    if text is None:
        return None
    if text.strip().lower() == "head":
        return -1
    if text.strip().isdigit():
        return int(text.strip())
    return Path(text)


def read_schema(path: Path) -> Snapshot:
    """A file's schema without the tool's bookkeeping tables (read-only)."""
    from engine.core.connect import open_readonly, read_facts

    conn = open_readonly(read_facts(path))
    try:
        return snapshot(conn, ignore=is_bookkeeping)
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state="Nothing was changed.") from exc
    finally:
        conn.close()


def _own_version(path: Path, catalog: Catalog) -> int:
    """The version a file is compared with when none is given: its own, or for a legacy file
    the version its shape matches."""
    inspection = inspect_file(path, catalog)
    if inspection.state in (State.DAMAGED, State.INTERRUPTED, State.AHEAD):
        problem = inspection.problems[0]
        raise Refused(problem.message, hint=problem.hint, code=problem.code)
    if inspection.state == State.TRACKED and inspection.current_version is not None:
        return inspection.current_version
    legacy = inspection.legacy
    if inspection.state == State.LEGACY and legacy is not None and legacy.shape_version is not None:
        return legacy.shape_version
    hint = "Name what to compare with: --against head, --against VERSION or --against OTHER.db."
    raise Refused(
        f"{path.name} is {inspection.state}: it has no version of this catalog to compare with.",
        hint=hint,
        code="foreign" if inspection.state == State.FOREIGN else "no_version",
    )


def _schemas(
    path: Path, catalog: Catalog, against: int | Path | None
) -> tuple[Snapshot, Snapshot, str, int | None]:
    """The file's schema, the one it is compared with, its label and version."""
    actual = read_schema(path)
    if isinstance(against, Path):
        return actual, read_schema(against), str(against), None
    from engine.state.expected import ExpectedSchemas, ReplayFailed

    versions = [m.version for m in catalog.migrations]
    version = _own_version(path, catalog) if against is None else against
    if version == -1:
        version = max(versions, default=-1)
    if version not in versions:
        known = f"{min(versions)}-{max(versions)}" if versions else "none"
        raise UsageError(f"There is no version {version} in the catalog (versions {known}).",
                         hint="Give a version of the catalog, head, or another file.")
    try:
        expected = ExpectedSchemas(catalog).at(version)
    except ReplayFailed as exc:
        raise Refused(str(exc), hint="Fix the migration, then try again.",
                      code="bad_catalog") from exc
    return actual, expected, f"version {version}", version


def diff_file(path: str | Path, catalog: Catalog, against: int | Path | None = None) -> DiffReport:
    """Compare `path` with the expected schema of a version (None: its own; -1: the catalog's
    head) or with another file, and write the SQL that takes `path` there. Against a version,
    the file's extra objects are kept; against a file, they are dropped."""
    path = Path(path)
    actual, expected, label, version = _schemas(path, catalog, against)
    rec = reconcile(actual, expected, drop_extras=version is None)
    own = version if against is None else _version_if_any(path, catalog)
    return DiffReport(path, label, version, compare(actual, expected), rec, own)


def _version_if_any(path: Path, catalog: Catalog) -> int | None:
    try:
        return _own_version(path, catalog)
    except Refused:  # fresh, foreign or damaged: compared all the same, with no version
        return None


def migration_from_diff(
    path: str | Path, catalog: Catalog, against: int | Path | None = -1
) -> tuple[Reconciliation, Reconciliation]:
    """(up, down) of a migration that gives the compared-with schema (default: head) the
    changes made by hand in `path`, and takes them away again."""
    actual, expected, _label, _version = _schemas(Path(path), catalog, against)
    return (reconcile(expected, actual, drop_extras=True),
            reconcile(actual, expected, drop_extras=True))
