"""`sqlmig diff`: a file's schema against its version's (or another file's), and the SQL that
reconciles it without losing a row: child rows with ON DELETE CASCADE and sqlite_sequence too."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from builders.states import build_tracked
from helpers.badfiles import run_cli, sha256

import engine


def apply_script(path: Path, script: str) -> None:
    """Run a `diff --sql` script as a user would in the sqlite3 shell, statement by statement."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        pending = ""
        for line in script.splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                statement = pending.strip()
                pending = ""
                if statement.startswith("PRAGMA foreign_key_check"):
                    assert conn.execute(statement).fetchall() == []
                else:
                    conn.execute(statement)


def snapshot_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (sqlite_sequence included), sorted: what must survive."""
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }


def rows_by_column(path: Path, table: str) -> list[dict[str, object]]:
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')]
    return rows


def _rebuild_by_hand(conn: sqlite3.Connection, table: str, old: str, new: str) -> None:
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    assert old in sql
    changed = sql.replace(old, new).replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_x", 1)
    conn.execute(changed)
    conn.execute(f"INSERT INTO {table}_x SELECT * FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {table}_x RENAME TO {table}")


def drift_by_hand(path: Path) -> None:
    """What a developer does to a head file by hand: a dropped column, a dropped index, a
    changed default on a parent table (agents: its children cascade on delete), a new CHECK."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        conn.execute("ALTER TABLE worlds DROP COLUMN mcp_config")
        conn.execute("DROP INDEX idx_agent_memory_chat_id")
        _rebuild_by_hand(conn, "agents", "DEFAULT 'inactive'", "DEFAULT 'idle'")
        _rebuild_by_hand(conn, "world_chats", "message_count INTEGER DEFAULT 0",
                         "message_count INTEGER DEFAULT 0 CHECK (message_count >= 0)")
        conn.execute("COMMIT")


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    path = tmp_path / "drifted.db"
    build_tracked(path, rng=12)
    drift_by_hand(path)
    return path


def test_diff_lists_each_hand_made_change_and_exits_1(drifted: Path) -> None:
    run = run_cli("diff", drifted)
    assert run.code == 1
    for sentence in ("Column worlds.mcp_config is missing.",
                     "Column agents.status has a different default.",
                     "Index idx_agent_memory_chat_id is missing.",
                     "Table world_chats has different CHECK constraints."):
        assert sentence in run.out


def test_diff_sql_applied_makes_diff_empty_and_keeps_every_row(drifted: Path) -> None:
    before = snapshot_rows(drifted)
    assert before["agent_memory"] and before["agents"] and before["sqlite_sequence"]
    run = run_cli("diff", drifted, "--sql")
    assert run.code == 1
    script = run.out.split("-- SQL that reconciles the schema:\n", 1)[1]
    assert "PRAGMA foreign_keys = OFF;" in script.splitlines()[0:3]
    assert "ADD COLUMN mcp_config TEXT;" in script
    apply_script(drifted, script)
    assert run_cli("diff", drifted).code == 0
    after = snapshot_rows(drifted)
    # mcp_config came back empty; every other value of every row is kept, children included.
    assert {k: v for k, v in after.items() if k != "worlds"} == {
        k: v for k, v in before.items() if k != "worlds"
    }
    worlds = rows_by_column(drifted, "worlds")
    assert len(worlds) == len(before["worlds"])
    assert all(w["mcp_config"] is None for w in worlds)
    assert engine.verify(drifted).ok


def test_diff_reads_only(drifted: Path) -> None:
    digest = sha256(drifted)
    for args in ((), ("--sql",), ("--json",), ("--against", "head")):
        run_cli("diff", drifted, *args)
    assert sha256(drifted) == digest


def test_diff_json_is_one_done_event_with_the_comparison(drifted: Path) -> None:
    run = run_cli("diff", drifted, "--json")
    assert run.code == 1
    events = [json.loads(line) for line in run.out.splitlines()]
    assert [e["event"] for e in events] == ["done"]
    done = events[0]
    assert done["ok"] is False and done["against_version"] == 18
    assert (done["from_version"], done["to_version"]) == (18, 18)  # the file's version, then
    head = json.loads(run_cli("diff", drifted, "--json", "--against", "5").out)
    assert (head["from_version"], head["to_version"]) == (18, 5)
    kinds = {d["kind"] for d in done["differences"]}
    assert {"missing_column", "column_differs", "missing_index", "checks_differ"} <= kinds
    assert done["sql"].startswith("PRAGMA foreign_keys = OFF;")


def test_an_untouched_head_file_has_no_difference(tmp_path: Path) -> None:
    path = tmp_path / "head.db"
    build_tracked(path)
    run = run_cli("diff", path, "--sql")
    assert run.code == 0
    assert "The schema matches the expected schema." in run.out
    assert "Nothing to do" in run.out


def test_diff_against_an_older_version_and_another_file(tmp_path: Path, drifted: Path) -> None:
    assert run_cli("diff", drifted, "--against", "5").code == 1
    other = tmp_path / "other.db"
    build_tracked(other)
    run = run_cli("diff", other, "--against", drifted, "--sql")
    assert run.code == 1
    apply_script(other, run.out.split("-- SQL that reconciles the schema:\n", 1)[1])
    assert run_cli("diff", other, "--against", drifted).code == 0


