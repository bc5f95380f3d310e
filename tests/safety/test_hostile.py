"""Hostile and unusual files (more of them than tests/cli/test_bad_input.py's corpus).

Every bad file: a clear sentence with a hint, exit 3 from `upgrade` (0 from `status` for a file),
the bytes unchanged. Valid but unusual files are upgraded, never refused. Inspection never runs a
view or a trigger; huge schemas and huge rows finish (a subprocess timeout is the guard).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli, sha256

from engine.core.connect import open_readonly, read_facts

REPO_ROOT = Path(__file__).resolve().parents[2]
TRACEBACK_WORDS = ("Traceback", "sqlite3.", "OperationalError", "DatabaseError", 'File "')
HOSTILE_CODES = {
    "wrong_magic": "not_sqlite",
    "future_file_format": "not_sqlite",
    "header_page_count_too_big": "corrupt",
    "schema_page_garbage": "corrupt",
    "zeroed_middle": "corrupt",
    "truncated_odd": "corrupt",
    "truncated_header_only": "corrupt",
    "fifo": "not_sqlite",
    "history_out_of_range": "bad_history",
}
assert set(HOSTILE_CODES) == set(badfiles.HOSTILE_BAD_FILES)


def check_sentence(message: str) -> None:
    assert message and "\n" not in message and message.endswith("."), repr(message)
    for word in TRACEBACK_WORDS:
        assert word not in message, f"{word!r} in {message!r}"


def digest(path: Path) -> str:
    return "fifo" if path.is_fifo() else sha256(path)


@pytest.mark.parametrize("name", sorted(HOSTILE_CODES))
def test_hostile_file_is_refused_without_writing(tmp_path: Path, name: str) -> None:
    path = badfiles.HOSTILE_BAD_FILES[name](tmp_path)
    before, files = digest(path), badfiles.files_in(tmp_path)
    status = run_cli("status", path, "--json")
    assert status.code == 0, status.text
    for extra in ([], ["--no-backup", "--mode", "stepwise"], ["--dry-run"]):
        run = run_cli("upgrade", path, "--json", *extra)
        assert run.code == 3, (extra, run.text)
        assert [e["event"] for e in run.events()] == ["done"]
        problem = run.done["problems"][0]
        assert problem["code"] == HOSTILE_CODES[name], problem
        check_sentence(problem["message"])
        check_sentence(problem["hint"])
    text = run_cli("upgrade", path)
    assert text.code == 3 and "hint:" in text.text and "Traceback" not in text.text
    if HOSTILE_CODES[name] in ("not_sqlite", "corrupt"):  # a readable file may be backed up
        backup = run_cli("backup", path)
        assert backup.code == 3 and "Traceback" not in backup.text
    assert digest(path) == before
    assert badfiles.new_files(files, tmp_path) == {}


@pytest.mark.parametrize("name", sorted(badfiles.UNUSUAL_GOOD_FILES))
def test_unusual_valid_file_is_upgraded(tmp_path: Path, name: str) -> None:
    path = badfiles.UNUSUAL_GOOD_FILES[name](tmp_path)
    run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    assert run.done["ok"] and run.done["backup"]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == run.done["to_version"]


def test_inspection_and_upgrade_never_run_views_or_triggers(tmp_path: Path) -> None:
    path = badfiles.hostile_schema(tmp_path)
    status = run_cli("status", path, "--json")  # a never-ending view is never queried
    assert status.code == 0 and status.json()["state"] == "tracked"
    assert run_cli("verify", path).code in (0, 1)
    run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM tripwire").fetchone()[0] == 0
        assert conn.execute('SELECT v FROM "x""; DROP TABLE worlds; --"').fetchall() == [("kept",)]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"forever", "trip", "worlds"} <= names


def test_connections_treat_the_file_as_untrusted(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 5, "database.db")
    conn = open_readonly(read_facts(path))
    try:
        assert conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        assert conn.execute("PRAGMA query_only").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("SELECT load_extension('/nonexistent')")
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("CREATE TABLE t (x)")
    finally:
        conn.close()


def _run_process(*argv: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run([sys.executable, "-m", "engine", *map(str, argv)], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=REPO_ROOT)


@pytest.mark.slow
def test_ten_thousand_tables(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "many.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        for i in range(10_000):
            conn.execute(f"CREATE TABLE extra_{i} (id INTEGER PRIMARY KEY, a TEXT, b INT)")
        conn.execute("INSERT INTO extra_9999 (a) VALUES ('last')")
        conn.execute("COMMIT")
    status = _run_process("status", path, "--json", timeout=120)
    assert status.returncode == 0, status.stderr
    assert '"extra_9999"' in status.stdout
    up = _run_process("upgrade", path, "--json", timeout=300)
    assert up.returncode == 0, up.stdout[-2000:]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT a FROM extra_9999").fetchall() == [("last",)]
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'extra_%'"
                            ).fetchone()[0] == 10_000


MEMORY_LIMITED = """
import resource, sys
limit = 1_500_000_000
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from engine.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_huge_row_survives_with_bounded_memory(tmp_path: Path) -> None:
    """A 40 MB memory row in a file that 0012 rebuilds, under a 1.5 GB address-space limit."""
    path = badfiles.at_version(tmp_path, 9, "huge-row.db")
    content = "z" * 40_000_000
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("INSERT INTO worlds (id, name) VALUES ('w', 'W')")
        conn.execute("INSERT INTO agents (id, world_id, name, type, provider, model) "
                     "VALUES ('a', 'w', 'A', 'assistant', 'p', 'm')")
        conn.execute("INSERT INTO agent_memory (agent_id, world_id, role, content) "
                     "VALUES ('a', 'w', 'user', ?)", (content,))
    expected = hashlib.sha256(content.encode()).hexdigest()
    del content
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run([sys.executable, "-c", MEMORY_LIMITED, "upgrade", str(path), "--json"],
                          capture_output=True, text=True, timeout=300, env=env, cwd=REPO_ROOT)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-2000:])
    with closing(sqlite3.connect(path)) as conn:
        (stored,) = conn.execute("SELECT content FROM agent_memory").fetchone()
    assert hashlib.sha256(stored.encode()).hexdigest() == expected


