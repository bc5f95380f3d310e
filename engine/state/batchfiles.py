"""Which files a batch takes: the files named, and the database files in the folders named
(searched recursively). Reads names and at most 16 bytes of a file; opens no database.

Never inputs (SPEC §7.23): sqlmig's own backups (`*.sqlmig-backup*`, with their `.json` and
`.partial` files) and SQLite's side files (`-wal`, `-shm`, `-journal`), even when named.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

DEFAULT_EXTENSIONS = (".db", ".sqlite", ".sqlite3")
SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm", "-journal")
BACKUP_MARK = ".sqlmig-backup"


def never_an_input(path: Path) -> bool:
    name = path.name
    return BACKUP_MARK in name or name.endswith(SIDE_FILES)


def has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:  # unreadable: not taken from a folder (a file named is still tried)
        return False


def find_database_files(
    paths: Iterable[str | Path], extensions: Iterable[str] = DEFAULT_EXTENSIONS
) -> list[Path]:
    """The batch's files, each once, in a stable order: a file named is taken as it is (a
    missing one too: its run says so); a folder gives every file below it whose extension is
    one of `extensions` or whose first 16 bytes are SQLite's header."""
    wanted = tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions)
    found: list[Path] = []
    seen: set[Path] = set()

    def take(path: Path) -> None:
        key = path.resolve() if path.exists() else path.absolute()
        if key not in seen and not never_an_input(path):
            seen.add(key)
            found.append(path)

    for given in paths:
        path = Path(given).expanduser()
        if not path.is_dir():
            take(path)
            continue
        for folder, dirs, files in os.walk(path):  # symlinked folders are not followed
            dirs.sort()
            for name in sorted(files):
                candidate = Path(folder) / name
                if never_an_input(candidate) or not candidate.is_file():
                    continue
                if candidate.suffix.lower() in wanted or has_sqlite_header(candidate):
                    take(candidate)
    return found
