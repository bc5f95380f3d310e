"""engine.scripts.catalog: a migrations folder is read, validated and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.scripts.catalog import (
    Catalog,
    CatalogNotFound,
    CatalogProblem,
    Directives,
    load_catalog,
)
from engine.scripts.sqltext import Statement, checksum, normalize_text

BUNDLED = Path(__file__).parents[2] / "migrations"
BUNDLED_NAMES = [
    "init_base_schema",
    "add_chat_id",
    "add_llm_config",
    "add_current_chat_id",
    "add_mcp_config",
    "add_message_id",
    "add_reply_to_message_id",
    "create_world_chats",
    "create_events_table",
    "add_event_sequences",
    "add_tool_call_fields",
    "add_event_metadata_indexes",
    "add_tool_role",
    "add_world_variables",
    "add_main_agent_and_auto_reply",
    "add_message_queue",
    "add_world_heartbeat",
    "add_title_provenance",
    "add_agent_turn_metadata",
]

PROFILE = """\
[app]
name = "demo"
tables = ["a", "b"]
core_tables = ["a"]
[legacy]
user_version_min = 0
user_version_max = 2
repairs = "repairs"
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def only(catalog: Catalog, kind: str) -> CatalogProblem:
    found = [p for p in catalog.problems if p.kind == kind]
    assert len(found) == 1, catalog.problems
    return found[0]


def where(catalog: Catalog) -> list[tuple[str, str | None, int | None]]:
    return [(p.kind, p.file, p.line) for p in catalog.problems]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    write(tmp_path, "0000_init.sql", "-- The first table.\nCREATE TABLE a (id INTEGER);\n")
    write(tmp_path, "0001_add_b.sql", "CREATE TABLE b (id INTEGER);\n")
    return tmp_path


# --- a good folder -------------------------------------------------------------------------


def test_good_folder_loads_in_version_order(good: Path) -> None:
    write(good, "0002_add_c.sql", "CREATE TABLE c (id INTEGER);\n")
    catalog = load_catalog(good)
    assert catalog.ok and catalog.problems == ()
    assert [(m.version, m.name, m.filename) for m in catalog.migrations] == [
        (0, "init", "0000_init.sql"),
        (1, "add_b", "0001_add_b.sql"),
        (2, "add_c", "0002_add_c.sql"),
    ]
    assert catalog.head_version == 2
    assert catalog.names() == {0: "init", 1: "add_b", 2: "add_c"}
    first = catalog.get(0)
    assert first is not None and first.up == (Statement("CREATE TABLE a (id INTEGER);", 2),)
    assert first.down is None and first.directives == Directives()
    assert catalog.get(7) is None
    assert catalog.profile is None and catalog.repairs == ()


def test_empty_folder_has_no_head(tmp_path: Path) -> None:
    catalog = load_catalog(tmp_path)
    assert catalog.ok and catalog.migrations == () and catalog.head_version is None


def test_other_files_and_subfolders_are_ignored(good: Path) -> None:
    write(good, "README.md", "# notes\n")
    write(good, "notes.txt", "x")
    write(good, ".0002_swap.sql", "garbage")
    write(good, "old/0009_old.sql", "garbage")
    (good / "0003_dir.sql").mkdir()
    assert load_catalog(good).ok


def test_leading_zeros_and_long_numbers(tmp_path: Path) -> None:
    write(tmp_path, "00012_twelve.sql", "SELECT 1;\n")
    write(tmp_path, "20240101_dated.sql", "SELECT 1;\n")
    assert load_catalog(tmp_path).names() == {12: "twelve", 20240101: "dated"}


