"""Ctrl-C and SIGTERM are a cancel (SPEC §7.9): roll back, one sentence, a `done` event with the
`cancelled` problem, exit 1, never a traceback; honoured inside a long statement (hardening
item 13). Latency is measured in bench/bench_interrupt.py; these tests prove liveness only.

The subprocess tests wait for a marker event on stdout (a heartbeat, a backup progress event, the
last preflight line) and then send the signal. The in-process tests cancel from inside SQLite's
progress callback, which is exactly where Python runs a signal handler during a long statement.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers.badfiles import run_cli

import engine
from engine.core import events as ev

REPO_ROOT = Path(__file__).resolve().parents[2]
ROWS = 400_000
ENDLESS = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000000000)"
CATALOG = {
    "0000_create_items.sql": (
        "CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER);\n"
        "CREATE INDEX items_body ON items (body);\n"
        "CREATE INDEX items_n ON items (n);\n"
    ),
    "0001_add_note.sql": "ALTER TABLE items ADD COLUMN note TEXT;\n",
    # Slow only on a file with rows: replaying it on the empty expected schema is instant.
    "0002_slow_update.sql": (
        f"UPDATE items SET n = n + 0 * ({ENDLESS} SELECT count(*) FROM c) WHERE id = 1;\n"
    ),
}
# Slow everywhere, the expected-schema replay included (it runs on an empty database).
REPLAY_CATALOG = {
    "0000_create_items.sql": CATALOG["0000_create_items.sql"],
    "0001_slow_table.sql": f"CREATE TABLE slow AS {ENDLESS} SELECT count(*) AS n FROM c;\n",
}
SIGNALS = [signal.SIGINT, signal.SIGTERM]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_catalog(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def big_v0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~45 MB file at v0 of CATALOG (rollback journal), built once with a recursive CTE."""
    folder = tmp_path_factory.mktemp("big")
    catalog = engine.load_catalog(write_catalog(folder / "m", CATALOG))
    path = folder / "big.db"
    path.touch()
    assert engine.upgrade(path, catalog, target=0, backup=False).ok
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(
            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?) "
            "INSERT INTO items (body, n) SELECT printf('%040d', i * 7919 % 1000003), i % 1000 "
            "FROM c",
            (ROWS,),
        )
    return path


@pytest.fixture
def work(tmp_path: Path, big_v0: Path) -> tuple[Path, Path]:
    """(a private copy of the big file, the migrations folder)."""
    path = tmp_path / "data" / "big.db"
    path.parent.mkdir()
    shutil.copyfile(big_v0, path)
    return path, write_catalog(tmp_path / "m", CATALOG)


# -- subprocess runs with a real signal --------------------------------------------------------


@dataclass
class Stopped:
    code: int
    events: list[dict[str, Any]]
    stderr: str
    signalled: bool

    @property
    def done(self) -> dict[str, Any]:
        assert self.events, f"no output (exit {self.code}); stderr: {self.stderr}"
        return self.events[-1]


