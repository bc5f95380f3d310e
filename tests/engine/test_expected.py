"""The expected schema: built from schema statements only, once per catalog (issue 8, item 8)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import engine
from engine.runtime.checks import ExpectedSchemas, ReplayFailed
from engine.schema import replay
from engine.scripts.catalog import load_catalog

# A data migration that would take long and then fail on its last row if it ran: the replay
# succeeding is the proof that it did not run (no timing involved).
SLOW_INSERT = (
    "INSERT INTO big (n)\n"
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000)\n"
    "SELECT n FROM c;\n"
)
BIG = "CREATE TABLE big (n INTEGER CHECK (n < 300000));\n"


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "statement",
    [
        SLOW_INSERT,
        "UPDATE big SET n = 300000;",
        "REPLACE INTO big (n) VALUES (300000);",
        "WITH x AS (SELECT 300000 AS n) INSERT INTO big SELECT n FROM x;",
        "DELETE FROM big WHERE n = abs(-9223372036854775808);",
        "SELECT abs(-9223372036854775808);",
        "VALUES (abs(-9223372036854775808));",
        "ANALYZE;",
        "VACUUM;",
    ],
)
def test_replay_runs_schema_statements_only(statement: str) -> None:
    snap = replay([([BIG, "INSERT INTO big VALUES (1)"], False), ([statement], False)])
    assert "big" in snap.tables


def test_replay_keeps_create_table_as_select_and_pragmas() -> None:
    snap = replay(
        [
            (["CREATE TABLE a (x INTEGER, y TEXT)", "INSERT INTO a VALUES (1, 'one')"], False),
            (["CREATE TABLE b AS SELECT x, y FROM a", "PRAGMA legacy_alter_table = ON"], False),
            (["ALTER TABLE a RENAME TO a2"], False),
        ]
    )
    assert [c.name for c in snap.tables["b"].columns] == ["x", "y"]
    assert "a2" in snap.tables


def test_expected_schema_skips_a_slow_data_migration(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, {"0000_big.sql": BIG, "0001_fill.sql": SLOW_INSERT}))
    assert catalog.ok, catalog.problems
    assert "big" in ExpectedSchemas(catalog).at(1).tables


def test_a_vacuum_migration_does_not_break_the_expected_schema(tmp_path: Path) -> None:
    """Before: the replay ran VACUUM inside its transaction, so every later check failed."""
    folder = write(
        tmp_path / "m",
        {
            "0000_a.sql": "CREATE TABLE a (x);\n",
            "0001_compact.sql": "-- transaction: no\nVACUUM;\n",
            "0002_b.sql": "CREATE TABLE b (x);\n",
        },
    )
    db = tmp_path / "app.db"
    db.touch()
    result = engine.upgrade(db, load_catalog(folder), backup=False)
    assert result.ok, result.error
    assert result.to_version == 2


# --- one replay per catalog ------------------------------------------------------------------


def test_two_runs_in_one_process_replay_once(tmp_path: Path) -> None:
    folder = write(tmp_path, {"0000_a.sql": "CREATE TABLE a (x);\n", "0001_b.sql": BIG})
    first = ExpectedSchemas(load_catalog(folder)).at(1)
    again = ExpectedSchemas(load_catalog(folder)).at(1)  # another load, another instance
    assert again is first


def test_a_changed_catalog_is_replayed_again(tmp_path: Path) -> None:
    folder = write(tmp_path, {"0000_a.sql": "CREATE TABLE a (x);\n"})
    before = load_catalog(folder)
    first = ExpectedSchemas(before).at(0)
    write(folder, {"0000_a.sql": "CREATE TABLE a (x, y);\n"})
    after = load_catalog(folder)
    assert after.checksum != before.checksum
    changed = ExpectedSchemas(after).at(0)
    assert [c.name for c in changed.tables["a"].columns] == ["x", "y"]
    assert ExpectedSchemas(before).at(0) is first


def test_catalog_checksum_covers_names_versions_and_texts(tmp_path: Path) -> None:
    folder = write(tmp_path, {"0000_a.sql": "CREATE TABLE a (x);\n"})
    base = load_catalog(folder).checksum
    assert base.startswith("sha256:") and load_catalog(folder).checksum == base
    (folder / "0000_a.sql").rename(folder / "0000_renamed.sql")
    renamed = load_catalog(folder).checksum
    (folder / "0000_renamed.sql").rename(folder / "0001_renamed.sql")
    renumbered = load_catalog(folder).checksum
    assert len({base, renamed, renumbered}) == 3


def test_a_failing_replay_is_not_cached(tmp_path: Path) -> None:
    folder = write(tmp_path, {"0000_a.sql": "ALTER TABLE nope ADD COLUMN x;\n"})
    with pytest.raises(ReplayFailed, match=r"0000_a\.sql"):
        ExpectedSchemas(load_catalog(folder)).at(0)
    with pytest.raises(ReplayFailed):
        ExpectedSchemas(load_catalog(folder)).at(0)


def test_replay_errors_are_unchanged_sqlite_errors() -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        replay([(["CREATE INDEX i ON missing (x)"], False)])
