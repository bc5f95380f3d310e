"""Migrations never reach another database file unless they say `-- attach: allow` (issue 8,
item 8): not in the expected-schema replay, not in a dry run, not in the real run."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers.badfiles import run_cli

import engine
from engine.runtime.checks import ExpectedSchemas
from engine.schema import replay
from engine.scripts.attach import guard_connection, in_memory
from engine.scripts.catalog import load_catalog

PROFILE = """\
[app]
name = "demo"
tables = ["notes"]
core_tables = ["notes"]
[legacy]
user_version_min = 0
user_version_max = 3
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def other_file(tmp_path: Path) -> Path:
    """A real second database that a migration could write to."""
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE kept (x)")
        conn.execute("INSERT INTO kept VALUES (1)")
        conn.commit()
    return path


def attaching(other: Path, *, allow: bool) -> str:
    return (
        "-- Copies the notes into a second file.\n"  # 1
        + ("-- attach: allow\n" if allow else "-- Nothing special.\n")  # 2
        + f"ATTACH DATABASE '{other}' AS other;\n"  # 3
        + "CREATE TABLE other.copied (body TEXT);\n"  # 4
        + "INSERT INTO other.copied SELECT body FROM notes;\n"  # 5
    )


def folder(tmp_path: Path, second: str, *, profile: bool = False) -> Path:
    where = tmp_path / "migrations"
    where.mkdir()
    (where / "0000_notes.sql").write_text("CREATE TABLE notes (body TEXT);\n")
    (where / "0001_copy.sql").write_text(second)
    if profile:
        (where / "profile.toml").write_text(PROFILE)
    return where


def database(tmp_path: Path) -> Path:
    path = tmp_path / "app.db"
    path.touch()
    return path


# --- the catalog ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "what"),
    [
        ("ATTACH 'x.db' AS x;", "ATTACH"),
        ("attach database 'x' || '.db' as x;", "ATTACH"),
        ("/* first */ ATTACH 'x.db' AS x;", "ATTACH"),
        ("VACUUM INTO 'copy.db';", "VACUUM INTO"),
        ("VACUUM main INTO 'copy.db';", "VACUUM INTO"),
    ],
)
def test_a_statement_that_reaches_another_file_needs_the_directive(
    tmp_path: Path, statement: str, what: str
) -> None:
    (tmp_path / "0000_a.sql").write_text(f"-- transaction: no\nCREATE TABLE a (x);\n{statement}\n")
    catalog = load_catalog(tmp_path)
    [problem] = [p for p in catalog.problems if p.kind == "attach_not_allowed"]
    assert (problem.file, problem.line, problem.code) == ("0000_a.sql", 3, "bad_catalog")
    assert what in problem.message
    assert "-- attach: allow" in problem.message
    allowed = f"-- transaction: no\n-- attach: allow\nCREATE TABLE a (x);\n{statement}\n"
    (tmp_path / "0000_a.sql").write_text(allowed)
    catalog = load_catalog(tmp_path)
    assert catalog.ok, catalog.problems
    assert catalog.migrations[0].directives.attach


def test_attach_in_the_down_part_needs_the_directive_too(tmp_path: Path) -> None:
    (tmp_path / "0000_a.sql").write_text("SELECT 1;\n-- migrate:down\nATTACH 'x.db' AS x;\n")
    catalog = load_catalog(tmp_path)
    assert [(p.kind, p.line) for p in catalog.problems] == [("attach_not_allowed", 3)]


@pytest.mark.parametrize("value", ["yes", "on", ""])
def test_attach_directive_takes_only_allow(tmp_path: Path, value: str) -> None:
    (tmp_path / "0000_a.sql").write_text(f"-- attach: {value}\nSELECT 1;\n")
    assert [p.kind for p in load_catalog(tmp_path).problems] == ["bad_directive"]


def test_plain_vacuum_and_detach_need_no_directive(tmp_path: Path) -> None:
    (tmp_path / "0000_a.sql").write_text("-- transaction: no\nVACUUM;\n")
    (tmp_path / "0001_b.sql").write_text("DETACH other;\n")
    assert load_catalog(tmp_path).ok


# --- without the directive: refused everywhere, the other file untouched ---------------------


def test_attach_without_the_directive_is_refused_and_touches_no_file(tmp_path: Path) -> None:
    other = other_file(tmp_path)
    before = sha(other)
    migrations = folder(tmp_path, attaching(other, allow=False))
    db = database(tmp_path)

    status = run_cli("status", db, "--migrations", migrations, "--json")
    assert status.code == 0
    problems = json.loads(status.out)["problems"]
    assert any("0001_copy.sql line 3" in p["message"] for p in problems), problems
    for argv in (["--dry-run"], []):
        run = run_cli("upgrade", db, "--migrations", migrations, "--json", "--no-backup", *argv)
        assert run.code == 3, run.out
        done = json.loads(run.out.splitlines()[-1])
        assert done["problems"][0]["code"] == "bad_catalog"
        assert "ATTACH" in done["problems"][0]["message"]
    # Even a replay of the refused catalog (verify and diff build one) never opens the file.
    ExpectedSchemas(load_catalog(migrations)).at(1)
    assert sha(other) == before
    assert db.read_bytes() == b""


# --- with the directive: only the real run writes the other file ----------------------------


