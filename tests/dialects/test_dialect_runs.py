"""Status and upgrade in each tool's dialect (SPEC §7.19, §7.22): an empty file goes to head, a
file the other tool left at a middle version goes to head, and afterwards the other tool's own
history table lists every version, so that tool finds nothing to do."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from tests.dialects.folders import at_middle_version, empty_db, make_folder, rows, run

# What each tool's history table holds after every migration of its folder, read as that tool
# reads it.
HEAD = {
    "dbmate": ("SELECT version FROM schema_migrations ORDER BY version",
               [("20240101120000",), ("20240215093000",), ("20240301000000",),
                ("20240302000000",)]),
    "golang-migrate": ("SELECT version, dirty FROM schema_migrations", [(3, 0)]),
    "goose": ("SELECT version_id, is_applied FROM goose_db_version ORDER BY id",
              [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]),
    "sqlx": ("SELECT version, description, success FROM _sqlx_migrations ORDER BY version",
             [(20240101000000, "create users", 1), (20240102000000, "add email", 1),
              (20240103000000, "create posts", 1)]),
    "flyway": ("SELECT installed_rank, version, description, type, script, success "
               "FROM flyway_schema_history ORDER BY installed_rank",
               [(1, "1", "create users", "SQL", "V1__create_users.sql", 1),
                (2, "1.9", "add email", "SQL", "V1.9__add_email.sql", 1),
                (3, "1.10", "create posts", "SQL", "V1.10__create_posts.sql", 1),
                (4, "2", "add phone", "SQL", "V2__add_phone.sql", 1)]),
}
CONVENTIONS = sorted(HEAD)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_an_empty_file_goes_to_head_in_the_tools_own_table(tmp_path: Path, convention: str) -> None:
    folder = make_folder(tmp_path, convention)
    catalog = engine.load_catalog(folder)
    assert (catalog.convention, catalog.problems) == (convention, ())
    db = empty_db(tmp_path)
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    sql, expected = HEAD[convention]
    assert rows(db, sql) == expected
    after = engine.inspect_file(db, catalog)
    assert (after.state, after.pending) == ("tracked", ())
    assert after.current_version == catalog.head_version
    # sqlmig's own facts go to sqlmig_log, never into the other tool's table
    methods = rows(db, "SELECT kind, method FROM sqlmig_log WHERE version IS NOT NULL")
    assert len(methods) == len(catalog.migrations)
    # user_version only where asked for and where the number fits: never for these folders
    assert rows(db, "PRAGMA user_version") == [(0,)]


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_a_file_the_other_tool_left_at_a_middle_version_goes_to_head(
    tmp_path: Path, convention: str
) -> None:
    folder = make_folder(tmp_path, convention)
    db = at_middle_version(tmp_path, convention, folder)
    # The history table in the file decides the convention even without sqlmig.toml.
    for config in folder.glob("sqlmig.toml"):
        if convention != "flyway":  # Flyway's placeholders need the file
            config.unlink()
    before = engine.inspect_file(db, engine.load_catalog(folder))
    assert before.state == "tracked", before.diagnosis
    assert before.pending
    result = engine.upgrade(db, engine.load_catalog(folder), backup=False)
    assert result.ok, result.error
    sql, expected = HEAD[convention]
    assert rows(db, sql) == expected  # the other tool's rows kept, sqlmig's added in its shape
    assert engine.inspect_file(db, engine.load_catalog(folder)).pending == ()


def test_a_dirty_golang_migrate_file_is_refused_with_a_sentence(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "golang-migrate")
    db = at_middle_version(tmp_path, "golang-migrate", folder)
    run(db, "UPDATE schema_migrations SET dirty = true")
    before = db.read_bytes()
    seen = engine.inspect_file(db, engine.load_catalog(folder))
    assert seen.state == "tracked"
    assert [p.code for p in seen.problems] == ["dirty"]
    result = engine.upgrade(db, engine.load_catalog(folder), backup=False)
    assert result.error is not None
    assert (result.error.code, result.exit_code) == ("dirty", 3)
    assert "stopped half-way" in result.error.message
    assert "migrate force" in result.error.hint
    assert db.read_bytes() == before


def test_the_goose_down_part_never_runs_on_upgrade(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "goose")
    db = empty_db(tmp_path)
    assert engine.upgrade(db, engine.load_catalog(folder), backup=False).ok
    tables = {name for (name,) in rows(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "posts"} <= tables  # 00003's down part would drop users
    assert rows(db, "SELECT name FROM sqlite_master WHERE name = 'users_name'") == [("users_name",)]
    run(db, "INSERT INTO users (name) VALUES ('  ada  ')")
    assert rows(db, "SELECT name FROM users") == [("ada",)]  # the StatementBegin trigger works


def test_timestamps_beyond_2_31_are_ordered_as_numbers(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "dbmate")
    (folder / "9_early.sql").write_text("-- migrate:up\nCREATE TABLE early (x);\n")
    catalog = engine.load_catalog(folder)
    assert catalog.ok, catalog.problems
    versions = [m.version for m in catalog.migrations]
    assert versions == sorted(versions) and versions[0] == 9
    assert versions[-1] == 20240302000000 > 2**31
    plan = engine.plan(empty_db(tmp_path), catalog)
    assert [s.version for s in plan.steps] == versions


def test_a_file_with_a_sqlx_checksum_that_differs_is_shown_as_changed(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "sqlx")
    db = at_middle_version(tmp_path, "sqlx", folder)
    catalog = engine.load_catalog(folder)
    assert {a.status for a in engine.inspect_file(db, catalog).applied} == {"ok"}
    (folder / "20240101000000_create users.sql").write_text(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); -- edited\n"
    )
    changed = engine.inspect_file(db, engine.load_catalog(folder))
    assert [a.status for a in changed.applied] == ["changed"]


def test_flyway_backup_names_and_status_carry_the_dotted_version(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "flyway")
    db = empty_db(tmp_path)
    catalog = engine.load_catalog(folder)
    result = engine.upgrade(db, catalog, backup=False, **to_target(catalog, "1.10"))
    assert result.ok, result.error
    later = engine.upgrade(db, catalog)  # with a backup, named after the dotted version
    assert later.ok and later.backup is not None
    assert ".v1.10.sqlmig-backup" in later.backup.name
    from engine.runtime.backups import find_backups

    assert find_backups(db) == [later.backup]
    assert rows(db, "SELECT version_label FROM sqlmig_log WHERE version_label IS NOT NULL") == [
        ("1",), ("1.9",), ("1.10",), ("2",)
    ]


def to_target(catalog: engine.Catalog, label: str) -> dict[str, int]:
    return {"target": next(m.version for m in catalog.migrations if m.label == label)}


def test_user_version_is_written_only_when_asked_for_and_when_it_fits(tmp_path: Path) -> None:
    goose = make_folder(tmp_path, "goose")
    (goose / "sqlmig.toml").write_text("user_version = true\n")
    db = empty_db(tmp_path)
    assert engine.upgrade(db, engine.load_catalog(goose), backup=False).ok
    assert rows(db, "PRAGMA user_version") == [(4,)]
    dbmate = make_folder(tmp_path / "d", "dbmate")
    (dbmate / "sqlmig.toml").write_text("user_version = true\n")
    other = tmp_path / "d" / "app.db"
    other.touch()
    run(other, "PRAGMA user_version = 7")
    assert engine.upgrade(other, engine.load_catalog(dbmate), backup=False).ok
    assert rows(other, "PRAGMA user_version") == [(7,)]  # 20240302000000 does not fit: left


def test_a_sqlmig_folder_may_turn_user_version_off(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0000_a.sql").write_text("CREATE TABLE a (x);\n")
    (folder / "sqlmig.toml").write_text("user_version = false\n")
    db = empty_db(tmp_path)
    assert engine.upgrade(db, engine.load_catalog(folder), backup=False).ok
    assert rows(db, "PRAGMA user_version") == [(0,)]
    assert rows(db, "SELECT version, name FROM schema_migrations") == [(0, "a")]


def test_the_bundled_profile_asks_for_user_version() -> None:
    catalog = engine.load_catalog()
    assert (catalog.convention, catalog.user_version) == ("sqlmig", True)


@pytest.mark.parametrize("convention", ["dbmate", "golang-migrate", "goose"])
def test_steps_sqlmig_ran_verify_with_the_checksum_in_its_audit_table(
    tmp_path: Path, convention: str
) -> None:
    folder = make_folder(tmp_path, convention)
    db = at_middle_version(tmp_path, convention, folder)
    assert engine.upgrade(db, engine.load_catalog(folder), backup=False).ok
    statuses = [a.status for a in engine.inspect_file(db, engine.load_catalog(folder)).applied]
    by_the_tool = 2 if convention == "golang-migrate" else 1
    # applied by the other tool: no checksum anywhere; by sqlmig: its own, in sqlmig_log
    assert statuses == ["unverified"] * by_the_tool + ["ok"] * (len(statuses) - by_the_tool)
    edited = next(p for p in sorted(folder.glob("*.sql")) if ("create_posts" in p.name
                  or "index_email" in p.name) and not p.name.endswith(".down.sql"))
    edited.write_text(edited.read_text().replace("CREATE", "CREATE /* edited */", 1))
    after = engine.inspect_file(db, engine.load_catalog(folder))
    assert "changed" in [a.status for a in after.applied]


def test_the_command_line_takes_a_flyway_target_as_written(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = make_folder(tmp_path, "flyway")
    db = empty_db(tmp_path)
    command = [sys.executable, "-m", "engine", "upgrade", str(db), "--migrations", str(folder),
               "--no-backup", "--json", "--to"]
    done = subprocess.run([*command, "1.10"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"to_version": "1.10"' in done.stdout.splitlines()[-1]
    assert rows(db, "SELECT version FROM flyway_schema_history ORDER BY installed_rank") == [
        ("1",), ("1.9",), ("1.10",)
    ]
    missing = subprocess.run([*command, "1.11"], capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "no migration 1.11" in missing.stdout


def test_a_failed_sqlx_row_is_dirty_and_refused(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "sqlx")
    db = at_middle_version(tmp_path, "sqlx", folder)
    run(db, "UPDATE _sqlx_migrations SET success = FALSE")
    before = db.read_bytes()
    result = engine.upgrade(db, engine.load_catalog(folder), backup=False)
    assert result.error is not None and (result.error.code, result.exit_code) == ("dirty", 3)
    assert "_sqlx_migrations" in result.error.message
    assert db.read_bytes() == before


def test_unusable_rows_in_a_tools_table_are_refused_naming_it(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "dbmate")
    db = at_middle_version(tmp_path, "dbmate", folder)
    run(db, "INSERT INTO schema_migrations (version) VALUES ('not-a-version')")
    found = engine.inspect_file(db, engine.load_catalog(folder))
    problem = next(p for p in found.problems if p.code == "bad_history")
    assert "schema_migrations" in problem.message
    result = engine.upgrade(db, engine.load_catalog(folder), backup=False)
    assert result.error is not None and result.error.code == "bad_history"
