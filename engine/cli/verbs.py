"""The verbs of `sqlmig`: each parses nothing itself, calls one engine function and prints what
the engine's words say (text, or JSON under `--json`). Only `import engine`: the public face."""

from __future__ import annotations

import argparse
from typing import TextIO

import engine
from engine.cli.output import JsonRenderer, TextRenderer, print_json, print_lines


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    """Classify a database file and show its version, history and pending migrations."""
    catalog = engine.load_catalog(args.migrations)
    assessment = engine.assess(args.path, catalog, cancel=args.cancel)
    problems = engine.catalog_problems(catalog)
    if args.json:
        print_json(engine.status_json(assessment, problems), out)
    else:
        print_lines(engine.status_lines(assessment, problems), out)
    return engine.EXIT_OK


def cmd_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    """Back up, then apply the pending migrations (dry-run shows every statement first)."""
    _wait_not_negative(args)
    catalog = engine.load_catalog(args.migrations)
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
            wait=args.wait,
            on_event=render,
            cancel=args.cancel,
            accept_diverged=args.accept_diverged,
            create_backup_dir=True,  # like rsync --backup-dir: when its parent exists
        )
    if not args.json:
        print_lines(engine.after_run_lines(result), out)
    return result.exit_code


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Check a file: quick_check, foreign keys, and its schema against its version's schema."""
    catalog = engine.load_catalog(args.migrations)
    clock = engine.Clock()

    def beat(event: engine.Event) -> None:  # heartbeats keep a --json reader informed
        if args.json:
            print_json(event.to_json(), out)

    report = engine.verify(args.path, catalog, full=args.full, on_event=beat, cancel=args.cancel)
    if args.json:
        for data in engine.verify_events(report, clock):
            print_json(data, out)
    else:
        print_lines(engine.verify_lines(report), out)
    return report.exit_code


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """Make a verified backup copy with SQLite's backup API."""
    clock = engine.Clock()

    def progress(done: int, total: int) -> None:
        if args.json:
            print_json(engine.BackupEvent(clock(), "", done, total, False).to_json(), out)

    made = engine.backup(args.path, destination=args.to, on_progress=progress, cancel=args.cancel)
    if args.json:
        for data in engine.backup_json(made, clock):
            print_json(data, out)
    else:
        print_lines(engine.backup_lines(made), out)
    return engine.EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    """Write a backup into a database file, keeping a copy of what it replaces."""
    _wait_not_negative(args)
    clock = engine.Clock()
    done = engine.restore(args.path, args.source, force=args.force, wait=args.wait)
    if args.json:
        print_json(engine.restore_json(done, clock), out)
    else:
        print_lines(engine.restore_lines(done), out)
    return engine.EXIT_OK


def cmd_recover(args: argparse.Namespace, out: TextIO) -> int:
    """Roll back an interrupted write (a hot -journal) by opening the file for writing."""
    clock = engine.Clock()
    catalog = engine.load_catalog(args.migrations)
    done = engine.recover(args.path, catalog, wait=args.wait)
    if args.json:
        print_json(engine.recover_json(done, clock), out)
    else:
        print_lines(engine.recover_lines(done), out)
    return engine.EXIT_OK


def _wait_not_negative(args: argparse.Namespace) -> None:
    if args.wait < 0:
        hint = "Give a number of seconds, e.g. 10."
        raise engine.UsageError("--wait cannot be negative.", hint=hint)
