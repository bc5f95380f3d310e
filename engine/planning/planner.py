"""The plan: every step and every statement of an upgrade, computed before anything is written.

A plan is immutable. The runner executes exactly its statements; the dry-run and the GUI preview
show exactly them. Planning opens no connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.errors import Problem, Refused, UsageError
from engine.core.planned import PlannedStep
from engine.core.verdicts import (
    APPLIED_STATUSES,
    UPGRADABLE_STATES,
    HistoryStatus,
    Method,
    Mode,
    ProblemCode,
    State,
    StepKind,
)
from engine.planning.clashes import refuse_clashes
from engine.scripts.catalog import Catalog, Migration, RepairScript
from engine.scripts.sqltext import Statement
from engine.state.inspection import Inspection


@dataclass(frozen=True)
class Step:
    kind: StepKind
    version: int | None
    name: str
    source: str  # file name, for messages
    method: Method  # what the step is expected to do (the history row's `method`)
    checksum: str | None
    statements: tuple[Statement, ...]
    transaction: bool = True
    foreign_keys_off: bool = False
    when: str | None = None
    # The legacy bridge: decide statement by statement what the file already has.
    bridge: bool = False
    recorded: bool = False  # the history already has this version (the app wrote the row)
    present: str | None = None  # query: true when the whole effect is already there
    reason: str | None = None  # repairs: a sentence for people
    moves: tuple[tuple[str, tuple[str, ...]], ...] = ()  # row moves the ledger allows
    forget: tuple[tuple[int, str], ...] = ()  # "unrecord" steps: (version, name) rows to move
    attach: bool = False  # `attach: allow`: its statements may attach another database file

    @classmethod
    def from_migration(
        cls,
        migration: Migration,
        *,
        method: Method = Method.EXECUTED,
        bridge: bool = False,
        recorded: bool = False,
    ) -> Step:
        return cls(
            kind=StepKind.MIGRATE,
            version=migration.version,
            name=migration.name,
            source=migration.filename,
            method=method,
            checksum=migration.checksum,
            statements=migration.up,
            transaction=migration.directives.transaction,
            foreign_keys_off=migration.directives.foreign_keys_off,
            when=migration.directives.when,
            bridge=bridge,
            recorded=recorded,
            present=migration.directives.present,
            moves=migration.directives.moves,
            attach=migration.directives.attach,
        )

    @classmethod
    def from_repair(cls, repair: RepairScript, *, due: bool = True) -> Step:
        """`due`: its condition holds on the file as inspected (the run asks again when the
        step is reached, on the file as the earlier steps left it)."""
        d = repair.directives
        return cls(
            kind=StepKind.REPAIR,
            version=None,
            name=repair.name,
            source=f"repairs/{repair.path.name}",
            method=Method.REPAIRED if due else Method.SKIPPED,
            checksum=repair.checksum,
            statements=repair.statements,
            foreign_keys_off=d.foreign_keys_off,
            when=d.when,
            bridge=True,
            reason=d.reason,
            moves=d.moves,
            attach=d.attach,
        )

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}" if self.version is not None else self.name

    def describe(self) -> PlannedStep:
        return PlannedStep(
            version=self.version,
            name=self.name,
            kind=self.kind,
            method=self.method,
            statements=tuple((s.line, s.sql) for s in self.statements),
            transaction=self.transaction,
            foreign_keys_off=self.foreign_keys_off,
            when=self.when,
            bridge=self.bridge,
            recorded=self.recorded,
            reason=self.reason,
        )


@dataclass(frozen=True)
class Plan:
    path_state: str
    from_version: int | None
    to_version: int | None
    mode: str
    steps: tuple[Step, ...]
    expected_applied: frozenset[int]  # the applied set the plan was computed from (compare-and-set)
    bridge: bool = False  # a legacy bridge: every migration, checked against the file's shape

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def foreign_keys_off(self) -> bool:
        return any(step.foreign_keys_off for step in self.steps)

    def segments(self) -> tuple[tuple[Step, ...], ...]:
        """Groups of steps that share one transaction.

        Stepwise: one step each. Atomic: the whole plan, split around steps that must run outside
        a transaction (each of those is its own segment).
        """
        if self.mode == Mode.STEPWISE:
            return tuple((step,) for step in self.steps)
        out: list[tuple[Step, ...]] = []
        current: list[Step] = []
        for step in self.steps:
            if step.transaction:
                current.append(step)
                continue
            if current:
                out.append(tuple(current))
                current = []
            out.append((step,))
        if current:
            out.append(tuple(current))
        return tuple(out)


def plan_upgrade(
    inspection: Inspection,
    catalog: Catalog,
    *,
    target: int | None = None,
    mode: str = Mode.ATOMIC,
    accept_diverged: bool = False,
) -> Plan:
    """Steps from the file's position to `target` (default: the newest migration)."""
    if mode not in tuple(Mode):
        raise UsageError(f"Unknown mode '{mode}'.", hint="Use --mode atomic or --mode stepwise.")
    _refuse_unplannable(inspection, catalog, accept_diverged=accept_diverged)
    head = catalog.head_version
    to_version = head if target is None else target
    if target is not None:
        if catalog.get(target) is None:
            raise UsageError(
                f"There is no migration {target} in {catalog.folder}.",
                hint=f"Pick a version between 0 and {head}.",
            )
        current = inspection.current_version
        if current is not None and target < current:
            raise UsageError(
                f"The file is already at v{current}; upgrade cannot go down to v{target}.",
                hint=f"Use 'sqlmig down PATH --to {target}' (the down parts), or a backup, to "
                "go back.",
            )
    applied = frozenset(
        a.version for a in inspection.applied if a.status in APPLIED_STATUSES
    )
    if inspection.state == State.LEGACY or inspection.needs_repair:
        plan = _bridge_plan(inspection, catalog, applied, to_version, mode)
        refuse_clashes(inspection, plan.steps)
        return plan
    steps = tuple(
        Step.from_migration(m)
        for m in catalog.migrations
        if m.version not in applied and (to_version is None or m.version <= to_version)
    )
    refuse_clashes(inspection, steps)
    return Plan(
        path_state=inspection.state,
        from_version=inspection.current_version,
        to_version=to_version
        if steps or inspection.current_version is None
        else max(to_version or 0, inspection.current_version),
        mode=mode,
        steps=steps,
        expected_applied=applied,
    )


