"""One test per legacy/tracked-era state the bridge must carry to head (issue "legacy bridge").

Every test builds its file with `builders` (from the facts, never from the fixtures), upgrades it
once with `check_reaches_head` (ok, head schema, uv 18, history 0…18, no row lost, no new FK
damage, integrity ok, second upgrade a no-op) and then checks the promise in its name.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from builders import (
    build_app_opened,
    build_archived_backup_leftover,
    build_camel_queue,
    build_legacy,
    build_memory_backup_leftover,
    build_pr82,
    build_runner_leftover,
    build_tracked,
)
from builders.checks import check_reaches_head, q

import engine
import engine.cli

ERAS = ["F1", "F2", "F3", "F4", "F7", "F8", "F10", "F11"]


def rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def count(path: Path, table: str) -> int:
    return int(rows(path, f"SELECT count(*) FROM {q(table)}")[0][0])


def columns(path: Path, table: str) -> list[str]:
    return [str(r[1]) for r in rows(path, f"PRAGMA table_info({q(table)})")]


def tables(path: Path) -> set[str]:
    return {str(r[0]) for r in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def fk_parents(path: Path, table: str) -> set[str]:
    return {str(r[2]) for r in rows(path, f"PRAGMA foreign_key_list({q(table)})")}


# --------------------------------------------------------------------------------------------
# fresh and upgraded legacy files


@pytest.mark.parametrize("era", ERAS)
def test_fresh_legacy_file_of_every_era_reaches_head_keeping_every_row(
    tmp_path: Path, era: str
) -> None:
    record = build_legacy(tmp_path / "f.db", era=era, rng=11)
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert count(record.path, "agent_memory") == 200


@pytest.mark.parametrize(
    ("era", "born"),
    [("F4", "F1"), ("F7", "F3"), ("F8", "F1"), ("F8-v4", "F7"), ("F10", "F8"), ("F11", "F1"),
     ("F11", "F2"), ("F11", "F4-v3"), ("F11", "F10")],
)  # fmt: skip
def test_legacy_upgraded_file_with_appended_columns_reaches_head(
    tmp_path: Path, era: str, born: str
) -> None:
    record = build_legacy(tmp_path / "f.db", era=era, upgraded_from=born, rng=12)
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_legacy_file_upgraded_by_one_start_without_chat_tables_reaches_head(tmp_path: Path) -> None:
    record = build_legacy(
        tmp_path / "f.db", era="F11", upgraded_from="F1", opened_again=False, rng=13
    )
    assert "world_chats" not in record.tables
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_f1_file_opened_by_f2_code_keeps_both_summary_columns(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F2", upgraded_from="F1", rng=14)
    check_reaches_head(
        record.path, record.counts, scratch=tmp_path
    )  # checks summary values survive


# --------------------------------------------------------------------------------------------
# "try to continue anyway": uv claims columns that are missing


@pytest.mark.parametrize(
    ("era", "failed", "table", "column"),
    [
        ("F8", {"mcp_config"}, "worlds", "mcp_config"),
        ("F10", {"message_id"}, "agent_memory", "message_id"),
        ("F11", {"message_id"}, "agent_memory", "message_id"),
        ("F11", {"reply_to_message_id"}, "agent_memory", "reply_to_message_id"),
        ("F7", {"chat_llm_model"}, "worlds", "chat_llm_model"),
        ("F11", {"current_chat_id"}, "worlds", "current_chat_id"),
        ("F11", {"chat_id"}, "agent_memory", "chat_id"),
        ("F7", {"chat_id"}, "agent_memory", "chat_id"),
        ("F11", {"mcp_config", "message_id"}, "worlds", "mcp_config"),
    ],
)
def test_failed_legacy_step_with_bumped_version_is_repaired_at_head(
    tmp_path: Path, era: str, failed: set[str], table: str, column: str
) -> None:
    record = build_legacy(tmp_path / "f.db", era=era, failed=failed, rng=15)
    assert column not in columns(record.path, table)
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert column in columns(record.path, table)


@pytest.mark.parametrize(
    ("born", "index"),
    [("F10", "idx_agent_memory_reply_to_message_id"), ("F8", "idx_agent_memory_message_id"),
     ("F3", "idx_agent_memory_chat_id")],
)  # fmt: skip
def test_failed_legacy_index_is_repaired_at_head(tmp_path: Path, born: str, index: str) -> None:
    record = build_legacy(
        tmp_path / "f.db", era="F11", upgraded_from=born, failed={index}, opened_again=False, rng=16
    )
    assert index in record.failed
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_branch_b_failure_leaves_uv1_with_chat_tables_and_reaches_head(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F4", upgraded_from="F3", failed={"chat_id"},
                          opened_again=False, rng=17)  # fmt: skip
    assert record.user_version == 1
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


# --------------------------------------------------------------------------------------------
# salvage of the app's failed 0012


def test_agent_memory_backup_rows_are_restored_into_agent_memory(tmp_path: Path) -> None:
    record = build_memory_backup_leftover(tmp_path / "f.db", rng=21)
    assert record.counts["agent_memory"] == 0 and record.counts["agent_memory_backup"] == 200
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    after = outcome.after_counts
    assert after["agent_memory"] + after.get("agent_memory_unplaced", 0) >= 200
    assert after["agent_memory"] == 200  # every agent exists, so every row goes home
    assert "agent_memory_backup" not in after or after["agent_memory_backup"] == 0


def test_agent_memory_backup_of_a_v04_file_missing_chat_id_is_restored(tmp_path: Path) -> None:
    record = build_memory_backup_leftover(tmp_path / "f.db", era="F1", rng=22)
    assert record.history == tuple(range(2, 12))
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert count(record.path, "agent_memory") == 200


def test_archived_messages_backup_rows_are_restored_into_archived_messages(tmp_path: Path) -> None:
    record = build_archived_backup_leftover(tmp_path / "f.db", rng=23)
    assert record.counts["archived_messages_backup"] == 10
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert outcome.after_counts["archived_messages"] == 10


def test_archived_backup_after_the_app_lost_agent_memory_is_still_salvaged(tmp_path: Path) -> None:
    record = build_archived_backup_leftover(tmp_path / "f.db", era="F8", attempts=2, rng=24)
    assert record.counts["agent_memory"] == 0 and record.counts["archived_messages_backup"] == 10
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert outcome.after_counts["archived_messages"] == 10


# --------------------------------------------------------------------------------------------
# legacy-only layouts


def test_legacy_archived_messages_move_to_head_layout_and_orphans_to_unplaced_with_all_columns(
    tmp_path: Path,
) -> None:
    record = build_legacy(
        tmp_path / "f.db", era="F11", rng=31, data={"archives": 2, "archived_per_archive": 3,
                                                    "orphan_archived": 2},
    )  # fmt: skip
    before = rows(
        record.path,
        "SELECT m.id, m.archive_id, m.role, m.content, m.sender, m.original_created_at, "
        "m.archived_at, a.agent_id, a.world_id FROM archived_messages m "
        "LEFT JOIN memory_archives a ON a.id = m.archive_id ORDER BY m.id",
    )
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    placed = {r[0]: r for r in before if r[7] is not None}
    orphans = {r[0]: r for r in before if r[7] is None}
    assert len(placed) == 6 and len(orphans) == 2
    after = {
        r[0]: r
        for r in rows(
            record.path,
            "SELECT id, archive_id, role, content, sender, original_timestamp, agent_id, world_id "
            "FROM archived_messages",
        )
    }
    for mid, (_, archive, role, content, sender, created, _at, agent, world) in placed.items():
        assert after[mid] == (mid, archive, role, content, sender, created, agent, world)
    unplaced_cols = columns(record.path, "archived_messages_unplaced")
    legacy_cols = [
        "id",
        "archive_id",
        "role",
        "content",
        "sender",
        "original_created_at",
        "archived_at",
    ]
    assert set(legacy_cols) <= set(unplaced_cols)
    got = {
        r[0]: r
        for r in rows(
            record.path, f"SELECT {', '.join(legacy_cols)} FROM archived_messages_unplaced"
        )
    }
    for mid, row in orphans.items():
        assert got[mid] == row[:7]


def test_legacy_archive_statistics_rows_are_kept_as_archive_statistics_legacy(
    tmp_path: Path,
) -> None:
    record = build_legacy(tmp_path / "f.db", era="F8", rng=32, data={"archive_statistics": 6})
    before = rows(record.path, "SELECT * FROM archive_statistics ORDER BY id")
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert rows(record.path, "SELECT * FROM archive_statistics_legacy ORDER BY id") == before
    assert "stat_type" not in columns(record.path, "archive_statistics")
    assert outcome.result.ledger.get("archive_statistics", [6])[0] == 6


def test_legacy_chat_snapshots_rows_are_kept(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F11", rng=33, data={"chat_snapshots": 5})
    before = rows(record.path, "SELECT * FROM chat_snapshots ORDER BY id")
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    kept = "chat_snapshots" if "chat_snapshots" in tables(record.path) else "chat_snapshots_legacy"
    assert rows(record.path, f"SELECT * FROM {kept} ORDER BY id") == before


def test_camel_case_message_queue_rows_are_kept_as_message_queue_legacy(tmp_path: Path) -> None:
    record = build_camel_queue(tmp_path / "f.db", rows=6, rng=34)
    before = rows(record.path, "SELECT * FROM message_queue ORDER BY id")
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert rows(record.path, "SELECT * FROM message_queue_legacy ORDER BY id") == before
    assert "world_id" in columns(record.path, "message_queue")


def test_camel_case_message_queue_stuck_at_14_in_the_app_reaches_head(tmp_path: Path) -> None:
    record = build_camel_queue(tmp_path / "f.db", rows=3, then_app=True, rng=35)
    assert record.user_version == 14
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert count(record.path, "message_queue_legacy") == 3


def test_event_sequences_rows_are_kept(tmp_path: Path) -> None:
    record = build_legacy(
        tmp_path / "f.db", era="F11", rng=36, fallback=("events", "event_sequences")
    )
    before = rows(record.path, "SELECT * FROM event_sequences ORDER BY 1, 2")
    assert before
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    kept = (
        "event_sequences" if "event_sequences" in tables(record.path) else "event_sequences_legacy"
    )
    assert rows(record.path, f"SELECT * FROM {kept} ORDER BY 1, 2") == before


def test_fallback_events_without_fks_gain_fks_and_an_orphan_event_is_kept_and_reported(
    tmp_path: Path,
) -> None:
    record = build_legacy(
        tmp_path / "f.db", era="F11", rng=37, fallback=("events",), data={"orphan_events": 1}
    )
    assert fk_parents(record.path, "events") == set()
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert fk_parents(record.path, "events") == {"worlds", "world_chats"}
    assert rows(record.path, "SELECT world_id FROM events WHERE id = 'evt-orphan-0'") == [
        ("world-gone",)
    ]
    notes = " ".join(outcome.result.notes)
    assert "events" in notes and "already" in notes, outcome.result.notes


# --------------------------------------------------------------------------------------------
# histories the app's runner left


def test_file_the_app_runner_left_with_history_from_legacy_uv_plus_one_reaches_head(
    tmp_path: Path,
) -> None:
    record = build_app_opened(
        tmp_path / "f.db", era="F11", attempts=2, rng=41, fallback=("events",)
    )
    assert record.history == tuple(range(8, 19))
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    methods = {v: m for v, _n, m in outcome.after_history}
    assert all(methods[v] in ("adopted", "executed", "repaired") for v in range(8))


def test_file_stuck_at_uv11_with_half_done_0012_reaches_head(tmp_path: Path) -> None:
    record = build_app_opened(tmp_path / "f.db", era="F11", attempts=1, rng=42)
    assert record.user_version == 11
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_file_stuck_at_uv16_without_world_chats_reaches_head(tmp_path: Path) -> None:
    record = build_app_opened(
        tmp_path / "f.db", era="F11", upgraded_from="F1", opened_again=False, attempts=2, rng=43
    )
    assert record.user_version == 16 and "world_chats" not in record.tables
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_legacy_file_with_empty_app_history_reaches_head(tmp_path: Path) -> None:
    record = build_runner_leftover(tmp_path / "f.db", rng=44)
    assert record.history == ()
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


@pytest.mark.parametrize("born", ["F2", "F3"])
def test_uv1_file_born_f2_or_f3_stuck_forever_in_the_app_reaches_head(
    tmp_path: Path, born: str
) -> None:
    record = build_app_opened(tmp_path / "f.db", era=born, attempts=2, rng=45)
    assert record.user_version == 1 and record.history == ()
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


@pytest.mark.parametrize("era", ["F11", "F1"])
def test_uv0_file_with_legacy_tables_reaches_head(tmp_path: Path, era: str) -> None:
    record = build_legacy(tmp_path / "f.db", era=era, user_version=0, rng=46)
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_runner_leftover_with_only_history_and_fallback_events_reaches_head(tmp_path: Path) -> None:
    record = build_runner_leftover(tmp_path / "f.db", with_legacy=None)
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


# --------------------------------------------------------------------------------------------
# PR #82 and tracked files


def test_pr82_history_is_refused_as_diverged_with_exit_3(tmp_path: Path) -> None:
    record = build_pr82(tmp_path / "f.db", rng=51)
    before = Path(record.path).read_bytes()
    result = engine.upgrade(record.path, backup=False)
    assert not result.ok
    assert result.error.code == "diverged", result.error
    assert result.exit_code == 3
    assert Path(record.path).read_bytes() == before
    out = io.StringIO()
    assert engine.cli.main(["upgrade", "--no-backup", str(record.path)], stdout=out) == 3


def test_pr82_history_accepted_reaches_head_keeping_chat_messages_and_logging_foreign_rows(
    tmp_path: Path,
) -> None:
    record = build_pr82(tmp_path / "f.db", rng=52)
    messages = rows(record.path, "SELECT * FROM chat_messages ORDER BY id")
    assert messages
    check_reaches_head(record.path, record.counts, accept_diverged=True, scratch=tmp_path)
    assert rows(record.path, "SELECT * FROM chat_messages ORDER BY id") == messages
    assert "data_migrated" in columns(record.path, "world_chats")
    log = json.dumps(rows(record.path, "SELECT * FROM sqlmig_log"), default=str)
    assert "create_chat_messages" in log
    assert "migrate_agent_memory_to_chat_messages" in log


def test_pr82_file_later_opened_by_head_accepted_reaches_head(tmp_path: Path) -> None:
    record = build_pr82(tmp_path / "f.db", then_head=True, rng=53)
    assert record.user_version == 18
    check_reaches_head(record.path, record.counts, accept_diverged=True, scratch=tmp_path)


@pytest.mark.parametrize("runner", ["sqlmig", "app"])
def test_tracked_file_at_18_missing_a_column_is_repaired(tmp_path: Path, runner: str) -> None:
    record = build_tracked(
        tmp_path / "f.db", runner=runner, drop_columns=[("worlds", "mcp_config")], rng=54
    )
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert "mcp_config" in columns(record.path, "worlds")


def test_tracked_file_built_by_the_app_is_adopted_without_changes(tmp_path: Path) -> None:
    record = build_tracked(tmp_path / "f.db", runner="app", rng=55)
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert {m for _v, _n, m in outcome.after_history} <= {None, "adopted", "executed", "repaired"}


def test_user_tables_next_to_a_legacy_file_are_kept(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F8", rng=56, extra_tables=3)
    outcome = check_reaches_head(record.path, record.counts, scratch=tmp_path)
    for name in record.extra_tables:
        assert outcome.after_counts[name] == record.counts[name]


# --------------------------------------------------------------------------------------------
# harder variants of the salvage states, and the user's own objects


def test_memory_rows_the_app_wrote_after_its_failed_0012_are_kept_beside_the_salvaged_ones(
    tmp_path: Path,
) -> None:
    # After the half-done 0012 the app kept running and wrote into the EMPTY rebuilt agent_memory,
    # whose AUTOINCREMENT restarted at 1: the new rows take ids the backup rows still hold.
    record = build_memory_backup_leftover(tmp_path / "f.db", rng=61)
    conn = sqlite3.connect(record.path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for k in range(5):
        conn.execute(
            "INSERT INTO agent_memory (agent_id, world_id, role, content, sender, tool_calls) "
            "VALUES ('agent-0', 'world-0', ?, ?, 'human', ?)",
            (
                "tool" if k == 2 else "user",
                f"written after the failure {k}",
                "[]" if k == 2 else None,
            ),
        )
    conn.close()
    outcome = check_reaches_head(record.path, scratch=tmp_path)
    after = outcome.after_counts
    assert after["agent_memory"] + after.get("agent_memory_unplaced", 0) == 205
    new = rows(record.path, "SELECT role FROM agent_memory WHERE content LIKE 'written after%'")
    unplaced = (
        rows(
            record.path,
            "SELECT count(*) FROM agent_memory_unplaced WHERE content LIKE 'written after%'",
        )
        if "agent_memory_unplaced" in after
        else [(0,)]
    )
    assert len(new) + unplaced[0][0] == 5


def test_memory_backup_rows_of_a_deleted_agent_go_to_agent_memory_unplaced(tmp_path: Path) -> None:
    record = build_memory_backup_leftover(tmp_path / "f.db", rng=62)
    conn = sqlite3.connect(record.path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM agents WHERE id = 'agent-1'")
    conn.close()
    outcome = check_reaches_head(record.path, scratch=tmp_path)
    assert outcome.after_counts["agent_memory"] == 160
    assert outcome.after_counts["agent_memory_unplaced"] == 40


def test_v090_file_whose_0012_was_rolled_back_at_uv11_reaches_head(tmp_path: Path) -> None:
    # v0.9.0's 0012 ran inside BEGIN and was rolled back on close: rows 8…11, no backup tables.
    record = build_app_opened(tmp_path / "f.db", era="F11", attempts=1, stop_after=11, rng=63)
    assert record.user_version == 11 and record.history == (8, 9, 10, 11)
    assert "agent_memory_backup" not in record.tables
    check_reaches_head(record.path, record.counts, scratch=tmp_path)


def test_user_tables_with_awkward_names_are_kept(tmp_path: Path) -> None:
    from builders import ExtraTable

    odd = ExtraTable(
        "we\"ird [x].y'z", (("a b", "TEXT"), ('c"d', "INTEGER")), (("x", 1), (None, 2))
    )
    record = build_legacy(tmp_path / "f.db", era="F8", rng=64, extra_tables=[odd])
    check_reaches_head(record.path, record.counts, scratch=tmp_path)
    assert count(record.path, odd.name) == 2


def test_user_view_on_app_tables_does_not_block_the_upgrade(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F11", rng=65)
    conn = sqlite3.connect(record.path)
    conn.executescript(
        "CREATE VIEW user_recent_memory AS SELECT agent_id, content FROM agent_memory;\n"
        "CREATE VIEW user_archive AS SELECT content FROM archived_messages;"
    )
    conn.close()
    check_reaches_head(record.path, scratch=tmp_path)
    names = {r[0] for r in rows(record.path, "SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert names == {"user_recent_memory", "user_archive"}
    assert len(rows(record.path, "SELECT * FROM user_recent_memory")) == 200


def test_user_index_and_trigger_on_app_tables_are_kept(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F11", rng=66)
    conn = sqlite3.connect(record.path)
    conn.executescript(
        "CREATE INDEX user_idx_memory_created ON agent_memory(created_at, sender);\n"
        "CREATE TABLE user_audit (at TEXT, what TEXT);\n"
        "CREATE TRIGGER user_world_audit AFTER UPDATE ON worlds BEGIN "
        "INSERT INTO user_audit VALUES (CURRENT_TIMESTAMP, NEW.id); END;"
    )
    conn.close()
    check_reaches_head(record.path, scratch=tmp_path)
    names = {
        r[0] for r in rows(record.path, "SELECT name FROM sqlite_master WHERE name LIKE 'user%'")
    }
    assert {"user_idx_memory_created", "user_world_audit"} <= names


def test_status_reports_the_drift_of_a_failed_step(tmp_path: Path) -> None:
    record = build_legacy(tmp_path / "f.db", era="F8", failed={"mcp_config"}, rng=67)
    out = io.StringIO()
    assert engine.cli.main(["status", "--json", str(record.path)], stdout=out) == 0
    legacy = json.loads(out.getvalue())["legacy"]
    assert legacy["claimed_version"] == 5
    assert any("mcp_config" in d for d in legacy["differences"]), legacy
    assert "v0.5.0" in (legacy["era"] or ""), legacy  # born in v0.5.0 (F7), upgraded by v0.6.x


def test_rows_only_in_an_uncheckpointed_wal_survive(tmp_path: Path) -> None:
    # The app crashed with WAL content not yet checkpointed: the file comes with its -wal.
    import shutil

    record = build_legacy(tmp_path / "f.db", era="F11", rng=68)
    conn = sqlite3.connect(record.path, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute(
        "INSERT INTO agent_memory (agent_id, world_id, role, content) "
        "VALUES ('agent-0', 'world-0', 'user', 'only in the wal')"
    )
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{record.path}{suffix}", crashed / f"f.db{suffix}")
    conn.close()
    check_reaches_head(crashed / "f.db", scratch=tmp_path)
    assert rows(
        crashed / "f.db", "SELECT count(*) FROM agent_memory WHERE content = 'only in the wal'"
    ) == [(1,)]
