"""Builders of agent-world files in every legacy and tracked-era state, written from the facts in
/work/shared/agent-world-schema.md (never from the fixture files). See README.md."""

from builders.data import EMPTY, DataSpec
from builders.legacy import FAILABLE, ExtraTable, LegacyFile, build_legacy
from builders.states import (
    build_app_opened,
    build_archived_backup_leftover,
    build_camel_queue,
    build_memory_backup_leftover,
    build_pr82,
    build_runner_leftover,
    build_tracked,
)

__all__ = [
    "EMPTY",
    "FAILABLE",
    "DataSpec",
    "ExtraTable",
    "LegacyFile",
    "build_app_opened",
    "build_archived_backup_leftover",
    "build_camel_queue",
    "build_legacy",
    "build_memory_backup_leftover",
    "build_pr82",
    "build_runner_leftover",
    "build_tracked",
]
