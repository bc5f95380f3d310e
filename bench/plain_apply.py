"""Baseline for bench_core.py: apply the bundled migrations with nothing but sqlite3.

    python bench/plain_apply.py FILE [--migrations DIR]

What a careful hand-written runner does and no more: for each NNNN_*.sql file in order, split it
into statements with sqlite3.complete_statement, BEGIN IMMEDIATE, execute each statement, insert
a schema_migrations row, set user_version, COMMIT. A file whose leading comments say
`-- foreign-keys: off` runs with PRAGMA foreign_keys=OFF (set outside the transaction) and ON
again afterwards. No backup, no preflight, no checks, no schema comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sqlite3
import time
from pathlib import Path

DEFAULT_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
FILE_RE = re.compile(r"^(\d{4})_(.+)\.sql$")
CREATE_HISTORY = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  version INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
    "  checksum TEXT,\n"
    "  duration_ms INTEGER,\n"
    "  method TEXT\n"
    ")"
)


def split_statements(text: str) -> list[str]:
    """Cut after every ';' that completes a statement (SQLite's own tokenizer decides)."""
    out: list[str] = []
    start = 0
    pos = text.find(";")
    while pos != -1:
        chunk = text[start : pos + 1]
        if sqlite3.complete_statement(chunk):
            out.append(chunk)
            start = pos + 1
        pos = text.find(";", pos + 1)
    return out


def foreign_keys_off(text: str) -> bool:
    """True when a leading comment line says `-- foreign-keys: off`."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            return False
        if stripped[2:].strip().lower().replace(" ", "") == "foreign-keys:off":
            return True
    return False


def apply_all(path: str, migrations: Path) -> int:
    files = sorted(p for p in migrations.iterdir() if FILE_RE.match(p.name))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(CREATE_HISTORY)
        for file in files:
            m = FILE_RE.match(file.name)
            assert m is not None
            version, name = int(m.group(1)), m.group(2)
            # The up part only: the down part (after `-- migrate:down`) rolls it back.
            text = file.read_text(encoding="utf-8").split("-- migrate:down")[0]
            fk_off = foreign_keys_off(text)
            if fk_off:
                conn.execute("PRAGMA foreign_keys=OFF")
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            try:
                for stmt in split_statements(text):
                    conn.execute(stmt)
                ms = int((time.perf_counter() - started) * 1000)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, duration_ms, method)"
                    " VALUES (?, ?, ?, ?, 'migrate')",
                    (version, name, "sha256:" + hashlib.sha256(text.encode()).hexdigest(), ms),
                )
                conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                if fk_off:
                    conn.execute("PRAGMA foreign_keys=ON")
        return len(files)
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--migrations", type=Path, default=DEFAULT_MIGRATIONS)
    args = parser.parse_args()
    count = apply_all(args.path, args.migrations)
    print(f"applied {count} migrations to {args.path}")


if __name__ == "__main__":
    main()
