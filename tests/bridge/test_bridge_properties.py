"""Property tests: any legacy file the app could have left reaches head with every row.

Hypothesis draws the birth era, the code that upgraded it, a random subset of legacy steps that
failed while `user_version` was bumped anyway, a second start or not, the TypeScript fallback
tables, the user's own tables (random names, columns, rows), small row counts and unicode text.
Each example builds a real file in its own temporary folder and runs `check_reaches_head`.

The default run keeps to ~60 s in total; `-m slow` runs the same properties with many more
examples.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from builders import DataSpec, ExtraTable, build_app_opened, build_legacy, build_tracked, ddl
from builders.checks import check_reaches_head
from builders.legacy import COLUMN_BORN, COLUMN_STEPS, INDEX_STEPS, is_reserved
from builders.states import scratch_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Legacy code generations in the order they were written (§1.3).
CHRONOLOGY = ["F1", "F2", "F3", "F4", "F4-v3", "F7", "F8-v4", "F8", "F10", "F11"]
BLOCK_OF = {"chat_id": 2, "chat_llm_provider": 3, "chat_llm_model": 3, "current_chat_id": 4,
            "mcp_config": 5, "message_id": 6, "reply_to_message_id": 7}  # fmt: skip
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDENT = string.ascii_letters + string.digits + "_ äéß-\"'[]."
TYPES = ["TEXT", "INTEGER", "REAL", "BLOB", "", "NUMERIC", "VARCHAR(9)"]
UNICODE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)


def _value(decl: str) -> st.SearchStrategy[Any]:
    base: dict[str, st.SearchStrategy[Any]] = {
        "INTEGER": st.integers(-(2**63), 2**63 - 1),
        "REAL": st.floats(allow_nan=False),
        "BLOB": st.binary(max_size=12),
    }
    return st.none() | base.get(decl, UNICODE | st.integers(-1000, 1000))


@st.composite
def extra_tables(draw: st.DrawFn) -> list[ExtraTable]:
    count = draw(st.integers(0, 2))
    out: list[ExtraTable] = []
    taken: set[str] = set()
    for _ in range(count):
        name = draw(
            st.text(IDENT, min_size=1, max_size=12).filter(
                lambda n: not is_reserved(n) and n.lower() not in taken and n.strip() == n
            )
        )
        taken.add(name.lower())
        names = draw(
            st.lists(
                st.text(IDENT, min_size=1, max_size=8).filter(lambda n: n.strip() == n),
                min_size=1,
                max_size=4,
                unique_by=str.lower,
            )
        )
        decls = [draw(st.sampled_from(TYPES)) for _ in names]
        rows = draw(st.lists(st.tuples(*[_value(d) for d in decls]), max_size=4))
        out.append(ExtraTable(name, tuple(zip(names, decls, strict=True)), tuple(rows)))
    return out


@st.composite
def data_specs(draw: st.DrawFn) -> DataSpec:
    return DataSpec(
        worlds=draw(st.integers(0, 3)),
        default_world=draw(st.booleans()),
        chats=draw(st.integers(0, 3)),
        agents=draw(st.integers(0, 3)),
        memory_per_agent=draw(st.integers(0, 6)),
        archives=draw(st.integers(0, 2)),
        archived_per_archive=draw(st.integers(0, 3)),
        orphan_archived=draw(st.integers(0, 2)),
        archive_statistics=draw(st.integers(0, 3)),
        chat_snapshots=draw(st.integers(0, 2)),
        events=draw(st.integers(0, 3)),
        orphan_events=draw(st.integers(0, 1)),
        event_sequences=draw(st.integers(0, 2)),
        message_queue=draw(st.integers(0, 3)),
        texts=tuple(draw(st.lists(UNICODE, max_size=3))),
    )


def _failable(birth: str, era: str) -> list[str]:
    """Steps whose ALTER (or index) the opener `era` really runs on a file born in `birth`."""
    if era not in ddl.OPENERS:
        return []
    last_block = ddl.OPENERS[era][2]
    born = ddl.ERA_INDEX[ddl.ddl_era(birth)]
    steps = [
        c
        for c in COLUMN_STEPS
        if born < ddl.ERA_INDEX[COLUMN_BORN[c]] and BLOCK_OF[c] <= last_block
    ]
    steps += [i for i, c in INDEX_STEPS.items() if c in steps]
    return steps


@st.composite
def legacy_files(draw: st.DrawFn) -> dict[str, Any]:
    era = draw(st.sampled_from(CHRONOLOGY))
    older = CHRONOLOGY[: CHRONOLOGY.index(era)]
    upgraded_from = draw(st.none() | st.sampled_from(older)) if older else None
    failed: list[str] = []
    born_uv = None
    if upgraded_from is not None:
        failed = draw(st.lists(st.sampled_from(_failable(upgraded_from, era)), unique=True, max_size=3)
                      if _failable(upgraded_from, era) else st.just([]))  # fmt: skip
        if upgraded_from == "F1" and era in ddl.OPENERS:
            born_uv = draw(st.sampled_from([None, None, 0]))  # branch A: F1 tables at uv 0
    return {
        "era": era,
        "upgraded_from": upgraded_from,
        "failed": failed,
        "born_user_version": born_uv,
        "opened_again": draw(st.booleans()),
        "user_version": draw(st.sampled_from([None] * 6 + [0])),  # uv never set
        "fallback": draw(
            st.lists(st.sampled_from(["events", "event_sequences", "message_queue"]), unique=True)
        ),
        "extra_tables": draw(extra_tables()),
        "data": draw(data_specs()),
        "rng": draw(st.integers(0, 2**32 - 1)),
    }


def _reach_head_from_legacy(params: dict[str, Any]) -> None:
    with scratch_dir() as folder:
        record = build_legacy(Path(folder) / "legacy.db", **params)
        check_reaches_head(record.path, record.counts, scratch=Path(folder))


def _reach_head_after_app_runner(params: dict[str, Any], attempts: int) -> None:
    with scratch_dir() as folder:
        record = build_app_opened(Path(folder) / "opened.db", attempts=attempts, **params)
        check_reaches_head(record.path, record.counts, scratch=Path(folder))


DROPPABLE = [  # (table, column, version that added it)
    ("worlds", "chat_llm_model", 2), ("worlds", "current_chat_id", 3), ("worlds", "mcp_config", 4),
    ("agent_memory", "tool_call_id", 10), ("worlds", "variables", 13),
    ("agents", "auto_reply", 14), ("worlds", "heartbeat_prompt", 16),
    ("world_chats", "title_provenance", 17), ("agent_memory", "message_metadata", 18),
]  # fmt: skip


@st.composite
def tracked_files(draw: st.DrawFn) -> dict[str, Any]:
    version = draw(st.integers(7, 18))
    candidates = [(t, c) for t, c, v in DROPPABLE if v <= version]
    return {
        "version": version,
        "runner": draw(st.sampled_from(["sqlmig", "app"])),
        "drop_columns": draw(st.lists(st.sampled_from(candidates), unique=True, max_size=2)),
        "data": draw(data_specs()),
        "rng": draw(st.integers(0, 2**32 - 1)),
    }


def _reach_head_from_tracked(params: dict[str, Any]) -> None:
    with scratch_dir() as folder:
        record = build_tracked(Path(folder) / "tracked.db", **params)
        check_reaches_head(record.path, record.counts, scratch=Path(folder))


# --------------------------------------------------------------------------------------------
# default run


@FAST
@given(legacy_files())
def test_any_legacy_file_reaches_head_with_every_row(params: dict[str, Any]) -> None:
    _reach_head_from_legacy(params)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(legacy_files(), st.sampled_from([1, 2]))
def test_any_file_the_app_runner_left_reaches_head(params: dict[str, Any], attempts: int) -> None:
    _reach_head_after_app_runner(params, attempts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tracked_files())
def test_any_tracked_file_missing_columns_reaches_head(params: dict[str, Any]) -> None:
    _reach_head_from_tracked(params)


# --------------------------------------------------------------------------------------------
# slow variants (more examples)


@pytest.mark.slow
@SLOW
@given(legacy_files())
def test_any_legacy_file_reaches_head_with_every_row_slow(params: dict[str, Any]) -> None:
    _reach_head_from_legacy(params)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(legacy_files(), st.sampled_from([1, 2]))
def test_any_file_the_app_runner_left_reaches_head_slow(
    params: dict[str, Any], attempts: int
) -> None:
    _reach_head_after_app_runner(params, attempts)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tracked_files())
def test_any_tracked_file_missing_columns_reaches_head_slow(params: dict[str, Any]) -> None:
    _reach_head_from_tracked(params)


def test_strategies_cover_every_era_and_failable_step() -> None:
    """The strategies can reach every era and every failable step (a guard on the generators)."""
    steps = set()
    for era in CHRONOLOGY:
        for birth in CHRONOLOGY[: CHRONOLOGY.index(era)]:
            steps |= set(_failable(birth, era))
    assert steps == set(COLUMN_STEPS) | set(INDEX_STEPS)
