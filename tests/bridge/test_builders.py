"""The legacy-file builders themselves: every era's shape equals the facts, and, where a real
fixture of the same kind exists, equals the fixture by PRAGMAs (table_info in cid order, foreign
keys, index names, trigger names, user_version, history versions).

The expected shapes below are transcribed from agent-world-schema.md independently of
`builders/ddl.py`, so a slip in the builder's DDL shows up here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from builders import (
    EMPTY,
    FAILABLE,
    build_app_opened,
    build_archived_backup_leftover,
    build_camel_queue,
    build_legacy,
    build_memory_backup_leftover,
    build_pr82,
    build_runner_leftover,
    build_tracked,
)
from builders.checks import pragma_schema

# --------------------------------------------------------------------------------------------
# facts (§1.4, §1.6)

BASE_W = ["id", "name", "description", "turn_limit"]
TAIL_W = ["created_at", "updated_at"]
LLM = ["chat_llm_provider", "chat_llm_model"]
WORLDS = {
    "F1": BASE_W + TAIL_W,
    "F2": BASE_W + LLM + TAIL_W,
    "F3": BASE_W + LLM + TAIL_W,
    "F4": BASE_W + LLM + TAIL_W,
    "F7": [*BASE_W, *LLM, "current_chat_id", *TAIL_W],
    "F8": [*BASE_W, *LLM, "current_chat_id", "mcp_config", *TAIL_W],
    "F10": [*BASE_W, *LLM, "current_chat_id", "mcp_config", *TAIL_W],
    "F11": [*BASE_W, *LLM, "current_chat_id", "mcp_config", *TAIL_W],
}
M_A = ["id", "agent_id", "world_id", "role", "content", "sender", "created_at"]
M_B = ["id", "agent_id", "world_id", "role", "content", "sender", "chat_id", "created_at"]
M_C = [
    "id",
    "agent_id",
    "world_id",
    "message_id",
    "role",
    "content",
    "sender",
    "chat_id",
    "created_at",
]
M_D = ["id", "agent_id", "world_id", "message_id", "reply_to_message_id", "role", "content",
       "sender", "chat_id", "created_at"]  # fmt: skip
AGENT_MEMORY = {
    "F1": M_A,
    "F2": M_A,
    "F3": M_A,
    "F4": M_B,
    "F7": M_B,
    "F8": M_B,
    "F10": M_C,
    "F11": M_D,
}
ARCHIVES = ["id", "agent_id", "world_id", "session_name", "archive_reason", "message_count",
            "start_time", "end_time", "participants", "tags"]  # fmt: skip
CHATS = ["id", "world_id", "name", "description", "message_count"]
USER_VERSION = {"F1": 1, "F2": 1, "F3": 1, "F4": 2, "F7": 4, "F8": 5, "F10": 6, "F11": 7}
F1_INDEXES = {
    "idx_agents_world_id", "idx_agents_status", "idx_agents_last_active",
    "idx_agent_memory_agent_world", "idx_agent_memory_created_at", "idx_agent_memory_sender",
    "idx_memory_archives_agent_world", "idx_memory_archives_created_at",
    "idx_memory_archives_session_name", "idx_archived_messages_archive_id",
    "idx_archived_messages_content", "idx_archived_messages_sender",
    "idx_archive_statistics_world_date", "idx_archive_statistics_type",
}  # fmt: skip
CHAT_INDEXES = {"idx_world_chats_world_id", "idx_world_chats_created_at",
                "idx_world_chats_updated_at", "idx_chat_snapshots_chat_id",
                "idx_chat_snapshots_world_id"}  # fmt: skip
F1_TABLES = {"worlds", "agents", "agent_memory", "memory_archives", "archived_messages",
             "archive_statistics"}  # fmt: skip
F1_TRIGGERS = {"worlds_updated_at", "agents_last_active", "archive_statistics_updated_at"}
ARCHIVED_LEGACY = [
    "id",
    "archive_id",
    "role",
    "content",
    "sender",
    "original_created_at",
    "archived_at",
]
STATS_LEGACY = ["id", "world_id", "agent_id", "stat_type", "stat_date", "archive_count",
                "message_count", "session_length_avg", "most_active_agent", "data", "created_at",
                "updated_at"]  # fmt: skip
ERAS = list(USER_VERSION)


def facts_of(path: Path) -> tuple[dict[str, Any], int, list[int] | None]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = pragma_schema(conn)
        uv = int(conn.execute("PRAGMA user_version").fetchone()[0])
        try:
            history = [
                int(r[0]) for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")
            ]
        except sqlite3.OperationalError:
            history = None
        return schema, uv, history
    finally:
        conn.close()


def cols(schema: dict[str, Any], table: str) -> list[str]:
    return [c[0] for c in schema["tables"][table]["columns"]]


def named_indexes(schema: dict[str, Any]) -> set[str]:
    return {i for i in schema["indexes"] if not i.startswith("sqlite_autoindex")}


@pytest.mark.parametrize("era", ERAS)
def test_fresh_file_of_each_era_has_exactly_the_schema_the_facts_give(
    tmp_path: Path, era: str
) -> None:
    record = build_legacy(tmp_path / "f.db", era=era, rng=0)
    schema, uv, history = facts_of(record.path)
    assert uv == USER_VERSION[era] == record.user_version
    assert history is None
    chats = era not in ("F1",)
    assert set(schema["tables"]) == F1_TABLES | (
        {"world_chats", "chat_snapshots"} if chats else set()
    )
    assert cols(schema, "worlds") == WORLDS[era]
    assert cols(schema, "agent_memory") == AGENT_MEMORY[era]
    summary = ["summary"] if era in ("F1", "F2") else []
    assert cols(schema, "memory_archives") == ARCHIVES + summary + ["created_at"]
    assert cols(schema, "archived_messages") == ARCHIVED_LEGACY
    assert cols(schema, "archive_statistics") == STATS_LEGACY
    if chats:
        wc_summary = ["summary"] if era == "F2" else []
        assert cols(schema, "world_chats") == CHATS + wc_summary + [
            "tags",
            "created_at",
            "updated_at",
        ]
    expected = set(F1_INDEXES)
    if chats:
        expected |= CHAT_INDEXES
    if era in ("F4", "F7", "F8", "F10", "F11"):
        expected.add("idx_agent_memory_chat_id")
    if era in ("F10", "F11"):
        expected.add("idx_agent_memory_message_id")
    assert named_indexes(schema) == expected  # never idx_agent_memory_reply_to_message_id (§5.4)
    assert set(schema["triggers"]) == F1_TRIGGERS | ({"world_chats_updated_at"} if chats else set())
    fks = schema["tables"]["agent_memory"]["fks"]
    assert fks == [
        ("agents", "agent_id", "id", "CASCADE"),
        ("agents", "world_id", "world_id", "CASCADE"),
    ]


@pytest.mark.parametrize("era", ERAS)
def test_record_counts_equal_the_file(tmp_path: Path, era: str) -> None:
    record = build_legacy(tmp_path / "f.db", era=era, rng=3, extra_tables=2, fallback=("events",))
    conn = sqlite3.connect(record.path)
    try:
        for table, n in record.counts.items():
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    assert len(record.extra_tables) == 2
    assert record.counts["agent_memory"] == 200
    assert record.counts["worlds"] == 4  # 3 + default-world


def test_default_data_is_realistic(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F11", rng=1, fallback=("events",))
    conn = sqlite3.connect(record.path)
    try:
        assert conn.execute("SELECT 1 FROM worlds WHERE id = 'default-world'").fetchone()
        nulls = conn.execute(
            "SELECT sum(sender IS NULL), sum(chat_id IS NULL), sum(message_id IS NULL) FROM agent_memory"
        ).fetchone()
        assert all(n > 0 for n in nulls)
        text = "".join(r[0] for r in conn.execute("SELECT content FROM agent_memory"))
        assert any(ord(ch) > 0xFFFF for ch in text)  # astral-plane characters
        assert any("\u0400" <= ch <= "\u04ff" for ch in text)
        for table in ("archive_statistics", "chat_snapshots", "archived_messages", "events"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    finally:
        conn.close()


def test_data_counts_are_honoured(tmp_path: Path) -> None:
    data = {"worlds": 1, "agents": 2, "memory_per_agent": 3, "chats": 1, "archives": 1,
            "archived_per_archive": 2, "orphan_archived": 1}  # fmt: skip
    record = build_legacy(tmp_path / "f.db", era="F8", data=data, rng=2)
    assert record.counts["agent_memory"] == 6
    assert record.counts["archived_messages"] == 3
    empty = build_legacy(tmp_path / "e.db", era="F8", data=EMPTY)
    assert sum(empty.counts.values()) == 0


# --------------------------------------------------------------------------------------------
# §1.3b, the verified upgrade matrix (one start, no second start)

OPENERS = ["F4", "F4-v3", "F7", "F8-v4", "F8", "F10", "F11"]  # E5 … E11
BIRTHS = {
    "v0-existing": ("F1", 0),
    "v1 F1": ("F1", None),
    "v1 F3": ("F3", None),
    "v2 F4": ("F4", None),
    "v3 fresh": ("F4-v3", None),
    "v4 fresh": ("F7", None),
    "v5 fresh": ("F8", None),
    "v6 fresh": ("F10", None),
}
W4 = "+w[chat_llm_provider,chat_llm_model,current_chat_id,mcp_config]"
MATRIX = {
    "v0-existing": ["uv 2; +w[] +m[chat_id] no-wc", "uv 3; +w[chat_llm_provider,chat_llm_model] +m[chat_id] no-wc",
                    "uv 4; +w[chat_llm_provider,chat_llm_model,current_chat_id] +m[chat_id] no-wc",
                    f"uv 5; {W4} +m[chat_id] no-wc", f"uv 5; {W4} +m[chat_id] no-wc",
                    f"uv 6; {W4} +m[chat_id,message_id] no-wc",
                    f"uv 7; {W4} +m[chat_id,message_id,reply_to_message_id] no-wc"],
    "v1 F1": ["uv 2; +w[] +m[chat_id] no-wc", "uv 3; +w[chat_llm_provider,chat_llm_model] +m[chat_id] no-wc",
              "uv 4; +w[chat_llm_provider,chat_llm_model,current_chat_id] +m[chat_id] no-wc",
              f"uv 5; {W4} +m[chat_id] no-wc", f"uv 5; {W4} +m[chat_id] no-wc",
              f"uv 6; {W4} +m[chat_id,message_id] no-wc",
              f"uv 7; {W4} +m[chat_id,message_id,reply_to_message_id] no-wc"],
    "v1 F3": ["uv 2; +w[] +m[chat_id] wc", "uv 3; +w[] +m[chat_id] wc",
              "uv 4; +w[current_chat_id] +m[chat_id] wc", "uv 5; +w[current_chat_id,mcp_config] +m[chat_id] wc",
              "uv 5; +w[current_chat_id,mcp_config] +m[chat_id] wc",
              "uv 6; +w[current_chat_id,mcp_config] +m[chat_id,message_id] wc",
              "uv 7; +w[current_chat_id,mcp_config] +m[chat_id,message_id,reply_to_message_id] wc"],
    "v2 F4": ["uv 2; +w[] +m[] wc", "uv 3; +w[] +m[] wc", "uv 4; +w[current_chat_id] +m[] wc",
              "uv 5; +w[current_chat_id,mcp_config] +m[] wc", "uv 5; +w[current_chat_id,mcp_config] +m[] wc",
              "uv 6; +w[current_chat_id,mcp_config] +m[message_id] wc",
              "uv 7; +w[current_chat_id,mcp_config] +m[message_id,reply_to_message_id] wc"],
    "v3 fresh": ["uv 3; +w[] +m[] wc", "uv 3; +w[] +m[] wc", "uv 4; +w[current_chat_id] +m[] wc",
                 "uv 5; +w[current_chat_id,mcp_config] +m[] wc", "uv 5; +w[current_chat_id,mcp_config] +m[] wc",
                 "uv 6; +w[current_chat_id,mcp_config] +m[message_id] wc",
                 "uv 7; +w[current_chat_id,mcp_config] +m[message_id,reply_to_message_id] wc"],
    "v4 fresh": ["uv 4; +w[] +m[] wc"] * 4 + ["uv 5; +w[mcp_config] +m[] wc",
                 "uv 6; +w[mcp_config] +m[message_id] wc",
                 "uv 7; +w[mcp_config] +m[message_id,reply_to_message_id] wc"],
    "v5 fresh": ["uv 5; +w[] +m[] wc"] * 5 + ["uv 6; +w[] +m[message_id] wc",
                 "uv 7; +w[] +m[message_id,reply_to_message_id] wc"],
    "v6 fresh": ["uv 6; +w[] +m[] wc"] * 6 + ["uv 7; +w[] +m[reply_to_message_id] wc"],
}  # fmt: skip
MATRIX_CASES = [(b, o, MATRIX[b][i]) for b in MATRIX for i, o in enumerate(OPENERS)]


def _parse_cell(cell: str) -> tuple[int, list[str], list[str], bool]:
    uv_part, rest = cell.split("; ")
    w, m, wc = rest.split(" ")

    def items(s: str) -> list[str]:
        inner = s[3:-1]
        return inner.split(",") if inner else []

    return int(uv_part.split()[1]), items(w), items(m), wc == "wc"


@pytest.mark.parametrize(("birth", "opener", "cell"), MATRIX_CASES)
def test_one_legacy_start_matches_the_verified_upgrade_matrix(
    tmp_path: Path, birth: str, opener: str, cell: str
) -> None:
    born, born_uv = BIRTHS[birth]
    uv, appended_w, appended_m, wc = _parse_cell(cell)
    if born == opener:  # not an upgrade, the same code reopening its own fresh file
        record = build_legacy(tmp_path / "f.db", era=opener, data=EMPTY)
    else:
        record = build_legacy(
            tmp_path / "f.db", era=opener, upgraded_from=born, born_user_version=born_uv,
            opened_again=False, data=EMPTY,
        )  # fmt: skip
    schema, got_uv, _ = facts_of(record.path)
    fresh = build_legacy(tmp_path / "born.db", era=born, data=EMPTY)
    born_schema, _, _ = facts_of(fresh.path)
    assert got_uv == uv
    assert cols(schema, "worlds") == cols(born_schema, "worlds") + appended_w
    assert cols(schema, "agent_memory") == cols(born_schema, "agent_memory") + appended_m
    assert ("world_chats" in schema["tables"]) == wc


def test_second_start_creates_chat_tables_and_indexes(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F11", upgraded_from="F1", opened_again=True)
    schema, uv, _ = facts_of(record.path)
    assert uv == 7
    assert {"world_chats", "chat_snapshots"} <= set(schema["tables"])
    assert "summary" not in cols(schema, "world_chats")
    assert "summary" in cols(schema, "memory_archives")  # v0.4.x-born keeps it
    idx = named_indexes(schema)
    assert {"idx_agent_memory_message_id", "idx_agent_memory_reply_to_message_id"} <= idx


def test_f1_opened_by_f2_code_gets_chat_tables_with_summary_but_no_llm_columns(
    tmp_path: Path,
) -> None:
    record = build_legacy(tmp_path / "f.db", era="F2", upgraded_from="F1")
    schema, uv, _ = facts_of(record.path)
    assert uv == 1
    assert cols(schema, "worlds") == WORLDS["F1"]
    assert "summary" in cols(schema, "world_chats")


# --------------------------------------------------------------------------------------------
# "try to continue anyway" (§1.5 item 2)

FAILED_CASES = [
    ("F8", {"mcp_config"}, 5, ("worlds", "mcp_config")),
    ("F11", {"mcp_config"}, 7, ("worlds", "mcp_config")),
    ("F10", {"message_id"}, 6, ("agent_memory", "message_id")),
    ("F11", {"message_id"}, 7, ("agent_memory", "message_id")),
    ("F11", {"reply_to_message_id"}, 7, ("agent_memory", "reply_to_message_id")),
    ("F7", {"chat_llm_model"}, 4, ("worlds", "chat_llm_model")),
    ("F11", {"current_chat_id"}, 7, ("worlds", "current_chat_id")),
    ("F7", {"chat_id"}, 4, ("agent_memory", "chat_id")),
]


@pytest.mark.parametrize(("era", "failed", "uv", "missing"), FAILED_CASES)
def test_failed_step_bumps_user_version_without_the_column(
    tmp_path: Path, era: str, failed: set[str], uv: int, missing: tuple[str, str]
) -> None:
    record = build_legacy(tmp_path / "f.db", era=era, failed=failed, opened_again=False)
    schema, got_uv, _ = facts_of(record.path)
    assert got_uv == uv == record.user_version
    assert missing[1] not in cols(schema, missing[0])
    assert record.failed == frozenset(failed)


def test_failed_index_leaves_the_column_without_its_index(tmp_path: Path) -> None:
    record = build_legacy(
        tmp_path / "f.db", era="F11", upgraded_from="F10",
        failed={"idx_agent_memory_reply_to_message_id"},
    )  # fmt: skip
    schema, uv, _ = facts_of(record.path)
    assert uv == 7
    assert "reply_to_message_id" in cols(schema, "agent_memory")
    assert "idx_agent_memory_reply_to_message_id" not in schema["indexes"]


def test_second_start_fails_in_create_indexes_when_a_claimed_column_is_missing(
    tmp_path: Path,
) -> None:
    # A uv 7 file whose message_id ALTER failed: createIndexes stops at idx_agent_memory_message_id.
    record = build_legacy(tmp_path / "f.db", era="F11", upgraded_from="F8", failed={"message_id"})
    schema, uv, _ = facts_of(record.path)
    assert uv == 7
    assert "message_id" not in cols(schema, "agent_memory")
    assert "idx_agent_memory_message_id" not in schema["indexes"]


def test_branch_b_failure_does_not_bump(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F4", upgraded_from="F3", failed={"chat_id"},
                          opened_again=False)  # fmt: skip
    assert record.user_version == 1


def test_unknown_failed_step_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown failed"):
        build_legacy(tmp_path / "f.db", era="F11", failed={"nonsense"})
    assert "mcp_config" in FAILABLE


# --------------------------------------------------------------------------------------------
# the states no fixture holds rows for


def test_memory_backup_leftover(tmp_path: Path) -> None:
    record = build_memory_backup_leftover(tmp_path / "f.db", rng=1)
    schema, uv, history = facts_of(record.path)
    assert uv == 11 and history == list(range(6, 12))
    assert record.counts["agent_memory"] == 0 and record.counts["agent_memory_backup"] == 200
    # legacy order + what 0006 and 0010 appended, still no message_id (0005 was skipped)
    assert cols(schema, "agent_memory_backup") == [
        *M_B,
        "reply_to_message_id",
        "tool_calls",
        "tool_call_id",
    ]
    assert "tool_calls" in cols(schema, "agent_memory")
    assert cols(schema, "archived_messages") == ARCHIVED_LEGACY
    assert record.counts["archived_messages"] == 10
    assert record.app_errors == ("SQLITE_ERROR: no such column: message_id",)


def test_archived_backup_leftover(tmp_path: Path) -> None:
    record = build_archived_backup_leftover(tmp_path / "f.db", rng=1)
    schema, uv, history = facts_of(record.path)
    assert uv == 11 and history == [8, 9, 10, 11]
    assert cols(schema, "archived_messages_backup") == ARCHIVED_LEGACY
    assert record.counts["archived_messages_backup"] == 10
    assert record.counts["archived_messages"] == 0
    assert record.counts["agent_memory"] == 200


def test_camel_message_queue_with_rows(tmp_path: Path) -> None:
    record = build_camel_queue(tmp_path / "f.db", rows=4, rng=1)
    schema, uv, _ = facts_of(record.path)
    assert uv == 7 and record.counts["message_queue"] == 4
    assert "worldId" in cols(schema, "message_queue")
    assert schema["tables"]["events"]["fks"] == []
    stuck = build_camel_queue(tmp_path / "g.db", rows=2, then_app=True, rng=1)
    assert stuck.user_version == 14 and stuck.history == tuple(range(8, 15))


def test_pr82_file(tmp_path: Path) -> None:
    record = build_pr82(tmp_path / "f.db", rng=1)
    schema, uv, history = facts_of(record.path)
    assert uv == 14 and history == list(range(15))
    assert record.counts["chat_messages"] > 0
    assert "data_migrated" in cols(schema, "world_chats")
    assert "variables" not in cols(schema, "worlds") and "main_agent" not in cols(schema, "worlds")
    assert "auto_reply" not in cols(schema, "agents")
    conn = sqlite3.connect(record.path)
    names = dict(conn.execute("SELECT version, name FROM schema_migrations"))
    conn.close()
    assert names[13] == "create_chat_messages"
    assert names[14] == "migrate_agent_memory_to_chat_messages"


def test_tracked_file_missing_a_column(tmp_path: Path) -> None:
    record = build_tracked(tmp_path / "f.db", drop_columns=[("worlds", "mcp_config")], rng=1)
    schema, uv, history = facts_of(record.path)
    assert uv == 18 and history == list(range(19))
    assert "mcp_config" not in cols(schema, "worlds")


def test_app_runner_leaves_history_from_legacy_uv_plus_one(tmp_path: Path) -> None:
    record = build_app_opened(tmp_path / "f.db", era="F11", attempts=2, rng=1)
    assert record.user_version == 18 and record.history == tuple(range(8, 19))
    assert record.counts["archived_messages"] == 0  # the app lost them (§3.3)
    empty = build_runner_leftover(tmp_path / "g.db", rng=1)
    assert empty.history == () and empty.user_version == 7


def test_f3_born_uv1_is_stuck_in_the_app(tmp_path: Path) -> None:
    record = build_app_opened(tmp_path / "f.db", era="F3", attempts=2, rng=1)
    assert record.user_version == 1 and record.history == ()
    assert all("duplicate column name: chat_llm_provider" in e for e in record.app_errors)


# --------------------------------------------------------------------------------------------
# against the real fixtures (by PRAGMAs)

FIXTURE_TWINS: dict[str, dict[str, Any]] = {
    "legacy-v1-2e385254-fresh": {"era": "F1"},
    "legacy-v1-9d0bb861-fresh": {"era": "F2"},
    "legacy-v1-94855856-fresh": {"era": "F3"},
    "legacy-v2-19f31173-fresh": {"era": "F4"},
    "legacy-v2-45f2f973-fresh": {"era": "F4"},
    "legacy-v3-71e4915f-fresh": {"era": "F4-v3"},
    "legacy-v4-8ae248f2-fresh": {"era": "F7"},
    "legacy-v5-2aafd789-fresh": {"era": "F8"},
    "legacy-v5-97f0fd97-fresh": {"era": "F8-v4"},
    "legacy-v6-7499ef88-fresh": {"era": "F10"},
    "legacy-v7-9b413202-fresh": {"era": "F11"},
    "legacy-v7-26ae2ff7-fresh": {"era": "F11"},
    "legacy-v7-a8962e7f-fresh": {"era": "F11", "fallback": ("events",)},
    "legacy-v7-72031031-fresh": {"era": "F11", "fallback": ("events", "event_sequences")},
    "legacy-chain-94855856-to-8ae248f2": {"era": "F7", "upgraded_from": "F3"},
    "legacy-chain-2e385254-to-19f31173": {"era": "F4", "upgraded_from": "F1", "opened_again": False},
    "legacy-chain-2e385254-to-a8962e7f": {"era": "F11", "upgraded_from": "F1", "opened_again": False, "fallback": ("events",)},
    "legacy-chain-19f31173-to-a8962e7f": {"era": "F11", "upgraded_from": "F4", "fallback": ("events",)},
    "legacy-chain-26ae2ff7-to-a8962e7f": {"era": "F11", "fallback": ("events",)},
    "legacy-chain-2aafd789-to-a8962e7f": {"era": "F11", "upgraded_from": "F8", "fallback": ("events",)},
    "legacy-chain-45f2f973-to-71e4915f": {"era": "F4-v3", "upgraded_from": "F4"},
    "legacy-chain-45f2f973-to-a8962e7f": {"era": "F11", "upgraded_from": "F4", "fallback": ("events",)},
    "legacy-chain-71e4915f-to-8ae248f2": {"era": "F7", "upgraded_from": "F4-v3"},
    "legacy-chain-71e4915f-to-a8962e7f": {"era": "F11", "upgraded_from": "F4-v3", "fallback": ("events",)},
    "legacy-chain-7499ef88-to-9b413202": {"era": "F11", "upgraded_from": "F10"},
    "legacy-chain-7499ef88-to-a8962e7f": {"era": "F11", "upgraded_from": "F10", "fallback": ("events",)},
    "legacy-chain-8ae248f2-to-97f0fd97": {"era": "F8-v4", "upgraded_from": "F7"},
    "legacy-chain-8ae248f2-to-a8962e7f": {"era": "F11", "upgraded_from": "F7", "fallback": ("events",)},
    "legacy-chain-94855856-to-19f31173": {"era": "F4", "upgraded_from": "F3"},
    "legacy-chain-94855856-to-a8962e7f": {"era": "F11", "upgraded_from": "F3", "fallback": ("events",)},
    "legacy-chain-97f0fd97-to-7499ef88": {"era": "F10", "upgraded_from": "F8-v4"},
    "legacy-chain-97f0fd97-to-a8962e7f": {"era": "F11", "upgraded_from": "F8-v4", "fallback": ("events",)},
    "legacy-chain-9b413202-to-a8962e7f": {"era": "F11", "fallback": ("events",)},
    "legacy-chain-9d0bb861-to-19f31173": {"era": "F4", "upgraded_from": "F2"},
    "legacy-chain-9d0bb861-to-a8962e7f": {"era": "F11", "upgraded_from": "F2", "fallback": ("events",)},
    "legacy-chain-a8962e7f-to-72031031": {"era": "F11", "fallback": ("events", "event_sequences")},
}  # fmt: skip
APP_TWINS: dict[str, dict[str, Any]] = {
    "legacy-2aafd789-then-head-op": {"era": "F8", "attempts": 2},
    "legacy-97f0fd97-then-head-op": {"era": "F8-v4", "attempts": 2},
    "legacy-7499ef88-then-head-op": {"era": "F10", "attempts": 2},
    "legacy-2e385254-then-head-op": {"era": "F1", "attempts": 2},
    "legacy-94855856-then-head-op": {"era": "F3", "attempts": 2},
    "legacy-9d0bb861-then-head-op": {"era": "F2", "attempts": 2},
    "legacy-19f31173-then-head-op": {"era": "F4", "attempts": 2},
    "legacy-45f2f973-then-head-op": {"era": "F4", "attempts": 2},
    "legacy-71e4915f-then-head-op": {"era": "F4-v3", "attempts": 2},
    "legacy-8ae248f2-then-head-op": {"era": "F7", "attempts": 2},
    "legacy-a8962e7f-then-head": {"era": "F11", "attempts": 1, "fallback": ("events",)},
    "legacy-a8962e7f-then-head-op": {"era": "F11", "attempts": 2, "fallback": ("events",)},
    "legacy-72031031-then-head": {"era": "F11", "attempts": 1, "fallback": ("events", "event_sequences")},
    "legacy-72031031-then-head-op": {"era": "F11", "attempts": 2, "fallback": ("events", "event_sequences")},
}  # fmt: skip


def _assert_same_shape(fixture: Path, built: Path) -> None:
    want, want_uv, want_hist = facts_of(fixture)
    got, got_uv, got_hist = facts_of(built)
    assert sorted(got["tables"]) == sorted(want["tables"])
    for table, facts in want["tables"].items():
        assert got["tables"][table] == facts, f"table {table} differs"
    assert got["indexes"] == want["indexes"]
    assert got["triggers"] == want["triggers"]
    assert got_uv == want_uv
    assert got_hist == want_hist


@pytest.mark.fixtures
@pytest.mark.parametrize("name", sorted(FIXTURE_TWINS))
def test_builder_matches_real_legacy_fixture(fixture_copy: Any, tmp_path: Path, name: str) -> None:
    built = build_legacy(tmp_path / "built.db", rng=0, **FIXTURE_TWINS[name])
    _assert_same_shape(fixture_copy(name), built.path)


@pytest.mark.fixtures
@pytest.mark.parametrize("name", sorted(APP_TWINS))
def test_app_runner_emulation_matches_real_then_head_fixture(
    fixture_copy: Any, tmp_path: Path, name: str
) -> None:
    built = build_app_opened(tmp_path / "built.db", rng=0, **APP_TWINS[name])
    _assert_same_shape(fixture_copy(name), built.path)


@pytest.mark.fixtures
def test_app_runner_emulation_matches_tracked_fresh_fixtures(
    fixture_copy: Any, tmp_path: Path
) -> None:
    built = build_tracked(tmp_path / "t.db", runner="app", rng=0)
    _assert_same_shape(fixture_copy("tracked-458d539e-fresh"), built.path)
    leftover = build_runner_leftover(tmp_path / "c.db", with_legacy=None)
    _assert_same_shape(fixture_copy("tracked-c9ef441b-fresh"), leftover.path)


# --------------------------------------------------------------------------------------------
# the checker itself: an upgrade that breaks a promise must be caught

SABOTAGE = {
    "a memory row deleted": "DELETE FROM agent_memory WHERE id = (SELECT max(id) FROM agent_memory)",
    "an archived message rewritten": "UPDATE archived_messages SET content = 'x' WHERE id = 1",
    "a legacy table dropped": "DROP TABLE chat_snapshots",
    "a user-table row changed": "UPDATE user_kv SET v = 'changed'",
    "a summary value dropped": "UPDATE memory_archives SET summary = NULL",
    "a head column missing": "ALTER TABLE worlds DROP COLUMN variables",
    "user_version not 18": "PRAGMA user_version = 17",
    "a history row missing": "DELETE FROM schema_migrations WHERE version = 3",
    "a new orphan": "PRAGMA foreign_keys = OFF; INSERT INTO agent_memory (agent_id, world_id, role, content) VALUES ('nobody', 'nowhere', 'user', 'orphan')",
}


@pytest.mark.parametrize("what", sorted(SABOTAGE))
def test_checker_catches_an_upgrade_that_breaks_a_promise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    from builders import ExtraTable
    from builders.checks import check_reaches_head, head_snapshot

    import engine

    head_snapshot()  # build the (cached) head reference before the upgrade is sabotaged
    record = build_legacy(
        tmp_path / "f.db", era="F2", upgraded_from="F1", rng=5,
        data={"worlds": 1, "agents": 2, "memory_per_agent": 3, "archived_per_archive": 2},
        extra_tables=[ExtraTable("user_kv", (("k", "TEXT"), ("v", "TEXT")), (("a", "1"),))],
    )  # fmt: skip
    real = engine.upgrade
    calls = []

    def sabotaged(path: Any, *args: Any, **kwargs: Any) -> Any:
        result = real(path, *args, **kwargs)
        if not calls:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.executescript(SABOTAGE[what])
            conn.close()
        calls.append(path)
        return result

    monkeypatch.setattr(engine, "upgrade", sabotaged)
    with pytest.raises(AssertionError):
        check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_checker_passes_an_honest_upgrade(tmp_path: Path) -> None:
    from builders.checks import check_reaches_head

    record = build_legacy(tmp_path / "f.db", era="F2", upgraded_from="F1", rng=5)
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert outcome.result.ok and outcome.second.applied == []
