"""The generic bridge: guards, present queries, repair scripts, moves, diverged history.

These use a tiny made-up app (a "notes" profile), so they test the engine, not agent-world.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import engine
from engine.runtime.ledger import compare_ledger
from engine.scripts.statements import Guard, guard_of
from engine.scripts.templates import TemplateError, expand, unknown_templates

PROFILE = """
[app]
name = "notes-app"
tables = ["notes", "tags", "notes_legacy", "notes_unplaced", "old_stats"]
core_tables = ["notes"]

[legacy]
user_version_min = 0
user_version_max = 3
tracked_offset = -1
claims_from = 1
repairs = "repairs"

[[legacy.eras]]
name = "notes 1.x"
born_user_version = 1
when = "SELECT NOT EXISTS (SELECT 1 FROM pragma_table_info('notes') WHERE name = 'title')"
"""

MIGRATIONS = {
    "0000_create_notes.sql": (
        "-- present: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'notes')\n"
        "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
    ),
    "0001_add_title.sql": (
        "ALTER TABLE notes ADD COLUMN title TEXT;\n"
        "CREATE INDEX IF NOT EXISTS idx_notes_title ON notes (title);\n"
    ),
    "0002_fill_titles.sql": "UPDATE notes SET title = substr(body, 1, 5) WHERE title IS NULL;\n",
    "0003_create_tags.sql": "CREATE TABLE IF NOT EXISTS tags (note_id INTEGER, tag TEXT);\n",
}

REPAIR = """-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'old_stats')
-- before: 0003
-- reason: Old statistics are kept under their own name.
-- moves: old_stats -> stats_legacy
ALTER TABLE old_stats RENAME TO stats_legacy;
"""


def make_catalog(folder: Path, *, repair: bool = True) -> engine.Catalog:
    folder.mkdir()
    (folder / "profile.toml").write_text(PROFILE)
    (folder / "repairs").mkdir()
    for name, text in MIGRATIONS.items():
        (folder / name).write_text(text)
    if repair:
        (folder / "repairs" / "keep_old_stats.sql").write_text(REPAIR)
    catalog = engine.load_catalog(folder)
    assert catalog.ok, catalog.problems
    return catalog


def make_db(path: Path, *sql: str) -> Path:
    with sqlite3.connect(path) as conn:
        for statement in sql:
            conn.execute(statement)
    return path


def history(path: Path) -> dict[int, tuple[str, str | None]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT version, name, method FROM schema_migrations").fetchall()
    return {v: (n, m) for v, n, m in rows}


@pytest.mark.parametrize(
    ("sql", "guard"),
    [
        ("CREATE TABLE IF NOT EXISTS t (x)", Guard("table", "t")),
        ('create table "my table"(x)', Guard("table", "my table")),
        ("CREATE UNIQUE INDEX IF NOT EXISTS i ON t (x)", Guard("index", "i", "t")),
        ("CREATE INDEX main.i ON [t] (x)", Guard("index", "i", "t")),
        ("CREATE TRIGGER g AFTER UPDATE OF x ON t BEGIN SELECT 1; END", Guard("trigger", "g", "t")),
        ("-- note\nALTER TABLE t ADD COLUMN c TEXT", Guard("column", "c", "t")),
        ("ALTER TABLE t ADD c", Guard("column", "c", "t")),
        ("CREATE VIEW v AS SELECT 1", Guard("view", "v")),
        ("ALTER TABLE t RENAME TO u", None),
        ("INSERT INTO t VALUES (1)", None),
        ("DROP TABLE t", None),
    ],
)
def test_guards_name_what_a_statement_creates(sql: str, guard: Guard | None) -> None:
    assert guard_of(sql) == guard


def test_column_templates_list_the_shared_columns_in_the_first_tables_order() -> None:
    tables = {"a": ["id", "body", "extra"], "b": ["body", "id", "other"]}

    def columns_of(table: str) -> list[str]:
        return tables.get(table, [])

    assert expand("SELECT {{columns(a, b)}} FROM b", columns_of) == 'SELECT "id", "body" FROM b'
    assert expand("{{ columns(a) }}", columns_of) == '"id", "body", "extra"'
    with pytest.raises(TemplateError, match="found no columns"):
        expand("{{columns(missing)}}", columns_of)
    assert unknown_templates("SELECT {{rows(a)}}, {{columns(b)}}") == ["rows(a)"]


def test_ledger_counts_moved_rows_across_their_tables() -> None:
    before = {"a": 10, "a_unplaced": 0, "b": 3}
    after = {"a": 8, "a_unplaced": 2, "b": 3}
    assert not compare_ledger(before, after).ok
    assert compare_ledger(before, after, {"a": ("a", "a_unplaced")}).ok
    lost = compare_ledger(before, {"a": 7, "a_unplaced": 2, "b": 3}, {"a": ("a", "a_unplaced")})
    assert lost.losses == ("Tables a, a_unplaced had 10 rows together and have 9.",)


def test_legacy_file_is_placed_by_its_shape_not_its_user_version(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    # user_version 3 claims titles (legacy numbering: 0001 + 0002), but the title column is missing.
    db = make_db(
        tmp_path / "notes.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        "INSERT INTO notes (body) VALUES ('hello world'), ('second note')",
        "PRAGMA user_version = 3",
    )
    found = engine.inspect_file(db, catalog)
    assert found.state == "legacy" and found.legacy is not None
    report = found.legacy
    assert report.claimed_version == 3 and report.shape_version == 0
    assert report.era == "born in notes 1.x, upgraded from v1"
    assert any("column notes.title" in d and "failed half-way" in d for d in report.differences)
    assert found.to_json()["legacy"]["claimed_version"] == 3


def test_bridge_adopts_present_effects_and_runs_missing_ones(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = make_db(
        tmp_path / "notes.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, title TEXT)",
        "INSERT INTO notes (body) VALUES ('hello world')",
        "PRAGMA user_version = 2",
    )
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    rows = history(db)
    assert rows[0] == ("create_notes", "adopted")
    assert rows[1] == ("add_title", "repaired")  # the column was there, its index was not
    assert rows[2] == ("fill_titles", "executed")
    assert rows[3] == ("create_tags", "executed")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT title FROM notes").fetchall() == [("hello",)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    again = engine.upgrade(db, catalog, backup=False)
    assert again.ok and again.applied == []


def test_recorded_steps_get_missing_objects_but_never_rerun_their_data(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = tmp_path / "notes.db"
    db.touch()
    assert engine.upgrade(db, catalog, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX idx_notes_title")
        conn.execute("INSERT INTO notes (body, title) VALUES ('untitled here', NULL)")
    found = engine.inspect_file(db, catalog)
    assert found.state == "tracked" and found.needs_repair
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    assert history(db)[1] == ("add_title", "repaired")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT title FROM notes").fetchall() == [(None,)]
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name='idx_notes_title'").fetchone()


def test_repair_scripts_run_when_due_and_are_audited_with_their_moves(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = make_db(
        tmp_path / "notes.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE TABLE old_stats (n)",
        "INSERT INTO old_stats VALUES (1), (2)",
        "PRAGMA user_version = 1",
    )
    found = engine.inspect_file(db, catalog)
    assert found.legacy is not None and found.legacy.repairs == ("keep_old_stats",)
    assert "Old statistics are kept under their own name." in found.legacy.differences
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    assert result.ledger["old_stats"] == [2, 0] and result.ledger["stats_legacy"] == [0, 2]
    with sqlite3.connect(db) as conn:
        # (each step's own audit row, with its version, is tests/engine/test_audit_rows.py's)
        log = conn.execute(
            "SELECT kind, name, detail FROM sqlmig_log WHERE version IS NULL"
        ).fetchall()
    assert log == [("repair", "keep_old_stats", "Old statistics are kept under their own name.")]
    assert 3 in history(db)


def test_a_repair_that_loses_rows_without_declaring_moves_rolls_back(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m", repair=False)
    (catalog.folder / "repairs" / "drop_old.sql").write_text(
        "-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'old_stats')\n"
        "-- before: 0003\nDROP TABLE old_stats;\n"
    )
    catalog = engine.load_catalog(catalog.folder)
    db = make_db(
        tmp_path / "notes.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE TABLE old_stats (n)",
        "INSERT INTO old_stats VALUES (1)",
    )
    before = db.read_bytes()
    result = engine.upgrade(db, catalog, backup=False)
    assert result.error is not None and result.error.code == "check_failed"
    assert "old_stats had 1 rows and is gone" in result.error.message
    assert db.read_bytes() == before


def test_diverged_history_is_refused_unless_accepted_then_audited(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = tmp_path / "notes.db"
    db.touch()
    assert engine.upgrade(db, catalog, target=2, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (3, 'branch_thing')")
        conn.execute("CREATE TABLE branch_table (x)")
        conn.execute("PRAGMA user_version = 3")
    refused = engine.upgrade(db, catalog, backup=False)
    assert refused.error is not None and refused.error.code == "diverged"
    assert refused.error.exit_code == 3
    result = engine.upgrade(db, catalog, backup=False, accept_diverged=True)
    assert result.ok, result.error
    assert history(db)[3] == ("create_tags", "executed")
    with sqlite3.connect(db) as conn:
        moved = conn.execute("SELECT kind, name FROM sqlmig_log WHERE version IS NULL").fetchall()
        assert conn.execute("SELECT count(*) FROM branch_table").fetchone() == (0,)
    assert moved == [("history_moved", "3 branch_thing")]


def test_dry_run_of_a_bridge_rehearses_on_a_copy(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = make_db(
        tmp_path / "notes.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, title TEXT)",
        "PRAGMA user_version = 2",
    )
    before = db.read_bytes()
    events: list[engine.Event] = []
    result = engine.upgrade(db, catalog, dry_run=True, on_event=events.append)
    assert result.ok and db.read_bytes() == before
    skipped = [e for e in events if isinstance(e, engine.StatementEvent) and e.skipped]
    assert any("ADD COLUMN title" in e.sql for e in skipped)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "notes.db"]


def test_a_rebuild_that_keeps_every_row_but_drops_a_columns_values_is_caught(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0000_create.sql").write_text(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);\n"
    )
    (folder / "0001_rebuild_without_b.sql").write_text(
        "-- foreign-keys: off\n"
        "CREATE TABLE t_new (id INTEGER PRIMARY KEY, a TEXT, b TEXT);\n"
        "INSERT INTO t_new (id, a) SELECT id, a FROM t;\n"
        "DROP TABLE t;\n"
        "ALTER TABLE t_new RENAME TO t;\n"
    )
    catalog = engine.load_catalog(folder)
    db = tmp_path / "app.db"
    db.touch()
    assert engine.upgrade(db, catalog, target=0, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO t (a, b) VALUES ('x', 'precious'), ('y', NULL)")
    before = db.read_bytes()
    result = engine.upgrade(db, catalog, backup=False)
    assert result.error is not None and result.error.code == "check_failed"
    assert "Column t.b had 1 values and has 0." in result.error.message
    assert db.read_bytes() == before


def test_a_condition_on_a_table_the_file_lacks_is_false_not_an_error(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m", repair=False)
    (catalog.folder / "repairs" / "count_old.sql").write_text(
        "-- when: SELECT count(*) > 0 FROM old_stats\n-- before: 0003\nDROP TABLE old_stats;\n"
    )
    catalog = engine.load_catalog(catalog.folder)
    db = make_db(
        tmp_path / "notes.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"
    )
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error


def test_stepwise_bridge_checks_the_schema_once_at_the_end(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = make_db(
        tmp_path / "notes.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE TABLE old_stats (n)",
        "INSERT INTO old_stats VALUES (1)",
        "PRAGMA user_version = 1",
    )
    events: list[engine.Event] = []
    result = engine.upgrade(db, catalog, backup=False, mode="stepwise", on_event=events.append)
    assert result.ok, result.error
    checks = [e.check for e in events if isinstance(e, engine.VerifyEvent)]
    assert checks.count("schema") == 1 and checks.count("ledger") >= 4


# -- presence judged against the chain's expected schema (issue 8, item 6) ----------------------

# Shapes of other projects' chains, written as sqlmig files: each creates something that a later
# migration drops or renames on purpose.
OTHER_CHAINS = {
    "dbmate_drop_table": {
        "0001_create_users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
        "0002_create_events.sql": (
            "CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT);\n"
            "CREATE INDEX idx_events_body ON events (body);\n"
        ),
        "0003_drop_events.sql": "DROP TABLE events;\n",
    },
    "sqlx_rename_table_with_index": {
        "0001_create_users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
        "0002_index_users.sql": "CREATE INDEX idx_users_name ON users (name);\n",
        "0003_rename_users.sql": "ALTER TABLE users RENAME TO accounts;\n",
        "0004_replace_index.sql": (
            "DROP INDEX idx_users_name;\nCREATE INDEX idx_accounts_name ON accounts (name);\n"
        ),
    },
    "flyway_columns_views_triggers": {
        "0001_create_items.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT);\n",
        "0002_add_price.sql": (
            "ALTER TABLE items ADD COLUMN price REAL;\n"
            "ALTER TABLE items ADD COLUMN legacy_code TEXT;\n"
            "CREATE VIEW cheap_items AS SELECT id FROM items WHERE price < 1;\n"
            "CREATE TRIGGER items_touch AFTER UPDATE ON items BEGIN SELECT 1; END;\n"
        ),
        "0003_rename_price.sql": "ALTER TABLE items RENAME COLUMN price TO unit_price;\n",
        "0004_drop_legacy.sql": (
            "ALTER TABLE items DROP COLUMN legacy_code;\n"
            "DROP VIEW cheap_items;\nDROP TRIGGER items_touch;\n"
        ),
    },
}


@pytest.mark.parametrize("chain", sorted(OTHER_CHAINS))
def test_objects_a_later_migration_drops_or_renames_are_not_missing(
    tmp_path: Path, chain: str
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    for name, text in OTHER_CHAINS[chain].items():
        (folder / name).write_text(text)
    catalog = engine.load_catalog(folder)
    assert catalog.ok, catalog.problems
    db = tmp_path / "app.db"
    db.touch()
    assert engine.upgrade(db, catalog, backup=False).ok
    with sqlite3.connect(db) as conn:
        table = "accounts" if chain.startswith("sqlx") else "users"
        if chain.startswith("flyway"):
            conn.execute("INSERT INTO items (label, unit_price) VALUES ('a', 0.5)")
        else:
            conn.execute(f"INSERT INTO {table} (name) VALUES ('ada'), ('bob')")
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()

    found = engine.inspect_file(db, catalog)
    assert found.state == "tracked" and not found.needs_repair, found.problems
    assert found.diagnosis.startswith("Up to date"), found.diagnosis
    assert not found.problems

    again = engine.upgrade(db, catalog, backup=False)
    assert again.ok and again.applied == [] and again.plan is not None and again.plan.empty
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == (
            schema
        )
        assert all(m != "repaired" for _v, (_n, m) in history(db).items())


def test_an_object_a_later_migration_drops_is_still_required_before_that_migration(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    for name, text in OTHER_CHAINS["dbmate_drop_table"].items():
        (folder / name).write_text(text)
    catalog = engine.load_catalog(folder)
    db = tmp_path / "app.db"
    db.touch()
    assert engine.upgrade(db, catalog, target=2, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX idx_events_body")
    found = engine.inspect_file(db, catalog)
    assert found.needs_repair
    assert any("idx_events_body" in p.message for p in found.problems), found.problems


def test_a_renamed_table_with_rows_counts_as_moved_not_lost(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    for name, text in OTHER_CHAINS["sqlx_rename_table_with_index"].items():
        (folder / name).write_text(text)
    catalog = engine.load_catalog(folder)
    db = tmp_path / "app.db"
    db.touch()
    assert engine.upgrade(db, catalog, target=2, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO users (name) VALUES ('ada'), ('bob')")
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    assert result.ledger["users"] == [2, 0] and result.ledger["accounts"] == [0, 2]


# -- the value ledger (issue 8, item 4) ----------------------------------------------------------


def test_the_ledger_catches_a_value_a_trigger_changes_in_a_column_no_step_writes(
    tmp_path: Path,
) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = tmp_path / "notes.db"
    db.touch()
    assert engine.upgrade(db, catalog, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO notes (body) VALUES ('kept as it is'), ('another')")
        conn.execute(
            "CREATE TRIGGER user_rewrites AFTER INSERT ON tags "
            "BEGIN UPDATE notes SET body = 'rewritten'; END"
        )
    (catalog.folder / "0004_seed_tags.sql").write_text(
        "INSERT INTO tags (note_id, tag) SELECT id, 'new' FROM notes;\n"
    )
    catalog = engine.load_catalog(catalog.folder)
    before = db.read_bytes()
    result = engine.upgrade(db, catalog, backup=False)
    assert result.error is not None and result.error.code == "check_failed"
    assert "notes.body" in result.error.message, result.error.message
    assert db.read_bytes() == before


def test_value_fingerprints_compare_across_moved_tables_and_skip_written_columns() -> None:
    from engine.runtime.ledger import fingerprint_changes

    before = {"a": {"x": 10, "y": 20}, "b": {"x": 5, "y": 1}}
    moved = {"a": {"x": 7, "y": 15}, "a_unplaced": {"x": 3, "y": 5}, "b": {"x": 5, "y": 1}}
    moves = {"a": ("a", "a_unplaced")}
    assert not fingerprint_changes(before, moved, moves, set())
    changed = dict(moved, b={"x": 5, "y": 2})
    assert fingerprint_changes(before, changed, moves, set()) == [
        "Values of column b.y changed, and no step of the plan writes that column."
    ]
    assert not fingerprint_changes(before, changed, moves, {("b", "y")})
    lost_in_group = dict(moved, a_unplaced={"x": 3, "y": 6})
    assert fingerprint_changes(before, lost_in_group, moves, set()) == [
        "Values of column a/a_unplaced.y changed, and no step of the plan writes that column."
    ]


def test_a_tracked_file_whose_missing_objects_were_added_does_not_say_nothing_to_do(
    tmp_path: Path,
) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = tmp_path / "notes.db"
    db.touch()
    assert engine.upgrade(db, catalog, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX idx_notes_title")
    events: list[engine.Event] = []
    result = engine.upgrade(db, catalog, backup=False, on_event=events.append)
    assert result.ok, result.error
    done = next(e for e in events if isinstance(e, engine.DoneEvent))
    assert "Nothing to do" not in done.message
    assert "0001" in done.message and "repaired" in done.message.lower(), done.message


def test_one_scan_per_table_counts_and_fingerprints_as_the_separate_reads_do(
    tmp_path: Path,
) -> None:
    # Before COMMIT the ledger's counts and the watched tables' fingerprints share one SELECT.
    from engine.runtime.ledger import counts_and_fingerprints, fingerprints, value_counts

    conn = sqlite3.connect(tmp_path / "scan.db")
    conn.execute("CREATE TABLE Notes (id INTEGER PRIMARY KEY, Body TEXT, n INT)")
    conn.execute("CREATE TABLE empty_one (x TEXT)")
    conn.execute("CREATE TABLE other (a, b)")
    conn.executemany("INSERT INTO Notes (Body, n) VALUES (?, ?)", [("a", 1), (None, 2), ("c", 3)])
    conn.execute("INSERT INTO other VALUES (1, x'00'), ('1', NULL)")
    wanted = {"notes": {"body", "n"}, "empty_one": {"x"}, "gone": {"y"}}
    rows, values, prints = counts_and_fingerprints(conn, wanted)
    assert (rows, values) == value_counts(conn)
    assert prints == {
        "notes": fingerprints(conn, "Notes", only={"body", "n"}),
        "empty_one": {"x": 0},
    }
    assert set(prints["notes"]) == {"Body", "n"}


def test_the_shared_scan_still_catches_a_lost_row_and_a_changed_value(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "m")
    db = tmp_path / "notes.db"
    db.touch()
    assert engine.upgrade(db, catalog, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO notes (body) VALUES ('kept as it is'), ('another')")
        conn.execute(
            "CREATE TRIGGER user_rewrites AFTER INSERT ON tags BEGIN "
            "DELETE FROM notes WHERE body = 'another'; UPDATE notes SET body = 'rewritten'; END"
        )
    (catalog.folder / "0004_seed_tags.sql").write_text(
        "INSERT INTO tags (note_id, tag) SELECT id, 'new' FROM notes;\n"
    )
    catalog = engine.load_catalog(catalog.folder)
    before = db.read_bytes()
    events: list[engine.Event] = []
    result = engine.upgrade(db, catalog, backup=False, on_event=events.append)
    assert result.error is not None and result.error.code == "check_failed"
    (ledger,) = [e for e in events if isinstance(e, engine.VerifyEvent) and e.check == "ledger"]
    assert not ledger.ok
    assert any("notes had 2 rows and has 1" in d for d in ledger.details), ledger.details
    assert any("notes.body" in d for d in ledger.details), ledger.details
    assert db.read_bytes() == before
