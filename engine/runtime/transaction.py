"""One short write transaction on a file (`accept`, `baseline`): `BEGIN IMMEDIATE` after the
wait for another writer, COMMIT when the body returns, ROLLBACK when it raises."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from engine.core.cancel import CancelToken, wait_for_lock
from engine.core.connect import open_readwrite
from engine.core.errors import from_sqlite


@contextlib.contextmanager
def write_transaction(path: Path, *, wait: float, cancel: CancelToken | None = None
                      ) -> Iterator[sqlite3.Connection]:
    conn = open_readwrite(path, wait_seconds=wait)
    try:
        try:
            wait_for_lock(conn, "BEGIN IMMEDIATE", wait=wait, cancel=cancel,
                          state="Nothing was changed.")
        except sqlite3.OperationalError as exc:
            raise from_sqlite(exc, state="Nothing was changed.") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
