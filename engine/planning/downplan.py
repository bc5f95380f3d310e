"""The plan of a rollback (`sqlmig down PATH --to N`): the down parts of every applied migration
above N, newest first, with what each would drop. Planning opens no connection.

A down part may drop only what its own up part added (tables it created or renamed into place,
columns it added); a table the down part drops and makes again (a rebuild) is not dropped.
Whether what it drops holds data is the runtime's question (engine/state/dropped.py reads it).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.errors import Refused, UsageError
from engine.core.planned import PlannedStep
from engine.core.verdicts import APPLIED_STATUSES, Method, ProblemCode, State, StepKind
from engine.scripts.catalog import Catalog, Migration
from engine.scripts.sqltext import Statement, checksum
from engine.scripts.sqlwrites import tables_made, tokens
from engine.scripts.statements import dropped_tables
from engine.state.inspection import Inspection

Column = tuple[str, str]  # (table, column), lower-case
_STATE_CODES = frozenset(str(code) for code in ProblemCode)


@dataclass(frozen=True)
class DownStep:
    version: int
    name: str
    source: str  # file name, for messages
    checksum: str  # of the down part's statements (the audit row's checksum)
    statements: tuple[Statement, ...]
    foreign_keys_off: bool
    tables: tuple[str, ...]  # tables it drops for good
    columns: tuple[Column, ...]  # columns it drops

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"

    def describe(self) -> PlannedStep:
        return PlannedStep(
            version=self.version, name=self.name, kind=StepKind.REVERT, method=Method.REVERTED,
            statements=tuple((s.line, s.sql) for s in self.statements), transaction=True,
            foreign_keys_off=self.foreign_keys_off, when=None,
        )


@dataclass(frozen=True)
class DownPlan:
    from_version: int | None
    to_version: int | None  # None: before the first migration (an empty chain)
    steps: tuple[DownStep, ...]
    applied: frozenset[int]  # the applied set the plan was made from (compare-and-set)

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def foreign_keys_off(self) -> bool:
        return any(step.foreign_keys_off for step in self.steps)

    @property
    def remaining(self) -> frozenset[int]:
        return self.applied - {step.version for step in self.steps}


def plan_down(inspection: Inspection, catalog: Catalog, target: int) -> DownPlan:
    """The rollback of `inspection`'s file to `target` (-1: before the first migration)."""
    if inspection.state == State.FRESH:
        raise Refused("The file has no applied migrations: there is nothing to roll back.",
                      hint="Nothing to do.", code=ProblemCode.REFUSED)
    if inspection.state in (State.DAMAGED, State.INTERRUPTED) and inspection.problems:
        problem = inspection.problems[0]
        raise Refused(problem.message, hint=problem.hint, code=problem.code)
    if inspection.state != State.TRACKED:
        raise Refused(
            f"Only a tracked file can be rolled back; this one is {inspection.state}: "
            f"{inspection.diagnosis}",
            hint="Upgrade it first (sqlmig upgrade), or baseline a foreign file.",
            code=inspection.state if str(inspection.state) in _STATE_CODES else None,
        )
    current = inspection.current_version
    if target < -1 or (current is not None and target > current):
        raise UsageError(
            f"--to {target} is not below the file's version "
            f"({'none' if current is None else f'v{current}'}).",
            hint="Give a lower version to roll back to, or use 'sqlmig upgrade' to go up.",
        )
    applied = {a.version: a for a in inspection.applied if a.status in APPLIED_STATUSES}
    steps = []
    for version in sorted((v for v in applied if v > target), reverse=True):
        migration = catalog.get(version)
        if migration is None or migration.name != applied[version].name:
            raise Refused(
                f"Migration {version:04d} ({applied[version].name}) is applied but its file is "
                "not in the migrations folder, so it has no down part.",
                hint="Restore the file, or roll back no further than this version.",
                code=ProblemCode.NO_DOWN,
            )
        steps.append(_step(migration))
    return DownPlan(current, None if target < 0 else target, tuple(steps), frozenset(applied))


def _step(migration: Migration) -> DownStep:
    if not migration.down:
        raise Refused(
            f"{migration.filename} has no down part, so it cannot be rolled back.",
            hint="Add a '-- migrate:down' section with the SQL that undoes it, or roll back "
            "no further than this version.",
            code=ProblemCode.NO_DOWN,
        )
    down = [s.sql for s in migration.down]
    up = [s.sql for s in migration.up]
    made_back = tables_made(down)
    tables = tuple(t.lower() for t in dropped_tables(down) if t.lower() not in made_back)
    columns = tuple(c for sql in down if (c := column_change(sql, "DROP")) is not None)
    created = tables_made(up)
    added = {c for sql in up if (c := column_change(sql, "ADD")) is not None}
    for table in tables:
        if table not in created:
            raise _drops_foreign(migration, f"table {table}")
    for table, column in columns:
        if (table, column) not in added and table not in created:
            raise _drops_foreign(migration, f"column {table}.{column}")
    return DownStep(
        version=migration.version,
        name=migration.name,
        source=migration.filename,
        checksum=checksum("\n".join(down)),
        statements=migration.down,
        foreign_keys_off=migration.directives.foreign_keys_off,
        tables=tables,
        columns=columns,
    )


def _drops_foreign(migration: Migration, what: str) -> Refused:
    return Refused(
        f"The down part of {migration.filename} drops {what}, which its up part did not add.",
        hint="A down part may only remove what its own up part added; fix the down part.",
        code=ProblemCode.BAD_CATALOG,
    )


def column_change(sql: str, verb: str) -> Column | None:
    """`ALTER TABLE t ADD|DROP [COLUMN] c` -> (t, c), lower-case, for `verb` ADD or DROP."""
    toks = tokens(sql)
    if len(toks) < 5 or [t.word for t in toks[:2]] != ["ALTER", "TABLE"]:
        return None
    at = 2
    if at + 2 < len(toks) and toks[at + 1].text == ".":
        at += 2  # a schema-qualified table
    table = toks[at].name
    at += 1
    if at >= len(toks) or toks[at].word != verb:
        return None
    at += 1
    if at < len(toks) and toks[at].word == "COLUMN":
        at += 1
    if at >= len(toks) or not toks[at].name:
        return None
    return table, toks[at].name
