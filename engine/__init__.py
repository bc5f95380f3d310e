"""sqlmig's engine: plain-SQL migrations for SQLite files, safe by default.

This is the public face, declared once: `PUBLIC` maps every public name to the module that
defines it, and `__all__` is its keys. Both faces (the `sqlmig` command and the window) import
only `engine`; every other module is internal. Names load on first use, so a quick command such
as `sqlmig status` does not pay for the runner, the schema comparison or the backup code.

The `TYPE_CHECKING` block below repeats the mapping for type checkers only;
tests/test_quality.py fails when the two disagree.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

PUBLIC: dict[str, str] = {
    # the user's actions (engine/api.py)
    "assess": "engine.api",
    "backup": "engine.api",
    "bundled_migrations": "engine.api",
    "catalog_problems": "engine.api",
    "compact": "engine.api",
    "delete_backups": "engine.api",
    "free_space": "engine.api",
    "list_backups": "engine.api",
    "versions": "engine.core.about",
    "file_version": "engine.api",
    "inspect_file": "engine.api",
    "load_catalog": "engine.api",
    "plan": "engine.api",
    "recover": "engine.api",
    "restore": "engine.api",
    "upgrade": "engine.api",
    "verify": "engine.api",
    # what they take and return
    "Assessment": "engine.planning.assess",
    "CancelToken": "engine.core.cancel",
    "Catalog": "engine.scripts.catalog",
    "Expectation": "engine.state.expectation",
    "Inspection": "engine.state.inspection",
    "Migration": "engine.scripts.catalog",
    "Plan": "engine.planning.planner",
    "PlannedStep": "engine.core.events",
    "RecoverResult": "engine.runtime.recovery",
    "BackupInfo": "engine.runtime.shelf",
    "CompactResult": "engine.runtime.compacting",
    "Space": "engine.state.space",
    "RunCheck": "engine.runtime.runchecks",
    "Step": "engine.planning.planner",
    "UpgradeResult": "engine.runtime.result",
    "VerifyReport": "engine.runtime.verifying",
    "Clock": "engine.core.events",
    "cancel_on_signals": "engine.core.cancel",
    "EXIT_OK": "engine.core.errors",
    "EXIT_USAGE": "engine.core.errors",
    # verdicts
    "STATES": "engine.core.verdicts",
    "Method": "engine.core.verdicts",
    "Mode": "engine.core.verdicts",
    "Outcome": "engine.core.verdicts",
    "Phase": "engine.core.verdicts",
    "ProblemCode": "engine.core.verdicts",
    "RunKind": "engine.core.verdicts",
    "State": "engine.core.verdicts",
    "StepKind": "engine.core.verdicts",
    # errors
    "Cancelled": "engine.core.errors",
    "EngineError": "engine.core.errors",
    "InternalError": "engine.core.errors",
    "Problem": "engine.core.errors",
    "Refused": "engine.core.errors",
    "RunFailed": "engine.core.errors",
    "UsageError": "engine.core.errors",
    # progress events
    "BackupEvent": "engine.core.events",
    "DoneEvent": "engine.core.events",
    "Event": "engine.core.events",
    "HeartbeatEvent": "engine.core.events",
    "PlanEvent": "engine.core.events",
    "StatementEvent": "engine.core.events",
    "StepEndEvent": "engine.core.events",
    "StepStartEvent": "engine.core.events",
    "PreflightEvent": "engine.core.events",
    "VerifyEvent": "engine.core.events",
    # words for both faces
    "Badge": "engine.render.words",
    "RunOutcome": "engine.render.run",
    "describe_event": "engine.render.events",
    "file_facts": "engine.render.words",
    "finding_lines": "engine.render.words",
    "run_outcome": "engine.render.run",
    "run_report": "engine.render.report",
    "run_report_json": "engine.render.report",
    "batch_report": "engine.render.report",
    "batch_report_json": "engine.render.report",
    "space_line": "engine.render.upkeep",
    "worth_compacting": "engine.render.upkeep",
    "compact_lines": "engine.render.upkeep",
    "compact_json": "engine.render.upkeep",
    "backup_row": "engine.render.upkeep",
    "backups_line": "engine.render.upkeep",
    "deleted_line": "engine.render.upkeep",
    "state_badge": "engine.render.words",
    "plan_summary": "engine.render.words",
    "step_sql": "engine.render.words",
    "step_status": "engine.render.words",
    "version_labels": "engine.render.words",
    "plan_lines": "engine.render.events",
    "preflight_line": "engine.render.events",
    "after_run_lines": "engine.render.run",
    "status_json": "engine.render.status",
    "status_lines": "engine.render.status",
    "error_json": "engine.render.status",
    "error_lines": "engine.render.status",
    "verify_events": "engine.render.checks",
    "verify_lines": "engine.render.checks",
    "backup_json": "engine.render.results",
    "backup_lines": "engine.render.results",
    "restore_json": "engine.render.results",
    "restore_lines": "engine.render.results",
    "recover_json": "engine.render.results",
    "recover_lines": "engine.render.results",
}

__all__ = sorted(PUBLIC)


def __getattr__(name: str) -> Any:
    module = PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)


if TYPE_CHECKING:  # the same names for type checkers (`X as X`: an explicit re-export)
    from engine.api import assess as assess
    from engine.api import backup as backup
    from engine.api import bundled_migrations as bundled_migrations
    from engine.api import catalog_problems as catalog_problems
    from engine.api import compact as compact
    from engine.api import delete_backups as delete_backups
    from engine.api import file_version as file_version
    from engine.api import free_space as free_space
    from engine.api import inspect_file as inspect_file
    from engine.api import list_backups as list_backups
    from engine.api import load_catalog as load_catalog
    from engine.api import plan as plan
    from engine.api import recover as recover
    from engine.api import restore as restore
    from engine.api import upgrade as upgrade
    from engine.api import verify as verify
    from engine.core.about import versions as versions
    from engine.core.cancel import CancelToken as CancelToken
    from engine.core.cancel import cancel_on_signals as cancel_on_signals
    from engine.core.errors import EXIT_OK as EXIT_OK
    from engine.core.errors import EXIT_USAGE as EXIT_USAGE
    from engine.core.errors import Cancelled as Cancelled
    from engine.core.errors import EngineError as EngineError
    from engine.core.errors import InternalError as InternalError
    from engine.core.errors import Problem as Problem
    from engine.core.errors import Refused as Refused
    from engine.core.errors import RunFailed as RunFailed
    from engine.core.errors import UsageError as UsageError
    from engine.core.events import BackupEvent as BackupEvent
    from engine.core.events import Clock as Clock
    from engine.core.events import DoneEvent as DoneEvent
    from engine.core.events import Event as Event
    from engine.core.events import HeartbeatEvent as HeartbeatEvent
    from engine.core.events import PlanEvent as PlanEvent
    from engine.core.events import PlannedStep as PlannedStep
    from engine.core.events import PreflightEvent as PreflightEvent
    from engine.core.events import StatementEvent as StatementEvent
    from engine.core.events import StepEndEvent as StepEndEvent
    from engine.core.events import StepStartEvent as StepStartEvent
    from engine.core.events import VerifyEvent as VerifyEvent
    from engine.core.verdicts import STATES as STATES
    from engine.core.verdicts import Method as Method
    from engine.core.verdicts import Mode as Mode
    from engine.core.verdicts import Outcome as Outcome
    from engine.core.verdicts import Phase as Phase
    from engine.core.verdicts import ProblemCode as ProblemCode
    from engine.core.verdicts import RunKind as RunKind
    from engine.core.verdicts import State as State
    from engine.core.verdicts import StepKind as StepKind
    from engine.planning.assess import Assessment as Assessment
    from engine.planning.planner import Plan as Plan
    from engine.planning.planner import Step as Step
    from engine.render.checks import verify_events as verify_events
    from engine.render.checks import verify_lines as verify_lines
    from engine.render.events import describe_event as describe_event
    from engine.render.events import plan_lines as plan_lines
    from engine.render.events import preflight_line as preflight_line
    from engine.render.report import batch_report as batch_report
    from engine.render.report import batch_report_json as batch_report_json
    from engine.render.report import run_report as run_report
    from engine.render.report import run_report_json as run_report_json
    from engine.render.results import backup_json as backup_json
    from engine.render.results import backup_lines as backup_lines
    from engine.render.results import recover_json as recover_json
    from engine.render.results import recover_lines as recover_lines
    from engine.render.results import restore_json as restore_json
    from engine.render.results import restore_lines as restore_lines
    from engine.render.run import RunOutcome as RunOutcome
    from engine.render.run import after_run_lines as after_run_lines
    from engine.render.run import run_outcome as run_outcome
    from engine.render.status import error_json as error_json
    from engine.render.status import error_lines as error_lines
    from engine.render.status import status_json as status_json
    from engine.render.status import status_lines as status_lines
    from engine.render.upkeep import backup_row as backup_row
    from engine.render.upkeep import backups_line as backups_line
    from engine.render.upkeep import compact_json as compact_json
    from engine.render.upkeep import compact_lines as compact_lines
    from engine.render.upkeep import deleted_line as deleted_line
    from engine.render.upkeep import space_line as space_line
    from engine.render.upkeep import worth_compacting as worth_compacting
    from engine.render.words import Badge as Badge
    from engine.render.words import file_facts as file_facts
    from engine.render.words import finding_lines as finding_lines
    from engine.render.words import plan_summary as plan_summary
    from engine.render.words import state_badge as state_badge
    from engine.render.words import step_sql as step_sql
    from engine.render.words import step_status as step_status
    from engine.render.words import version_labels as version_labels
    from engine.runtime.compacting import CompactResult as CompactResult
    from engine.runtime.recovery import RecoverResult as RecoverResult
    from engine.runtime.result import UpgradeResult as UpgradeResult
    from engine.runtime.runchecks import RunCheck as RunCheck
    from engine.runtime.shelf import BackupInfo as BackupInfo
    from engine.runtime.verifying import VerifyReport as VerifyReport
    from engine.scripts.catalog import Catalog as Catalog
    from engine.scripts.catalog import Migration as Migration
    from engine.state.expectation import Expectation as Expectation
    from engine.state.inspection import Inspection as Inspection
    from engine.state.space import Space as Space
