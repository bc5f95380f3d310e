"""The developer commands' arguments: down, verify's drift (in parser.py), accept, history,
baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli import verbs_dev
from engine.cli.parser import Handler, Options, _folder_name, _migrations_option, _wait_option


def _down_options(down: argparse.ArgumentParser) -> None:
    down.add_argument("path", type=Path, help="the database file")
    _migrations_option(down)
    down.add_argument("--to", type=int, required=True, metavar="N",
                      help="roll back to version N (-1: before the first migration)")
    down.add_argument("--dry-run", action="store_true",
                      help="show every statement and what would be dropped; write nothing")
    down.add_argument("--allow-data-loss", action="store_true",
                      help="drop tables and columns that hold data, and move rows that cannot "
                      "stay to <table>_unplaced (the backup keeps everything)")
    where = down.add_mutually_exclusive_group()
    where.add_argument("--backup-dir", type=_folder_name, default=None,
                       help="folder for the backup (a missing last level is created)")
    where.add_argument("--no-backup", action="store_true", help="do not back up first")
    _wait_option(down)
    down.add_argument("--json", action="store_true", help="print JSON Lines events")


def _accept_options(accept: argparse.ArgumentParser) -> None:
    accept.add_argument("path", type=Path, help="the database file")
    accept.add_argument("version", type=int, help="the applied migration whose file changed")
    _migrations_option(accept)
    accept.add_argument("--reason", required=True, metavar="TEXT",
                        help="why the change is accepted (kept in the audit table)")
    _wait_option(accept)
    accept.add_argument("--json", action="store_true", help="print one JSON `done` event")


def _history_options(history: argparse.ArgumentParser) -> None:
    history.add_argument("path", type=Path, help="the database file")
    _migrations_option(history)
    history.add_argument("--json", action="store_true", help="print one JSON `done` event")


def _baseline_options(baseline: argparse.ArgumentParser) -> None:
    baseline.add_argument("path", type=Path, help="the database file")
    _migrations_option(baseline)
    baseline.add_argument("--version", type=int, required=True, metavar="N",
                          help="record migrations 0…N as adopted")
    baseline.add_argument("--force", action="store_true",
                          help="record them even when effects are missing (the differences "
                          "are kept in the audit table)")
    baseline.add_argument("--no-backup", action="store_true", help="do not back up first")
    _wait_option(baseline)
    baseline.add_argument("--json", action="store_true", help="print one JSON `done` event")


DEVELOPER_VERBS: dict[str, tuple[Handler, Options]] = {
    "down": (verbs_dev.cmd_down, _down_options),
    "accept": (verbs_dev.cmd_accept, _accept_options),
    "history": (verbs_dev.cmd_history, _history_options),
    "baseline": (verbs_dev.cmd_baseline, _baseline_options),
}