def _bridge_plan(
    inspection: Inspection,
    catalog: Catalog,
    applied: frozenset[int],
    to_version: int | None,
    mode: str,
) -> Plan:
    """Every migration up to the target, checked against the file's shape, with the repairs.

    Diverged history rows (same number, another name) are moved to the audit table first, so
    this tool's migration of that number can run and be recorded.
    """
    steps: list[Step] = []
    diverged = tuple(
        (a.version, a.name) for a in inspection.applied if a.status == HistoryStatus.RENAMED
    )
    if diverged:
        steps.append(
            Step(
                kind=StepKind.UNRECORD,
                version=None,
                name="move_diverged_history",
                source="schema_migrations",
                method=Method.REPAIRED,
                checksum=None,
                statements=(),
                forget=diverged,
            )
        )
    repairs: dict[int, list[RepairScript]] = {}
    for repair in catalog.repairs:
        if repair.directives.before is not None:
            repairs.setdefault(repair.directives.before, []).append(repair)
    missing = set(inspection.legacy.missing) if inspection.legacy is not None else set()
    due = set(inspection.legacy.repairs) if inspection.legacy is not None else set()
    for migration in catalog.migrations:
        if to_version is not None and migration.version > to_version:
            break
        for repair in sorted(repairs.get(migration.version, []), key=lambda r: r.name):
            steps.append(Step.from_repair(repair, due=repair.name in due))
        recorded = migration.version in applied
        method = _expected_method(present=migration.version not in missing, recorded=recorded)
        steps.append(Step.from_migration(migration, method=method, bridge=True, recorded=recorded))
    return Plan(
        path_state=inspection.state,
        from_version=inspection.current_version,
        to_version=to_version,
        mode=mode,
        steps=tuple(steps),
        expected_applied=applied,
        bridge=True,
    )


def _expected_method(*, present: bool, recorded: bool) -> Method:
    """What a bridge step is expected to do, from the diagnosis (the run decides again, step by
    step, on the file as the earlier steps left it)."""
    if recorded:
        return Method.KEPT if present else Method.REPAIRED
    return Method.ADOPTED if present else Method.EXECUTED


def _refuse_unplannable(
    inspection: Inspection, catalog: Catalog, *, accept_diverged: bool = False
) -> None:
    state = inspection.state
    if state in (State.DAMAGED, State.INTERRUPTED):
        problem = inspection.problems[0]
        raise Refused(_unchanged(problem.message), hint=problem.hint, code=problem.code)
    if not catalog.ok:
        first, *others = [
            Problem(p.code, p.message, p.hint, p.file, p.line, p.kind) for p in catalog.problems
        ]
        more = f" (and {len(others)} more problem(s))" if others else ""
        raise Refused(
            f"The migrations folder has problems: {first.message}{more} Nothing was changed.",
            hint=first.hint or "Fix the migration files; `sqlmig status` lists every problem.",
            code="bad_catalog",
            file=first.file,
            line=first.line,
            kind=first.kind,
            more=tuple(others),
        )
    if not catalog.migrations:
        raise Refused(
            f"The migrations folder {catalog.folder} has no migration files; there is nothing "
            "to upgrade to. Nothing was changed.",
            hint="Check the --migrations folder: it should hold NNNN_name.sql files.",
            code="bad_catalog",
            kind="no_migrations",
        )
    unusable = [p for p in inspection.problems if p.code == ProblemCode.BAD_HISTORY]
    if unusable:
        raise Refused(
            f"{unusable[0].message} Upgrade refused; nothing was changed.",
            hint="Repair or remove the schema_migrations table with a SQLite tool first, or ask "
            "a developer.",
            code="bad_history",
        )
    dirty = [p for p in inspection.problems if p.code == ProblemCode.DIRTY]
    if dirty:
        raise Refused(f"{dirty[0].message} Upgrade refused; nothing was changed.",
                      hint=dirty[0].hint, code="dirty")
    if state == State.AHEAD:
        raise Refused(
            f"{inspection.diagnosis} Upgrade refused; nothing was changed.",
            hint="Open the file with the newer application, or update sqlmig.",
            code="ahead",
        )
    if state == State.FOREIGN:
        raise Refused(
            f"{inspection.diagnosis} Upgrade refused; nothing was changed.",
            hint="Check that you opened the right file.",
            code="foreign",
        )
    if state == State.LEGACY:
        diverged = [p for p in inspection.problems if p.code == ProblemCode.DIVERGED]
        if diverged and not accept_diverged:
            raise Refused(
                f"{diverged[0].message} Upgrade refused; nothing was changed.",
                hint=diverged[0].hint,
                code="diverged",
            )
    if state not in UPGRADABLE_STATES:  # pragma: no cover - every state is handled above
        raise Refused(f"Cannot upgrade a file in state {state}.", code="refused")


def _unchanged(message: str) -> str:
    suffix = "Nothing was changed."
    return message if message.endswith(suffix) else f"{message} {suffix}"
