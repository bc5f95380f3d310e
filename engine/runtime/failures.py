"""What went wrong inside a run's transaction, as the error the user reads.

The runner raises what happened (a statement's SQLite error, a failed check, a cancel); here it
becomes one `EngineError` whose sentence names the migration, its line, SQLite's message and
where the file stands now ("the file is unchanged (still v3)").
"""

from __future__ import annotations

import sqlite3

from engine.core.cancel import interrupted
from engine.core.errors import Cancelled, EngineError, RunFailed, from_sqlite, sqlite_error_name
from engine.core.verdicts import ProblemCode, State
from engine.planning.planner import Step
from engine.scripts.sqltext import Statement

# A full disk, an I/O error or a lost lock is the environment, not the migration.
ENVIRONMENT_ERRORS = frozenset(
    {
        "SQLITE_FULL",
        "SQLITE_IOERR",
        "SQLITE_READONLY",
        "SQLITE_CANTOPEN",
        "SQLITE_NOMEM",
        "SQLITE_CORRUPT",
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_PERM",
    }
)


class StatementFailed(Exception):
    """A statement of a step (or its `when:`/`present:` query) failed in SQLite."""

    def __init__(self, step: Step, statement: Statement, error: sqlite3.Error) -> None:
        super().__init__(str(error))
        self.step = step
        self.statement = statement
        self.error = error


def check_failed(check: str, details: tuple[str, ...]) -> RunFailed:
    """A check before COMMIT found a problem (the caller rolls back)."""
    first = details[0] if details else "check failed"
    return RunFailed(
        f"The {check.replace('_', '-')} check failed before commit: {first}",
        hint="The transaction was rolled back. Send the report to a developer.",
        detail="\n".join(details),
        code="check_failed",
    )


def position(committed: int | None, started: int | None, state: str) -> str:
    """Where the file stands after a rollback: unchanged, or at the last committed step."""
    if committed is not None:
        label = f"v{committed}"
    elif state == State.LEGACY:
        label = "a legacy file"
    else:
        label = "empty"
    if committed == started:
        return f"the file is unchanged (still {label})"
    return f"the file is at {label}, the last step that completed"


def translate(exc: BaseException, where: str) -> BaseException:
    """The error to raise for `exc`, which rolled the transaction back; `where` is `position`."""
    if isinstance(exc, StatementFailed):
        sqlite_exc = exc.error
        if sqlite_error_name(sqlite_exc) == "SQLITE_INTERRUPT":  # not the token: still no bug
            return interrupted(sqlite_exc, state=f"{where}.")
        if sqlite_error_name(sqlite_exc) in ENVIRONMENT_ERRORS:
            return from_sqlite(sqlite_exc, state=f"Rolled back; {where}.", kind=RunFailed)
        return RunFailed(
            f"Migration {exc.step.source} failed at line {exc.statement.line}: "
            f"{sqlite_exc}. The step was rolled back; {where}.",
            hint="Fix the migration (or the data it trips on) and run the upgrade again.",
            detail=f"{getattr(sqlite_exc, 'sqlite_errorname', '')}: {sqlite_exc}\n"
            f"{exc.statement.sql}",
            code="migration_failed",
            file=exc.step.source,
            line=exc.statement.line,
        )
    if isinstance(exc, Cancelled):
        return Cancelled(f"Cancelled: {where}.", code="cancelled")
    if isinstance(exc, EngineError):
        if exc.code == ProblemCode.CHECK_FAILED:
            exc.message = f"{exc.message} Rolled back; {where}."
        return exc
    if isinstance(exc, sqlite3.Error):
        return from_sqlite(exc, state=f"Rolled back; {where}.", kind=RunFailed)
    return exc
