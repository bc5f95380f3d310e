"""The engine's public face: every user action is one function here (CLI and GUI call these)."""

from __future__ import annotations

import importlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.catalog import Catalog, CatalogNotFound
from engine.catalog import load_catalog as _load_catalog
from engine.errors import EXIT_FAILED, EXIT_OK, Problem, Refused, from_sqlite
from engine.inspect import TRACKED, Inspection
from engine.inspect import inspect_file as _inspect_file

# The runner, the schema comparison and the backup code load on first use: `status` needs none.
if TYPE_CHECKING:
    from engine.backups import BackupResult, Progress, RestoreResult
    from engine.events import EventSink
    from engine.planner import Plan
    from engine.runner import CancelToken
    from engine.upgrader import UpgradeResult

ATOMIC = "atomic"

BUNDLED_PACKAGE = "sqlmig_migrations"


def bundled_migrations() -> Path:
    """The agent-world chain shipped with sqlmig."""
    # The package's own folder (not importlib.resources, which costs a zipfile import at start-up).
    package = importlib.import_module(BUNDLED_PACKAGE)
    return Path(next(iter(package.__path__)))


def load_catalog(folder: str | Path | None = None) -> Catalog:
    """Read a migrations folder (default: the bundled one). Problems are in `catalog.problems`."""
    path = Path(folder) if folder is not None else bundled_migrations()
    try:
        return _load_catalog(path)
    except CatalogNotFound as exc:
        raise Refused(str(exc), hint=exc.hint, code="bad_catalog") from exc


def catalog_problems(catalog: Catalog) -> list[Problem]:
    return [Problem(p.code, p.message, p.hint, p.file, p.line) for p in catalog.problems]


def inspect_file(path: str | Path, catalog: Catalog | None = None) -> Inspection:
    """Classify a file without writing to it."""
    return _inspect_file(path, catalog or load_catalog())


def plan(
    path: str | Path,
    catalog: Catalog | None = None,
    *,
    target: int | None = None,
    mode: str = ATOMIC,
    accept_diverged: bool = False,
) -> Plan:
    """The plan an upgrade would run (raises `Refused`/`UsageError` when it would refuse)."""
    from engine.planner import plan_upgrade

    catalog = catalog or load_catalog()
    return plan_upgrade(
        _inspect_file(path, catalog),
        catalog,
        target=target,
        mode=mode,
        accept_diverged=accept_diverged,
    )


def upgrade(
    path: str | Path,
    catalog: Catalog | None = None,
    *,
    target: int | None = None,
    mode: str = ATOMIC,
    backup: bool = True,
    backup_dir: Path | None = None,
    dry_run: bool = False,
    wait: float = 10.0,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
    accept_diverged: bool = False,
) -> UpgradeResult:
    """Back up and upgrade a file; never raises for problems with the file (see `.error`)."""
    from engine.upgrader import upgrade as _upgrade

    return _upgrade(
        path,
        catalog or load_catalog(),
        target=target,
        mode=mode,
        backup=backup,
        backup_dir=backup_dir,
        dry_run=dry_run,
        wait=wait,
        on_event=on_event,
        cancel=cancel,
        accept_diverged=accept_diverged,
    )


@dataclass
class VerifyReport:
    path: Path
    state: str
    version: int | None
    checks: dict[str, bool] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(self.checks.values())

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "state": self.state,
            "version": self.version,
            "checks": self.checks,
            "differences": self.differences,
            "extras": self.extras,
            "foreign_key_damage": self.damage,
            "integrity": self.integrity,
        }

    def lines(self) -> list[str]:
        version = f"v{self.version}" if self.version is not None else "no version"
        out = [
            f"{self.path.name} ({self.state}, {version}): "
            + ("all checks passed." if self.ok else "problems found.")
        ]
        for name, ok in self.checks.items():
            out.append(f"  {'ok    ' if ok else 'FAILED'} {name}")
        out += [f"  - {line}" for line in self.integrity + self.differences + self.damage]
        if self.extras:
            out.append("  extra objects (kept): " + ", ".join(self.extras))
        return out


def verify(path: str | Path, catalog: Catalog | None = None, *, full: bool = False) -> VerifyReport:
    """quick_check (or integrity_check), foreign-key damage, schema versus the expected schema."""
    from engine.checks import ExpectedSchemas, foreign_key_damage, quick_check
    from engine.connect import open_readonly, read_facts
    from engine.schema import compare, format_diff, snapshot

    catalog = catalog or load_catalog()
    inspection = _inspect_file(path, catalog)
    report = VerifyReport(Path(path), inspection.state, inspection.current_version)
    if inspection.state == "damaged":
        problem = inspection.problems[0]
        raise Refused(problem.message, hint=problem.hint, code=problem.code)
    conn = open_readonly(read_facts(Path(path)))
    try:
        try:
            report.integrity = quick_check(conn, full=full)
        except sqlite3.DatabaseError as exc:  # damage so bad that the check itself stops
            report.integrity = [f"{from_sqlite(exc, state='').message} ({exc})"]
        report.checks["integrity_check" if full else "quick_check"] = not report.integrity
        if report.integrity:
            return report
        damage = foreign_key_damage(conn)
        report.damage = [
            f"{n} row(s) in {c} point to missing {p} rows." for (c, p), n in sorted(damage.items())
        ]
        report.checks["foreign_keys"] = not damage
        if inspection.state == TRACKED and inspection.current_version is not None:
            expected = ExpectedSchemas(catalog).at(inspection.current_version)
            diff = compare(
                snapshot(conn, ignore={"schema_migrations", "sqlmig_log"}.__contains__), expected
            )
            report.differences = format_diff(diff) if not diff.ok else []
            report.extras = list(diff.extras)
            report.checks["schema"] = diff.ok
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state="Nothing was changed.") from exc
    finally:
        conn.close()
    return report


def file_version(path: str | Path, catalog: Catalog | None = None) -> int | None:
    """The version a backup name should carry: the tracked version, else `user_version`."""
    inspection = inspect_file(path, catalog)
    if inspection.current_version is not None:
        return inspection.current_version
    return inspection.user_version or None


def backup(
    path: str | Path,
    *,
    destination: Path | None = None,
    folder: Path | None = None,
    on_progress: Progress | None = None,
) -> BackupResult:
    """A verified copy made with SQLite's backup API."""
    from engine.backups import create_backup

    return create_backup(
        Path(path),
        version=file_version(path),
        folder=folder,
        destination=destination,
        on_progress=on_progress,
    )


def restore(path: str | Path, source: Path) -> RestoreResult:
    """Replace `path` with `source` atomically; the replaced file is kept as a backup."""
    from engine.backups import restore as _restore

    replaced_version = file_version(path) if Path(path).exists() else None
    return _restore(Path(path), Path(source), replaced_version=replaced_version)


__all__ = [
    "VerifyReport",
    "backup",
    "bundled_migrations",
    "catalog_problems",
    "file_version",
    "inspect_file",
    "load_catalog",
    "plan",
    "restore",
    "upgrade",
    "verify",
]