def signal_at(
    marker: Callable[[dict[str, Any]], bool], sig: int, *argv: object, timeout: float = 180
) -> Stopped:
    """Run `python -m engine ARGV --json`, send `sig` when an event matches `marker`."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", *map(str, argv), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT,
    )
    watchdog = threading.Timer(timeout, proc.kill)  # a hung child fails the test, never hangs it
    watchdog.start()
    events: list[dict[str, Any]] = []
    signalled = False
    try:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            event = json.loads(line)
            events.append(event)
            if not signalled and marker(event):
                proc.send_signal(sig)
                signalled = True
        stderr = proc.stderr.read()
        code = proc.wait()
    finally:
        watchdog.cancel()
    return Stopped(code, events, stderr, signalled)


def check_cancelled(run: Stopped) -> dict[str, Any]:
    assert run.signalled, f"the marker never came: {[e['event'] for e in run.events]}"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code == 1, (run.code, run.events[-3:], run.stderr)
    assert [e["event"] for e in run.events].count("done") == 1
    done = run.done
    assert done["event"] == "done" and done["ok"] is False
    assert [p["code"] for p in done["problems"]] == ["cancelled"], done["problems"]
    message = done["problems"][0]["message"]
    assert message.startswith("Cancelled") and message.endswith(".") and "\n" not in message
    assert "Fix the migration" not in json.dumps(done)
    return done


def no_partial_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


def is_heartbeat(event: dict[str, Any]) -> bool:
    return event["event"] == "heartbeat"


def is_backup_progress(event: dict[str, Any]) -> bool:
    return event["event"] == "backup" and not event["done"]


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_signal_inside_a_slow_migration_rolls_back(work: tuple[Path, Path], sig: int) -> None:
    path, migrations = work
    before = sha(path)
    run = signal_at(is_heartbeat, sig, "upgrade", path, "--migrations", migrations, "--no-backup")
    done = check_cancelled(run)
    assert "unchanged (still v0)" in done["message"]
    assert sha(path) == before
    assert not path.with_name(path.name + "-journal").exists()


@pytest.mark.slow
def test_signal_inside_a_stepwise_run_keeps_the_last_good_step(work: tuple[Path, Path]) -> None:
    path, migrations = work
    run = signal_at(is_heartbeat, signal.SIGINT, "upgrade", path, "--migrations", migrations,
                    "--no-backup", "--mode", "stepwise")
    done = check_cancelled(run)
    assert "at v1" in done["message"], done["message"]
    found = engine.inspect_file(path, engine.load_catalog(migrations))
    assert found.state == "tracked" and found.current_version == 1


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_signal_during_the_upgrade_backup_leaves_no_partial_backup(
    work: tuple[Path, Path], sig: int
) -> None:
    path, migrations = work
    before = sha(path)
    run = signal_at(is_backup_progress, sig, "upgrade", path, "--migrations", migrations)
    done = check_cancelled(run)
    assert sha(path) == before
    no_partial_files(path.parent)
    if done["backup"] is None:  # cancelled before the backup was complete: nothing of it is left
        assert sorted(p.name for p in path.parent.iterdir()) == ["big.db"]


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_signal_during_the_backup_command(work: tuple[Path, Path], sig: int) -> None:
    path, _ = work
    before = sha(path)
    run = signal_at(is_backup_progress, sig, "backup", path)
    done = check_cancelled(run)
    assert done["backup"] is None
    assert sha(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["big.db"]


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_signal_during_verify_full(work: tuple[Path, Path], sig: int) -> None:
    path, migrations = work
    before = sha(path)
    run = signal_at(is_heartbeat, sig, "verify", path, "--migrations", migrations, "--full")
    check_cancelled(run)
    assert sha(path) == before


@pytest.mark.slow
def test_signal_during_the_expected_schema_replay(tmp_path: Path) -> None:
    migrations = write_catalog(tmp_path / "m", REPLAY_CATALOG)
    path = tmp_path / "small.db"
    path.touch()
    catalog = engine.load_catalog(migrations)
    assert engine.upgrade(path, catalog, target=0, backup=False).ok
    before = sha(path)

    def last_preflight_line(event: dict[str, Any]) -> bool:
        return event["event"] == "verify" and event["check"] == "preflight:location"

    run = signal_at(last_preflight_line, signal.SIGINT, "upgrade", path, "--migrations",
                    migrations, "--no-backup")
    check_cancelled(run)
    assert sha(path) == before


@pytest.mark.slow
def test_text_output_ends_in_one_sentence_without_a_traceback(work: tuple[Path, Path]) -> None:
    path, migrations = work
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "upgrade", str(path), "--migrations", str(migrations),
         "--no-backup"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT,
    )
    watchdog = threading.Timer(180, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("[2/2]"):  # the slow step started
                proc.send_signal(signal.SIGINT)
        stderr = proc.stderr.read() if proc.stderr else ""
        code = proc.wait()
    finally:
        watchdog.cancel()
    assert code == 1 and "Traceback" not in stderr, stderr
    assert lines[-1] == "Cancelled: the file is unchanged (still v0).", lines[-5:]


# -- in-process: the cancel arrives inside a long statement --------------------------------------


class CancelInside(engine.CancelToken):
    """Cancels itself from SQLite's progress callback (where a signal handler would run)."""

    def __init__(self, after: int = 3) -> None:
        super().__init__()
        self.calls = 0
        self.after = after

    def progress(self) -> int:
        self.calls += 1
        if self.calls == self.after:
            self.cancel()
        return super().progress()


def test_cancel_inside_the_preflight_quick_check(work: tuple[Path, Path]) -> None:
    path, migrations = work
    before = sha(path)
    seen: list[str] = []
    token = CancelInside()
    result = engine.upgrade(path, engine.load_catalog(migrations), cancel=token,
                            on_event=lambda e: seen.append(e.name))
    assert token.calls >= token.after, "no long statement ran under the token"
    assert result.error is not None and result.error.code == "cancelled", result.error
    assert result.exit_code == 1 and result.preflight is None  # it stopped inside the preflight
    assert result.error.message == "Cancelled: nothing was changed."
    assert seen == ["done"]
    assert sha(path) == before


def test_cancel_inside_verify(work: tuple[Path, Path]) -> None:
    path, migrations = work
    with pytest.raises(engine.Cancelled) as caught:
        engine.verify(path, engine.load_catalog(migrations), full=True, cancel=CancelInside())
    assert caught.value.code == "cancelled" and caught.value.exit_code == 1


def test_cancel_inside_a_backup_leaves_nothing(work: tuple[Path, Path]) -> None:
    path, _ = work
    before = sha(path)
    with pytest.raises(engine.Cancelled):
        engine.backup(path, cancel=CancelInside(after=2))
    assert sha(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["big.db"]


def test_a_cancelled_inspection_is_not_called_damaged(work: tuple[Path, Path]) -> None:
    path, migrations = work
    token = engine.CancelToken()
    token.cancel()
    with pytest.raises(engine.Cancelled):
        engine.inspect_file(path, engine.load_catalog(migrations), cancel=token)


def test_an_interrupted_statement_is_not_a_broken_migration(work: tuple[Path, Path]) -> None:
    """SQLITE_INTERRUPT from outside the token (e.g. a KeyboardInterrupt swallowed inside the
    progress callback) is reported as interrupted, never as "Fix the migration"."""
    path, migrations = work
    interrupts: list[sqlite3.Connection] = []

    class Outsider(engine.CancelToken):
        def attach(self, conn: sqlite3.Connection | None) -> None:
            super().attach(conn)
            if conn is not None:
                interrupts.append(conn)

    def sink(event: ev.Event) -> None:
        if isinstance(event, ev.HeartbeatEvent) and interrupts:
            interrupts[-1].interrupt()  # not through the token: its flag stays down

    result = engine.upgrade(path, engine.load_catalog(migrations), backup=False,
                            cancel=Outsider(), on_event=sink)
    assert result.error is not None
    assert result.error.code == "cancelled", result.error.message
    assert "interrupted" in result.error.message.lower()
    assert "Fix the migration" not in result.error.hint


def test_the_cli_restores_the_signal_handlers(tmp_path: Path) -> None:
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    path = tmp_path / "e.db"
    path.touch()
    assert run_cli("status", path).code == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
