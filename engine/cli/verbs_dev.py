"""The developer verbs of `sqlmig` (down, accept, history, baseline): like verbs.py, each calls
one engine function and prints the engine's words. Only `import engine`: the public face."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TextIO

import engine
from engine.cli.output import JsonRenderer, TextRenderer, print_json, print_lines


def cmd_down(args: argparse.Namespace, out: TextIO) -> int:
    """Back up, then roll back to version N with the migrations' down parts."""
    if args.wait < 0:
        raise engine.UsageError("--wait cannot be negative.", hint="Give a number of seconds.")
    catalog = engine.load_catalog(args.migrations)
    render = JsonRenderer(out) if args.json else TextRenderer(out, dry_run=args.dry_run)
    with render:
        result = engine.down(
            args.path,
            catalog,
            target=args.to,
            backup=not args.no_backup,
            backup_dir=args.backup_dir,
            dry_run=args.dry_run,
            wait=args.wait,
            allow_data_loss=args.allow_data_loss,
            on_event=render,
            cancel=args.cancel,
        )
    if not args.json:
        print_lines(engine.after_run_lines(result), out)
    return result.exit_code


def cmd_accept(args: argparse.Namespace, out: TextIO) -> int:
    """Record, audited, that an applied migration's file changed on purpose."""
    catalog = engine.load_catalog(args.migrations)
    done = engine.accept(args.path, args.version, reason=args.reason, catalog=catalog,
                         wait=args.wait)
    _show(args, out, lambda: engine.accept_json(done, engine.Clock()),
          lambda: engine.accept_lines(done))
    return engine.EXIT_OK


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    """Show the applied, adopted, repaired, reverted and accepted steps: when, how, who."""
    catalog = engine.load_catalog(args.migrations)
    report = engine.history(args.path, catalog)
    _show(args, out, lambda: engine.history_json(report, engine.Clock()),
          lambda: engine.history_lines(report))
    return engine.EXIT_OK


def cmd_baseline(args: argparse.Namespace, out: TextIO) -> int:
    """Adopt a foreign or untracked file at version N after checking its effects are there."""
    catalog = engine.load_catalog(args.migrations)
    done = engine.baseline(args.path, args.version, catalog=catalog, force=args.force,
                           backup=not args.no_backup, wait=args.wait)
    _show(args, out, lambda: engine.baseline_json(done, engine.Clock()),
          lambda: engine.baseline_lines(done))
    return engine.EXIT_OK


def _show(args: argparse.Namespace, out: TextIO, as_json: Callable[[], list[dict[str, Any]]],
          as_text: Callable[[], list[str]]) -> None:
    if args.json:
        for data in as_json():
            print_json(data, out)
    else:
        print_lines(as_text(), out)
