"""The `sqlmig` command: each verb parses its arguments, calls one engine function, renders it.

Exit codes (SPEC §7.9): 0 success (or `status` classified a file), 1 a migration or check failed,
2 usage error, 3 refused. `main(argv)` returns the code; nothing below it calls sys.exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from engine import api
from engine.cli.output import JsonRenderer, Output, TextRenderer, print_json, print_status
from engine.core.cancel import CancelToken, cancel_on_signals
from engine.core.errors import EXIT_OK, EXIT_USAGE, Cancelled, EngineError, UsageError

# Only `status` must start fast; the other verbs import what they render on first use.
if TYPE_CHECKING:
    from engine.core.events import Event


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    # SIGINT and SIGTERM cancel: the engine rolls back and the verb ends with `cancelled`.
    token = CancelToken()
    with cancel_on_signals(token):
        return _main(argv, stdout, token)


def _main(argv: Sequence[str] | None, stdout: TextIO | None, token: CancelToken) -> int:
    out = cast(TextIO, Output(stdout or sys.stdout))
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except _ArgumentError as exc:
        return _usage_error(exc, words, out)
    except SystemExit as exc:  # --help: argparse already printed it
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help(out)
        return EXIT_USAGE
    handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
    args.cancel = token
    try:
        return handler(args, out)
    except EngineError as exc:
        if args.debug:
            raise
        return _render_error(exc, args, out)


def main_entry() -> None:
    sys.exit(main())


class _ArgumentError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """Raises instead of printing, so that `--json` gets its usage error as JSON too."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(self, message)


def _usage_error(exc: _ArgumentError, words: list[str], out: TextIO) -> int:
    """An argparse error: a JSON `done` (or status object) with the `usage` problem under
    --json, else argparse's own usage lines on stderr. Exit 2."""
    if "--json" not in words:
        exc.parser.print_usage(sys.stderr)
        print(f"{exc.parser.prog}: error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    message = exc.message[:1].upper() + exc.message[1:].rstrip(".") + "."
    error = UsageError(message, hint=f"See `{exc.parser.prog} --help`.")
    command = next((w for w in words if not w.startswith("-")), None)
    return _render_error(error, argparse.Namespace(json=True, command=command, path=None), out)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sqlmig",
        description="Inspect and safely upgrade SQLite database files with plain SQL migrations.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace, TextIO], int]) -> Any:
        doc = (handler.__doc__ or "").strip().splitlines()[0]
        cmd = sub.add_parser(name, help=doc, description=doc)
        cmd.set_defaults(handler=handler)
        cmd.add_argument("--debug", action="store_true", default=False, help=argparse.SUPPRESS)
        return cmd

    status = command("status", cmd_status)
    status.add_argument("path", type=Path, help="the database file")
    _migrations_option(status)
    status.add_argument("--json", action="store_true", help="print one JSON object")

    up = command("upgrade", cmd_upgrade)
    up.add_argument("path", type=Path, help="the database file")
    _migrations_option(up)
    up.add_argument("--to", type=int, default=None, metavar="N", help="stop at version N")
    up.add_argument("--dry-run", action="store_true", help="show every statement; write nothing")
    up.add_argument(
        "--mode",
        choices=("atomic", "stepwise"),
        default="atomic",
        help="atomic: one transaction for the whole plan (default); stepwise: one per migration",
    )
    where = up.add_mutually_exclusive_group()
    where.add_argument(
        "--backup-dir",
        type=_folder_name,
        default=None,
        help="folder for the backup (a missing last level is created)",
    )
    where.add_argument("--no-backup", action="store_true", help="do not back up first")
    up.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for another program's write lock (default 10)",
    )
    up.add_argument(
        "--accept-diverged",
        action="store_true",
        help="move history rows written by another branch of the app to the audit table "
        "sqlmig_log and run this tool's migrations instead",
    )
    up.add_argument("--json", action="store_true", help="print JSON Lines events")

    verify = command("verify", cmd_verify)
    verify.add_argument("path", type=Path, help="the database file")
    _migrations_option(verify)
    verify.add_argument(
        "--full", action="store_true", help="integrity_check instead of quick_check"
    )
    verify.add_argument("--json", action="store_true", help="print JSON Lines events")

    backup = command("backup", cmd_backup)
    backup.add_argument("path", type=Path, help="the database file")
    backup.add_argument("--to", type=Path, default=None, metavar="FILE", help="backup file name")
    backup.add_argument("--json", action="store_true", help="print JSON Lines events")

    restore = command("restore", cmd_restore)
    restore.add_argument("path", type=Path, help="the database file to replace")
    restore.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="BACKUP",
        help="the backup file to put in place",
    )
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore even when BACKUP does not look like a backup of this database "
        "(never when it is damaged)",
    )
    restore.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for another program's write lock (default 10)",
    )
    restore.add_argument("--json", action="store_true", help="print JSON Lines events")

    recover = command("recover", cmd_recover)
    recover.add_argument("path", type=Path, help="the database file")
    _migrations_option(recover)
    recover.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for another program's write lock (default 10)",
    )
    recover.add_argument("--json", action="store_true", help="print one JSON `done` event")
    return parser


