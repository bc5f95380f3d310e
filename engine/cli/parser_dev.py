"""The developer commands' arguments: down, verify's drift (in parser.py), accept, history,
baseline."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from engine.cli import verbs_dev
from engine.cli.parser import _folder_name, _migrations_option, _wait_option

Command = Callable[[str, Callable[[argparse.Namespace, TextIO], int]], Any]


def add_developer_commands(command: Command) -> None:
    down = command("down", verbs_dev.cmd_down)
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
