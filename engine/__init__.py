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
    "batch": "engine.api",
    "batch_files": "engine.api",
    "bundled_migrations": "engine.api",
    "catalog_problems": "engine.api",
    "convention_of": "engine.scripts.conventions.authoring",
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
    "diff": "engine.api_developer",
    "new_migration": "engine.api_developer",
    # what they take and return
    "Assessment": "engine.planning.assess",
    "BatchResult": "engine.runtime.batch",
    "FileOutcome": "engine.core.batchevents",
    "CancelToken": "engine.core.cancel",
    "Catalog": "engine.scripts.catalog",
    "FolderConvention": "engine.scripts.conventions.authoring",
    "Expectation": "engine.state.expectation",
    "Inspection": "engine.state.inspection",
    "Migration": "engine.scripts.catalog",
    "Plan": "engine.planning.planner",
    "PlannedStep": "engine.core.planned",
    "RecoverResult": "engine.runtime.recovery",
    "BackupInfo": "engine.runtime.shelf",
    "CompactResult": "engine.runtime.compacting",
    "Space": "engine.state.space",
    "RunCheck": "engine.runtime.runchecks",
    "Step": "engine.planning.planner",
    "UpgradeResult": "engine.runtime.result",
    "VerifyReport": "engine.runtime.verifying",
    "DiffReport": "engine.runtime.diffing",
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
    "BatchKind": "engine.core.verdicts",
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
    "FileStartEvent": "engine.core.batchevents",
    "FileProgressEvent": "engine.core.batchevents",
    "FileDoneEvent": "engine.core.batchevents",
    "BatchDoneEvent": "engine.core.batchevents",
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
    # the developer's views: schema inspector, data browser, read-only console
    "inspect_schema": "engine.state.schema_info",
    "count_rows": "engine.state.schema_info",
    "expected_version": "engine.state.schema_info",
    "SchemaReport": "engine.state.schema_info",
    "SchemaObject": "engine.state.schema_info",
    "open_browser": "engine.state.browse",
    "BrowseRequest": "engine.state.browse",
    "Browser": "engine.state.browse",
    "Page": "engine.state.browse",
    "PAGE_ROWS": "engine.state.browse",
    "open_console": "engine.state.console",
    "Console": "engine.state.console",
    "ConsoleResult": "engine.state.console",
    "parse_filter": "engine.state.rowfilter",
    "cell_text": "engine.render.cells",
    "full_text": "engine.render.cells",
    "column_facts": "engine.render.cells",
    "index_line": "engine.render.cells",
    "foreign_key_line": "engine.render.cells",
    "rows_message": "engine.render.cells",
    "plan_message": "engine.render.cells",
    "scanning_note": "engine.render.cells",
    # developer tools: rollback, drift, history, accept, baseline (issue 11)
    "down": "engine.api_developer",
    "history": "engine.api_developer",
    "accept": "engine.api_developer",
    "baseline": "engine.api_developer",
    "AcceptResult": "engine.runtime.accepting",
    "BaselineResult": "engine.runtime.baselining",
    "HistoryReport": "engine.state.timeline",
    "AuditEntry": "engine.state.auditlog",
    "Drifted": "engine.state.drift",
    "history_lines": "engine.render.devtools",
    "history_json": "engine.render.devtools",
    "log_line": "engine.render.devtools",
    "accept_lines": "engine.render.devtools",
    "accept_json": "engine.render.devtools",
    "baseline_lines": "engine.render.devtools",
    "baseline_json": "engine.render.devtools",
    "down_outcome": "engine.render.down",
    "diff_lines": "engine.render.diffs",
    "diff_events": "engine.render.diffs",
    "new_lines": "engine.render.diffs",
    "new_events": "engine.render.diffs",
    "BatchRow": "engine.render.batch",
    "batch_row": "engine.render.batch",
    "batch_inventory": "engine.render.batch",
    "batch_summary": "engine.render.batch",
    "batch_file_line": "engine.render.batch",
    "batch_result_text": "engine.render.batch",
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
    from engine.api import batch as batch
    from engine.api import batch_files as batch_files
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
    from engine.api_developer import accept as accept
    from engine.api_developer import baseline as baseline
    from engine.api_developer import diff as diff
    from engine.api_developer import down as down
    from engine.api_developer import history as history
    from engine.api_developer import new_migration as new_migration
    from engine.core.about import versions as versions
    from engine.core.batchevents import BatchDoneEvent as BatchDoneEvent
    from engine.core.batchevents import FileDoneEvent as FileDoneEvent
    from engine.core.batchevents import FileOutcome as FileOutcome
    from engine.core.batchevents import FileProgressEvent as FileProgressEvent
    from engine.core.batchevents import FileStartEvent as FileStartEvent
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
    from engine.core.events import PreflightEvent as PreflightEvent
    from engine.core.events import StatementEvent as StatementEvent
    from engine.core.events import StepEndEvent as StepEndEvent
    from engine.core.events import StepStartEvent as StepStartEvent
    from engine.core.events import VerifyEvent as VerifyEvent
    from engine.core.planned import PlannedStep as PlannedStep
    from engine.core.verdicts import STATES as STATES
    from engine.core.verdicts import BatchKind as BatchKind
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
    from engine.render.batch import BatchRow as BatchRow
    from engine.render.batch import batch_file_line as batch_file_line
    from engine.render.batch import batch_inventory as batch_inventory
    from engine.render.batch import batch_result_text as batch_result_text
    from engine.render.batch import batch_row as batch_row
    from engine.render.batch import batch_summary as batch_summary
    from engine.render.cells import cell_text as cell_text
    from engine.render.cells import column_facts as column_facts
    from engine.render.cells import foreign_key_line as foreign_key_line
    from engine.render.cells import full_text as full_text
    from engine.render.cells import index_line as index_line
    from engine.render.cells import plan_message as plan_message
    from engine.render.cells import rows_message as rows_message
    from engine.render.cells import scanning_note as scanning_note
    from engine.render.checks import verify_events as verify_events
    from engine.render.checks import verify_lines as verify_lines
    from engine.render.devtools import accept_json as accept_json
    from engine.render.devtools import accept_lines as accept_lines
    from engine.render.devtools import baseline_json as baseline_json
    from engine.render.devtools import baseline_lines as baseline_lines
    from engine.render.devtools import history_json as history_json
    from engine.render.devtools import history_lines as history_lines
    from engine.render.devtools import log_line as log_line
    from engine.render.diffs import diff_events as diff_events
    from engine.render.diffs import diff_lines as diff_lines
    from engine.render.diffs import new_events as new_events
    from engine.render.diffs import new_lines as new_lines
    from engine.render.down import down_outcome as down_outcome
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
    from engine.runtime.accepting import AcceptResult as AcceptResult
    from engine.runtime.baselining import BaselineResult as BaselineResult
    from engine.runtime.batch import BatchResult as BatchResult
    from engine.runtime.compacting import CompactResult as CompactResult
    from engine.runtime.diffing import DiffReport as DiffReport
    from engine.runtime.recovery import RecoverResult as RecoverResult
    from engine.runtime.result import UpgradeResult as UpgradeResult
    from engine.runtime.runchecks import RunCheck as RunCheck
    from engine.runtime.shelf import BackupInfo as BackupInfo
    from engine.runtime.verifying import VerifyReport as VerifyReport
    from engine.scripts.catalog import Catalog as Catalog
    from engine.scripts.catalog import Migration as Migration
    from engine.scripts.conventions.authoring import FolderConvention as FolderConvention
    from engine.scripts.conventions.authoring import convention_of as convention_of
    from engine.state.auditlog import AuditEntry as AuditEntry
    from engine.state.browse import PAGE_ROWS as PAGE_ROWS
    from engine.state.browse import Browser as Browser
    from engine.state.browse import BrowseRequest as BrowseRequest
    from engine.state.browse import Page as Page
    from engine.state.browse import open_browser as open_browser
    from engine.state.console import Console as Console
    from engine.state.console import ConsoleResult as ConsoleResult
    from engine.state.console import open_console as open_console
    from engine.state.drift import Drifted as Drifted
    from engine.state.expectation import Expectation as Expectation
    from engine.state.inspection import Inspection as Inspection
    from engine.state.rowfilter import parse_filter as parse_filter
    from engine.state.schema_info import SchemaObject as SchemaObject
    from engine.state.schema_info import SchemaReport as SchemaReport
    from engine.state.schema_info import count_rows as count_rows
    from engine.state.schema_info import expected_version as expected_version
    from engine.state.schema_info import inspect_schema as inspect_schema
    from engine.state.space import Space as Space
    from engine.state.timeline import HistoryReport as HistoryReport
