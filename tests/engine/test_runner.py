"""The runner's promises: atomic or stepwise, compare-and-set, progress, cancel, checks."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import engine
from engine.core import events as ev

REPO = Path(__file__).resolve().parents[2]


def write_catalog(folder: Path, files: dict[str, str]) -> engine.Catalog:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    catalog = engine.load_catalog(folder)
    assert catalog.ok, catalog.problems
    return catalog


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def empty_db(tmp_path: Path, name: str = "app.db") -> Path:
    path = tmp_path / name
    path.touch()
    return path


def history(path: Path) -> list[tuple[int, str, str | None]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version, name, method FROM schema_migrations ORDER BY version").fetchall()
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


SMALL = {
    "0000_create_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n",
    "0001_add_title.sql": "-- Adds a title.\nALTER TABLE notes ADD COLUMN title TEXT;\n",
    "0002_add_index.sql": "CREATE INDEX idx_notes_title ON notes(title);\n",
}


class Recorder:
    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def __call__(self, event: ev.Event) -> None:
        self.events.append(event)

    def names(self) -> list[str]:
        return [e.name for e in self.events]


def test_fresh_file_reaches_head_with_history_checksums_and_user_version(tmp_path: Path) -> None:
    catalog = engine.load_catalog()
    db = empty_db(tmp_path)
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    rows = history(db)
    assert [(v, n) for v, n, _ in rows] == [(m.version, m.name) for m in catalog.migrations]
    assert {method for _, _, method in rows} == {"executed"}
    assert user_version(db) == 18
    status = engine.inspect_file(db, catalog)
    assert status.state == "tracked" and status.current_version == 18 and not status.pending
    assert {a.status for a in status.applied} == {"ok"}


def test_fresh_head_equals_the_real_apps_head_file(tmp_path: Path, fixture_copy) -> None:
    from engine.schema import compare, snapshot

    real = fixture_copy("tracked-458d539e-fresh.db")
    ours = empty_db(tmp_path, "ours.db")
    assert engine.upgrade(ours, backup=False).ok
    ignore = {"schema_migrations", "sqlmig_log"}.__contains__  # bookkeeping (SPEC §7.12)
    with sqlite3.connect(real) as a, sqlite3.connect(ours) as b:
        a.execute("PRAGMA trusted_schema = ON")
        diff = compare(snapshot(b, ignore=ignore), snapshot(a, ignore=ignore))
        assert diff.ok, diff.differences
        assert not diff.extras
        reverse = compare(snapshot(a, ignore=ignore), snapshot(b, ignore=ignore))
        assert reverse.ok and not reverse.extras
        names_real = a.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
        names_ours = b.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
    assert names_real == names_ours


def test_real_tracked_v9_file_reaches_head_keeping_every_row(fixture_copy) -> None:
    db = fixture_copy("tracked-8d121597-fresh.db")
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        before = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    result = engine.upgrade(db, backup=False)
    assert result.ok, result.error
    with sqlite3.connect(db) as conn:
        for table, count in before.items():
            now = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if table in ("sqlite_sequence", "schema_migrations"):
                assert now >= count, table
            else:
                assert now == count, table
    assert result.ledger["agent_memory"] == [200, 200]
    methods = {v: m for v, _, m in history(db)}
    assert methods[9] is None and methods[10] == "executed"
    assert engine.inspect_file(db).current_version == 18


def test_app_made_history_table_gains_our_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
        )
        conn.execute("INSERT INTO schema_migrations(version, name, applied_at) "
                     "VALUES (0, 'create_notes', '2025-11-02 10:00:00')")
        conn.execute("PRAGMA user_version = 0")
    assert engine.upgrade(db, catalog, backup=False).ok
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(schema_migrations)")]
        first = conn.execute("SELECT applied_at, checksum FROM schema_migrations WHERE version=0").fetchone()
    assert cols[:3] == ["version", "name", "applied_at"]
    assert {"checksum", "duration_ms", "method"} <= set(cols)
    assert first == ("2025-11-02 10:00:00", None)


def test_atomic_failure_leaves_the_file_byte_for_byte_unchanged(tmp_path: Path) -> None:
    files = dict(SMALL)
    files["0002_add_index.sql"] = (
        "CREATE INDEX idx_notes_title ON notes(title);\n\n-- Breaks on purpose.\n"
        "INSERT INTO missing_table VALUES (1);\n"
    )
    catalog = write_catalog(tmp_path / "m", files)
    db = tmp_path / "app.db"
    _seed(db, catalog, 0)
    before = sha(db)
    result = engine.upgrade(db, catalog, backup=False)
    assert not result.ok
    err = result.error
    assert err is not None and err.code == "migration_failed" and err.exit_code == 1
    assert err.file == "0002_add_index.sql" and err.line == 4
    assert "no such table: missing_table" in err.message
    assert "unchanged (still v0)" in err.message
    assert sha(db) == before


def _seed(db: Path, catalog: engine.Catalog, version: int) -> Path:
    """A file upgraded to `version` with the given catalog."""
    db.touch()
    result = engine.upgrade(db, catalog, target=version, backup=False)
    assert result.ok, result.error
    return db


def test_stepwise_failure_stops_at_the_last_good_version(tmp_path: Path) -> None:
    files = dict(SMALL)
    files["0002_add_index.sql"] = "INSERT INTO notes(body) VALUES (NULL);\n"
    catalog = write_catalog(tmp_path / "m", files)
    db = empty_db(tmp_path)
    result = engine.upgrade(db, catalog, backup=False, mode="stepwise")
    assert not result.ok and result.error is not None
    assert "NOT NULL constraint failed" in result.error.message
    assert result.to_version == 1
    assert [v for v, _, _ in history(db)] == [0, 1]
    assert user_version(db) == 1


def test_atomic_is_the_default_and_one_transaction(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    plan = engine.plan(empty_db(tmp_path), catalog)
    assert plan.mode == "atomic" and len(plan.segments()) == 1 and len(plan.steps) == 3


def test_progress_events_come_in_order(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    rec = Recorder()
    assert engine.upgrade(empty_db(tmp_path), catalog, backup=False, on_event=rec).ok
    names = rec.names()
    assert names[0] == "plan" and names[-1] == "done"
    starts = [e for e in rec.events if isinstance(e, ev.StepStartEvent)]
    ends = [e for e in rec.events if isinstance(e, ev.StepEndEvent)]
    assert [e.version for e in starts] == [0, 1, 2] == [e.version for e in ends]
    assert names.index("step_start") < names.index("statement") < names.index("step_end")
    verify = [
        e.check
        for e in rec.events
        if isinstance(e, ev.VerifyEvent) and not e.check.startswith("preflight:")
    ]
    assert verify == ["quick_check", "ledger", "foreign_keys", "schema", "quick_check"]
    times = [e.t for e in rec.events]
    assert times == sorted(times)


SLOW = {
    "0000_create_numbers.sql": "CREATE TABLE numbers (n INTEGER PRIMARY KEY, sq INTEGER);\n",
    "0001_fill_numbers.sql": (
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3000000)\n"
        "INSERT INTO numbers(n, sq) SELECT n, n * n FROM c;\n"
    ),
}


def test_heartbeats_arrive_during_a_long_statement_and_cancel_rolls_back(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SLOW)
    db = _seed(tmp_path / "slow.db", catalog, 0)
    before = sha(db)
    token = engine.CancelToken()
    beats: list[ev.HeartbeatEvent] = []

    def sink(event: ev.Event) -> None:
        if isinstance(event, ev.HeartbeatEvent):
            beats.append(event)
            token.cancel()

    result = engine.upgrade(db, catalog, backup=False, on_event=sink, cancel=token)
    assert beats, "no heartbeat during a multi-second statement"
    assert beats[0].version == 1 and beats[0].statement == 1
    assert result.error is not None and result.error.code == "cancelled"
    assert "unchanged (still v0)" in result.error.message
    assert sha(db) == before
    assert engine.inspect_file(db, catalog).current_version == 0


def test_cancel_from_another_thread_interrupts_the_statement(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SLOW)
    db = _seed(tmp_path / "slow.db", catalog, 0)
    token = engine.CancelToken()
    started = threading.Event()

    def sink(event: ev.Event) -> None:
        if isinstance(event, ev.StatementEvent) and event.version == 1:
            started.set()

    canceller = threading.Thread(target=lambda: started.wait(30) and token.cancel())
    canceller.start()
    result = engine.upgrade(db, catalog, backup=False, on_event=sink, cancel=token)
    canceller.join()
    assert result.error is not None and result.error.code == "cancelled"
    assert [v for v, _, _ in history(db)] == [0]


def test_runner_that_finds_its_step_applied_by_another_replans_and_succeeds(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = _seed(tmp_path / "app.db", catalog, 0)
    rec = Recorder()

    def sneak(event: ev.Event) -> None:
        rec(event)
        # Another runner applies step 1 between our plan and our transaction.
        if isinstance(event, ev.VerifyEvent) and event.check == "quick_check" and len(rec.events) < 4:
            other = engine.upgrade(db, catalog, target=1, backup=False)
            assert other.ok

    result = engine.upgrade(db, catalog, backup=False, on_event=sneak)
    assert result.ok, result.error
    assert [v for v, _, _ in history(db)] == [0, 1, 2]
    assert result.applied == [2]
    assert any("Another process upgraded" in note for note in result.notes)


def test_ledger_check_rolls_back_a_migration_that_deletes_rows(tmp_path: Path) -> None:
    files = {
        "0000_create.sql": "CREATE TABLE t (x INTEGER);\nINSERT INTO t VALUES (1), (2);\n",
        "0001_lose_a_row.sql": "DELETE FROM t WHERE x = 2;\n",
    }
    catalog = write_catalog(tmp_path / "m", files)
    db = _seed(tmp_path / "app.db", catalog, 0)
    before = sha(db)
    result = engine.upgrade(db, catalog, backup=False)
    assert result.error is not None and result.error.code == "check_failed"
    assert "Table t had 2 rows and has 1" in result.error.message
    assert sha(db) == before


def test_a_tracked_file_missing_a_recorded_column_is_repaired(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = _seed(tmp_path / "app.db", catalog, 1)
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE notes DROP COLUMN title")
    assert engine.inspect_file(db, catalog).needs_repair
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    assert dict((v, m) for v, _, m in history(db))[1] == "repaired"
    with sqlite3.connect(db) as conn:
        assert "title" in [r[1] for r in conn.execute("PRAGMA table_info(notes)")]


def test_schema_drift_the_bridge_cannot_mend_fails_the_check_and_rolls_back(
    tmp_path: Path,
) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = _seed(tmp_path / "app.db", catalog, 1)
    with sqlite3.connect(db) as conn:  # same name, other type: no statement can fix that
        conn.execute("ALTER TABLE notes DROP COLUMN title")
        conn.execute("ALTER TABLE notes ADD COLUMN title INTEGER")
    before = sha(db)
    result = engine.upgrade(db, catalog, backup=False)
    assert result.error is not None and result.error.code == "check_failed"
    assert "notes.title" in result.error.message
    assert sha(db) == before


def test_existing_foreign_key_damage_is_reported_and_does_not_block(tmp_path: Path) -> None:
    files = {
        "0000_create.sql": (
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));\n"
        ),
        "0001_add_note.sql": "ALTER TABLE child ADD COLUMN note TEXT;\n",
    }
    catalog = write_catalog(tmp_path / "m", files)
    db = _seed(tmp_path / "app.db", catalog, 0)
    with sqlite3.connect(db) as conn:  # foreign keys are off by default here: an orphan row
        conn.execute("INSERT INTO child(id, parent_id) VALUES (1, 42)")
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    assert any("already pointed to missing parent rows" in n for n in result.notes)


def test_foreign_keys_off_directive_rebuilds_a_parent_without_cascading(tmp_path: Path) -> None:
    files = {
        "0000_create.sql": (
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);\n"
            "CREATE TABLE child (id INTEGER PRIMARY KEY,\n"
            "  parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE);\n"
            "INSERT INTO parent VALUES (1, 'a');\nINSERT INTO child VALUES (1, 1), (2, 1);\n"
        ),
        "0001_rebuild_parent.sql": (
            "-- foreign-keys: off\n"
            "CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\n"
            "INSERT INTO parent_new (id, name) SELECT id, coalesce(name, '') FROM parent;\n"
            "DROP TABLE parent;\n"
            "ALTER TABLE parent_new RENAME TO parent;\n"
        ),
    }
    catalog = write_catalog(tmp_path / "m", files)
    db = _seed(tmp_path / "app.db", catalog, 0)
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    assert result.ledger["child"] == [2, 2]


def test_a_no_transaction_migration_splits_an_atomic_plan(tmp_path: Path) -> None:
    files = dict(SMALL)
    files["0003_vacuum.sql"] = "-- transaction: no\nVACUUM;\n"
    catalog = write_catalog(tmp_path / "m", files)
    db = empty_db(tmp_path)
    plan = engine.plan(db, catalog)
    assert len(plan.segments()) == 2
    result = engine.upgrade(db, catalog, backup=False)
    assert result.ok, result.error
    assert [v for v, _, _ in history(db)] == [0, 1, 2, 3]


def test_backup_is_written_and_verified_before_anything_changes(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = _seed(tmp_path / "app.db", catalog, 0)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO notes(body) VALUES ('keep me')")
    rec = Recorder()
    result = engine.upgrade(db, catalog, on_event=rec)
    assert result.ok and result.backup is not None and result.backup.exists()
    assert result.backup.parent == db.parent
    assert ".v0.sqlmig-backup.db" in result.backup.name
    with sqlite3.connect(result.backup) as conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("keep me",)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    names = rec.names()
    assert names.index("backup") < names.index("step_start")


def test_a_failed_backup_stops_the_run_before_any_write(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = _seed(tmp_path / "app.db", catalog, 0)
    before = sha(db)
    result = engine.upgrade(db, catalog, backup_dir=tmp_path / "does-not-exist")
    assert result.error is not None and result.error.exit_code == 3
    assert sha(db) == before


def test_dry_run_writes_nothing_and_lists_every_statement(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = empty_db(tmp_path)
    rec = Recorder()
    result = engine.upgrade(db, catalog, dry_run=True, on_event=rec)
    assert result.ok and db.stat().st_size == 0
    plan = rec.events[0]
    assert isinstance(plan, ev.PlanEvent)
    assert [s.statements for s in plan.steps][1] == ((2, "ALTER TABLE notes ADD COLUMN title TEXT;"),)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db", "m"]


UPGRADE_SCRIPT = """
import sys, engine
catalog = engine.load_catalog(sys.argv[2])
result = engine.upgrade(sys.argv[1], catalog, backup=False, mode=sys.argv[3], wait=60)
print(result.applied)
sys.exit(result.exit_code)
"""


@pytest.mark.parametrize("mode", ["atomic", "stepwise"])
def test_four_processes_upgrading_one_file_apply_each_step_exactly_once(
    tmp_path: Path, mode: str
) -> None:
    files = {
        f"{n:04d}_step_{n}.sql": (
            f"CREATE TABLE t{n} (x INTEGER);\n"
            f"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 150000)\n"
            f"INSERT INTO t{n} SELECT i FROM c;\n"
        )
        for n in range(6)
    }
    catalog = write_catalog(tmp_path / "m", files)
    db = empty_db(tmp_path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE_SCRIPT, str(db), str(catalog.folder), mode],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outputs
    applied = [eval(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sorted(v for run in applied for v in run) == list(range(6))
    assert [v for v, _, _ in history(db)] == list(range(6))
    with sqlite3.connect(db) as conn:
        for n in range(6):
            assert conn.execute(f"SELECT count(*) FROM t{n}").fetchone()[0] == 150000


def test_a_repair_another_runner_made_between_two_transactions_is_noticed(tmp_path: Path) -> None:
    """Stepwise, a runner takes its row ledger before its first transaction. Another runner's
    repair (rows moved away, a table dropped, an audit row) between two of its transactions
    changes no history row, so the applied set alone did not notice it, and the next check
    failed with "Table … had N rows and is gone" (seen with four upgraders on one legacy file).
    The runner notices another runner's audit rows and re-plans instead."""
    from engine.core.cancel import CancelToken
    from engine.planning.planner import plan_upgrade
    from engine.runtime.context import RunOutcome
    from engine.runtime.runner import Runner
    from engine.state.expected import ExpectedSchemas
    from engine.state.inspect import inspect_file

    catalog = write_catalog(tmp_path / "m", SMALL)
    db = empty_db(tmp_path)
    assert engine.upgrade(db, catalog, target=0, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes_legacy (id INTEGER PRIMARY KEY, body TEXT)")
        conn.executemany("INSERT INTO notes_legacy (body) VALUES (?)", [("a",), ("b",)])
    plan = plan_upgrade(inspect_file(db, catalog), catalog, mode="stepwise")
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        runner = Runner(conn, plan, expected=ExpectedSchemas(catalog), sink=ev.ignore_events,
                        clock=ev.Clock(), cancel=CancelToken())
        first, second = plan.segments()[:2]
        outcome = RunOutcome()
        assert runner._run_segment(first, outcome)  # 0001 committed; the ledger counted 2 rows
        with sqlite3.connect(db, isolation_level=None) as other:  # another runner's repair
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO notes (body) SELECT body FROM notes_legacy")
            other.execute("DROP TABLE notes_legacy")
            other.execute("CREATE TABLE IF NOT EXISTS sqlmig_log (id INTEGER PRIMARY KEY, at "
                          "TIMESTAMP DEFAULT CURRENT_TIMESTAMP, kind TEXT NOT NULL, name TEXT "
                          "NOT NULL, checksum TEXT, detail TEXT)")
            other.execute("INSERT INTO sqlmig_log (kind, name) VALUES ('repair', 'restore')")
            other.execute("COMMIT")
        assert runner._run_segment(second, outcome) is False  # re-plan, no false ledger failure
    finally:
        conn.close()


def test_a_dry_run_rehearses_with_the_users_own_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rehearsal of a bridge plan on a temporary copy used a hard-coded 10 s lock wait (and
    accepted diverged history) whatever the user asked; it uses the user's options now."""
    from helpers import badfiles

    from engine.runtime import execution

    opened: list[tuple[Path, float]] = []
    real = execution.open_readwrite

    def spy(path: Path, *, wait_seconds: float = 10.0) -> sqlite3.Connection:
        opened.append((path, wait_seconds))
        return real(path, wait_seconds=wait_seconds)

    monkeypatch.setattr(execution, "open_readwrite", spy)
    path = badfiles.legacy_like(tmp_path)
    engine.upgrade(path, dry_run=True, wait=0.25)
    copies = [(p, wait) for p, wait in opened if "sqlmig-dry-run-" in str(p)]
    assert copies and {wait for _p, wait in copies} == {0.25}, opened


def test_orphans_are_counted_once_for_a_key_the_file_already_declares(tmp_path: Path) -> None:
    # Before the steps: foreign_key_check counts the file's own constraints; the head's are
    # counted by a query of their own only where the file does not declare them already.
    from engine.runtime.checks import foreign_key_damage, orphans_under
    from engine.schema import snapshot

    conn = sqlite3.connect(tmp_path / "fk.db")
    conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE other (id INTEGER PRIMARY KEY)")
    conn.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), "
        "other_id INTEGER)"
    )
    conn.execute("INSERT INTO child VALUES (1, 42, 7), (2, 43, NULL), (3, NULL, 8)")
    head = sqlite3.connect(":memory:")
    head.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    head.execute("CREATE TABLE other (id INTEGER PRIMARY KEY)")
    head.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), "
        "other_id INTEGER REFERENCES other(id))"
    )
    expected = snapshot(head)
    assert foreign_key_damage(conn) == {("child", "parent"): 2}
    assert orphans_under(conn, expected) == {("child", "other"): 2}  # the new constraint only


def test_a_run_still_fails_on_an_orphan_it_adds_under_a_kept_constraint(tmp_path: Path) -> None:
    files = {
        "0000_create.sql": (
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));\n"
        ),
        "0001_add_orphan.sql": "-- foreign-keys: off\nINSERT INTO child VALUES (2, 99);\n",
    }
    catalog = write_catalog(tmp_path / "m", files)
    db = _seed(tmp_path / "app.db", catalog, 0)
    with sqlite3.connect(db) as conn:  # one orphan already: existing damage
        conn.execute("INSERT INTO child(id, parent_id) VALUES (1, 42)")
    before = sha(db)
    result = engine.upgrade(db, catalog, backup=False)
    assert result.error is not None and result.error.code == "check_failed"
    assert "foreign" in result.error.message.lower(), result.error.message
    assert sha(db) == before