def test_checksum_covers_the_normalised_up_part(tmp_path: Path) -> None:
    """SPEC §7.21: the up part (before `-- migrate:down`), so a down part is not drift."""
    text = "-- migrate:up\nCREATE TABLE a (x);\n-- migrate:down\nDROP TABLE a;\n"
    up = "-- migrate:up\nCREATE TABLE a (x);\n"
    write(tmp_path, "0000_a.sql", text)
    write(tmp_path / "crlf", "0000_a.sql", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    lf, crlf = load_catalog(tmp_path), load_catalog(tmp_path / "crlf")
    assert lf.migrations[0].checksum == checksum(up) == crlf.migrations[0].checksum
    write(tmp_path, "0000_a.sql", text.replace("DROP TABLE a;", "DROP TABLE IF EXISTS a;"))
    assert load_catalog(tmp_path).migrations[0].checksum == checksum(up)
    write(tmp_path, "0000_a.sql", text.replace("(x)", "(x, y)"))
    assert load_catalog(tmp_path).migrations[0].checksum != checksum(up)
    write(tmp_path / "plain", "0000_a.sql", up)  # the same file before it had a down part
    assert load_catalog(tmp_path / "plain").migrations[0].checksum == checksum(up)


# --- up and down ---------------------------------------------------------------------------


def test_up_and_down_are_split_at_the_marker(tmp_path: Path) -> None:
    write(
        tmp_path,
        "0000_a.sql",
        (
            "-- Creates a.\n"  # 1
            "-- migrate:up\n"  # 2
            "CREATE TABLE a (x);\n"  # 3
            "CREATE INDEX a_x ON a (x);\n"  # 4
            "\n"  # 5
            "  -- MIGRATE:DOWN  \n"  # 6
            "DROP INDEX a_x;\n"  # 7
            "DROP TABLE a;\n"  # 8
        ),
    )
    migration = load_catalog(tmp_path).migrations[0]
    assert [(s.line, s.sql) for s in migration.up] == [
        (3, "CREATE TABLE a (x);"),
        (4, "CREATE INDEX a_x ON a (x);"),
    ]
    assert migration.down is not None
    assert [(s.line, s.sql) for s in migration.down] == [
        (7, "DROP INDEX a_x;"),
        (8, "DROP TABLE a;"),
    ]


def test_no_down_marker_means_no_down(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "CREATE TABLE a (x);\n-- migrate: down is not a marker\n")
    assert load_catalog(tmp_path).migrations[0].down is None


def test_empty_down_part_means_no_rollback(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "CREATE TABLE a (x);\n-- migrate:down\n-- cannot be undone\n")
    catalog = load_catalog(tmp_path)
    assert catalog.ok and catalog.migrations[0].down is None


def test_second_down_marker_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "SELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:down\n")
    assert where(load_catalog(tmp_path)) == [("bad_directive", "0000_a.sql", 4)]


# --- directives ----------------------------------------------------------------------------


def test_directives_are_parsed(tmp_path: Path) -> None:
    write(
        tmp_path,
        "0000_a.sql",
        (
            "-- Rebuilds a without a column.\n"
            "-- transaction: no\n"
            "--foreign-keys:   OFF\n"
            "-- when: SELECT count(*) > 0 FROM sqlite_master WHERE name = 'a';\n"
            "-- present: SELECT 1\n"
            "-- migrate:up\n"
            "\n"
            "VACUUM;\n"
        ),
    )
    catalog = load_catalog(tmp_path)
    assert catalog.ok, catalog.problems
    assert catalog.migrations[0].directives == Directives(
        transaction=False,
        foreign_keys_off=True,
        when="SELECT count(*) > 0 FROM sqlite_master WHERE name = 'a'",
        present="SELECT 1",
    )


def test_when_continues_on_indented_comment_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        "0000_a.sql",
        (
            "-- when: SELECT NOT EXISTS (\n"
            "--     SELECT 1 FROM pragma_table_info('a')\n"
            "--   WHERE name = 'chat_id')\n"
            "-- Adds the chat id when it is missing.\n"
            "--  transaction: yes\n"
            "ALTER TABLE a ADD COLUMN chat_id TEXT;\n"
        ),
    )
    catalog = load_catalog(tmp_path)
    assert catalog.ok, catalog.problems
    directives = catalog.migrations[0].directives
    assert directives.when == (
        "SELECT NOT EXISTS (\nSELECT 1 FROM pragma_table_info('a')\nWHERE name = 'chat_id')"
    )
    assert directives.transaction is True


def test_free_text_comments_are_accepted(tmp_path: Path) -> None:
    write(
        tmp_path,
        "0000_a.sql",
        (
            "-- Adds the chat id.\n"
            "-- adds another thing, without a colon after the first word\n"
            "-- Note: capitalised words are prose.\n"
            "-- See https://example.com/x and https://example.com/y\n"
            "-- https://example.com/issue/12\n"
            "/* transaction: no (a block comment is never a directive) */\n"
            "--\n"
            "CREATE TABLE a (x);\n"
            "-- todo: directives after the first statement are ordinary comments\n"
            "CREATE TABLE b (y);\n"
        ),
    )
    catalog = load_catalog(tmp_path)
    assert catalog.ok, catalog.problems
    assert catalog.migrations[0].directives == Directives()


