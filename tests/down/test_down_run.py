"""`sqlmig down` / `engine.down`: the down parts run with the upgrade's discipline, refuse to drop
data without the flag, and going up again gives the same schema and rows."""

from __future__ import annotations

import hashlib
import io
import json
import random
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from builders.data import DataSpec, populate

import engine
import engine.cli
from engine.schema import compare, snapshot

BOOKKEEPING = {"schema_migrations", "sqlmig_log", "sqlite_sequence"}


def rows_by_table(path: Path) -> dict[str, Counter[frozenset[tuple[str, object]]]]:
    """Every row of every table, by column name (the physical column order may differ)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                             "'table' ORDER BY name") if r[0] not in BOOKKEEPING]
        out = {}
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            out[table] = Counter(frozenset(zip(names, row, strict=True)) for row in cursor)
        return out
    finally:
        conn.close()


def schema_at(version: int) -> object:
    conn = sqlite3.connect(":memory:")
    for migration in engine.load_catalog().migrations:
        if migration.version <= version:
            for statement in migration.up:
                conn.execute(statement.sql)
    return snapshot(conn)


def app_file(tmp_path: Path, *, at: int = 9) -> Path:
    """A file upgraded to `at`, filled with the app's rows there, then upgraded to head."""
    path = tmp_path / "app.db"
    path.touch()
    assert engine.upgrade(path, target=at, backup=False).ok
    conn = sqlite3.connect(path)
    with conn:
        populate(conn, DataSpec(), random.Random(11))
    conn.close()
    assert engine.upgrade(path, backup=False).ok
    return path


def test_up_down_to_9_and_up_again_gives_the_same_schema_and_rows(tmp_path: Path) -> None:
    path = app_file(tmp_path)
    at_head = rows_by_table(path)
    assert sum(len(rows) for rows in at_head.values()) > 200

    events: list[engine.Event] = []
    result = engine.down(path, target=9, backup=False, on_event=events.append)

    assert result.ok, result.error
    assert (result.from_version, result.to_version) == (18, 9)
    assert compare(snapshot(_ro(path)), schema_at(9)).ok  # type: ignore[arg-type]
    done = events[-1].to_json()
    assert done["event"] == "done" and done["reverted"] == list(range(18, 9, -1))
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == list(range(10))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 9
    kinds = conn.execute("SELECT version FROM sqlmig_log WHERE kind = 'reverted' ORDER BY id")
    assert [int(r[0]) for r in kinds] == list(range(18, 9, -1))
    conn.close()

    assert engine.upgrade(path, backup=False).ok
    assert compare(snapshot(_ro(path)), schema_at(18)).ok  # type: ignore[arg-type]
    assert rows_by_table(path) == at_head


