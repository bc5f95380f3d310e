"""sqlmig's engine: plain-SQL migrations for SQLite files, safe by default.

Import from here (or `engine.api`); every other module is internal.
"""

from engine.api import (
    CancelToken,
    VerifyReport,
    backup,
    bundled_migrations,
    catalog_problems,
    inspect_file,
    load_catalog,
    plan,
    restore,
    upgrade,
    verify,
)
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
from engine.inspect import STATES, Inspection
from engine.plan import Plan, Step
from engine.upgrade import UpgradeResult, describe_event

__all__ = [
    "STATES",
    "BackupEvent",
    "CancelToken",
    "Cancelled",
    "Catalog",
    "DoneEvent",
    "EngineError",
    "Event",
    "HeartbeatEvent",
    "Inspection",
    "InternalError",
    "Migration",
    "Plan",
    "PlanEvent",
    "Problem",
    "Refused",
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
    "inspect_file",
    "load_catalog",
    "plan",
    "restore",
    "upgrade",
    "verify",
]


def __dir__() -> list[str]:
    return list(__all__)