# --- one test per problem kind -------------------------------------------------------------


def test_duplicate_version_reports_both_files_and_keeps_neither(good: Path) -> None:
    write(good, "0001_add_c.sql", "CREATE TABLE c (id INTEGER);\n")
    catalog = load_catalog(good)
    assert where(catalog) == [
        ("duplicate_version", "0001_add_b.sql", None),
        ("duplicate_version", "0001_add_c.sql", None),
    ]
    assert "0001_add_c.sql" in catalog.problems[0].message
    assert [m.version for m in catalog.migrations] == [0]
    assert not catalog.ok


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("1_short.sql", "0001_short.sql"),
        ("0002_Add-Things.sql", "0002_add_things.sql"),
        ("0003-add-x.sql", "0003_add_x.sql"),
        ("add_x.sql", None),
        ("0004_.sql", None),
        ("0005_x.SQL", "0005_x.sql"),
    ],
)
def test_bad_name(good: Path, name: str, suggestion: str | None) -> None:
    write(good, name, "SELECT 1;\n")
    catalog = load_catalog(good)
    problem = only(catalog, "bad_name")
    assert (problem.file, problem.line, problem.code) == (name, None, "bad_catalog")
    assert problem.message.startswith(name)
    if suggestion:
        assert suggestion in problem.hint
    assert len(catalog.migrations) == 2


def test_version_beyond_user_version_range_is_a_bad_name(tmp_path: Path) -> None:
    write(tmp_path, "2147483648_huge.sql", "SELECT 1;\n")
    assert where(load_catalog(tmp_path)) == [("bad_name", "2147483648_huge.sql", None)]


def test_not_utf8_names_the_line_of_the_first_bad_byte(good: Path) -> None:
    write(good, "0002_latin1.sql", b"-- ok\r\n-- still ok\rSELECT 'caf\xe9';\n")
    catalog = load_catalog(good)
    assert where(catalog) == [("not_utf8", "0002_latin1.sql", 3)]
    assert "0xe9" in catalog.problems[0].message
    assert [m.version for m in catalog.migrations] == [0, 1]


def test_empty_file(good: Path) -> None:
    write(good, "0002_nothing.sql", "-- Nothing to see.\n\n-- migrate:down\nSELECT 1;\n")
    assert where(load_catalog(good)) == [("empty", "0002_nothing.sql", None)]


def test_incomplete_statement_has_its_line(good: Path) -> None:
    text = "-- Adds x.\n\nCREATE TABLE x (a);\n\n-- and y\n\nCREATE TABLE y (\n  b\n"
    write(good, "0003_add_x.sql", text)
    catalog = load_catalog(good)
    problem = only(catalog, "incomplete_statement")
    assert (problem.file, problem.line) == ("0003_add_x.sql", 7)
    assert problem.message == "0003_add_x.sql line 7: statement is not complete (missing ';'?)."


def test_incomplete_statement_in_the_down_part(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "CREATE TABLE a (x);\n-- migrate:down\n\nDROP TABLE a\n")
    assert where(load_catalog(tmp_path)) == [("incomplete_statement", "0000_a.sql", 4)]


def test_unknown_directive(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "-- Adds a.\n-- note: careful\nCREATE TABLE a (x);\n")
    problem = only(load_catalog(tmp_path), "unknown_directive")
    assert (problem.file, problem.line) == ("0000_a.sql", 2)
    assert "'note:'" in problem.message
    assert "capital letter" in problem.hint and "-- Note:" in problem.hint


@pytest.mark.parametrize(
    "line",
    [
        "-- transaction: maybe",
        "-- foreign-keys: disabled",
        "-- before: 0001",  # numbered migrations do not take before:
        "-- when:",
        "-- when: DELETE FROM a",
        "-- when: SELECT 1; SELECT 2",
        "-- present: SELECT 'unterminated",
    ],
)
def test_bad_directive(tmp_path: Path, line: str) -> None:
    write(tmp_path, "0000_a.sql", f"-- Adds a.\n{line}\nCREATE TABLE a (x);\n")
    assert where(load_catalog(tmp_path)) == [("bad_directive", "0000_a.sql", 2)]


