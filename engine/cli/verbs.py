"""The verbs of `sqlmig`: each parses nothing itself, calls one engine function and prints what
the engine's words say (text, or JSON under `--json`). Only `import engine`: the public face."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

import engine
from engine.cli.output import JsonRenderer, TextRenderer, print_json, print_lines


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    """Classify a database file and show its version, history and pending migrations."""
    catalog = _catalog(args)
    assessment = engine.assess(args.path, catalog, cancel=args.cancel)
    # The history in the file may have decided the folder's convention (SPEC §7.19).
    problems = engine.catalog_problems(assessment.catalog or catalog)
    if args.json:
        print_json(engine.status_json(assessment, problems), out)
    else:
        print_lines(engine.status_lines(assessment, problems), out)
    return engine.EXIT_OK


def cmd_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    """Back up, then apply the pending migrations (dry-run shows every statement first)."""
    _wait_not_negative(args)
    if args.execute and not args.dry_run:
        raise engine.UsageError("--execute goes with --dry-run.",
                                hint="Run `sqlmig upgrade FILE --dry-run --execute`.")
    catalog = _catalog(args)
    render = JsonRenderer(out) if args.json else TextRenderer(out, dry_run=args.dry_run)
    with render:
        result = engine.upgrade(
            args.path,
            catalog,
            target=args.to,
            mode=args.mode,
            backup=not args.no_backup,
            backup_dir=args.backup_dir,
            dry_run=args.dry_run,
            execute=args.execute,
            wait=args.wait,
            on_event=render,
            cancel=args.cancel,
            accept_diverged=args.accept_diverged,
            create_backup_dir=True,  # like rsync --backup-dir: when its parent exists
        )
    if not args.json:
        print_lines(engine.after_run_lines(result), out)
    return result.exit_code


def cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    """Upgrade many files (folders searched recursively), a few at a time, each backed up."""
    _wait_not_negative(args)
    if args.jobs is not None and args.jobs < 1:
        raise engine.UsageError("--jobs must be at least 1.", hint="Give a number, e.g. 2.")
    catalog = engine.load_catalog(args.migrations)

    def show(event: engine.Event) -> None:
        if args.json and not isinstance(event, engine.FileProgressEvent):
            print_json(event.to_json(), out)
        elif not args.json and isinstance(event, engine.FileDoneEvent):
            print_lines([engine.batch_file_line(event.outcome)], out)

    result = engine.batch(
        args.paths, catalog, jobs=args.jobs, mode=args.mode, backup=not args.no_backup,
        backup_dir=args.backup_dir, dry_run=args.dry_run, wait=args.wait, on_event=show,
        cancel=args.cancel,
    )
    if not args.json:
        print_lines([result.message], out)
    return result.exit_code


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Check a file: quick_check, foreign keys, and its schema against its version's schema."""
    catalog = _catalog(args)
    clock = engine.Clock()

    def beat(event: engine.Event) -> None:  # heartbeats keep a --json reader informed
        if args.json:
            print_json(event.to_json(), out)

    report = engine.verify(args.path, catalog, full=args.full, on_event=beat, cancel=args.cancel)
    _show(
        args, out, lambda: engine.verify_events(report, clock), lambda: engine.verify_lines(report)
    )
    return report.exit_code


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """Make a verified backup copy with SQLite's backup API."""
    clock = engine.Clock()

    def progress(done: int, total: int) -> None:
        if args.json:
            print_json(engine.BackupEvent(clock(), "", done, total, False).to_json(), out)

    made = engine.backup(args.path, destination=args.to, on_progress=progress, cancel=args.cancel)
    _show(args, out, lambda: engine.backup_json(made, clock), lambda: engine.backup_lines(made))
    return engine.EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    """Write a backup into a database file, keeping a copy of what it replaces."""
    _wait_not_negative(args)
    clock = engine.Clock()
    done = engine.restore(args.path, args.source, force=args.force, wait=args.wait)
    _show(args, out, lambda: [engine.restore_json(done, clock)], lambda: engine.restore_lines(done))
    return engine.EXIT_OK


def cmd_compact(args: argparse.Namespace, out: TextIO) -> int:
    """Give free pages back to the disk (VACUUM INTO a verified copy), after a backup."""
    _wait_not_negative(args)
    clock = engine.Clock()
    done = engine.compact(args.path, wait=args.wait)
    version = engine.file_version(args.path)
    _show(args, out, lambda: [engine.compact_json(done, version, clock)],
          lambda: engine.compact_lines(done))
    return engine.EXIT_OK


def cmd_recover(args: argparse.Namespace, out: TextIO) -> int:
    """Roll back an interrupted write (a hot -journal) by opening the file for writing."""
    clock = engine.Clock()
    catalog = _catalog(args)
    done = engine.recover(args.path, catalog, wait=args.wait)
    _show(args, out, lambda: [engine.recover_json(done, clock)], lambda: engine.recover_lines(done))
    return engine.EXIT_OK


def _show(
    args: argparse.Namespace,
    out: TextIO,
    as_json: Callable[[], Iterable[dict[str, Any]]],
    as_text: Callable[[], Iterable[str]],
) -> None:
    """JSON Lines under --json, else plain lines."""
    if args.json:
        for data in as_json():
            print_json(data, out)
    else:
        print_lines(as_text(), out)


def _catalog(args: argparse.Namespace) -> Any:
    """The folder's catalog, compiled once and kept in the per-user cache folder (SPEC §7.24);
    SQLMIG_CACHE_DIR names another folder, or turns the cache off when empty."""
    folder = os.environ.get("SQLMIG_CACHE_DIR")
    if folder is None:
        folder = user_cache_dir()
    return engine.load_catalog(args.migrations, cache_dir=folder or None)


def user_cache_dir() -> str:
    """platformdirs' per-user cache folder for sqlmig. Its Linux rule (XDG) is applied here:
    importing platformdirs, and the tempfile module it imports, is ~5 ms of every `status`."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not base.strip():
            base = os.path.expanduser("~/.cache")
        return os.path.join(base, "sqlmig")
    from platformdirs import user_cache_dir as platform_cache_dir

    return platform_cache_dir("sqlmig", appauthor=False)


def _wait_not_negative(args: argparse.Namespace) -> None:
    if args.wait < 0:
        hint = "Give a number of seconds, e.g. 10."
        raise engine.UsageError("--wait cannot be negative.", hint=hint)
