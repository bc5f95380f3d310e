"""The capability gate per statement: which statement needs which SQLite version, and which
version a file needs to be read after the plan (an older library is pretended through the
`library` parameter; sqlite3 itself is never patched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli

from engine.planning.capabilities import capabilities
from engine.runtime import preflight as pf
from engine.runtime.preflight_checks import sqlite_can_run


@pytest.mark.parametrize(
    ("sql", "what", "version"),
    [
        ("ALTER TABLE t DROP COLUMN y;", "ALTER TABLE … DROP COLUMN", "3.35.0"),
        ("ALTER TABLE t RENAME COLUMN y TO z;", "ALTER TABLE … RENAME COLUMN", "3.25.0"),
        ("CREATE TABLE s (id INTEGER PRIMARY KEY) STRICT;", "STRICT tables", "3.37.0"),
        ("CREATE TABLE g (a INT, b INT GENERATED ALWAYS AS (a * 2));", "generated columns",
         "3.31.0"),
        ("ALTER TABLE t ADD COLUMN d INT AS (x + 1);", "generated columns", "3.31.0"),
        ("DELETE FROM t WHERE x = 1 RETURNING y;", "RETURNING", "3.35.0"),
        ("INSERT INTO t (x) VALUES (1) ON CONFLICT (x) DO NOTHING;", "UPSERT", "3.24.0"),
        ("UPDATE t SET y = (SELECT row_number() OVER (ORDER BY x) FROM t);", "window functions",
         "3.25.0"),
        ("UPDATE t SET y = meta ->> '$.a';", "the -> and ->> operators", "3.38.0"),
        ("UPDATE t SET y = json_extract(meta, '$.a');", "JSON functions", "3.38.0"),
    ],
)
def test_each_feature_is_named_with_its_version(sql: str, what: str, version: str) -> None:
    found = capabilities([("0001_x line 3", sql)], (3, 20, 0))
    assert [(n.where, n.feature.version) for n in found.needs] == [("0001_x line 3", version)]
    assert what in found.needs[0].sentence()


def test_words_in_comments_and_strings_need_nothing() -> None:
    sql = "-- RETURNING, STRICT, DROP COLUMN\nINSERT INTO t (note) VALUES ('x OVER (y) RETURNING');"
    assert capabilities([("0001 line 1", sql)], (3, 20, 0)).needs == ()


def test_an_older_library_is_refused_naming_each_statement() -> None:
    checks = sqlite_can_run(
        [("0001_a line 2", "ALTER TABLE t DROP COLUMN y;"),
         ("0002_b line 5", "UPDATE t SET y = 1 RETURNING y;"),
         ("0003_c line 1", "ALTER TABLE t RENAME COLUMN y TO z;")],
        (3, 30, 0),
    )
    gate = checks[0]
    assert gate.ok is False and gate.code == "sqlite_too_old"
    assert "This SQLite library (3.30.0) cannot run the plan" in gate.message
    assert "0001_a line 2 uses ALTER TABLE … DROP COLUMN (SQLite 3.35.0 or newer)" in gate.message
    assert "0002_b line 5 uses RETURNING (SQLite 3.35.0 or newer)" in gate.message
    assert "0003_c" not in gate.message  # 3.25.0 is enough there


def test_json_functions_on_a_library_before_they_were_built_in_are_a_warning() -> None:
    checks = sqlite_can_run([("0011 line 9", "CREATE INDEX i ON e (json_extract(m, '$.a'));")],
                            (3, 37, 2))
    assert checks[0].ok is True
    warning = next(c for c in checks if c.name == "sqlite_features")
    assert warning.ok is None and "JSON functions" in warning.message


def test_a_strict_table_warns_which_sqlite_can_still_read_the_file() -> None:
    checks = sqlite_can_run(
        [("0020_s line 1", "CREATE TABLE s (id INTEGER PRIMARY KEY, a INT AS (id * 2)) STRICT;")],
        (3, 40, 1),
    )
    assert checks[0].ok is True and "needs 3.37.0 or newer" in checks[0].message
    warning = next(c for c in checks if c.name == "file_format")
    assert warning.ok is None
    assert warning.message.startswith("After this run, only SQLite 3.37.0 or newer can read")


def test_the_preflight_takes_the_pretended_library(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    statements = [("0021_drop line 1", "ALTER TABLE worlds DROP COLUMN variables;")]
    old = pf.preflight(path, wait=0, statements=statements, library=(3, 34, 1))
    assert not old.go and old.check("sqlite_version").code == "sqlite_too_old"  # type: ignore[union-attr]
    assert pf.preflight(path, wait=0, statements=statements, library=(3, 35, 0)).go


def test_a_plan_creating_a_strict_table_warns_and_still_runs(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0000_init.sql").write_text("CREATE TABLE s (id INTEGER PRIMARY KEY, n INT) STRICT;\n")
    db = badfiles.empty_file(tmp_path, "app.db")
    run = run_cli("upgrade", db, "--migrations", folder, "--no-backup")
    assert run.code == 0
    assert "file_format" in run.out and "only SQLite 3.37.0 or newer can read the file" in run.out
    assert "0000_init line 1 uses STRICT tables" in run.out