def test_hot_journal_is_rolled_back_and_committed_rows_survive(tmp_path: Path) -> None:
    """A crash in the middle of an app's write leaves a hot journal: status reads nothing it
    cannot trust, the upgrade lets SQLite roll it back, every committed row is there."""
    path = badfiles.at_version(tmp_path, 9, "database.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("INSERT INTO worlds (id, name) VALUES ('committed', 'kept')")
    crash = """
import os, signal, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 2")  # spill to the file before COMMIT
conn.execute("BEGIN")
for i in range(3000):
    conn.execute("INSERT INTO worlds (id, name) VALUES (?, ?)", (f"w{i}", "x" * 2000))
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", crash, str(path)], timeout=120)
    assert proc.returncode == -9
    journal = path.with_name(path.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0, "no hot journal was left"
    status = run_cli("status", path, "--json")
    assert status.code == 0 and "Traceback" not in status.text
    run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [r[0] for r in conn.execute("SELECT id FROM worlds")]
    assert ids == ["committed"]
    assert not journal.exists() or journal.stat().st_size == 0


def test_wal_without_shm_is_recovered_with_every_committed_row(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    crash = """
import os, signal, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA wal_autocheckpoint = 0")
for i in range(200):
    conn.execute("INSERT INTO worlds (id, name) VALUES (?, 'in the wal')", (f"w{i}",))
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", crash, str(path)], timeout=120)
    assert proc.returncode == -9
    path.with_name(path.name + "-shm").unlink()
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    status = run_cli("status", path, "--json")
    assert status.code == 0 and status.json()["state"] == "tracked"
    run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    backup = Path(run.done["backup"])
    for db in (path, backup):
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("SELECT count(*) FROM worlds").fetchone()[0] == 200, db


def test_corpus_size() -> None:
    """The issue asks for at least 30 bad inputs across the bad-input tests."""
    in_test_bad_input = (
        len(badfiles.BAD_FILES)
        + 2  # missing path: missing file, missing folder
        + 2  # a directory, a symlink loop
        + 6 + 1  # broken migration folders, a missing migrations folder
        + 1  # a locked file
        + 2  # read-only file, read-only folder (as uid 65534)
    )
    restore_sources = 3  # tests/safety/test_backup.py: damaged, random bytes, missing backup
    total = in_test_bad_input + len(badfiles.HOSTILE_BAD_FILES) + restore_sources
    assert total >= 30, total
