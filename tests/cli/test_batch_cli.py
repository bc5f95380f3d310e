"""`sqlmig batch` (SPEC §7.23): JSON Lines `file_start`, `file_done` (with the file's own `done`),
one final `done` naming every refused file; exit 1 a file failed, else 3 one was refused, else 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.badfiles import run_cli
from helpers.batchfolder import fresh, mixed_folder, sha256


def events(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_events_name_every_refused_file_and_exit_3(tmp_path: Path) -> None:
    files = mixed_folder(tmp_path)
    untouched = {files["ahead"]: sha256(files["ahead"]), files["damaged"]: sha256(files["damaged"])}

    run = run_cli("batch", tmp_path, "--json", "--jobs", "2")

    assert run.code == 3, run.text
    stream = events(run.out)
    names = [e["event"] for e in stream]
    assert set(names) == {"file_start", "file_done", "done"}
    assert names[-1] == "done" and names.count("done") == 1
    assert names.count("file_start") == names.count("file_done") == len(files)
    started = {e["path"] for e in stream if e["event"] == "file_start"}
    assert started == {str(p) for p in files.values()}  # never the backup, -wal or text file
    for done in (e for e in stream if e["event"] == "file_done"):
        assert done["done"]["event"] == "done"  # the file's own `sqlmig upgrade --json` done
        assert {"ok", "from_version", "to_version", "backup", "ledger", "problems"} <= set(
            done["done"])
    final = stream[-1]
    assert final["ok"] is False
    assert {r["path"] for r in final["refused"]} == {str(files["ahead"]), str(files["damaged"])}
    assert {r["reason"] for r in final["refused"]} == {"ahead", "damaged"}
    assert final["failed"] == [] and final["summary"]["refused"] == 2
    assert final["message"].endswith("2 refused: 1 ahead, 1 damaged")
    assert all(sha256(p) == digest for p, digest in untouched.items())


def test_text_output_is_one_line_per_file_and_the_summary(tmp_path: Path) -> None:
    paths = [fresh(tmp_path / "one.db"), fresh(tmp_path / "deeper" / "two.sqlite")]
    run = run_cli("batch", tmp_path, "--no-backup")
    assert run.code == 0, run.text
    lines = run.out.splitlines()
    assert len(lines) == 3
    assert sorted(line.split("  ")[1].split(":")[0] for line in lines[:2]) == sorted(
        str(p) for p in paths)
    assert all(line.startswith("✔ upgraded") for line in lines[:2])
    assert lines[-1] == "2 upgraded"


def test_a_failed_migration_makes_exit_1_and_is_named(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0000_notes.sql").write_text("CREATE TABLE notes (id INTEGER);\n")
    (migrations / "0001_broken.sql").write_text("INSERT INTO no_such_table VALUES (1);\n")
    broken = fresh(tmp_path / "files" / "a.db")
    before = sha256(broken)

    run = run_cli("batch", tmp_path / "files", "--migrations", migrations, "--json",
                  "--no-backup")

    assert run.code == 1, run.text
    final = events(run.out)[-1]
    assert [f["path"] for f in final["failed"]] == [str(broken)]
    assert final["problems"][0]["code"] == "migration_failed"
    assert final["problems"][0]["path"] == str(broken)
    assert sha256(broken) == before  # atomic: the file as it was


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = fresh(tmp_path / "one.db")
    before = sha256(path)
    run = run_cli("batch", tmp_path, "--dry-run", "--json")
    assert run.code == 0, run.text
    assert events(run.out)[-1]["summary"]["planned"] == 1
    assert sha256(path) == before
    assert list(tmp_path.iterdir()) == [path]


def test_jobs_below_one_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("batch", tmp_path, "--jobs", "0")
    assert run.code == 2
    assert "--jobs" in run.err
