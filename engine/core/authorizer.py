"""The authorizer every connection that runs migration SQL carries: it denies attaching a real
file (ATTACH, or VACUUM INTO, which SQLite authorizes as an attach) unless the migration says
`-- attach: allow` (engine/scripts/attach.py reads the text), because no backup covers that file.
"""

from __future__ import annotations

import sqlite3

# SQLite attaches "" (a private temporary file) for a plain VACUUM; ":memory:" is no file either.
_NO_FILE = frozenset({"", ":memory:"})


class AttachGuard:
    """An authorizer that denies attaching a real file unless `allowed`; remembers the denial."""

    def __init__(self, *, allowed: bool) -> None:
        self.allowed = allowed
        self.denied: str | None = None  # the file (or "an expression") that was refused

    def __call__(
        self, action: int, arg1: str | None, _arg2: str | None, _db: str | None, _src: str | None
    ) -> int:
        if action != sqlite3.SQLITE_ATTACH or self.allowed or arg1 in _NO_FILE:
            return sqlite3.SQLITE_OK
        self.denied = arg1 if arg1 is not None else "a file named by an expression"
        return sqlite3.SQLITE_DENY

    def hint(self) -> str:
        return (
            f"The migration ATTACHes another database file ({self.denied}); sqlmig refuses that "
            "by default, because no backup covers that file. Add '-- attach: allow' to the "
            "comments at the top of the migration if that is intended."
        )


def guard_connection(conn: sqlite3.Connection, *, allowed: bool) -> AttachGuard:
    """Install the guard on `conn` and return it (DETACH only releases a name: always allowed)."""
    guard = AttachGuard(allowed=allowed)
    conn.set_authorizer(guard)
    return guard
