"""The `sqlmig` command-line contract that other tools script against (SPEC §7.1, §7.2, §7.7, §7.9,
§7.11): status JSON, the upgrade event stream, exit codes, dry-run, --to, backups, verify, restore.

Most tests call `engine.cli.main` in-process; one spawns `python -m engine` as a real process.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli, sha256

from engine import api

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOG = api.load_catalog()
HEAD = CATALOG.head_version
STATES = {"fresh", "legacy", "tracked", "ahead", "foreign", "damaged"}
APPLIED_STATUSES = {"ok", "changed", "missing_file", "unverified", "renamed"}
EVENTS = {"plan", "backup", "step_start", "statement", "heartbeat", "step_end", "verify", "done"}
PROBLEM_CODES = {
    "missing", "is_directory", "not_sqlite", "corrupt", "read_only", "locked", "no_space",
    "ahead", "foreign", "diverged", "bad_catalog", "needs_bridge", "migration_failed",
    "check_failed", "cancelled",
}
BOOKKEEPING = {"schema_migrations", "sqlmig_log"}


def backup_pattern(db: Path, version: int | str) -> re.Pattern[str]:
    """SPEC §7.11: `<stem>.<YYYYmmdd-HHMMSS>.v<version>.sqlmig-backup<suffix>` (the engine adds
    `-N` to the stamp when two backups share a second)."""
    return re.compile(
        rf"^{re.escape(db.stem)}\.(?P<stamp>\d{{8}}-\d{{6}})(?:-\d+)?\.v{version}"
        rf"\.sqlmig-backup{re.escape(db.suffix)}$"
    )


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def history_rows(path: Path) -> list[tuple[int, str]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()


def row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def check_problem(problem: dict[str, Any]) -> None:
    assert isinstance(problem, dict)
    assert isinstance(problem["code"], str) and problem["code"]
    assert isinstance(problem["message"], str) and problem["message"]
    assert isinstance(problem["hint"], str)
    if "file" in problem:
        assert problem["file"] is None or isinstance(problem["file"], str)
    if "line" in problem:
        assert problem["line"] is None or is_int(problem["line"])


def check_status(data: dict[str, Any], path: Path) -> None:
    """Every field of `status --json` with its type (the brief's list plus SPEC §7.7)."""
    for key in ("path", "state", "current_version", "head_version", "pending", "problems",
                "user_version", "applied", "diagnosis"):
        assert key in data, f"status --json lacks {key!r}: {sorted(data)}"
    assert data["path"] == str(path)
    assert data["state"] in STATES
    assert data["current_version"] is None or is_int(data["current_version"])
    assert data["user_version"] is None or is_int(data["user_version"])
    assert data["head_version"] == HEAD
    assert isinstance(data["diagnosis"], str) and data["diagnosis"]
    assert isinstance(data["pending"], list)
    for item in data["pending"]:
        assert is_int(item["version"]) and isinstance(item["name"], str)
    assert isinstance(data["problems"], list)
    for problem in data["problems"]:
        check_problem(problem)
    assert isinstance(data["applied"], list)
    for row in data["applied"]:
        assert is_int(row["version"]) and isinstance(row["name"], str)
        assert row["status"] in APPLIED_STATUSES


def status(path: Path, *extra: object) -> dict[str, Any]:
    run = run_cli("status", path, "--json", *extra)
    assert run.code == 0, run.text
    data = run.json()
    check_status(data, path)
    return data


def check_stream(events: list[dict[str, Any]]) -> None:
    """JSON Lines shape shared by every event stream."""
    assert events, "no events"
    times = []
    for event in events:
        assert event["event"] in EVENTS, event
        assert isinstance(event["t"], int | float) and event["t"] >= 0
        times.append(event["t"])
    assert times == sorted(times), f"t goes backwards: {times}"
    assert [e["event"] for e in events].count("done") == 1
    done = events[-1]
    assert done["event"] == "done"
    for key in ("ok", "from_version", "to_version", "backup", "ledger", "problems"):
        assert key in done, f"done lacks {key!r}: {done}"
    assert isinstance(done["ok"], bool)
    assert isinstance(done["ledger"], dict)
    for table, counts in done["ledger"].items():
        assert isinstance(table, str) and len(counts) == 2 and all(is_int(n) for n in counts)
    for problem in done["problems"]:
        check_problem(problem)
        assert problem["code"] in PROBLEM_CODES


@pytest.fixture
def make_empty(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str = "database.db") -> Path:
        return badfiles.empty_file(tmp_path, name)
    return make


@pytest.fixture
def v5(tmp_path: Path) -> Path:
    folder = tmp_path / "v5"
    folder.mkdir()
    return badfiles.at_version(folder, 5, "database.db")


@pytest.fixture
def head(tmp_path: Path) -> Path:
    folder = tmp_path / "head"
    folder.mkdir()
    return badfiles.head_db(folder, "database.db")


# -- status --json ---------------------------------------------------------------------------------


def test_status_fresh_empty_file(make_empty: Callable[[str], Path]) -> None:
    path = make_empty("database.db")
    data = status(path)
    assert data["state"] == "fresh"
    assert data["current_version"] is None
    assert [p["version"] for p in data["pending"]] == [m.version for m in CATALOG.migrations]
    assert [p["name"] for p in data["pending"]] == [m.name for m in CATALOG.migrations]
    assert data["applied"] == []
    assert path.read_bytes() == b""


def test_status_tracked_head(head: Path) -> None:
    before = sha256(head)
    data = status(head)
    assert data["state"] == "tracked"
    assert data["current_version"] == HEAD
    assert data["user_version"] == HEAD
    assert data["pending"] == []
    assert [r["version"] for r in data["applied"]] == [m.version for m in CATALOG.migrations]
    assert {r["status"] for r in data["applied"]} == {"ok"}
    assert [p for p in data["problems"]] == []
    assert sha256(head) == before


def test_upgrade_to_9_then_status(make_empty: Callable[[str], Path]) -> None:
    path = make_empty("database.db")
    run = run_cli("upgrade", path, "--to", 9, "--no-backup")
    assert run.code == 0, run.text
    data = status(path)
    assert data["state"] == "tracked"
    assert data["current_version"] == 9
    assert data["user_version"] == 9
    assert [r["version"] for r in data["applied"]] == list(range(10))
    assert [p["version"] for p in data["pending"]] == list(range(10, HEAD + 1))
    assert [p["name"] for p in data["pending"]] == [m.name for m in CATALOG.migrations[10:]]


def test_status_ahead(tmp_path: Path) -> None:
    path = badfiles.ahead_db(tmp_path)
    data = status(path)
    assert data["state"] == "ahead"
    assert data["user_version"] == 25
    assert data["pending"] == []
    assert "ahead" in {p["code"] for p in data["problems"]}


def test_status_foreign(tmp_path: Path) -> None:
    path = badfiles.foreign_db(tmp_path)
    data = status(path)
    assert data["state"] == "foreign"
    assert data["current_version"] is None
    assert "foreign" in {p["code"] for p in data["problems"]}


def test_status_damaged_exits_0(tmp_path: Path) -> None:
    path = badfiles.not_sqlite_text(tmp_path)
    data = status(path)
    assert data["state"] == "damaged"
    assert data["current_version"] is None
    assert data["problems"][0]["code"] == "not_sqlite"


def test_status_legacy_and_upgrade_bridges_it(tmp_path: Path) -> None:
    from sqlmig_migrations.demo import build_demo_database

    path = build_demo_database(tmp_path)
    data = status(path)
    assert data["state"] == "legacy"
    # SPEC §7.1: a legacy file's user_version is never its current_version.
    assert data["current_version"] is None
    assert data["user_version"] == 5
    run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    check_stream(run.events())
    assert run.done["ok"] is True and run.done["to_version"] == 18
    assert status(path)["state"] == "tracked"


def test_a_legacy_shape_no_app_version_wrote_fails_cleanly(tmp_path: Path) -> None:
    path = badfiles.legacy_like(tmp_path)  # archived_messages with both layouts' columns
    before = sha256(path)
    run = run_cli("upgrade", path, "--json", "--no-backup")
    assert run.code == 1, run.text
    problem = run.done["problems"][0]
    assert problem["code"] == "migration_failed"
    assert problem["file"] == "0012_add_tool_role.sql" and problem["line"] > 0
    assert "unchanged" in problem["message"]
    assert sha256(path) == before


def test_status_legacy_reports_claimed_version(tmp_path: Path) -> None:
    data = status(badfiles.legacy_like(tmp_path))
    assert isinstance(data.get("legacy"), dict)
    assert data["legacy"]["claimed_version"] == 5


def test_status_text_mode(head: Path) -> None:
    run = run_cli("status", head)
    assert run.code == 0, run.text
    assert "tracked" in run.out
    assert f"v{HEAD}" in run.out


# -- upgrade --json event stream -------------------------------------------------------------------


def test_upgrade_json_stream(make_empty: Callable[[str], Path]) -> None:
    path = make_empty("database.db")
    run = run_cli("upgrade", path, "--json", "--no-backup")
    assert run.code == 0, run.text
    events = run.events()
    check_stream(events)
    assert events[0]["event"] == "plan"
    plan = events[0]
    assert plan["from_version"] is None and plan["to_version"] == HEAD
    assert [s["version"] for s in plan["steps"]] == [m.version for m in CATALOG.migrations]

    # step_start / step_end pairs, one per migration, in version order, nothing interleaved.
    steps = [e for e in events if e["event"] in ("step_start", "step_end")]
    assert [e["event"] for e in steps] == ["step_start", "step_end"] * len(CATALOG.migrations)
    starts = [e["version"] for e in steps if e["event"] == "step_start"]
    ends = [e["version"] for e in steps if e["event"] == "step_end"]
    assert starts == ends == [m.version for m in CATALOG.migrations]

    # Statements sit inside their step, numbered 1..n with the file's line numbers.
    current: int | None = None
    seen: dict[int, list[int]] = {}
    for event in events:
        if event["event"] == "step_start":
            current = event["version"]
        elif event["event"] == "step_end":
            current = None
        elif event["event"] == "statement":
            assert event["version"] == current
            seen.setdefault(current, []).append(event["line"])
    for migration in CATALOG.migrations:
        assert seen.get(migration.version, []) == [st.line for st in migration.up]

    done = run.done
    assert done["ok"] is True
    assert done["from_version"] is None
    assert done["to_version"] == HEAD
    assert done["backup"] is None
    assert done["problems"] == []
    assert "worlds" in done["ledger"] and "agent_memory" in done["ledger"]
    assert status(path)["current_version"] == HEAD


def test_upgrade_stepwise_mode(v5: Path) -> None:
    run = run_cli("upgrade", v5, "--mode", "stepwise", "--json", "--no-backup")
    assert run.code == 0, run.text
    check_stream(run.events())
    assert run.done["from_version"] == 5 and run.done["to_version"] == HEAD
    assert status(v5)["current_version"] == HEAD


def test_upgrade_ledger_keeps_rows(v5: Path) -> None:
    with closing(sqlite3.connect(v5, isolation_level=None)) as conn:
        conn.execute("INSERT INTO worlds (id, name) VALUES ('w1', 'World')")
        conn.execute("INSERT INTO agents (id, world_id, name, type, provider, model) "
                     "VALUES ('a1', 'w1', 'A', 'assistant', 'openai', 'gpt-4')")
        conn.executemany("INSERT INTO agent_memory (agent_id, world_id, role, content) "
                         "VALUES ('a1', 'w1', 'user', ?)", [(f"m{i}",) for i in range(7)])
    run = run_cli("upgrade", v5, "--json", "--no-backup")
    assert run.code == 0, run.text
    ledger = run.done["ledger"]
    assert ledger["worlds"] == [1, 1]
    assert ledger["agents"] == [1, 1]
    assert ledger["agent_memory"] == [7, 7]


# -- dry run ---------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_shows_every_statement(v5: Path) -> None:
    before = sha256(v5)
    files = badfiles.files_in(v5.parent)
    run = run_cli("upgrade", v5, "--dry-run")
    assert run.code == 0, run.text
    assert sha256(v5) == before
    assert badfiles.new_files(files, v5.parent) == {}
    assert f"v{HEAD}" in run.out
    printed = re.findall(r"line\s+(\d+): (.*)", run.out)
    expected = [
        (str(st.line), st.sql.split("\n")[0].rstrip())
        for m in CATALOG.migrations if m.version > 5
        for st in m.up
    ]
    assert [(n, text.rstrip()) for n, text in printed] == expected
    for migration in CATALOG.migrations:
        assert (f"{migration.version:04d}_{migration.name}" in run.out) == (migration.version > 5)


def test_dry_run_json(v5: Path) -> None:
    before = sha256(v5)
    run = run_cli("upgrade", v5, "--dry-run", "--json")
    assert run.code == 0, run.text
    events = run.events()
    check_stream(events)
    assert events[0]["event"] == "plan" and events[0]["dry_run"] is True
    assert not [e for e in events if e["event"] in ("step_start", "statement", "backup")]
    steps = events[0]["steps"]
    assert [s["version"] for s in steps] == list(range(6, HEAD + 1))
    for step in steps:
        migration = CATALOG.get(step["version"])
        assert migration is not None
        assert [tuple(pair) for pair in step["statements"]] == [(s.line, s.sql) for s in migration.up]
    assert run.done["ok"] is True and run.done["backup"] is None
    assert sha256(v5) == before
    assert status(v5)["current_version"] == 5


# -- --to ------------------------------------------------------------------------------------------


def test_to_5_then_status(make_empty: Callable[[str], Path]) -> None:
    path = make_empty("database.db")
    run = run_cli("upgrade", path, "--to", 5, "--no-backup", "--json")
    assert run.code == 0, run.text
    assert run.done["to_version"] == 5
    assert [e["version"] for e in run.events() if e["event"] == "step_end"] == list(range(6))
    data = status(path)
    assert data["current_version"] == 5
    assert data["user_version"] == 5
    assert [p["version"] for p in data["pending"]] == list(range(6, HEAD + 1))


def test_to_below_current_is_usage_error(v5: Path) -> None:
    before = sha256(v5)
    run = run_cli("upgrade", v5, "--to", 3)
    assert run.code == 2, run.text
    assert "v5" in run.text and "3" in run.text
    assert sha256(v5) == before
    json_run = run_cli("upgrade", v5, "--to", 3, "--json")
    assert json_run.code == 2
    assert json_run.events() == [json_run.done] and json_run.done["ok"] is False
    assert sha256(v5) == before


def test_to_unknown_version_is_usage_error(v5: Path) -> None:
    before = sha256(v5)
    files = badfiles.files_in(v5.parent)
    run = run_cli("upgrade", v5, "--to", 999)
    assert run.code == 2, run.text
    assert "999" in run.text
    assert sha256(v5) == before
    assert badfiles.new_files(files, v5.parent) == {}


def test_to_current_version_is_nothing_to_do(v5: Path) -> None:
    before = sha256(v5)
    run = run_cli("upgrade", v5, "--to", 5)
    assert run.code == 0, run.text
    assert sha256(v5) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["--mode", "sideways"],
        ["--wait", "-1"],
        ["--to", "five"],
        ["--backup-dir", "somewhere", "--no-backup"],
        ["--bogus"],
    ],
    ids=["bad-mode", "negative-wait", "non-integer-to", "backup-dir-and-no-backup", "bad-option"],
)
def test_usage_errors_exit_2(v5: Path, argv: list[str]) -> None:
    before = sha256(v5)
    run = run_cli("upgrade", v5, *argv)
    assert run.code == 2, run.text
    assert "Traceback" not in run.text
    assert sha256(v5) == before


