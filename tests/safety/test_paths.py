"""Paths SQLite could misread or cannot open: a relative path starting with `file:` (every
connection goes through the one URI builder in engine/connect.py) and paths past SQLite's
512-character limit (the preflight and `backup` refuse them with a sentence before writing)."""

from __future__ import annotations

import ast
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli, sha256

from engine.core.connect import SQLITE_MAX_PATHNAME

REPO_ROOT = Path(__file__).resolve().parents[2]


# -- 9. a relative path that starts with `file:` ----------------------------------------------------


def _wal_file(path: Path) -> None:
    path.write_bytes(badfiles.at_version(path.parent, 9, "v9-source.db").read_bytes())
    (path.parent / "v9-source.db").unlink()
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("INSERT INTO worlds (id, name) VALUES ('w', 'World')")


def test_backup_and_restore_of_a_relative_file_colon_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _wal_file(tmp_path / "file:x.db")
    made = run_cli("backup", "file:x.db", "--to", "file:y.db", "--json")
    assert made.code == 0, made.text
    backup = tmp_path / "file:y.db"
    assert backup.read_bytes()[18:20] == b"\x01\x01"  # a self-contained rollback-journal file
    auto = run_cli("backup", "file:x.db", "--json")
    assert auto.code == 0, auto.text
    assert Path(auto.done["backup"]).name.startswith("file:x.")
    assert (tmp_path / auto.done["backup"]).read_bytes()[18:20] == b"\x01\x01"
    restored = run_cli("restore", "file:x.db", "--from", "file:y.db", "--json")
    assert restored.code == 0, restored.text
    assert run_cli("status", "file:x.db", "--json").json()["current_version"] == 9
    assert run_cli("upgrade", "file:x.db", "--json").code == 0
    assert not list(tmp_path.glob("*.partial")), sorted(p.name for p in tmp_path.iterdir())
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith("file:")]


def test_the_engine_opens_sqlite_only_through_connect_py() -> None:
    """Every `sqlite3.connect(...)` in engine/ is in connect.py (the one place that builds
    absolute `file:` URIs); elsewhere only an in-memory database may be opened directly."""
    offenders = []
    for path in sorted((REPO_ROOT / "engine").rglob("*.py")):
        if path.name == "connect.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            named = (isinstance(func, ast.Attribute) and func.attr == "connect"
                     and isinstance(func.value, ast.Name) and func.value.id == "sqlite3")
            in_memory = (bool(node.args) and isinstance(node.args[0], ast.Constant)
                         and node.args[0].value == ":memory:")
            if named and not in_memory:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert not offenders, "open files through engine/connect.py:\n" + "\n".join(offenders)


# -- 11. paths past SQLite's limit ------------------------------------------------------------------


def deep_folder(root: Path, length: int) -> Path:
    """A folder whose absolute path is exactly `length` characters (nested dirs of up to 100)."""
    folder = root.resolve()
    while (room := length - len(str(folder))) > 0:
        name = min(100, room - 1)
        if room - 1 - name == 1:  # a last step of "/" alone is impossible: leave room for "/dd"
            name -= 1
        folder = folder / ("d" * name)
    folder.mkdir(parents=True, exist_ok=True)
    assert len(str(folder)) == length
    return folder


def test_the_limit_is_sqlites() -> None:
    assert SQLITE_MAX_PATHNAME == 512


@pytest.fixture
def near_the_limit(tmp_path: Path) -> Path:
    """A database SQLite can open (path + "-journal" within 512) whose backup path cannot be."""
    folder = deep_folder(tmp_path, SQLITE_MAX_PATHNAME - 8 - len("/database.db") - 2)
    path = folder / "database.db"
    path.write_bytes(badfiles.at_version(tmp_path, 9, "v9.db").read_bytes())
    (tmp_path / "v9.db").unlink()
    assert len(str(path)) + len("-journal") < SQLITE_MAX_PATHNAME
    return path


def test_preflight_refuses_a_backup_path_past_the_limit(near_the_limit: Path) -> None:
    path = near_the_limit
    digest, before = sha256(path), badfiles.files_in(path.parent)
    run = run_cli("upgrade", path, "--json")
    assert run.code == 3, run.text
    problem = run.done["problems"][0]
    assert problem["code"] == "path_too_long", problem
    assert "512" in problem["message"] and "backup" in problem["message"]
    assert "shorter path" in problem["hint"]
    assert sha256(path) == digest
    assert badfiles.new_files(before, path.parent) == {}
    text = run_cli("upgrade", path, "--dry-run")
    assert "paths" in text.out


def test_upgrade_with_a_short_backup_folder_passes_the_paths_check(
    near_the_limit: Path, tmp_path: Path
) -> None:
    short = tmp_path / "b"
    short.mkdir()
    run = run_cli("upgrade", near_the_limit, "--backup-dir", short, "--json")
    assert run.code == 0, run.text
    checks = {e["check"]: e for e in run.events() if e["event"] == "verify"}
    assert checks["preflight:paths"]["ok"] is True


def test_backup_alone_refuses_a_path_past_the_limit(near_the_limit: Path) -> None:
    path = near_the_limit
    digest, before = sha256(path), badfiles.files_in(path.parent)
    run = run_cli("backup", path, "--json")
    assert run.code == 3, run.text
    problem = run.done["problems"][0]
    assert problem["code"] == "path_too_long" and "512" in problem["message"]
    assert sha256(path) == digest
    assert badfiles.new_files(before, path.parent) == {}


def test_a_database_path_past_the_limit_is_named_as_such(tmp_path: Path) -> None:
    folder = deep_folder(tmp_path, SQLITE_MAX_PATHNAME - len("/database.db") - 4)
    path = folder / "database.db"
    path.write_bytes(badfiles.at_version(tmp_path, 9, "v9.db").read_bytes())
    digest, before = sha256(path), badfiles.files_in(folder)
    for argv in (("upgrade", path, "--json"), ("upgrade", path, "--json", "--no-backup")):
        run = run_cli(*argv)
        assert run.code == 3, run.text
        problem = run.done["problems"][0]
        assert problem["code"] == "path_too_long", problem
        assert "512" in problem["message"] and "create its journal" not in problem["message"]
    assert sha256(path) == digest
    assert badfiles.new_files(before, folder) == {}


def test_restore_refuses_when_the_kept_copy_path_would_pass_the_limit(
    near_the_limit: Path, tmp_path: Path
) -> None:
    path = near_the_limit
    backup = tmp_path / "b.db"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(backup)) as dst:
        src.backup(dst)
    digest = sha256(path)
    run = run_cli("restore", path, "--from", backup, "--force", "--json")
    assert run.code == 3, run.text
    assert run.done["problems"][0]["code"] == "path_too_long"
    assert sha256(path) == digest
    assert os.listdir(path.parent) == ["database.db"]