def test_allowed_attach_runs_once_and_the_replay_never_touches_the_file(tmp_path: Path) -> None:
    other = other_file(tmp_path)
    before = sha(other)
    migrations = folder(tmp_path, attaching(other, allow=True))
    catalog = load_catalog(migrations)
    assert catalog.ok, catalog.problems

    expected = ExpectedSchemas(catalog).at(1)  # the replay the runner does before its first step
    assert "notes" in expected.tables
    assert sha(other) == before

    db = database(tmp_path)
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error  # before the fix: "table copied already exists"
    with closing(sqlite3.connect(other)) as conn:
        assert conn.execute("SELECT count(*) FROM copied").fetchone() == (0,)
        assert conn.execute("SELECT * FROM kept").fetchall() == [(1,)]


def test_the_replay_of_an_attach_creates_no_file(tmp_path: Path) -> None:
    missing = tmp_path / "would-be-created.db"
    snap = replay(
        [
            (["CREATE TABLE a (x)"], False),
            ([f"ATTACH '{missing}' AS side", "CREATE TABLE side.t (y)"], False),
            (["DETACH side"], False),
            ([f"ATTACH '{missing}' AS side", "CREATE TABLE side.t (y)"], False),
            ([f"VACUUM INTO '{missing}'"], False),
        ]
    )
    assert list(snap.tables) == ["a"]
    assert not missing.exists()


def test_a_dry_run_rehearsal_never_touches_the_other_file(tmp_path: Path) -> None:
    """A legacy file's dry run rehearses the plan on a copy: the ATTACH must not reach out."""
    other = other_file(tmp_path)
    before = sha(other)
    migrations = folder(tmp_path, attaching(other, allow=True), profile=True)
    db = tmp_path / "legacy.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('kept')")
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
    digest = sha(db)
    catalog = load_catalog(migrations)
    assert engine.inspect_file(db, catalog).state == "legacy"
    result = engine.upgrade(db, catalog, backup=False, dry_run=True)
    assert result.ok, result.error
    assert sha(other) == before
    assert sha(db) == digest


# --- the guard on a connection -------------------------------------------------------------


def test_the_guard_denies_attaching_files_but_not_vacuum(tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    with closing(sqlite3.connect(target, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE t (x)")
        guard = guard_connection(conn, allowed=False)
        conn.execute("VACUUM")  # SQLite attaches a private temporary database for it
        conn.execute("ATTACH ':memory:' AS scratch")
        conn.execute("DETACH scratch")
        for sql, name in (
            (f"ATTACH '{tmp_path / 'new.db'}' AS new", "new.db"),
            (f"VACUUM INTO '{tmp_path / 'copy.db'}'", "copy.db"),
            ("ATTACH 'new' || '.db' AS new", "an expression"),
        ):
            with pytest.raises(sqlite3.DatabaseError, match=r"not authorized|denied"):
                conn.execute(sql)
            assert guard.denied is not None and guard.denied.endswith(name)
            assert name in guard.hint() and "-- attach: allow" in guard.hint()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.db"]


def test_the_guard_lets_an_allowed_migration_attach(tmp_path: Path) -> None:
    other = other_file(tmp_path)
    with closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        guard = guard_connection(conn, allowed=True)
        conn.execute(f"ATTACH '{other}' AS other")
        assert conn.execute("SELECT x FROM other.kept").fetchall() == [(1,)]
        assert guard.denied is None


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("ATTACH 'a.db' AS side;", "ATTACH ':memory:' AS side"),
        ("attach database 'a' || '.db' as \"my side\";", "ATTACH ':memory:' AS \"my side\""),
        ("-- note\nATTACH ? AS [side];", "ATTACH ':memory:' AS [side]"),
        ("ATTACH 'x AS y' AS side;", "ATTACH ':memory:' AS side"),
        ("VACUUM INTO 'copy.db';", "VACUUM INTO ':memory:'"),
        ("VACUUM main INTO 'copy.db';", "VACUUM main INTO ':memory:'"),
        ("CREATE TABLE a (x);", None),
        ("VACUUM;", None),
    ],
)
def test_in_memory_redirects_only_statements_that_reach_a_file(
    sql: str, expected: str | None
) -> None:
    assert in_memory(sql) == expected


def test_the_run_connection_denies_an_attach_that_slipped_past_the_catalog(
    tmp_path: Path,
) -> None:
    """Defence in depth: a plan whose step attaches a file without `attach: allow` (the catalog
    would have refused it) fails at that statement, names file and line, and changes nothing."""
    import dataclasses

    from engine.core.events import Clock, ignore_events
    from engine.planning.planner import plan_upgrade
    from engine.runtime.runner import CancelToken
    from engine.runtime.upgrader import UpgradeResult, _run
    from engine.scripts.sqltext import Statement
    from engine.state.inspect import inspect_file

    other = other_file(tmp_path)
    before = sha(other)
    migrations = folder(tmp_path, "CREATE TABLE copied (body TEXT);\n")
    catalog = load_catalog(migrations)
    db = database(tmp_path)
    plan = plan_upgrade(inspect_file(db, catalog), catalog)
    sneaky = Statement(f"ATTACH '{other}' AS other;", 1)
    last = plan.steps[-1]
    steps = (*plan.steps[:-1], dataclasses.replace(last, statements=(sneaky, *last.statements)))
    plan = dataclasses.replace(plan, steps=steps)
    result = UpgradeResult(ok=False, path=db, from_version=None, to_version=None)
    with pytest.raises(engine.RunFailed) as failed:
        _run(
            db,
            catalog,
            plan,
            result,
            None,
            "atomic",
            ignore_events,
            Clock(),
            CancelToken(),
            1.0,
            False,
        )
    assert "0001_copy.sql failed at line 1" in failed.value.message
    assert "the file is unchanged" in failed.value.message
    assert "-- attach: allow" in failed.value.hint and "other.db" in failed.value.hint
    assert sha(other) == before
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
