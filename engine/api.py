"""The engine's public face: every user action is one function here (CLI and GUI call these)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from engine.core.errors import Problem, Refused
from engine.core.verdicts import Mode
from engine.scripts.catalog import Catalog, CatalogNotFound
from engine.scripts.catalog import load_catalog as _load_catalog
from engine.scripts.compiled import load_catalog_cached
from engine.scripts.conventions.flyway import version_key
from engine.state.dialects import convention_in_file
from engine.state.inspect import inspect_file as _inspect_file
from engine.state.inspection import Inspection

# The runner, the schema comparison and the backup code load on first use: `status` needs none.
if TYPE_CHECKING:
    from engine.core.cancel import CancelToken
    from engine.core.events import EventSink
    from engine.planning.assess import Assessment
    from engine.planning.planner import Plan
    from engine.runtime.backups import BackupResult, Progress
    from engine.runtime.batch import BatchResult
    from engine.runtime.compacting import CompactResult
    from engine.runtime.recovery import RecoverResult
    from engine.runtime.restoring import RestoreResult
    from engine.runtime.result import UpgradeResult
    from engine.runtime.shelf import BackupInfo, Deleted
    from engine.runtime.verifying import VerifyReport
    from engine.state.expectation import Expectation
    from engine.state.space import Space

BUNDLED_PACKAGE = "sqlmig_migrations"


def bundled_migrations() -> Path:
    """The agent-world chain shipped with sqlmig."""
    # The package's own folder (not importlib.resources, which costs a zipfile import at start-up).
    package = importlib.import_module(BUNDLED_PACKAGE)
    return Path(next(iter(package.__path__)))


def load_catalog(
    folder: str | Path | None = None, *, cache_dir: str | Path | None = None
) -> Catalog:
    """Read a migrations folder (default: the bundled one). Problems are in `catalog.problems`.

    `cache_dir` (the face's per-user cache folder, SPEC §7.24): the compiled catalog and its
    expected schemas are kept there between runs; a missing or unusable folder only costs time.
    """
    path = Path(folder) if folder is not None else bundled_migrations()
    try:
        return load_catalog_cached(path, Path(cache_dir) if cache_dir is not None else None)
    except CatalogNotFound as exc:
        raise Refused(str(exc), hint=exc.hint, code="bad_catalog") from exc


def catalog_for(path: str | Path, catalog: Catalog | None = None) -> Catalog:
    """The catalog as the file's history table decides its convention (SPEC §7.19: the history
    already in the file comes first); the same catalog when it already agrees."""
    catalog = catalog or load_catalog()
    found = convention_in_file(Path(path))
    if found is None:
        return catalog
    if found == catalog.convention:
        return catalog._replace(decided_by="history")
    return _load_catalog(catalog.folder, from_history=found)


def _target(catalog: Catalog, target: int | str | None) -> int | None:
    """A target given as written (Flyway's "1.10") is the version of that migration; one no
    migration has is still a number that reads as written, which the planner refuses by name."""
    if not isinstance(target, str):
        return target
    found = next((m.version for m in catalog.migrations if m.version_label == target), None)
    return found if found is not None else version_key(target)


def catalog_problems(catalog: Catalog) -> list[Problem]:
    return [Problem(p.code, p.message, p.hint, p.file, p.line, p.kind) for p in catalog.problems]


def inspect_file(
    path: str | Path, catalog: Catalog | None = None, *, cancel: CancelToken | None = None
) -> Inspection:
    """Classify a file without writing to it."""
    from engine.planning.assess import inspect_and_foresee

    return inspect_and_foresee(path, catalog_for(path, catalog), cancel=cancel)


def assess(
    path: str | Path, catalog: Catalog | None = None, *, cancel: CancelToken | None = None
) -> Assessment:
    """What the file is, whether it can be upgraded, what an upgrade would run (repairs included)
    and why it would be refused: the one answer both faces show. Read-only."""
    from engine.planning.assess import assess as _assess

    return _assess(path, catalog_for(path, catalog), cancel=cancel)


def plan(
    path: str | Path,
    catalog: Catalog | None = None,
    *,
    target: int | str | None = None,
    mode: str = Mode.ATOMIC,
    accept_diverged: bool = False,
) -> Plan:
    """The plan an upgrade would run (raises `Refused`/`UsageError` when it would refuse)."""
    from engine.planning.planner import plan_upgrade

    catalog = catalog_for(path, catalog)
    return plan_upgrade(
        _inspect_file(path, catalog),
        catalog,
        target=_target(catalog, target),
        mode=mode,
        accept_diverged=accept_diverged,
    )


def upgrade(
    path: str | Path,
    catalog: Catalog | None = None,
    *,
    target: int | str | None = None,
    mode: str = Mode.ATOMIC,
    backup: bool = True,
    backup_dir: Path | None = None,
    dry_run: bool = False,
    execute: bool = False,
    wait: float = 10.0,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
    accept_diverged: bool = False,
    expect: Expectation | None = None,
    create_backup_dir: bool = False,
) -> UpgradeResult:
    """Back up and upgrade a file; never raises for problems with the file (see `.error`).

    `expect` (`Expectation.of(inspection)`): what the user saw; a file that is no longer that is
    refused (`changed_since_inspection`) before anything is written.
    `create_backup_dir`: a missing `backup_dir` whose parent exists is created.
    `execute` (with `dry_run`): the plan runs on a temporary copy, which reports timings,
    ledger, checks and the schema changes; the file itself is never written.
    """
    from engine.runtime.options import UpgradeOptions
    from engine.runtime.upgrader import upgrade as _upgrade

    catalog = catalog_for(path, catalog)
    options = UpgradeOptions(
        target=_target(catalog, target),
        mode=mode,
        backup=backup,
        backup_dir=backup_dir,
        create_backup_dir=create_backup_dir,
        dry_run=dry_run,
        execute=execute,
        wait=wait,
        accept_diverged=accept_diverged,
        expect=expect,
    )
    return _upgrade(path, catalog, options, on_event=on_event, cancel=cancel)


def batch_files(
    paths: Iterable[str | Path], extensions: Iterable[str] | None = None
) -> list[Path]:
    """The files a batch of `paths` takes: files named, and below folders named (recursively)
    those with one of `extensions` (default .db .sqlite .sqlite3) or SQLite's header. Never
    sqlmig's backups or SQLite's -wal/-shm/-journal files."""
    from engine.state.batchfiles import DEFAULT_EXTENSIONS, find_database_files

    return find_database_files(paths, DEFAULT_EXTENSIONS if extensions is None else extensions)


def batch(
    paths: Iterable[str | Path],
    catalog: Catalog | None = None,
    *,
    jobs: int | None = None,
    mode: str = Mode.ATOMIC,
    backup: bool = True,
    backup_dir: Path | None = None,
    dry_run: bool = False,
    wait: float = 10.0,
    extensions: Iterable[str] | None = None,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> BatchResult:
    """Upgrade many files (folders searched recursively, see `batch_files`), `jobs` at a time in
    worker processes, each with its own verified backup. Never raises for problems with a
    file: each file's outcome is in the result and in its `file_done` event (SPEC §7.23)."""
    from engine.runtime.batch import run_batch
    from engine.runtime.options import UpgradeOptions

    catalog = catalog or load_catalog()
    options = UpgradeOptions(mode=mode, backup=backup, backup_dir=backup_dir, dry_run=dry_run,
                             wait=wait, create_backup_dir=backup_dir is not None)
    return run_batch(batch_files(paths, extensions), catalog.folder, options, jobs=jobs,
                     on_event=on_event, cancel=cancel)


def verify(
    path: str | Path,
    catalog: Catalog | None = None,
    *,
    full: bool = False,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> VerifyReport:
    """quick_check (or integrity_check), foreign-key damage, schema versus the expected schema.

    `on_event` gets `heartbeat` events while a long check runs."""
    from engine.runtime.verifying import verify as _verify

    return _verify(path, catalog_for(path, catalog), full=full, on_event=on_event, cancel=cancel)


def file_version(path: str | Path, catalog: Catalog | None = None) -> int | None:
    """The version a backup name should carry: the tracked version, else `user_version`."""
    return inspect_file(path, catalog).backup_version


def backup(
    path: str | Path,
    *,
    destination: Path | None = None,
    folder: Path | None = None,
    on_progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> BackupResult:
    """A verified copy made with SQLite's backup API, with its origin in `<backup>.json`.
    Refused before anything is written when a path is past SQLite's limit."""
    from engine.runtime.backups import create_backup

    return create_backup(
        Path(path),
        version=file_version(path),
        folder=folder,
        destination=destination,
        on_progress=on_progress,
        cancel=cancel,
    )


def recover(
    path: str | Path, catalog: Catalog | None = None, *, wait: float = 10.0
) -> RecoverResult:
    """Roll back the write an interruption cut off (SPEC §7.22 `interrupted`), and only that:
    opening the file for writing makes SQLite roll its hot journal back."""
    from engine.runtime.recovery import recover as _recover

    return _recover(Path(path), catalog_for(path, catalog), wait=wait)


def restore(
    path: str | Path, source: str | Path, *, force: bool = False, wait: float = 10.0
) -> RestoreResult:
    """Write the backup `source` into the database `path` through SQLite (engine/restoring.py).

    Refused (nothing written) when `path` does not exist, when `source` is empty, not SQLite or
    damaged, when it is not a backup of `path` (unless `force`), or when another program holds
    the write lock for longer than `wait` seconds. What it replaces is kept as a verified backup.
    """
    from dataclasses import replace

    from engine.runtime.restoring import restore as _restore

    path = Path(path)
    before = _version_or_none(path)
    done = _restore(path, Path(source), replaced_version=before, force=force, wait=wait)
    return replace(
        done,
        replaced_version=_version_or_none(done.replaced_copy),
        restored_version=_version_or_none(done.real_path),
    )


def list_backups(path: str | Path, folder: Path | None = None) -> list[BackupInfo]:
    """Every backup of `path` next to it and in `folder` (the backup folder), newest first, with
    its version, date, size and origin. Read-only."""
    from engine.runtime.shelf import list_backups as _list

    return _list(Path(path), folder)


def delete_backups(
    path: str | Path, chosen: list[Path], folder: Path | None = None
) -> Deleted:
    """Delete the `chosen` backups of `path` (and their origin records). Refused, with nothing
    deleted, when one of them is not a backup of `path` as `list_backups` finds them."""
    from engine.runtime.shelf import delete_backups as _delete

    return _delete(Path(path), [Path(p) for p in chosen], folder)


def free_space(path: str | Path) -> Space:
    """The file's size and how much of it is free pages (a table rebuild leaves them). Read-only."""
    from engine.state.space import free_space as _free

    return _free(path)


def compact(path: str | Path, *, wait: float = 10.0) -> CompactResult:
    """Give the file's free pages back to the disk: `VACUUM INTO` a verified copy, written back
    the way `restore` writes (safe with the app open), after a verified backup of the file.
    Refused, the file untouched, when another program holds the write lock past `wait`."""
    from engine.runtime.compacting import compact as _compact

    path = Path(path)
    return _compact(path, version=_version_or_none(path), wait=wait)


def _version_or_none(path: Path) -> int | None:
    try:
        return file_version(path)
    except Refused:  # missing or a folder: the restore itself says so in its own words
        return None