def test_no_command_is_usage_error() -> None:
    assert run_cli().code == 2
    assert run_cli("frobnicate").code == 2


# -- backups ---------------------------------------------------------------------------------------


def test_backup_next_to_file_by_default(v5: Path) -> None:
    started = datetime.now()
    run = run_cli("upgrade", v5, "--json")
    assert run.code == 0, run.text
    backup = Path(run.done["backup"])
    assert backup.parent == v5.parent
    match = backup_pattern(v5, 5).match(backup.name)
    assert match, backup.name
    stamp = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
    assert started - timedelta(seconds=2) <= stamp <= datetime.now() + timedelta(seconds=2)
    assert backup.is_file()
    backups = [e for e in run.events() if e["event"] == "backup"]
    assert backups and backups[-1]["path"] == str(backup)
    # The backup is the file as it was: tracked at v5.
    assert status(backup)["current_version"] == 5
    assert status(v5)["current_version"] == HEAD
    # Nothing else appeared beside the database but the backup's origin record (SPEC §7.20).
    leftovers = {p.name for p in v5.parent.iterdir()} - {v5.name, backup.name,
                                                          backup.name + ".json"}
    assert {n for n in leftovers if not n.endswith(("-wal", "-shm"))} == set()


def test_backup_dir(v5: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    run = run_cli("upgrade", v5, "--backup-dir", folder, "--json")
    assert run.code == 0, run.text
    backup = Path(run.done["backup"])
    assert backup.parent == folder
    assert backup_pattern(v5, 5).match(backup.name), backup.name
    assert sorted(p.name for p in folder.iterdir()) == [backup.name, backup.name + ".json"]
    assert not [p for p in v5.parent.iterdir() if ".sqlmig-backup" in p.name]


def test_no_backup(v5: Path) -> None:
    run = run_cli("upgrade", v5, "--no-backup", "--json")
    assert run.code == 0, run.text
    assert run.done["backup"] is None
    assert not [e for e in run.events() if e["event"] == "backup"]
    assert not [p for p in v5.parent.iterdir() if ".sqlmig-backup" in p.name]


def test_second_upgrade_has_nothing_to_do(v5: Path) -> None:
    first = run_cli("upgrade", v5, "--no-backup")
    assert first.code == 0, first.text
    rows = history_rows(v5)
    before = sha256(v5)
    files = badfiles.files_in(v5.parent)
    second = run_cli("upgrade", v5)
    assert second.code == 0, second.text
    assert "nothing to do" in second.out.lower()
    assert history_rows(v5) == rows
    assert sha256(v5) == before
    assert badfiles.new_files(files, v5.parent) == {}  # no backup of an unchanged file
    again = run_cli("upgrade", v5, "--json")
    assert again.code == 0
    check_stream(again.events())
    assert again.done["ok"] is True and again.done["from_version"] == again.done["to_version"] == HEAD
    assert again.done["backup"] is None
    assert not [e for e in again.events() if e["event"] == "step_start"]


# -- verify ----------------------------------------------------------------------------------------


def test_verify_head_then_dropped_index(head: Path) -> None:
    run = run_cli("verify", head)
    assert run.code == 0, run.text
    assert run_cli("verify", head, "--full").code == 0
    with closing(sqlite3.connect(head, isolation_level=None)) as conn:
        conn.execute("DROP INDEX idx_events_type")
    run = run_cli("verify", head)
    assert run.code == 1, run.text
    assert "idx_events_type" in run.out


def test_verify_json_is_event_stream(head: Path) -> None:
    run = run_cli("verify", head, "--json")
    assert run.code == 0
    check_stream(run.events())
    checks = {e["check"]: e["ok"] for e in run.events() if e["event"] == "verify"}
    assert checks and all(checks.values()), checks
    assert run.done["ok"] is True and run.done["problems"] == []
    with closing(sqlite3.connect(head, isolation_level=None)) as conn:
        conn.execute("DROP INDEX idx_events_type")
    failed = run_cli("verify", head, "--json")
    assert failed.code == 1
    check_stream(failed.events())
    assert failed.done["ok"] is False
    assert [p["code"] for p in failed.done["problems"]] == ["check_failed"]
    schema = [e for e in failed.events() if e["event"] == "verify" and e["check"] == "schema"]
    assert schema and schema[0]["ok"] is False
    assert "idx_events_type" in " ".join(schema[0]["details"]) + schema[0]["message"]


def test_verify_json_problems_have_a_hint(head: Path) -> None:
    with closing(sqlite3.connect(head, isolation_level=None)) as conn:
        conn.execute("DROP INDEX idx_events_type")
    failed = run_cli("verify", head, "--json")
    assert failed.code == 1
    for problem in failed.done["problems"]:
        assert problem["hint"].strip(), problem


# -- backup and restore ----------------------------------------------------------------------------


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    made = run_cli("backup", path)
    assert made.code == 0, made.text
    backups = [p for p in tmp_path.iterdir() if backup_pattern(path, 9).match(p.name)]
    assert len(backups) == 1, sorted(p.name for p in tmp_path.iterdir())
    backup = backups[0]
    assert backup.name in made.out
    assert status(backup)["current_version"] == 9

    assert run_cli("upgrade", path, "--no-backup").code == 0
    assert status(path)["current_version"] == HEAD

    restored = run_cli("restore", path, "--from", backup, "--json")
    assert restored.code == 0, restored.text
    done = restored.done
    assert done["event"] == "done" and done["ok"] is True
    assert status(path)["current_version"] == 9
    # The replaced (upgraded) file was kept.
    kept = Path(done["replaced_copy"])
    assert kept.is_file() and kept != path and kept != backup
    assert kept.parent == path.parent and ".sqlmig-backup" in kept.name
    assert status(kept)["current_version"] == HEAD
    assert history_rows(kept) == [(m.version, m.name) for m in CATALOG.migrations]


def test_backup_to_explicit_file(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    target = tmp_path / "copy.db"
    run = run_cli("backup", path, "--to", target, "--json")
    assert run.code == 0, run.text
    assert run.done["ok"] is True
    assert Path(run.done["backup"]) == target
    assert status(target)["current_version"] == 9


def test_backup_to_existing_file_is_refused(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    other = badfiles.foreign_db(tmp_path, "precious.db")
    before = sha256(other)
    run = run_cli("backup", path, "--to", other)
    assert run.code == 3, run.text
    assert sha256(other) == before


def test_restore_kept_copy_names_its_version(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    backup = tmp_path / "at9.db"
    assert run_cli("backup", path, "--to", backup).code == 0
    assert run_cli("upgrade", path, "--no-backup").code == 0
    run = run_cli("restore", path, "--from", backup, "--json")
    assert run.code == 0, run.text
    kept = Path(run.done["replaced_copy"])
    assert backup_pattern(path, HEAD).match(kept.name), kept.name


def test_backup_and_restore_json_are_event_streams(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    backup = tmp_path / "at9.db"
    made = run_cli("backup", path, "--to", backup, "--json")
    assert made.code == 0
    check_stream(made.events())
    restored = run_cli("restore", path, "--from", backup, "--json")
    assert restored.code == 0
    check_stream(restored.events())


# -- a real process --------------------------------------------------------------------------------


def _engine_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    )
    return env


def test_python_m_engine_help_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "--help"],
        capture_output=True, text=True, timeout=60, env=_engine_env(), cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    for verb in ("status", "upgrade", "verify", "backup", "restore"):
        assert verb in proc.stdout


def test_public_names_survive_submodule_imports() -> None:
    """`engine` loads its names lazily; importing a submodule named like a public function (the
    engine does such imports itself) must not replace that function with the module."""
    code = (
        "import importlib, pkgutil, types, engine\n"
        "for m in pkgutil.iter_modules(engine.__path__):\n"
        "    if m.name != '__main__':\n"
        "        importlib.import_module('engine.' + m.name)\n"
        "bad = [n for n in engine.__all__ if isinstance(getattr(engine, n), types.ModuleType)]\n"
        "assert not bad, bad\n"
        "assert engine.upgrade is engine.api.upgrade and engine.backup is engine.api.backup\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, timeout=60, env=_engine_env(), cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def test_status_loads_no_runtime_module(tmp_path: Path) -> None:
    """`sqlmig status` must start fast: it loads the inspection and the plan, never the runner,
    the backups or the checks (the public face loads names on first use)."""
    path = badfiles.head_db(tmp_path)
    code = (
        "import sys\n"
        "from engine.cli import main\n"
        f"assert main(['status', {str(path)!r}, '--json']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('engine.runtime')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, timeout=60, env=_engine_env(), cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_process_output_into_a_closed_pipe(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    # Far more output than a pipe buffer holds, so the writer must meet the closed pipe.
    sql = "".join(f"CREATE TABLE table_number_{i:05d} (x);\n" for i in range(4000))
    (folder / "0000_many_tables.sql").write_text(sql)
    path = badfiles.empty_file(tmp_path, "database.db")
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "upgrade", str(path), "--migrations", str(folder),
         "--dry-run"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_engine_env(), cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode(errors="replace")
    proc.wait(timeout=60)
    assert first.startswith(b"Plan:")
    assert "Traceback" not in err, err[-1500:]
    assert path.read_bytes() == b""


def test_process_status_and_upgrade_exit_codes(tmp_path: Path) -> None:
    path = badfiles.empty_file(tmp_path, "database.db")
    env = _engine_env()
    up = subprocess.run(
        [sys.executable, "-m", "engine", "upgrade", str(path), "--json", "--no-backup"],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )
    assert up.returncode == 0, up.stderr
    assert up.stdout.splitlines()[-1].startswith('{"event": "done"')
    st = subprocess.run(
        [sys.executable, "-m", "engine", "status", str(tmp_path / "missing.db")],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )
    assert st.returncode == 3
    assert "Traceback" not in st.stderr
    assert not (tmp_path / "missing.db").exists()


# -- the real agent-world files --------------------------------------------------------------------


@pytest.mark.fixtures
def test_real_tracked_newest_is_up_to_date(fixture_copy: Callable[[str], Path]) -> None:
    path = fixture_copy("tracked-458d539e-fresh")
    data = status(path)
    assert data["state"] == "tracked"
    assert data["current_version"] == HEAD == 18
    assert data["pending"] == []
    assert len(data["applied"]) == 19
    assert {r["status"] for r in data["applied"]} == {"unverified"}
    before = sha256(path)
    files = badfiles.files_in(path.parent)
    run = run_cli("upgrade", path)
    assert run.code == 0, run.text
    assert "nothing to do" in run.out.lower()
    assert sha256(path) == before
    assert badfiles.new_files(files, path.parent) == {}


@pytest.mark.fixtures
def test_real_tracked_v9_upgrades_keeping_rows(fixture_copy: Callable[[str], Path]) -> None:
    path = fixture_copy("tracked-8d121597-fresh")
    assert status(path)["current_version"] == 9
    before = row_counts(path)
    run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    check_stream(run.events())
    assert run.done["ok"] is True
    assert run.done["from_version"] == 9 and run.done["to_version"] == 18
    after = row_counts(path)
    for table, count in before.items():
        if table in BOOKKEEPING:
            continue
        assert after.get(table) == count, f"{table}: {count} rows before, {after.get(table)} after"
        assert run.done["ledger"][table] == [count, count]
    data = status(path)
    assert data["state"] == "tracked"
    assert data["current_version"] == 18
    assert data["pending"] == []
    backup = Path(run.done["backup"])
    assert backup_pattern(path, 9).match(backup.name), backup.name
    assert row_counts(backup) == before
