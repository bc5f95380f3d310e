"""sqlmig's engine: plain-SQL migrations for SQLite files, safe by default.

Import from here (or `engine.api`); every other module is internal. Names are loaded on first use,
so a quick command such as `sqlmig status` does not pay for the runner, the schema comparison or
the backup code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "CancelToken": "engine.cancel",
    "VerifyReport": "engine.verifying",
    "backup": "engine.api",
    "bundled_migrations": "engine.api",
    "catalog_problems": "engine.api",
    "file_version": "engine.api",
    "inspect_file": "engine.api",
    "load_catalog": "engine.api",
    "plan": "engine.api",
    "recover": "engine.api",
    "restore": "engine.api",
    "upgrade": "engine.api",
    "verify": "engine.api",
    "Catalog": "engine.catalog",
    "Migration": "engine.catalog",
    "Cancelled": "engine.errors",
    "EngineError": "engine.errors",
    "InternalError": "engine.errors",
    "Problem": "engine.errors",
    "Refused": "engine.errors",
    "RunFailed": "engine.errors",
    "UsageError": "engine.errors",
    "BackupEvent": "engine.events",
    "DoneEvent": "engine.events",
    "Event": "engine.events",
    "HeartbeatEvent": "engine.events",
    "PlanEvent": "engine.events",
    "StatementEvent": "engine.events",
    "StepEndEvent": "engine.events",
    "StepStartEvent": "engine.events",
    "VerifyEvent": "engine.events",
    "Expectation": "engine.expectation",
    "STATES": "engine.inspect",
    "Inspection": "engine.inspect",
    "Plan": "engine.planner",
    "Step": "engine.planner",
    "RunCheck": "engine.runchecks",
    "RecoverResult": "engine.recovery",
    "UpgradeResult": "engine.upgrader",
    "describe_event": "engine.upgrader",
}

__all__ = [
    "STATES",
    "BackupEvent",
    "CancelToken",
    "Cancelled",
    "Catalog",
    "DoneEvent",
    "EngineError",
    "Event",
    "Expectation",
    "HeartbeatEvent",
    "Inspection",
    "InternalError",
    "Migration",
    "Plan",
    "PlanEvent",
    "Problem",
    "RecoverResult",
    "Refused",
    "RunCheck",
    "RunFailed",
    "StatementEvent",
    "Step",
    "StepEndEvent",
    "StepStartEvent",
    "UpgradeResult",
    "UsageError",
    "VerifyEvent",
    "VerifyReport",
    "backup",
    "bundled_migrations",
    "catalog_problems",
    "describe_event",
    "file_version",
    "inspect_file",
    "load_catalog",
    "plan",
    "recover",
    "restore",
    "upgrade",
    "verify",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)


if TYPE_CHECKING:
    from engine.api import (
        backup,
        bundled_migrations,
        catalog_problems,
        file_version,
        inspect_file,
        load_catalog,
        plan,
        recover,
        restore,
        upgrade,
        verify,
    )
    from engine.cancel import CancelToken
    from engine.catalog import Catalog, Migration
    from engine.errors import (
        Cancelled,
        EngineError,
        InternalError,
        Problem,
        Refused,
        RunFailed,
        UsageError,
    )
    from engine.events import (
        BackupEvent,
        DoneEvent,
        Event,
        HeartbeatEvent,
        PlanEvent,
        StatementEvent,
        StepEndEvent,
        StepStartEvent,
        VerifyEvent,
    )
    from engine.expectation import Expectation
    from engine.inspect import STATES, Inspection
    from engine.planner import Plan, Step
    from engine.recovery import RecoverResult
    from engine.runchecks import RunCheck
    from engine.upgrader import UpgradeResult, describe_event
    from engine.verifying import VerifyReport
