"""How much of a database file is free pages (what a table rebuild leaves behind). Read-only."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from engine.core.connect import open_readonly, read_facts


@dataclass(frozen=True)
class Space:
    file_bytes: int  # the main file (a `-wal` beside it is not counted)
    free_bytes: int  # pages on SQLite's free list: VACUUM gives them back to the disk

    @property
    def free_share(self) -> float:
        return self.free_bytes / self.file_bytes if self.file_bytes else 0.0


def free_space(path: str | Path) -> Space:
    """The file's size and its free pages (refused like any read of a file that is not SQLite)."""
    facts = read_facts(Path(path))
    conn = open_readonly(facts)
    with contextlib.closing(conn):
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        free_pages = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    return Space(facts.size, free_pages * page_size)
