"""A user's own triggers, indexes and views survive the legacy bridge (hardening issue 8, items
4, 5 and 12).

* No user trigger fires while the bridge moves rows; each is put back afterwards (item 4).
* An index or view on a legacy column the bridge renames is re-pointed; what cannot be kept is
  named in `status` before the run and in the result after it; `verify` compiles every view and
  trigger (item 5).
* What a set-aside needs is kept in the file, so a stepwise run stopped between
  `20_set_aside…` and 0000 loses nothing on the next run (item 12).
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

from builders import build_archived_backup_leftover, build_legacy

import engine
import engine.cli


def rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def execute(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


def objects(path: Path) -> dict[str, tuple[str, str, str]]:
    """name -> (type, table, sql) of every index, trigger and view with SQL."""
    return {
        str(n): (str(t), str(tb), str(s))
        for t, n, tb, s in rows(
            path,
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL",
        )
    }


def status_json(path: Path) -> dict[str, Any]:
    out = io.StringIO()
    assert engine.cli.main(["status", str(path), "--json"], stdout=out) == 0
    return dict(json.loads(out.getvalue()))


def legacy_file(tmp_path: Path) -> Path:
    return build_legacy(tmp_path / "legacy.db", era="F7", rng=5).path


# -- item 4: user triggers ------------------------------------------------------------------


def test_a_user_trigger_does_not_fire_while_the_bridge_moves_rows_and_is_put_back(
    tmp_path: Path,
) -> None:
    path = legacy_file(tmp_path)
    execute(
        path,
        "CREATE TRIGGER user_overwrites_names AFTER INSERT ON archived_messages "
        "BEGIN UPDATE worlds SET name = 'overwritten'; END",
        "CREATE TRIGGER user_counts_memory AFTER INSERT ON agent_memory "
        "BEGIN UPDATE worlds SET description = 'touched'; END",
    )
    names = rows(path, "SELECT id, name, description FROM worlds ORDER BY id")
    assert rows(path, "SELECT count(*) FROM archived_messages")[0][0] > 0

    result = engine.upgrade(path, engine.load_catalog(), backup=False)

    assert result.ok, result.error
    assert rows(path, "SELECT id, name, description FROM worlds ORDER BY id") == names
    after = objects(path)
    assert after["user_overwrites_names"][:2] == ("trigger", "archived_messages")
    assert after["user_counts_memory"][:2] == ("trigger", "agent_memory")
    # Put back, it works again for the app.
    execute(
        path,
        "INSERT INTO archived_messages (archive_id, agent_id, world_id, role, content) "
        "SELECT archive_id, agent_id, world_id, 'user', 'new' FROM archived_messages LIMIT 1",
    )
    assert {r[0] for r in rows(path, "SELECT name FROM worlds")} == {"overwritten"}


# -- item 5: indexes and views on a renamed legacy column -----------------------------------


def test_an_index_a_view_and_a_trigger_on_a_renamed_legacy_column_are_repointed(
    tmp_path: Path,
) -> None:
    path = legacy_file(tmp_path)
    execute(
        path,
        "CREATE INDEX user_archived_by_time ON archived_messages (original_created_at)",
        "CREATE VIEW user_archive_times AS "
        "SELECT id, original_created_at FROM archived_messages",
        "CREATE TRIGGER user_archive_stamp AFTER INSERT ON archived_messages "
        "WHEN NEW.original_created_at IS NULL BEGIN UPDATE archived_messages "
        "SET original_created_at = '2000-01-01' WHERE id = NEW.id; END",
    )
    times = rows(path, "SELECT id, original_created_at FROM user_archive_times ORDER BY id")
    named = [p["message"] for p in status_json(path)["problems"] if "user_" in p["message"]]
    assert not named, named  # re-pointable: nothing to warn about

    result = engine.upgrade(path, engine.load_catalog(), backup=False)

    assert result.ok, result.error
    after = objects(path)
    assert after["user_archived_by_time"][:2] == ("index", "archived_messages")
    assert "original_timestamp" in after["user_archived_by_time"][2]
    # The view keeps its columns' names and shows the same values.
    assert rows(path, "SELECT id, original_created_at FROM user_archive_times ORDER BY id") == (
        times
    )
    notes = " ".join(result.notes)
    for name in ("user_archived_by_time", "user_archive_times", "user_archive_stamp"):
        assert name in notes, notes
    assert engine.verify(path, engine.load_catalog()).ok
    # The re-pointed trigger works for the app.
    execute(
        path,
        "INSERT INTO archived_messages (id, archive_id, agent_id, world_id, role, content) "
        "SELECT 999999, archive_id, agent_id, world_id, 'user', 'new' FROM archived_messages "
        "LIMIT 1",
    )
    assert rows(path, "SELECT original_timestamp FROM archived_messages WHERE id = 999999") == [
        ("2000-01-01",)
    ]


def test_what_the_bridge_cannot_keep_is_named_before_and_after_the_run(tmp_path: Path) -> None:
    record = build_archived_backup_leftover(tmp_path / "backup.db", era="F11")
    path = record.path
    execute(
        path,
        "CREATE VIEW user_backup_view AS SELECT id, content FROM archived_messages_backup",
        "CREATE INDEX user_backup_sender ON archived_messages_backup (sender)",
    )

    problems = status_json(path)["problems"]
    named = [p for p in problems if "user_backup_view" in p["message"]]
    assert named and "archived_messages_backup" in named[0]["message"], problems
    assert [p for p in problems if "user_backup_sender" in p["message"]], problems

    events: list[engine.Event] = []
    result = engine.upgrade(path, engine.load_catalog(), backup=False, on_event=events.append)

    assert result.ok, result.error
    notes = " ".join(result.notes)
    assert "user_backup_view" in notes and "user_backup_sender" in notes, notes
    # The output says so too: one `user_objects` check (a warning) per object.
    told = [
        e for e in events
        if isinstance(e, engine.VerifyEvent) and e.check == "user_objects" and "warning" in e.details
    ]
    assert {n for n in ("user_backup_view", "user_backup_sender") if any(n in e.message for e in told)} == {
        "user_backup_view", "user_backup_sender"
    }, told
    report = engine.verify(path, engine.load_catalog())
    assert not report.ok
    assert any("user_backup_view" in line for line in engine.verify_lines(report)), engine.verify_lines(report)


def test_verify_compiles_every_view_and_trigger_and_names_a_broken_one(tmp_path: Path) -> None:
    path = tmp_path / "head.db"
    path.touch()
    catalog = engine.load_catalog()
    assert engine.upgrade(path, catalog, backup=False).ok
    assert engine.verify(path, catalog).ok
    execute(
        path,
        "CREATE TABLE user_notes (id INTEGER PRIMARY KEY, body TEXT, extra TEXT)",
        "CREATE VIEW user_notes_view AS SELECT id, extra FROM user_notes",
        "CREATE TRIGGER user_notes_trigger AFTER INSERT ON worlds "
        "BEGIN INSERT INTO user_notes (body, extra) VALUES (NEW.name, NEW.id); END",
        "ALTER TABLE user_notes RENAME TO user_notes_old",
        "CREATE TABLE user_notes (id INTEGER PRIMARY KEY, body TEXT)",
        "DROP TABLE user_notes_old",
    )
    # Both now name a column that user_notes no longer has. A view on a function the app
    # registers at run time is not broken: this process cannot know that function.
    execute(path, "CREATE VIEW user_app_function AS SELECT app_slugify(name) FROM worlds")
    report = engine.verify(path, catalog)

    assert not report.ok
    text = "\n".join(engine.verify_lines(report))
    assert "user_notes_view" in text and "user_notes_trigger" in text, text
    assert not [line for line in report.broken if "user_app_function" in line], report.broken
    assert report.to_json()["checks"]["views_and_triggers"] is False


# -- item 12: a stepwise bridge stopped after the set-aside ---------------------------------


def test_a_stepwise_bridge_stopped_after_the_set_aside_keeps_the_legacy_indexes(
    tmp_path: Path,
) -> None:
    catalog = engine.load_catalog()
    clean = legacy_file(tmp_path)
    stopped = tmp_path / "stopped.db"
    stopped.write_bytes(clean.read_bytes())
    legacy_indexes = {
        n for n, (t, table, _s) in objects(clean).items()
        if t == "index" and table == "archived_messages"
    }
    assert {"idx_archived_messages_sender", "idx_archived_messages_content"} <= legacy_indexes

    assert engine.upgrade(clean, catalog, backup=False, mode="stepwise").ok
    cancel = engine.CancelToken()

    def stop_at_0000(event: engine.Event) -> None:
        if event.name == "step_start" and getattr(event, "version", None) == 0:
            cancel.cancel()

    first = engine.upgrade(
        stopped, catalog, backup=False, mode="stepwise", on_event=stop_at_0000, cancel=cancel
    )
    assert not first.ok and first.error is not None and first.error.code == "cancelled"
    assert "archived_messages" not in {
        r[0] for r in rows(stopped, "SELECT name FROM sqlite_master WHERE type = 'table'")
    }

    second = engine.upgrade(stopped, catalog, backup=False, mode="stepwise")

    assert second.ok, second.error
    kept = {n: o for n, o in objects(stopped).items() if o[0] == "index"}
    wanted = {n: o for n, o in objects(clean).items() if o[0] == "index"}
    assert kept == wanted


def test_verify_json_names_broken_views_and_triggers(tmp_path: Path) -> None:
    """Every check verify can fail has its details and a hint in `--json` (the CLI's contract)."""
    import io
    import json

    from engine.cli import main

    path = tmp_path / "head.db"
    path.touch()
    assert engine.upgrade(path, engine.load_catalog(), backup=False).ok
    execute(
        path,
        "CREATE TABLE user_notes (id INTEGER PRIMARY KEY, extra TEXT)",
        "CREATE VIEW user_notes_view AS SELECT id, extra FROM user_notes",
        "ALTER TABLE user_notes RENAME TO user_notes_old",
        "CREATE TABLE user_notes (id INTEGER PRIMARY KEY)",
        "DROP TABLE user_notes_old",
    )
    out = io.StringIO()
    assert main(["verify", str(path), "--json"], stdout=out) == 1
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    check = next(e for e in events if e["event"] == "verify" and e["check"] == "views_and_triggers")
    assert check["ok"] is False and "user_notes_view" in check["message"]
    done = events[-1]
    assert done["event"] == "done" and not done["ok"]
    problem = next(p for p in done["problems"] if "views_and_triggers" in p["message"])
    assert problem["hint"]
