"""The developer verbs of `sqlmig`: `diff` and `new`. Only `import engine`: the public face."""

from __future__ import annotations

import argparse
from typing import TextIO

import engine
from engine.cli.output import print_json, print_lines


def cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    """Compare a file's schema with its version's, head's or another file's (--sql: the fix)."""
    catalog = engine.load_catalog(args.migrations)
    clock = engine.Clock()
    report = engine.diff(args.path, catalog, against=args.against)
    if args.json:
        for event in engine.diff_events(report, clock):
            print_json(event, out)
    else:
        print_lines(engine.diff_lines(report, sql=args.sql), out)
    return report.exit_code


def cmd_new(args: argparse.Namespace, out: TextIO) -> int:
    """Write the next migration file (up and down parts) into the migrations folder."""
    clock = engine.Clock()
    if args.against is not None and args.from_diff is None:
        raise engine.UsageError("--against goes with --from-diff: it says what the hand-made "
                                "changes are measured from.",
                                hint='For example: sqlmig new "add email" --from-diff dev.db '
                                "--against 12")
    written = engine.new_migration(args.description, args.migrations, from_diff=args.from_diff,
                                   against=args.against)
    if args.json:
        for event in engine.new_events(written, clock):
            print_json(event, out)
    else:
        print_lines(engine.new_lines(written), out)
    return engine.EXIT_OK
