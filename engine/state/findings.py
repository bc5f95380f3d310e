"""Sentences for what inspection found that is not a version: an interrupted write, a read-only
place, a file that is not this app's (or a folder with nothing to compare it with).

Each sentence must be true of the file it describes, and stay one short line however many
tables the file has (`listing`).
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.core.errors import Problem
from engine.scripts.catalog import Catalog
from engine.scripts.statements import created_names

SHOWN = 5  # names listed in a sentence before "and N more"
INTERRUPTED = (
    "Interrupted: an earlier write was cut off and must be rolled back before the file can be "
    "read."
)
BASELINE_HINT = (
    "Check that you opened the right file; to manage it with these migrations anyway, baseline "
    "it at a chosen version (sqlmig baseline PATH --version N)."
)


def listing(names: list[str] | tuple[str, ...], shown: int = SHOWN) -> str:
    """"a, b, c" or "a, b, c, d, e and 12 more": a list that stays one short line."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def interrupted(path: Path) -> Problem:
    """A hot journal beside `path` (SPEC §7.22)."""
    return Problem(
        "interrupted",
        "An earlier write to this file was cut off (a crash or power loss left its -journal "
        "beside it); SQLite rolls the unfinished write back when the file is next opened for "
        "writing, and keeps every committed change.",
        f"Run `sqlmig recover {path}` (in the window: Recover) to roll it back now; an upgrade "
        "also does it first.",
    )


def read_only(path: Path, state: str) -> Problem | None:
    """A `read_only` problem when this process may not change the file where it is."""
    folder = path.resolve().parent
    if not os.access(folder, os.W_OK | os.X_OK):
        what = "The folder is read-only"
    elif not os.access(path, os.W_OK):
        what = "The file is read-only"
    else:
        return None
    verb = "recover" if state == "interrupted" else "upgrade"
    return Problem(
        "read_only",
        f"{what}: sqlmig can read the file here but cannot {verb} it.",
        "Copy the file (with any -wal or -journal beside it) to a folder you can write to, or "
        "fix the permissions.",
    )


def not_ours(tables: list[str], catalog: Catalog) -> tuple[str, Problem]:
    """The diagnosis and the problem of a `foreign` file, in words that are true of it."""
    count = f"{len(tables)} table(s)"
    profile = catalog.profile
    if profile is not None:
        app = profile.app_name
        article = "an" if app[:1].lower() in "aeiou" else "a"
        message = f"None of its tables ({listing(tables)}) were ever created by {app}."
        diagnosis = f"Not {article} {app} database: {count}, none of them the app's."
        return diagnosis, Problem("foreign", message, BASELINE_HINT)
    if not catalog.migrations:
        diagnosis = (
            f"Nothing to compare it with: the migrations folder {catalog.folder.name} has no "
            "migrations."
        )
        message = (
            f"The migrations folder {catalog.folder} has no migration files, so sqlmig cannot "
            f"tell what this file ({count}) is."
        )
        hint = "Check the --migrations folder: it should hold NNNN_name.sql files."
        return diagnosis, Problem("no_migrations", message, hint)
    created = created_tables(catalog)
    ours = [t for t in tables if t.lower() in created]
    if not ours:
        message = f"None of its tables ({listing(tables)}) is created by these migrations."
        diagnosis = f"Not a database of these migrations: {count}, none of them theirs."
        return diagnosis, Problem("foreign", message, BASELINE_HINT)
    message = (
        f"It has tables these migrations create ({listing(ours)}) but no history of them, and "
        "the folder has no profile.toml that says which tables are the app's, so sqlmig cannot "
        "tell which version it is at."
    )
    return f"Untracked: {count} and no history of these migrations.", Problem(
        "foreign", message, BASELINE_HINT
    )


def created_tables(catalog: Catalog) -> frozenset[str]:
    """Names (lower-case) of the tables the catalog's migrations create."""
    return created_names((s.sql for m in catalog.migrations for s in m.up), kind="table")


# -- the diagnosis of each state (engine/state/classify.py decides, these say it) ---------------


def empty(*, zero_bytes: bool, migrations: int) -> str:
    what = "Empty file (0 bytes)" if zero_bytes else "Empty database (no tables)"
    todo = f"all {migrations} migrations are pending" if migrations else "there is nothing to apply"
    return f"{what}: {todo}."


def ahead(newest: int, head: int) -> tuple[str, Problem]:
    problem = Problem(
        "ahead",
        f"This file was written by a newer version (v{newest}); "
        f"this tool knows migrations up to v{head}.",
        "Use the newer application or a newer sqlmig; do not downgrade the file.",
    )
    return f"Newer than this tool (v{newest}; this tool knows up to v{head}).", problem


def tracked(current: int, pending: list[int]) -> str:
    if not pending:
        return f"Up to date (v{current})."
    return f"Tracked at v{current}: {len(pending)} migration(s) pending ({span(pending)})."


def needs_repair(current: int, repairs: int) -> str:
    return f"Tracked at v{current}, but {repairs} repair(s) needed; the upgrade makes them."


def damaged(problem: Problem) -> str:
    return f"Damaged: {problem.message}"


def bad_history(garbage: int, truncated: bool, table: str = "schema_migrations") -> Problem:
    return Problem(
        "bad_history",
        f"The history table {table} is not usable: "
        + f"{garbage} row(s) or its key are not what the app writes"
        + (", and it has more rows than sqlmig reads" if truncated else "")
        + ".",
        f"Look at {table} with a SQLite browser before upgrading.",
    )


def dirty(table: str, convention: str) -> Problem:
    return Problem(
        "dirty",
        f"The history table {table} says an earlier {convention} run stopped half-way (it is "
        "marked dirty or failed), so the schema may be between two versions.",
        "Check the schema against the last migration, fix it by hand, then clear the mark the "
        f"way {convention} documents (golang-migrate: `migrate force VERSION`); sqlmig refuses "
        "to upgrade until then.",
    )


def changed_files(versions: list[int]) -> Problem:
    one = len(versions) == 1
    return Problem(
        "changed",
        ("The file of applied migration " if one else "The files of applied migrations ")
        + listing([f"v{v}" for v in versions])
        + (" changed since it was applied." if one else " changed since they were applied."),
        "Applied migrations should not be edited: put the old text back or write a new "
        "migration; `sqlmig verify` shows what changed, `sqlmig accept` records an intended "
        "change.",
    )


def missing_files(rows: list[tuple[int, str]]) -> Problem:
    return Problem(
        "missing_file",
        ("Applied migration " if len(rows) == 1 else "Applied migrations ")
        + listing([f"v{v} {name}" for v, name in rows])
        + (" has no file" if len(rows) == 1 else " have no file")
        + " in the migrations folder.",
        "Check that you use the right migrations folder.",
    )


def span(versions: list[int]) -> str:
    """"3-7" (with an en dash) for a run of versions, "3, 5" otherwise."""
    values = sorted(set(versions))
    if not values:
        return "none"
    # Counted, not listed: timestamp versions span billions of numbers.
    if values[-1] - values[0] + 1 == len(values):
        return f"{values[0]}–{values[-1]}" if len(values) > 1 else str(values[0])  # noqa: RUF001
    return ", ".join(str(v) for v in values)
