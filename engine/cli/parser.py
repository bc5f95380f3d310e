"""The `sqlmig` command line: its verbs, their options and their help texts."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from engine.cli import verbs, verbs_diff


class ArgumentError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """Raises instead of printing, so that `--json` gets its usage error as JSON too."""

    def error(self, message: str) -> NoReturn:
        raise ArgumentError(self, message)


Options = Callable[[argparse.ArgumentParser], None]
Handler = Callable[[argparse.Namespace, TextIO], int]


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or the top level with the one `verb` a command line names:
    argparse builds every subparser when it is added (about 10 ms for all of them), which a
    quick `sqlmig status` need not pay. Help, usage errors and parsing are the same."""
    parser = _Parser(
        prog="sqlmig",
        description="Inspect and safely upgrade SQLite database files with plain SQL migrations.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (handler, options) in verbs_table().items():
        if verb is not None and name != verb:
            continue
        doc = (handler.__doc__ or "").strip().splitlines()[0]
        cmd = sub.add_parser(name, help=doc, description=doc)
        cmd.set_defaults(handler=handler)
        cmd.add_argument("--debug", action="store_true", default=False, help=argparse.SUPPRESS)
        options(cmd)
    return parser


def verb_of(words: Sequence[str]) -> str | None:
    """The verb a command line names, when only that verb's parser is needed (no top-level
    help before it); else None: the whole parser, for help and for an unknown verb."""
    for word in words:
        if word in ("-h", "--help"):
            return None
        if not word.startswith("-"):
            return word if word in verbs_table() else None
    return None


def verbs_table() -> dict[str, tuple[Handler, Options]]:
    """Every verb, in the order `sqlmig --help` lists them, with the function adding its
    options."""
    from engine.cli.parser_dev import DEVELOPER_VERBS  # needs this module's helpers

    return {
        "status": (verbs.cmd_status, _status_options),
        "upgrade": (verbs.cmd_upgrade, _upgrade_options),
        "batch": (verbs.cmd_batch, _batch_options),
        "verify": (verbs.cmd_verify, _verify_options),
        "backup": (verbs.cmd_backup, _backup_options),
        "restore": (verbs.cmd_restore, _restore_options),
        "compact": (verbs.cmd_compact, _compact_options),
        "recover": (verbs.cmd_recover, _recover_options),
        **DEVELOPER_VERBS,
        "diff": (verbs_diff.cmd_diff, _diff_options),
        "new": (verbs_diff.cmd_new, _new_options),
    }


def _status_options(status: argparse.ArgumentParser) -> None:
    status.add_argument("path", type=Path, help="the database file")
    _migrations_option(status)
    status.add_argument("--json", action="store_true", help="print one JSON object")


def _upgrade_options(up: argparse.ArgumentParser) -> None:
    up.add_argument("path", type=Path, help="the database file")
    _migrations_option(up)
    up.add_argument("--to", type=_version, default=None, metavar="N",
                    help="stop at version N (a Flyway folder: its dotted version, e.g. 1.10)")
    up.add_argument("--dry-run", action="store_true", help="show every statement; write nothing")
    up.add_argument(
        "--execute",
        action="store_true",
        help="with --dry-run: run the plan on a temporary copy and report timings, ledger, "
        "checks and schema changes (the file is not touched)",
    )
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
    _wait_option(up)
    up.add_argument(
        "--accept-diverged",
        action="store_true",
        help="move history rows written by another branch of the app to the audit table "
        "sqlmig_log and run this tool's migrations instead",
    )
    up.add_argument("--json", action="store_true", help="print JSON Lines events")


def _batch_options(many: argparse.ArgumentParser) -> None:
    many.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                      help="database files, or folders searched recursively for them")
    _migrations_option(many)
    many.add_argument("--jobs", type=int, default=None, metavar="N",
                      help="files upgraded at once, each in its own worker process "
                           "(default: the number of CPUs, at most 4)")
    many.add_argument("--dry-run", action="store_true", help="plan each file; write nothing")
    many.add_argument("--mode", choices=("atomic", "stepwise"), default="atomic",
                      help="atomic: one transaction per file's plan (default); stepwise: one "
                           "per migration")
    where_many = many.add_mutually_exclusive_group()
    where_many.add_argument("--backup-dir", type=_folder_name, default=None,
                            help="one folder for every file's backup (a missing last level is "
                                 "created); default: next to each file")
    where_many.add_argument("--no-backup", action="store_true", help="do not back up first")
    _wait_option(many)
    many.add_argument("--json", action="store_true",
                      help="print JSON Lines: file_start, file_done, then one done")


