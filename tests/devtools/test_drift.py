"""`sqlmig verify` drift: checksums against the files (line endings and BOM do not count), a
unified diff of the changed text, `unverified` rows and extra objects that are not drift;
`sqlmig accept` records an intended change (audited) and `sqlmig history` shows it."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import engine
import engine.cli


def folder_copy(tmp_path: Path) -> Path:
    """The bundled chain (files and profile) in a folder the test may edit."""
    folder = tmp_path / "migrations"
    shutil.copytree(engine.bundled_migrations(), folder,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder


def head_file(tmp_path: Path, folder: Path) -> Path:
    path = tmp_path / "app.db"
    path.touch()
    assert engine.upgrade(path, engine.load_catalog(folder), backup=False).ok
    return path


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = engine.cli.main(list(args), stdout=out)
    return code, out.getvalue()


def test_crlf_and_bom_variants_of_applied_files_verify_clean(tmp_path: Path) -> None:
    folder = folder_copy(tmp_path)
    path = head_file(tmp_path, folder)
    for number, sql in enumerate(sorted(folder.glob("0*.sql"))):
        text = sql.read_bytes().replace(b"\n", b"\r\n")
        sql.write_bytes(b"\xef\xbb\xbf" + text if number % 2 else text)

    code, out = cli("verify", str(path), "--migrations", str(folder))

    assert code == 0, out
    assert "ok     checksums" in out


def test_an_edited_file_is_reported_with_a_diff_and_exit_1(tmp_path: Path) -> None:
    folder = folder_copy(tmp_path)
    path = head_file(tmp_path, folder)
    edited = folder / "0017_add_title_provenance.sql"
    edited.write_text(edited.read_text().replace("DEFAULT 'default'", "DEFAULT 'user'"))

    code, out = cli("verify", str(path), "--migrations", str(folder))
    assert code == 1
    assert "0017_add_title_provenance: the file changed since it was applied." in out
    assert "-ALTER TABLE world_chats ADD COLUMN title_provenance TEXT DEFAULT 'default';" in out
    assert "+ALTER TABLE world_chats ADD COLUMN title_provenance TEXT DEFAULT 'user';" in out

    code, out = cli("verify", str(path), "--migrations", str(folder), "--json")
    done = json.loads(out.splitlines()[-1])
    assert code == 1 and done["event"] == "done" and not done["ok"]
    assert done["checks"]["checksums"] is False
    [drift] = done["drift"]
    assert drift["version"] == 17 and drift["status"] == "changed"
    assert drift["recorded"] != drift["current"] and drift["diff"][0].startswith("---")
    # Every earlier field is still there.
    for key in ("path", "state", "version", "checks", "differences", "extras",
                "foreign_key_damage", "integrity", "broken_objects"):
        assert key in done


def test_a_statement_added_to_an_applied_file_shows_each_statement_once(tmp_path: Path) -> None:
    folder = folder_copy(tmp_path)
    path = head_file(tmp_path, folder)
    edited = folder / "0013_add_world_variables.sql"
    edited.write_text(edited.read_text().replace(
        "ADD COLUMN variables TEXT;", "ADD COLUMN variables TEXT;\nUPDATE worlds SET name = name;"))

    code, out = cli("verify", str(path), "--migrations", str(folder))

    assert code == 1
    lines = [line.strip() for line in out.splitlines()]
    assert "ALTER TABLE worlds ADD COLUMN variables TEXT;" in lines  # unchanged: context
    assert "+UPDATE worlds SET name = name;" in lines
    assert not [line for line in lines if line.endswith(";;")]


def test_rows_without_a_checksum_are_unverified_and_extras_are_not_drift(tmp_path: Path) -> None:
    folder = folder_copy(tmp_path)
    path = head_file(tmp_path, folder)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE schema_migrations SET checksum = NULL WHERE version >= 16")
        conn.execute("CREATE TABLE my_notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.close()

    report = engine.verify(path, engine.load_catalog(folder))

    assert report.ok and report.exit_code == 0
    assert report.unverified == [16, 17, 18]
    assert "table my_notes" in report.extras and report.drift == []


def test_accept_then_verify_is_clean_and_history_shows_the_acceptance(tmp_path: Path) -> None:
    folder = folder_copy(tmp_path)
    path = head_file(tmp_path, folder)
    edited = folder / "0013_add_world_variables.sql"
    edited.write_text(edited.read_text().replace(
        "-- Adds the world's variables", "-- Adds each world's variables"))
    assert cli("verify", str(path), "--migrations", str(folder))[0] == 1

    code, out = cli("accept", str(path), "13", "--migrations", str(folder),
                    "--reason", "reworded the comment")
    assert code == 0, out
    assert "Accepted the change to 0013_add_world_variables" in out

    assert cli("verify", str(path), "--migrations", str(folder))[0] == 0
    code, out = cli("history", str(path), "--migrations", str(folder))
    assert code == 0
    [line] = [x for x in out.splitlines() if " accepted " in x]
    assert "0013 add_world_variables" in line and "reason: reworded the comment" in line

    code, out = cli("history", str(path), "--migrations", str(folder), "--json")
    done = json.loads(out)
    accepted = [e for e in done["log"] if e["kind"] == "accepted"]
    assert len(accepted) == 1
    detail = json.loads(accepted[0]["detail"])
    assert detail["reason"] == "reworded the comment"
    assert detail["old_checksum"] != detail["new_checksum"]
    assert accepted[0]["run_by"] and accepted[0]["at"]


def test_accept_refuses_an_unchanged_file_and_an_empty_reason(tmp_path: Path) -> None:
    folder = folder_copy(tmp_path)
    path = head_file(tmp_path, folder)
    before = path.read_bytes()
    assert cli("accept", str(path), "5", "--migrations", str(folder), "--reason", "x")[0] == 3
    assert cli("accept", str(path), "5", "--migrations", str(folder), "--reason", " ")[0] == 2
    assert path.read_bytes() == before


def test_history_shows_applied_and_reverted_steps(tmp_path: Path) -> None:
    folder = folder_copy(tmp_path)
    path = head_file(tmp_path, folder)
    assert engine.down(path, engine.load_catalog(folder), target=16, backup=False).ok

    report = engine.history(path, engine.load_catalog(folder))

    kinds = [(e.kind, e.version_number) for e in report.log]
    assert kinds[:19] == [("applied", v) for v in range(19)]
    assert kinds[19:] == [("reverted", 18), ("reverted", 17)]
    assert [a.version for a in report.applied] == list(range(17))
    assert all(e.tool_version and e.run_by for e in report.log)