def _ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def test_down_refuses_to_drop_a_column_holding_data_without_the_flag(tmp_path: Path) -> None:
    path = app_file(tmp_path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE worlds SET variables = 'mood=calm' WHERE id = 'default-world'")
    conn.close()
    before = path.read_bytes()

    result = engine.down(path, target=12)

    assert not result.ok and result.error is not None
    assert result.error.code == "data_loss" and result.exit_code == 3
    assert "column worlds.variables holds 1 non-NULL value(s)" in result.error.message
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.sqlmig-backup*")) == []  # refused before the backup

    allowed = engine.down(path, target=12, allow_data_loss=True)
    assert allowed.ok, allowed.error
    assert allowed.backup is not None and allowed.backup.exists()


def test_an_all_default_column_holds_no_data(tmp_path: Path) -> None:
    """agents.auto_reply (NOT NULL DEFAULT 1) and title_provenance ('default') go quietly."""
    path = app_file(tmp_path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM agents WHERE auto_reply = 1").fetchone()[0] > 0
    conn.close()
    assert engine.down(path, target=12, backup=False).ok


def test_0012_down_refuses_while_tool_rows_exist_and_sets_them_aside_with_the_flag(
    tmp_path: Path,
) -> None:
    path = app_file(tmp_path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE agent_memory SET role = 'tool' WHERE id IN (1, 2, 3)")
    memory = conn.execute("SELECT count(*) FROM agent_memory").fetchone()[0]
    conn.close()
    before = path.read_bytes()

    refused = engine.down(path, target=11)
    assert refused.error is not None and refused.error.code == "data_loss"
    assert "3 row(s) of agent_memory cannot be kept" in refused.error.message
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.sqlmig-backup*")) == []  # refused before the backup
    dry = engine.down(path, target=11, dry_run=True)
    assert dry.error is not None and dry.error.code == "data_loss"

    done = engine.down(path, target=11, backup=False, allow_data_loss=True)
    assert done.ok, done.error
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM agent_memory_unplaced").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM agent_memory").fetchone()[0] == memory - 3
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "archived_messages_unplaced" not in names  # made empty, dropped again
    conn.close()


def test_a_missing_down_part_is_refused_with_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0000_a.sql").write_text("CREATE TABLE a (x);\n-- migrate:down\nDROP TABLE a;\n")
    (folder / "0001_b.sql").write_text("ALTER TABLE a ADD COLUMN y TEXT;\n")
    catalog = engine.load_catalog(folder)
    path = tmp_path / "x.db"
    path.touch()
    assert engine.upgrade(path, catalog, backup=False).ok
    before = path.read_bytes()

    result = engine.down(path, catalog, target=-1, backup=False)

    assert result.error is not None and result.error.code == "no_down"
    assert "0001_b.sql has no down part" in result.error.message
    assert path.read_bytes() == before


def test_a_down_part_may_drop_only_what_its_up_part_added(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0000_a.sql").write_text("CREATE TABLE a (x, z);\n-- migrate:down\nDROP TABLE a;\n")
    (folder / "0001_b.sql").write_text(
        "ALTER TABLE a ADD COLUMN y TEXT;\n-- migrate:down\nALTER TABLE a DROP COLUMN z;\n")
    catalog = engine.load_catalog(folder)
    path = tmp_path / "x.db"
    path.touch()
    assert engine.upgrade(path, catalog, backup=False).ok

    result = engine.down(path, catalog, target=0, backup=False)

    assert result.error is not None and result.error.code == "bad_catalog"
    assert "drops column a.z, which its up part did not add" in result.error.message


def test_to_above_the_current_version_is_a_usage_error(tmp_path: Path) -> None:
    path = app_file(tmp_path)
    assert engine.down(path, target=9, backup=False).ok
    out = io.StringIO()
    assert engine.cli.main(["down", str(path), "--to", "12"], stdout=out) == 2


def test_cli_down_json_ends_with_one_done_event(tmp_path: Path) -> None:
    path = app_file(tmp_path)
    out = io.StringIO()
    code = engine.cli.main(["down", str(path), "--to", "15", "--json", "--no-backup"], stdout=out)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert code == 0
    assert [e["event"] for e in events].count("done") == 1 and events[-1]["event"] == "done"
    assert events[0]["event"] == "plan" and events[0]["to_version"] == 15
    done = events[-1]
    assert done["ok"] and done["from_version"] == 18 and done["to_version"] == 15
    assert done["reverted"] == [18, 17, 16] and "ledger" in done and done["problems"] == []


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = app_file(tmp_path)
    before = path.read_bytes()
    result = engine.down(path, target=9, dry_run=True)
    assert result.ok and result.to_version == 9
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.sqlmig-backup*")) == []


@pytest.mark.fixtures
def test_every_real_fixture_goes_down_to_12_or_refuses_naming_the_data(
    real_fixtures: Path, fixture_copy: Callable[[str], Path]
) -> None:
    ran = refused = 0
    for source in sorted(real_fixtures.glob("*.db")):
        path = fixture_copy(source.name)
        if not engine.upgrade(path, backup=False).ok:
            continue  # a file the bridge refuses is not this test's subject
        at_head = rows_by_table(path)
        result = engine.down(path, target=12, backup=False)
        if result.ok:
            ran += 1
            assert compare(snapshot(_ro(path)), schema_at(12)).ok, source.name  # type: ignore
            again = engine.upgrade(path, backup=False)
            assert again.ok, (source.name, again.error)
            assert rows_by_table(path) == at_head, source.name
        else:
            refused += 1
            assert result.error is not None
            assert result.error.code == "data_loss", (source.name, result.error.message)
            assert " holds " in result.error.message, result.error.message
    assert ran + refused > 0


def test_the_users_own_index_and_trigger_survive_0012s_rebuild(tmp_path: Path) -> None:
    path = app_file(tmp_path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE INDEX my_memory_sender ON agent_memory (sender)")
        conn.execute("CREATE TRIGGER my_memory_touch AFTER INSERT ON agent_memory "
                     "BEGIN SELECT 1; END")
    conn.close()

    result = engine.down(path, target=11, backup=False)

    assert result.ok, result.error
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"my_memory_sender", "my_memory_touch"} <= names
    assert "idx_agent_memory_reply_to" not in names  # 0012's own index is not put back


SLOW_DOWN = {
    "0000_create_numbers.sql": "CREATE TABLE numbers (n INTEGER PRIMARY KEY);\n\n"
    "-- migrate:down\nDROP TABLE numbers;\n",
    "0001_create_extra.sql": "CREATE TABLE extra (x INTEGER);\n\n-- migrate:down\n"
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 200000000)\n"
    "SELECT count(*) FROM c;\nDROP TABLE extra;\n",
}


def test_heartbeats_arrive_during_a_long_down_statement_and_cancel_rolls_back(
    tmp_path: Path,
) -> None:
    """A long down part keeps a face's progress alive (heartbeats name its statement), and a
    cancel on the first one rolls the whole roll back back."""
    folder = tmp_path / "m"
    folder.mkdir()
    for name, text in SLOW_DOWN.items():
        (folder / name).write_text(text, encoding="utf-8")
    catalog = engine.load_catalog(folder)
    db = tmp_path / "slow.db"
    db.touch()
    assert engine.upgrade(db, catalog, backup=False).ok
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    token = engine.CancelToken()
    beats: list[engine.HeartbeatEvent] = []

    def sink(event: object) -> None:
        if isinstance(event, engine.HeartbeatEvent):
            beats.append(event)
            token.cancel()

    result = engine.down(db, catalog, target=0, backup=False, on_event=sink, cancel=token)

    assert beats, "no heartbeat during a multi-second down statement"
    assert (beats[0].version, beats[0].statement) == (1, 1)
    assert result.error is not None and result.error.code == "cancelled"
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert engine.inspect_file(db, catalog).current_version == 1