def test_directive_given_twice(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "-- transaction: yes\n-- transaction: no\nSELECT 1;\n")
    assert where(load_catalog(tmp_path)) == [("bad_directive", "0000_a.sql", 2)]


def test_directive_after_the_down_marker_is_misplaced(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "SELECT 1;\n-- migrate:down\n-- transaction: no\nSELECT 2;\n")
    problem = only(load_catalog(tmp_path), "bad_directive")
    assert (problem.line, "top of the file" in problem.hint) == (3, True)


def test_needs_no_transaction(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "-- Compacts the file.\n\nVACUUM;\n")
    problem = only(load_catalog(tmp_path), "needs_no_transaction")
    assert (problem.file, problem.line) == ("0000_a.sql", 3)
    assert "line 3" in problem.message and "-- transaction: no" in problem.message


def test_transaction_no_allows_vacuum_and_pragmas(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "-- transaction: no\nVACUUM;\nPRAGMA journal_mode = WAL;\n")
    catalog = load_catalog(tmp_path)
    assert catalog.ok and catalog.migrations[0].directives.transaction is False


def test_foreign_keys_pragma_points_at_the_directive(tmp_path: Path) -> None:
    write(
        tmp_path, "0000_a.sql", "CREATE TABLE a (x);\n-- migrate:down\nPRAGMA foreign_keys=OFF;\n"
    )
    problem = only(load_catalog(tmp_path), "needs_no_transaction")
    assert problem.line == 3 and "-- foreign-keys: off" in problem.hint


@pytest.mark.parametrize("statement", ["BEGIN;", "COMMIT;", "ROLLBACK;", "END TRANSACTION;"])
def test_transaction_control_is_never_allowed(tmp_path: Path, statement: str) -> None:
    write(tmp_path, "0000_a.sql", f"-- transaction: no\nSELECT 1;\n{statement}\n")
    assert where(load_catalog(tmp_path)) == [("needs_no_transaction", "0000_a.sql", 3)]


def test_bad_profile(good: Path) -> None:
    write(good, "profile.toml", "[app]\nname = 'x'\n")
    catalog = load_catalog(good)
    assert where(catalog) == [("bad_profile", "profile.toml", None)]
    assert len(catalog.migrations) == 2


def test_bad_repair_without_before(good: Path) -> None:
    write(good, "profile.toml", PROFILE)
    write(good, "repairs/fix_a.sql", "-- when: SELECT 1\nDELETE FROM a;\n")
    catalog = load_catalog(good)
    assert where(catalog) == [("bad_repair", "repairs/fix_a.sql", None)]
    assert "'before:'" in catalog.problems[0].message
    assert catalog.repairs == ()


# --- everything at once, and the good parts still load ------------------------------------


def test_all_problems_are_reported_at_once_and_valid_migrations_still_load(good: Path) -> None:
    write(good, "0002_add_c.sql", "CREATE TABLE c (id INTEGER);\n")
    write(good, "0003_bad-name.sql", "SELECT 1;\n")
    write(good, "0004_latin.sql", b"SELECT '\xff';\n")
    write(good, "0005_empty.sql", "-- nothing yet\n")
    write(good, "0006_cut.sql", "CREATE TABLE d (\n")
    write(good, "0007_odd.sql", "-- colour: blue\n-- transaction: perhaps\nVACUUM;\n")
    write(good, "0008_dup.sql", "SELECT 1;\n")
    write(good, "0008_dup_too.sql", "SELECT 2;\n")
    catalog = load_catalog(good)
    assert not catalog.ok
    assert where(catalog) == [
        ("bad_name", "0003_bad-name.sql", None),
        ("not_utf8", "0004_latin.sql", 1),
        ("empty", "0005_empty.sql", None),
        ("incomplete_statement", "0006_cut.sql", 1),
        ("unknown_directive", "0007_odd.sql", 1),
        ("bad_directive", "0007_odd.sql", 2),
        ("needs_no_transaction", "0007_odd.sql", 3),
        ("duplicate_version", "0008_dup.sql", None),
        ("duplicate_version", "0008_dup_too.sql", None),
    ]
    # Identifiable files stay in the catalog (inspection matches their checksums); the
    # undecodable, the badly named and the duplicated ones do not.
    assert [m.version for m in catalog.migrations] == [0, 1, 2, 5, 6, 7]
    for problem in catalog.problems:
        assert problem.message.endswith(".") and problem.hint and problem.code == "bad_catalog"


