"""The developer verbs of `sqlmig` (down, accept, history, baseline): like verbs.py, each calls
one engine function and prints the engine's words. Only `import engine`: the public face."""

from __future__ import annotations

import argparse
from typing import TextIO

import engine
from engine.cli.output import JsonRenderer, TextRenderer, print_lines


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