def _verify_options(verify: argparse.ArgumentParser) -> None:
    verify.add_argument("path", type=Path, help="the database file")
    _migrations_option(verify)
    verify.add_argument(
        "--full", action="store_true", help="integrity_check instead of quick_check"
    )
    verify.add_argument("--json", action="store_true", help="print JSON Lines events")


def _backup_options(backup: argparse.ArgumentParser) -> None:
    backup.add_argument("path", type=Path, help="the database file")
    backup.add_argument("--to", type=Path, default=None, metavar="FILE", help="backup file name")
    backup.add_argument("--json", action="store_true", help="print JSON Lines events")


def _restore_options(restore: argparse.ArgumentParser) -> None:
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
    _wait_option(restore)
    restore.add_argument("--json", action="store_true", help="print JSON Lines events")


def _compact_options(compact: argparse.ArgumentParser) -> None:
    compact.add_argument("path", type=Path, help="the database file")
    _wait_option(compact)
    compact.add_argument("--json", action="store_true", help="print one JSON `done` event")


def _recover_options(recover: argparse.ArgumentParser) -> None:
    recover.add_argument("path", type=Path, help="the database file")
    _migrations_option(recover)
    _wait_option(recover)
    recover.add_argument("--json", action="store_true", help="print one JSON `done` event")


def _diff_options(diff: argparse.ArgumentParser) -> None:
    diff.add_argument("path", type=Path, help="the database file")
    _migrations_option(diff)
    diff.add_argument(
        "--against",
        default=None,
        metavar="head|VERSION|OTHER.db",
        help="compare with the catalog's head, a version, or another file "
        "(default: the file's own version)",
    )
    diff.add_argument("--sql", action="store_true", help="print the SQL that reconciles it")
    diff.add_argument("--json", action="store_true", help="print one JSON `done` event")


def _new_options(new: argparse.ArgumentParser) -> None:
    new.add_argument("description", help='what the migration does, e.g. "add email to users"')
    new.add_argument(
        "--migrations",
        type=Path,
        default=None,
        metavar="DIR",
        help="the folder to write into (default: ./migrations)",
    )
    new.add_argument(
        "--from-diff",
        type=Path,
        default=None,
        metavar="PATH",
        help="write the changes made by hand in this file (against the folder's head), "
        "with their reverse as the down part",
    )
    new.add_argument(
        "--against",
        default=None,
        metavar="head|VERSION|OTHER.db",
        help="with --from-diff: what the changes are measured from (default: head)",
    )
    new.add_argument("--json", action="store_true", help="print one JSON `done` event")


def _version(text: str) -> int | str:
    """A version number (as `int` reads it), or a Flyway dotted version kept as written (the
    engine finds it)."""
    parts = text.split(".")
    if len(parts) > 1 and all(part.isdigit() for part in parts):
        return text
    return int(text)


# argparse names the type in its refusal: a bad --to still reads "invalid int value" (CLI contract).
_version.__name__ = "int"


def _folder_name(text: str) -> Path:
    """A folder argument; an empty one would silently mean the working folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a folder name, not an empty string")
    return Path(text)


def _wait_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for another program's write lock (default 10)",
    )


def _migrations_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--migrations",
        type=Path,
        default=None,
        metavar="DIR",
        help="migrations folder (default: the bundled agent-world chain)",
    )