def test_an_extra_object_is_kept_against_a_version_and_dropped_against_a_file(
    tmp_path: Path,
) -> None:
    path, other = tmp_path / "mine.db", tmp_path / "other.db"
    build_tracked(path)
    build_tracked(other)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('mine')")
        conn.commit()
    against_version = run_cli("diff", path, "--sql")
    assert against_version.code == 0 and "+ table notes" in against_version.out
    assert "DROP TABLE" not in against_version.out
    against_file = run_cli("diff", path, "--against", other, "--sql")
    assert against_file.code == 1
    assert 'DROP TABLE "notes";' in against_file.out and "Drops table notes" in against_file.out


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--against", "99"), 2, "There is no version 99"),
        (("--against", "missing.db"), 3, "missing.db"),
    ],
)
def test_diff_usage_and_refusals(drifted: Path, args: tuple[str, ...], code: int, words: str) -> None:
    run = run_cli("diff", drifted, *args)
    assert run.code == code
    assert words in run.out + run.err


def test_a_foreign_file_has_no_version_to_compare_with(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    run = run_cli("diff", path, "--json")
    assert run.code == 3
    done = json.loads(run.out.splitlines()[-1])
    assert done["ok"] is False and done["problems"][0]["code"] == "foreign"
    assert run_cli("diff", path, "--against", "head").code == 1


def _schema(conn: sqlite3.Connection, *statements: str) -> None:
    for s in statements:
        conn.execute(s)


def test_a_renamed_column_is_proposed_only_when_unambiguous(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with closing(sqlite3.connect(a)) as conn:
        _schema(conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, old_name TEXT, n INT)",
                "INSERT INTO t VALUES (1, 'kept', 2)")
        conn.commit()
    with closing(sqlite3.connect(b)) as conn:
        _schema(conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, new_name TEXT, n INT)")
    report = engine.diff(a, against=str(b))
    assert report.reconciliation.renames[0].startswith(
        "Proposed rename: column t.old_name looks renamed to new_name")
    apply_script(a, report.reconciliation.script())
    assert rows_by_column(a, "t") == [{"id": 1, "new_name": "kept", "n": 2}]
    # Two columns gone with the same definition: nothing is guessed.
    with closing(sqlite3.connect(b)) as conn:
        _schema(conn, "DROP TABLE t", "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT, y TEXT)")
    with closing(sqlite3.connect(a)) as conn:
        _schema(conn, "DROP TABLE t", "CREATE TABLE t (id INTEGER PRIMARY KEY, p TEXT, q TEXT)")
    assert engine.diff(a, against=str(b)).reconciliation.renames == ()


def test_a_renamed_table_keeps_its_rows(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with closing(sqlite3.connect(a)) as conn:
        _schema(conn, "CREATE TABLE people (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)",
                "INSERT INTO people (name) VALUES ('ann'), ('bo')")
        conn.commit()
    with closing(sqlite3.connect(b)) as conn:
        _schema(conn, "CREATE TABLE persons (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)")
    report = engine.diff(a, against=str(b))
    assert "table people looks renamed to persons" in report.reconciliation.renames[0]
    apply_script(a, report.reconciliation.script())
    assert [r["name"] for r in rows_by_column(a, "persons")] == ["ann", "bo"]
    assert engine.diff(a, against=str(b)).ok


def test_a_plain_extra_column_is_dropped_in_place_and_a_keyed_one_by_a_rebuild(
    tmp_path: Path,
) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with closing(sqlite3.connect(a)) as conn:
        _schema(conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, keep TEXT, plain TEXT, keyed TEXT)",
                "CREATE INDEX t_keyed ON t (keyed)", "INSERT INTO t VALUES (1, 'k', 'p', 'x')")
        conn.commit()
    with closing(sqlite3.connect(b)) as conn:
        _schema(conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, keep TEXT, keyed TEXT)",
                "CREATE INDEX t_keyed ON t (keyed)")
    plain = engine.diff(a, against=str(b)).reconciliation
    assert plain.statements == ('ALTER TABLE "t" DROP COLUMN "plain";',)
    assert plain.notes == ("Drops column t.plain and its values.",)
    with closing(sqlite3.connect(b)) as conn:
        _schema(conn, "DROP INDEX t_keyed", "ALTER TABLE t DROP COLUMN keyed",
                "ALTER TABLE t ADD COLUMN plain TEXT")
    keyed = engine.diff(a, against=str(b)).reconciliation
    assert keyed.foreign_keys_off and any("t_sqlmig_rebuild" in s for s in keyed.statements)
    apply_script(a, keyed.script())
    assert rows_by_column(a, "t") == [{"id": 1, "keep": "k", "plain": "p"}]
    assert engine.diff(a, against=str(b)).ok


def test_the_users_index_on_a_column_a_rebuild_loses_is_said_not_recreated(tmp_path: Path) -> None:
    path = tmp_path / "mine.db"
    build_tracked(path)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        conn.execute("ALTER TABLE world_chats ADD COLUMN note TEXT")
        _rebuild_by_hand(conn, "world_chats", "title_provenance TEXT DEFAULT 'default'",
                         "title_provenance TEXT DEFAULT 'mine'")
        conn.execute("CREATE INDEX my_note ON world_chats (note)")
        conn.execute("CREATE INDEX my_name ON world_chats (name)")
        conn.execute("COMMIT")
    before = snapshot_rows(path)["world_chats"]
    report = engine.diff(path)
    assert ("my_note used world_chats.note, which the rebuilt table lacks: it is not recreated."
            in report.reconciliation.notes)
    apply_script(path, report.reconciliation.script())
    after = engine.diff(path)
    assert after.ok and "index my_name" in after.diff.extras
    assert len(snapshot_rows(path)["world_chats"]) == len(before)
