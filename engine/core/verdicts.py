"""The engine's verdicts as types: states, step kinds, methods, check outcomes, problem codes.

Each is a `StrEnum`, so a value is also its plain string: JSON carries it unchanged and
`State.TRACKED == "tracked"` holds, for code and tools that compare with strings (SPEC §7.7 never
renames a value). Small facts that several layers need are defined here once.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """What a file is (SPEC §7.2, §7.22), decided in the order of SPEC §7.2."""

    FRESH = "fresh"
    TRACKED = "tracked"
    LEGACY = "legacy"
    AHEAD = "ahead"
    FOREIGN = "foreign"
    DAMAGED = "damaged"
    INTERRUPTED = "interrupted"


STATES = tuple(State)
UPGRADABLE_STATES = frozenset({State.FRESH, State.TRACKED, State.LEGACY})


class StepKind(StrEnum):
    MIGRATE = "migrate"  # a numbered migration: run its SQL (a bridge: what the file lacks)
    REPAIR = "repair"  # an unnumbered repair script, recorded in the audit table
    UNRECORD = "unrecord"  # history rows of another branch moved to the audit table
    REVERT = "revert"  # a numbered migration's down part: run it, remove its history row


class Method(StrEnum):
    """What a step did (`step_end`) and what `schema_migrations.method` records."""

    EXECUTED = "executed"  # its statements ran
    ADOPTED = "adopted"  # its effect was already in the file: recorded, not run
    REPAIRED = "repaired"  # part of its effect was missing and was added
    KEPT = "kept"  # recorded by the app and complete: nothing to do
    SKIPPED = "skipped"  # a repair whose condition was false
    REVERTED = "reverted"  # its down part ran and its history row was removed


class Outcome(StrEnum):
    """The outcome of one check (preflight, run, report)."""

    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"

    @classmethod
    def of(cls, ok: bool | None) -> Outcome:
        """True: ok; None: a warning; False: failed."""
        return {True: cls.OK, None: cls.WARNING, False: cls.FAILED}[ok]


class Phase(StrEnum):
    BEFORE = "before"  # a check of the file as found: nothing was written yet
    AFTER = "after"  # a check of what the run wrote


class Mode(StrEnum):
    ATOMIC = "atomic"  # the whole plan in one transaction (split only around no-transaction steps)
    STEPWISE = "stepwise"  # one transaction per step


class HistoryStatus(StrEnum):
    """How a history row compares with the catalog (SPEC §7.8)."""

    OK = "ok"
    CHANGED = "changed"
    MISSING_FILE = "missing_file"
    UNVERIFIED = "unverified"
    RENAMED = "renamed"


# The statuses of a history row that count as "applied" (SPEC §7.1: the names match the catalog).
APPLIED_STATUSES = frozenset({HistoryStatus.OK, HistoryStatus.UNVERIFIED, HistoryStatus.CHANGED})


class RunKind(StrEnum):
    """How a run ended, as its report says it."""

    UPGRADED = "upgraded"  # migrations recorded or repairs made: the file changed
    UNCHANGED = "unchanged"  # nothing to do, a dry run, or refused before anything was written
    CANCELLED = "cancelled"
    FAILED = "failed"


class BatchKind(StrEnum):
    """How one file of a batch ended (SPEC §7.23), as its summary counts it."""

    UPGRADED = "upgraded"  # migrations recorded or repairs made
    CURRENT = "current"  # nothing to do: already at the newest version
    PLANNED = "planned"  # a dry run: an upgrade would run
    REFUSED = "refused"  # nothing written: the file cannot be upgraded (exit code 3)
    FAILED = "failed"  # a migration or a check failed, or the worker process died
    CANCELLED = "cancelled"  # stopped while it ran: rolled back
    NOT_STARTED = "not_started"  # the batch was cancelled before this file's turn


class ProblemCode(StrEnum):
    """Every problem code a `{code, message, hint}` can carry (SPEC §7.7: never renamed; add,
    never rename). tests/test_quality.py fails when the engine writes a code not listed here."""

    # the file and its environment
    MISSING = "missing"
    IS_DIRECTORY = "is_directory"
    NOT_SQLITE = "not_sqlite"
    CORRUPT = "corrupt"
    READ_ONLY = "read_only"
    LOCKED = "locked"
    NO_SPACE = "no_space"
    NO_MEMORY = "no_memory"
    IO_ERROR = "io_error"
    PATH_TOO_LONG = "path_too_long"
    INTERRUPTED = "interrupted"
    SQLITE_TOO_OLD = "sqlite_too_old"
    # what the file is
    AHEAD = "ahead"
    FOREIGN = "foreign"
    LEGACY = "legacy"
    DIVERGED = "diverged"
    NEEDS_BRIDGE = "needs_bridge"
    BAD_HISTORY = "bad_history"
    CHANGED = "changed"
    MISSING_FILE = "missing_file"
    USER_OBJECT = "user_object"
    NAME_CLASH = "name_clash"
    CHANGED_SINCE_INSPECTION = "changed_since_inspection"
    NO_CHANGE = "no_change"  # new --from-diff: the file has the head's schema
    NO_VERSION = "no_version"  # diff: a fresh or foreign file has no version to compare with
    DIRTY = "dirty"  # golang-migrate's dirty flag (or a failed sqlx/Flyway row): a run stopped
    # the migrations folder
    BAD_CATALOG = "bad_catalog"
    NO_MIGRATIONS = "no_migrations"
    # runs, backups and restores
    MIGRATION_FAILED = "migration_failed"
    CHECK_FAILED = "check_failed"
    CANCELLED = "cancelled"
    NO_DOWN = "no_down"  # a migration to roll back has no down part (or no file)
    DATA_LOSS = "data_loss"  # rolling back would drop data (allowed with --allow-data-loss)
    WORKER_CRASHED = "worker_crashed"  # a batch's worker process died while it had this file
    NOT_A_FOLDER = "not_a_folder"
    EXISTS = "exists"
    SAME_FILE = "same_file"
    NOT_A_BACKUP = "not_a_backup"
    EMPTY = "empty"  # a backup to restore from that has nothing in it
    # the developer's console
    WOULD_WRITE = "would_write"  # a console statement that would change the file: not run
    # the error classes' defaults
    USAGE = "usage"
    REFUSED = "refused"
    INTERNAL = "internal"
    ERROR = "error"


class CatalogProblemKind(StrEnum):
    """The `kind` that refines a `bad_catalog` problem (and a catalog problem's own code)."""

    BAD_NAME = "bad_name"
    UNREADABLE = "unreadable"
    NOT_UTF8 = "not_utf8"
    EMPTY = "empty"
    INCOMPLETE_STATEMENT = "incomplete_statement"
    BAD_DIRECTIVE = "bad_directive"
    UNKNOWN_DIRECTIVE = "unknown_directive"
    BAD_REPAIR = "bad_repair"
    DUPLICATE_VERSION = "duplicate_version"
    BAD_MARKER = "bad_marker"
    FOREIGN_MARKER = "foreign_marker"
    ATTACH_NOT_ALLOWED = "attach_not_allowed"
    NEEDS_NO_TRANSACTION = "needs_no_transaction"
    BAD_PROFILE = "bad_profile"
    BAD_CONVENTION = "bad_convention"  # a folder two conventions could own, or a mixed one
    NO_MIGRATIONS = "no_migrations"