def _folder_name(text: str) -> Path:
    """A folder argument; an empty one would silently mean the working folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a folder name, not an empty string")
    return Path(text)


def _migrations_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--migrations",
        type=Path,
        default=None,
        metavar="DIR",
        help="migrations folder (default: the bundled agent-world chain)",
    )


# -- verbs ------------------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    """Classify a database file and show its version, history and pending migrations."""
    catalog = api.load_catalog(args.migrations)
    assessment = api.assess(args.path, catalog, cancel=args.cancel)
    inspection = assessment.inspection
    problems = [p.to_json() for p in api.catalog_problems(catalog)]
    if args.json:
        data = inspection.to_json()
        data["problems"] = data["problems"] + problems
        data["can_upgrade"] = assessment.can_upgrade
        data["refusal"] = None if assessment.refusal is None else assessment.refusal.to_json()
        print_json(data, out)
    else:
        print_status(inspection, api.catalog_problems(catalog), out)
    return EXIT_OK


def cmd_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    """Back up, then apply the pending migrations (dry-run shows every statement first)."""

    if args.wait < 0:
        raise UsageError("--wait cannot be negative.", hint="Give a number of seconds, e.g. 10.")
    catalog = api.load_catalog(args.migrations)
    render = JsonRenderer(out) if args.json else TextRenderer(out, dry_run=args.dry_run)
    with render:
        result = api.upgrade(
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
    refused = result.error is not None and not isinstance(result.error, Cancelled)
    if refused and not args.json and result.preflight is not None:
        failures = result.preflight.failures
        stopped_by = failures[0] if failures else None
        for line in result.preflight.lines(stopped_by=stopped_by):  # the list that stopped it
            print(line, file=out)
    if result.error is not None and not args.json and result.error.hint:
        print(f"hint: {result.error.hint}", file=out)
    return result.exit_code


HINTS = {
    "quick_check": "The file is damaged: work on a backup; `sqlite3 FILE .recover` can rescue "
    "rows.",
    "integrity_check": "The file is damaged: work on a backup; `sqlite3 FILE .recover` can rescue "
    "rows.",
    "foreign_keys": "Some rows point to rows that do not exist; the app may not show them.",
    "schema": "The schema differs from what its version should have; `sqlmig upgrade` or a "
    "developer can repair it.",
    "views_and_triggers": "A view or trigger names a table or column the file no longer has; "
    "the app fails when it uses it. Recreate or drop it (a developer's job).",
}


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Check a file: quick_check, foreign keys, and its schema against its version's schema."""
    from engine.core.events import Clock, DoneEvent, VerifyEvent

    catalog = api.load_catalog(args.migrations)
    clock = Clock()

    def beat(event: Event) -> None:  # heartbeats keep a --json reader informed
        if args.json:
            print_json(event.to_json(), out)

    report = api.verify(args.path, catalog, full=args.full, on_event=beat, cancel=args.cancel)
    if args.json:
        details = {
            "quick_check": report.integrity,
            "integrity_check": report.integrity,
            "readable": report.integrity,
            "foreign_keys": report.damage,
            "schema": report.differences or report.extras,
            "views_and_triggers": report.broken,
        }
        for check, ok in report.checks.items():
            lines = tuple(details.get(check, []))
            message = "passed" if ok else (lines[0] if lines else "failed")
            print_json(VerifyEvent(clock(), check, ok, message, lines).to_json(), out)
        problems = tuple(
            {"code": "check_failed", "message": f"The {check} check failed.", "hint": HINTS[check]}
            for check, ok in report.checks.items()
            if not ok
        )
        done = DoneEvent(
            clock(),
            ok=report.ok,
            from_version=report.version,
            to_version=report.version,
            backup=None,
            problems=problems,
            message="All checks passed." if report.ok else "Problems found.",
        ).to_json()
        done.update(report.to_json())
        print_json(done, out)
    else:
        for line in report.lines():
            print(line, file=out)
    return report.exit_code


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """Make a verified backup copy with SQLite's backup API."""
    from engine.core.events import BackupEvent, Clock, DoneEvent

    clock = Clock()

    def progress(done: int, total: int) -> None:
        if args.json:
            print_json(BackupEvent(clock(), "", done, total, False).to_json(), out)

    made = api.backup(args.path, destination=args.to, on_progress=progress, cancel=args.cancel)
    if args.json:
        print_json(
            BackupEvent(clock(), str(made.path), made.pages, made.pages, True, True).to_json(), out
        )
        done = DoneEvent(
            clock(),
            ok=True,
            from_version=made.user_version,
            to_version=made.user_version,
            backup=str(made.path),
            ledger={table: [n, n] for table, n in made.row_counts.items()},
            message=f"Backup written and verified: {made.path}",
        ).to_json()
        done.update(
            {
                "pages": made.pages,
                "seconds": round(made.seconds, 3),
                "verify_seconds": round(made.verify_seconds, 3),
            }
        )
        print_json(done, out)
    else:
        print(f"Backup written and verified: {made.path}", file=out)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    """Write a backup into a database file, keeping a copy of what it replaces."""
    from engine.core.events import Clock, DoneEvent

    if args.wait < 0:
        raise UsageError("--wait cannot be negative.", hint="Give a number of seconds, e.g. 10.")
    clock = Clock()
    done = api.restore(args.path, args.source, force=args.force, wait=args.wait)
    where = (f"{done.real_path} (through the link {done.restored})"
             if done.restored.is_symlink() else str(done.restored))
    message = f"Restored {where} from {done.from_backup}."
    versions = (f"Version {_label(done.replaced_version)} → {_label(done.restored_version)}; "
                f"journal mode {done.journal_mode.upper()} kept.")
    if args.json:
        event = DoneEvent(
            clock(),
            ok=True,
            from_version=done.replaced_version,
            to_version=done.restored_version,
            backup=str(done.replaced_copy),
            message=message,
        ).to_json()
        event.update(
            {
                "restored": str(done.restored),
                "real_path": str(done.real_path),
                "from": str(done.from_backup),
                "replaced_copy": str(done.replaced_copy),
                "replaced_version": done.replaced_version,
                "restored_version": done.restored_version,
                "journal_mode": done.journal_mode,
                "origin": done.origin,
                "forced": done.forced,
                "replaced_damage": list(done.replaced_damage),
            }
        )
        print_json(event, out)
    else:
        print(message, file=out)
        print(versions, file=out)
        print(f"The file it replaced ({_label(done.replaced_version)}) was kept as "
              f"{done.replaced_copy}.", file=out)
        if done.replaced_damage:
            print(f"That file was damaged ({done.replaced_damage[0]}); its copy is kept as it "
                  "was.", file=out)
        if done.forced:
            print(f"Forced: {done.origin}", file=out)
    return EXIT_OK


