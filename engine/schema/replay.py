"""The expected schema of a version: its migrations replayed on an empty in-memory database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence

from engine.core.authorizer import guard_connection
from engine.schema.model import Snapshot
from engine.schema.snapshot import snapshot
from engine.scripts.attach import UnreadableAttach, in_memory
from engine.scripts.sqltext import first_keywords

# Statements that change data only (a CTE always leads one of them) or maintain the file.
_NOT_SCHEMA = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "VALUES", "WITH"}
    | {"VACUUM", "ANALYZE", "REINDEX", "EXPLAIN"}
)


def replay(
    steps: Iterable[tuple[Sequence[str], bool]], *, progress: Callable[[], int] | None = None
) -> Snapshot:
    """Build the expected schema by running migration steps on a fresh in-memory database.

    Each step is (statements, foreign_keys_off). Only statements that can change the schema run:
    data statements would cost the time of the real migration for nothing (the database is
    empty), and VACUUM cannot run in the replay's transaction. An ATTACH (or VACUUM INTO) gets
    an in-memory database under the same name, and an authorizer makes sure that no statement
    ever reaches a file. sqlite3.Error propagates unchanged (a non-zero `progress()`, e.g. a
    cancel token's, stops it with SQLITE_INTERRUPT).
    """
    conn = sqlite3.connect(":memory:", isolation_level=None)
    guard_connection(conn, allowed=False)
    if progress is not None:
        conn.set_progress_handler(progress, 20_000)
    try:
        for statements, foreign_keys_off in steps:
            # PRAGMA foreign_keys is a no-op inside a transaction, so it is set before BEGIN.
            conn.execute(f"PRAGMA foreign_keys = {'OFF' if foreign_keys_off else 'ON'}")
            conn.execute("BEGIN")
            try:
                for statement in statements:
                    if set(first_keywords(statement, 1)) & _NOT_SCHEMA:
                        continue
                    try:
                        redirected = in_memory(statement)
                    except UnreadableAttach as exc:
                        raise sqlite3.OperationalError(str(exc)) from exc
                    conn.execute(redirected or statement)
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            conn.execute("COMMIT")
        return snapshot(conn)
    finally:
        conn.close()
