"""Deciding and reading a folder's convention (SPEC §7.19): the order (history, config,
features), ambiguous and mixed folders refused naming the key, skipped files listed, Flyway's
order, undo, repeatable and placeholders, and each tool's own checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import engine
from engine.scripts.conventions.flyway import crc32_checksum
from engine.scripts.conventions.sqlx import Sqlx
from tests.dialects.folders import (
    DBMATE,
    FLYWAY,
    GOLANG,
    GOOSE,
    SQLX,
    at_middle_version,
    empty_db,
    make_folder,
    write_folder,
)


def kinds(catalog: engine.Catalog) -> list[str]:
    return [p.kind for p in catalog.problems]


@pytest.mark.parametrize(
    ("files", "convention"),
    [(DBMATE, "dbmate"), (GOOSE, "goose"), ({k: v for k, v in FLYWAY.items()}, "flyway")],
)
def test_features_only_one_convention_has_decide(
    tmp_path: Path, files: dict[str, str], convention: str
) -> None:
    folder = write_folder(tmp_path / "m", files, '[placeholders]\nprefix = ""\n')
    catalog = engine.load_catalog(folder)
    assert (catalog.convention, catalog.decided_by) == (convention, "features")
    assert catalog.ok, catalog.problems


def test_a_folder_of_plain_numbered_files_stays_sqlmigs(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", {"0000_a.sql": "CREATE TABLE a (x);\n",
                                           "0001_b.sql": "CREATE TABLE b (x);\n"})
    catalog = engine.load_catalog(folder)
    assert (catalog.convention, catalog.decided_by, catalog.ok) == ("sqlmig", "default", True)
    assert catalog.user_version  # sqlmig's own folders keep writing user_version


def test_up_down_pairs_without_history_are_refused_naming_the_key(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", GOLANG)
    catalog = engine.load_catalog(folder)
    assert kinds(catalog) == ["bad_convention"]
    problem = catalog.problems[0]
    assert "golang-migrate and sqlx" in problem.message
    assert 'convention = "golang-migrate"' in problem.hint and "sqlmig.toml" in problem.hint
    result = engine.upgrade(empty_db(tmp_path), catalog, backup=False)
    assert result.error is not None and result.exit_code == 3


def test_the_history_table_in_the_file_decides_before_the_folder(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", GOLANG)
    db = at_middle_version(tmp_path, "golang-migrate", folder)
    found = engine.assess(db, engine.load_catalog(folder))
    assert found.inspection.state == "tracked"
    assert found.can_upgrade, found.refusal


def test_the_config_key_decides_before_features(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", GOLANG, 'convention = "sqlx"\n')
    catalog = engine.load_catalog(folder)
    assert (catalog.convention, catalog.decided_by, catalog.ok) == ("sqlx", "config", True)
    profile_folder = write_folder(tmp_path / "p", SQLX)
    (profile_folder / "profile.toml").write_text(
        'convention = "sqlx"\n\n[app]\nname = "x"\ntables = ["users"]\ncore_tables = []\n\n'
        "[legacy]\nuser_version_min = 0\nuser_version_max = 0\n"
    )
    assert engine.load_catalog(profile_folder).convention == "sqlx"


def test_an_unknown_convention_name_is_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", SQLX, 'convention = "liquibase"\n')
    catalog = engine.load_catalog(folder)
    assert kinds(catalog) == ["bad_convention"]
    assert "liquibase" in catalog.problems[0].message


def test_a_mixed_folder_is_refused_with_the_reason(tmp_path: Path) -> None:
    files = {**GOOSE, "V9__flyway_too.sql": "CREATE TABLE z (x);\n"}
    catalog = engine.load_catalog(write_folder(tmp_path / "m", files))
    assert kinds(catalog) == ["bad_convention"]
    assert "mixes conventions" in catalog.problems[0].message
    assert "V9__flyway_too.sql" in catalog.problems[0].message


def test_a_goose_file_among_sqlmig_files_stays_a_catalog_error(tmp_path: Path) -> None:
    files = {"0000_a.sql": "CREATE TABLE a (x);\n", "0001_goose.sql": GOOSE["00001_create_users.sql"]}
    catalog = engine.load_catalog(write_folder(tmp_path / "m", files))
    assert catalog.convention == "sqlmig"
    assert kinds(catalog) == ["foreign_marker"]


def test_files_the_convention_does_not_run_are_listed_as_skipped(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "goose")
    (folder / "00005_backfill.go").write_text("package migrations\n")
    (folder / "seeds").mkdir()
    (folder / "seeds" / "00006_seed.sql").write_text("-- +goose Up\nSELECT 1;\n")
    catalog = engine.load_catalog(folder)
    assert catalog.ok
    skipped = {s.file: s.reason for s in catalog.skipped}
    assert set(skipped) == {"00005_backfill.go", "seeds/00006_seed.sql"}
    assert "goose" in skipped["00005_backfill.go"]
    assert "subfolder" in skipped["seeds/00006_seed.sql"]


def test_a_migration_of_comments_only_is_a_no_op(tmp_path: Path) -> None:
    catalog = engine.load_catalog(make_folder(tmp_path, "dbmate"))
    last = catalog.migrations[-1]
    assert (last.name, last.up) == ("nothing_yet", ())


# --- Flyway ------------------------------------------------------------------------------------


def test_flyway_orders_dotted_versions_as_flyway_does(tmp_path: Path) -> None:
    catalog = engine.load_catalog(make_folder(tmp_path, "flyway"))
    assert catalog.ok, catalog.problems
    assert [m.label for m in catalog.migrations] == ["1", "1.9", "1.10", "2"]
    assert [str(m.version) for m in catalog.migrations] == ["1", "1.9", "1.10", "2"]


def test_flyway_undo_is_the_down_part_and_repeatables_are_skipped_with_a_reason(
    tmp_path: Path,
) -> None:
    catalog = engine.load_catalog(make_folder(tmp_path, "flyway"))
    by_label = {m.label: m for m in catalog.migrations}
    down = by_label["1.10"].down
    assert down is not None and down[0].sql.startswith("DROP TABLE posts")
    assert by_label["2"].down is None
    assert [(s.file, "repeatable" in s.reason) for s in catalog.skipped] == [
        ("R__users_view.sql", True)
    ]


def test_flyway_placeholders_take_their_values_from_the_config(tmp_path: Path) -> None:
    catalog = engine.load_catalog(make_folder(tmp_path, "flyway"))
    first = catalog.migrations[0]
    assert first.up[0].sql.startswith("CREATE TABLE app_users")
    # the checksum is Flyway's, of the script as written (placeholders not replaced)
    assert first.tool_checksum == f"crc32:{crc32_checksum(FLYWAY['V1__create_users.sql'].encode())}"
    missing = write_folder(tmp_path / "n", FLYWAY, 'convention = "flyway"\n')
    problems = engine.load_catalog(missing).problems
    assert {p.kind for p in problems} == {"bad_directive"}
    assert "${prefix}" in problems[0].message and "[placeholders]" in problems[0].hint


# The CRC-32 check value of "123456789" (ISO-HDLC / zlib, the one java.util.zip.CRC32 computes)
# is 0xCBF43926; Flyway casts it to a signed int: 3421780262 - 2**32 = -873187034. Flyway feeds
# each line without its line ending and drops a BOM on the first line (flyway/flyway,
# flyway-core/src/main/java/org/flywaydb/core/api/resource/LoadableResource.java
# `calculateChecksum`), so these inputs all give that value.
@pytest.mark.parametrize(
    "raw",
    [b"123456789", b"123456789\n", b"1234\n56789", b"1234\r\n56789\r\n", b"\xef\xbb\xbf1234\r56789"],
)
def test_flyway_checksum_is_flyways_crc32_over_lines(raw: bytes) -> None:
    assert crc32_checksum(raw) == -873187034


# sqlx records Sha384::digest(sql.as_bytes()) of the file as read (launchbadge/sqlx,
# sqlx-core/src/migrate/migration.rs `Migration::new`). The SHA-384 of "abc" is the FIPS 180-2
# example value below; a CRLF file is hashed with its CR bytes.
def test_sqlx_checksum_is_sha384_of_the_file_bytes() -> None:
    assert Sqlx().tool_checksum(b"abc") == (
        "sha384:cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7"
    )
    crlf = b"CREATE TABLE a (x);\r\n"
    assert Sqlx().tool_checksum(crlf) == "sha384:" + hashlib.sha384(crlf).hexdigest()
    assert Sqlx().tool_checksum(crlf) != Sqlx().tool_checksum(crlf.replace(b"\r", b""))


def test_a_sqlx_row_recorded_by_sqlx_verifies_ok(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "sqlx")
    db = at_middle_version(tmp_path, "sqlx", folder)
    applied = engine.inspect_file(db, engine.load_catalog(folder)).applied
    assert [(a.status, a.checksum is not None) for a in applied] == [("ok", True)]


# --- writing a new migration in the folder's convention (for `sqlmig new`) ---------------------


@pytest.mark.parametrize(
    ("convention", "names"),
    [
        ("golang-migrate", ["000004_add_phone.up.sql", "000004_add_phone.down.sql"]),
        ("goose", ["00005_add_phone.sql"]),
        ("flyway", ["V3__add_phone.sql"]),
    ],
)
def test_convention_of_names_the_next_file(tmp_path: Path, convention: str, names: list[str]) -> None:
    found = engine.convention_of(make_folder(tmp_path, convention))
    assert found.name == convention
    assert [f.path.name for f in found.new_files("Add phone")] == names


def test_convention_of_a_timestamped_dbmate_folder(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    found = engine.convention_of(make_folder(tmp_path, "dbmate"))
    (new,) = found.new_files("add phone", datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert new.path.name == "20250102030405_add_phone.sql"
    assert new.text.startswith("-- migrate:up\n") and "-- migrate:down" in new.text



def test_sql_in_a_subfolder_of_a_sqlmig_folder_is_listed_but_the_repairs_are_read(
    tmp_path: Path,
) -> None:
    folder = write_folder(tmp_path / "m", {"0000_a.sql": "CREATE TABLE a (x);\n",
                                           "old/0001_b.sql": "CREATE TABLE b (x);\n"})
    catalog = engine.load_catalog(folder)
    assert [s.file for s in catalog.skipped] == ["old/0001_b.sql"]
    assert engine.load_catalog().skipped == ()  # the bundled repairs/ folder is read, not skipped


def test_a_flyway_baseline_row_counts_every_version_up_to_it(tmp_path: Path) -> None:
    from tests.dialects.folders import run

    folder = make_folder(tmp_path, "flyway")
    db = at_middle_version(tmp_path, "flyway", folder)
    run(db, "ALTER TABLE app_users ADD COLUMN email TEXT",
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT)",
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
        "installed_by, execution_time, success) VALUES (2, '1.10', '<< Flyway Baseline >>', "
        "'BASELINE', '<< Flyway Baseline >>', 'dev', 0, 1)")
    found = engine.inspect_file(db, engine.load_catalog(folder))
    assert [str(p.version) for p in found.pending] == ["2"]


def test_a_simple_and_a_reversible_sqlx_file_of_one_version_are_duplicates(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "sqlx")
    (folder / "20240103000000_create_posts.up.sql").write_text("CREATE TABLE p (x);\n")
    catalog = engine.load_catalog(folder)
    assert kinds(catalog) == ["duplicate_version"]
    assert "20240103000000_create_posts.sql" in catalog.problems[0].message