def test_missing_folder_raises_catalog_not_found(tmp_path: Path) -> None:
    with pytest.raises(CatalogNotFound) as info:
        load_catalog(tmp_path / "nope")
    assert isinstance(info.value, ValueError)
    assert "does not exist" in str(info.value) and info.value.hint


def test_file_instead_of_folder_raises_catalog_not_found(tmp_path: Path) -> None:
    path = write(tmp_path, "0000_a.sql", "SELECT 1;\n")
    with pytest.raises(CatalogNotFound, match="not a migrations folder"):
        load_catalog(path)


# --- repair scripts ------------------------------------------------------------------------


def test_repair_scripts_are_loaded_from_the_profiles_folder(good: Path) -> None:
    write(good, "profile.toml", PROFILE)
    write(
        good,
        "repairs/salvage_a.sql",
        (
            "-- Puts rows back from a leftover backup table.\n"
            "-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master\n"
            "--        WHERE name = 'a_backup')\n"
            "-- before: 0001\n"
            "INSERT INTO a SELECT * FROM a_backup;\n"
            "DROP TABLE a_backup;\n"
        ),
    )
    write(good, "repairs/README.md", "not a script")
    catalog = load_catalog(good)
    assert catalog.ok, catalog.problems
    (repair,) = catalog.repairs
    assert repair.name == "salvage_a"
    assert repair.path == good.absolute() / "repairs" / "salvage_a.sql"
    assert repair.directives.before == 1
    assert repair.directives.when == (
        "SELECT EXISTS (SELECT 1 FROM sqlite_master\nWHERE name = 'a_backup')"
    )
    assert [s.line for s in repair.statements] == [5, 6]
    assert repair.checksum == checksum(normalize_text(repair.path.read_bytes()))
    assert catalog.migrations[1].version == 1  # repairs never become numbered migrations


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("-- before: 0001\nDELETE FROM a;\n", "bad_repair", None),  # no when:
        ("-- when: SELECT 1\n-- before: 0042\nDELETE FROM a;\n", "bad_repair", None),
        ("-- when: SELECT 1\n-- before: 1\n-- transaction: no\nSELECT 1;\n", "bad_directive", 3),
        (
            "-- when: SELECT 1\n-- before: 1\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
            "bad_repair",
            4,
        ),
        ("-- when: SELECT 1\n-- before: 1\nVACUUM;\n", "needs_no_transaction", 3),
    ],
)
def test_repair_scripts_are_checked(good: Path, text: str, kind: str, line: int | None) -> None:
    write(good, "profile.toml", PROFILE)
    write(good, "repairs/fix.sql", text)
    catalog = load_catalog(good)
    assert where(catalog) == [(kind, "repairs/fix.sql", line)]
    assert catalog.repairs == ()


def test_repairs_folder_missing_means_no_repairs(good: Path) -> None:
    write(good, "profile.toml", PROFILE)
    catalog = load_catalog(good)
    assert catalog.ok and catalog.repairs == ()


def test_repairs_are_only_read_when_the_profile_names_them(good: Path) -> None:
    write(good, "repairs/fix.sql", "garbage without directives")
    assert load_catalog(good).ok


# --- the bundled folder --------------------------------------------------------------------


@pytest.mark.skipif(
    len(list(BUNDLED.glob("[0-9]*_*.sql"))) < len(BUNDLED_NAMES),
    reason="the bundled migrations are not all written yet",
)
def test_bundled_migrations_load_without_problems() -> None:
    catalog = load_catalog(BUNDLED)
    assert catalog.problems == ()
    assert [m.version for m in catalog.migrations] == list(range(19))
    assert [m.name for m in catalog.migrations] == BUNDLED_NAMES
    assert catalog.profile is not None
    assert all(m.up for m in catalog.migrations)


# --- other tools' markers (hardening issue, item 7) ---------------------------------------
# A marker sqlmig does not read is a comment to SQLite: the "down" part after it would run as
# part of the upgrade. Each is a catalog problem on its line, so the upgrade refuses.