def _label(version: int | None) -> str:
    return "none" if version is None else f"v{version}"
def cmd_recover(args: argparse.Namespace, out: TextIO) -> int:
    """Roll back an interrupted write (a hot -journal) by opening the file for writing."""
    from engine.core.events import Clock, DoneEvent

    clock = Clock()
    catalog = api.load_catalog(args.migrations)
    done = api.recover(args.path, catalog, wait=args.wait)
    if args.json:
        version = done.inspection.current_version
        event = DoneEvent(
            clock(), ok=True, from_version=version, to_version=version, backup=None,
            problems=tuple(p.to_json() for p in done.inspection.problems),
            message=done.message,
        ).to_json()
        event.update(done.to_json())
        print_json(event, out)
    else:
        print(done.message, file=out)
    return EXIT_OK


# -- rendering --------------------------------------------------------------------------------


def _render_error(exc: EngineError, args: argparse.Namespace, out: TextIO) -> int:
    from engine.core.events import DoneEvent

    if getattr(args, "json", False):
        problems = [p.to_json() for p in exc.problems()]
        if args.command == "status":
            print_json(
                {
                    "path": None if args.path is None else str(args.path),
                    "state": None,
                    "current_version": None,
                    "head_version": None,
                    "pending": [],
                    "problems": problems,
                },
                out,
            )
        else:
            print_json(
                DoneEvent(
                    0.0,
                    ok=False,
                    from_version=None,
                    to_version=None,
                    backup=None,
                    problems=tuple(problems),
                    message=exc.message,
                ).to_json(),
                out,
            )
    elif isinstance(exc, Cancelled):  # the user's own request: one sentence, not an error
        print(exc.message, file=sys.stderr)
    else:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
    return exc.exit_code
