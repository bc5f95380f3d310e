"""The tables sqlmig keeps in a user's file (SPEC §7.12), defined once.

`schema_migrations` is the app's own history table (`version`, `name`, `applied_at`) with
sqlmig's nullable columns added; `sqlmig_log` is sqlmig's audit table. Both are bookkeeping:
they never make a file foreign or app-made and are left out of schema comparisons.
"""

from __future__ import annotations

HISTORY_TABLE = "schema_migrations"
AUDIT_TABLE = "sqlmig_log"
# Other tools' history tables (SPEC §7.19), read and written in their own shapes.
GOOSE_TABLE = "goose_db_version"
SQLX_TABLE = "_sqlx_migrations"
FLYWAY_TABLE = "flyway_schema_history"
BOOKKEEPING_TABLES = frozenset({HISTORY_TABLE, AUDIT_TABLE, GOOSE_TABLE, SQLX_TABLE, FLYWAY_TABLE})

# (name, declaration): the app's three columns, then sqlmig's nullable ones.
HISTORY_COLUMNS = (
    ("version", "INTEGER PRIMARY KEY"),
    ("name", "TEXT NOT NULL"),
    ("applied_at", "TIMESTAMP DEFAULT CURRENT_TIMESTAMP"),
    ("checksum", "TEXT"),
    ("duration_ms", "INTEGER"),
    ("method", "TEXT"),
)
EXTRA_COLUMNS = HISTORY_COLUMNS[3:]  # added with ALTER TABLE to an app-made table
AUDIT_COLUMNS = (
    ("id", "INTEGER PRIMARY KEY"),
    ("at", "TIMESTAMP DEFAULT CURRENT_TIMESTAMP"),
    ("kind", "TEXT NOT NULL"),
    ("name", "TEXT NOT NULL"),
    ("checksum", "TEXT"),
    ("detail", "TEXT"),
)
# Added with ALTER TABLE to an older `sqlmig_log` (its rows are kept): the facts of one step, so
# history, drift diffs and down parts can be answered from the file alone, in any convention.
AUDIT_STEP_COLUMNS = (
    ("version", "TEXT"),
    ("version_label", "TEXT"),
    ("method", "TEXT"),
    ("duration_ms", "INTEGER"),
    ("tool_version", "TEXT"),
    ("run_by", "TEXT"),
    ("sql", "TEXT"),
)


def is_bookkeeping(table: str) -> bool:
    return table in BOOKKEEPING_TABLES