@pytest.mark.parametrize(
    ("text", "line", "tool"),
    [
        ("-- +goose Up\nCREATE TABLE b (x);\n-- +goose Down\nDROP TABLE a;\n", 1, "goose"),
        (
            "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE b (x);\n-- +goose StatementEnd\n",
            1,
            "goose",
        ),
        ("CREATE TABLE b (x);\n\n-- +goose down\nDROP TABLE a;\n", 3, "goose"),
        (
            "-- +migrate Up\nCREATE TABLE b (x);\n-- +migrate Down\nDROP TABLE a;\n",
            1,
            "sql-migrate",
        ),
        ("-- !Ups\nCREATE TABLE b (x);\n-- !Downs\nDROP TABLE a;\n", 1, "Play"),
        (
            "-- migrate:up\nCREATE TABLE b (x);\n-- migrate:down transaction:false\nDROP TABLE a;\n",
            3,
            "dbmate",
        ),
        ("-- migrate:up transaction:false\nCREATE TABLE b (x);\n", 1, "dbmate"),
        # our own down part with another tool's marker inside it
        ("CREATE TABLE b (x);\n-- migrate:down\nDROP TABLE b;\n-- +goose Down\n", 4, "goose"),
    ],
)
def test_other_tools_markers_are_problems(good: Path, text: str, line: int, tool: str) -> None:
    write(good, "0002_other.sql", text)
    catalog = load_catalog(good)
    problem = only(catalog, "foreign_marker")
    assert (problem.file, problem.line, problem.code) == ("0002_other.sql", line, "bad_catalog")
    assert tool in problem.message
    assert "sqlmig does not read that convention yet" in problem.hint
    assert not catalog.ok
    assert len(catalog.problems) == 1  # not also an unknown directive or a second marker problem


@pytest.mark.parametrize(
    ("marker", "line"),
    [
        ("-- migrate: down", 2),
        ("-- migrate:dwon", 2),
        ("-- migrate:down;", 2),
        ("-- migrate:down -- undo", 2),
        ("-- migrate:rollback", 2),
    ],
)
def test_misspelled_markers_are_problems(tmp_path: Path, marker: str, line: int) -> None:
    write(tmp_path, "0000_a.sql", f"CREATE TABLE a (x);\n{marker}\nDROP TABLE a;\n")
    catalog = load_catalog(tmp_path)
    problem = only(catalog, "bad_marker")
    assert (problem.file, problem.line) == ("0000_a.sql", line)
    assert "'-- migrate:down'" in problem.hint
    assert len(catalog.problems) == 1


def test_a_misspelled_marker_in_the_leading_comments_is_not_an_unknown_directive(
    tmp_path: Path,
) -> None:
    write(tmp_path, "0000_a.sql", "-- migrate: up\nCREATE TABLE a (x);\n")
    assert where(load_catalog(tmp_path)) == [("bad_marker", "0000_a.sql", 1)]


def test_prose_that_mentions_other_tools_is_free_text(tmp_path: Path) -> None:
    write(
        tmp_path,
        "0000_a.sql",
        "-- Ported from a goose file (-- +goose Up) by hand.\n"
        "-- Migrated: by hand from dbmate.\n"
        "CREATE TABLE a (x);\n"
        "-- migrate:down\n"
        "DROP TABLE a;\n",
    )
    assert load_catalog(tmp_path).ok


@pytest.mark.parametrize("name", ["0002_add_c.up.sql", "0002_add_c.down.sql"])
def test_golang_migrate_file_names_are_refused_without_a_misleading_rename(
    good: Path, name: str
) -> None:
    write(good, name, "CREATE TABLE c (x);\n")
    catalog = load_catalog(good)
    problem = only(catalog, "foreign_marker")
    assert (problem.file, problem.line) == (name, None)
    assert "golang-migrate" in problem.message
    assert "sqlmig does not read that convention yet" in problem.hint
    # The generic bad-name hint would suggest 0002_add_c_down.sql: a down file run as an up.
    assert "0002_add_c_" not in problem.hint
    assert [m.version for m in catalog.migrations] == [0, 1]


def test_a_goose_file_is_refused_and_its_down_part_never_runs(good: Path) -> None:
    import engine

    write(
        good, "0002_goose.sql", "-- +goose Up\nCREATE TABLE c (x);\n-- +goose Down\nDROP TABLE a;\n"
    )
    db = good / "app.db"
    db.touch()
    result = engine.upgrade(db, load_catalog(good), backup=False)
    assert result.error is not None
    assert (result.error.code, result.exit_code) == ("bad_catalog", 3)
    assert "0002_goose.sql line 1" in result.error.message
    assert db.read_bytes() == b""
