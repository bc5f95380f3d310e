"""`sqlmig baseline PATH --version N`: a foreign file whose effects 0…N are all there gets rows
0…N recorded as adopted; a file missing an effect is refused with the difference."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import engine
import engine.cli


def foreign_setup(tmp_path: Path) -> tuple[Path, Path]:
    """The chain without a profile (so a file with tables and no history is `foreign`), and a
    head file of it whose bookkeeping was removed: a copy another tool made."""
    folder = tmp_path / "m"
    folder.mkdir()
    for sql in engine.bundled_migrations().glob("0*.sql"):
        shutil.copy(sql, folder)
    path = tmp_path / "copy.db"
    path.touch()
    assert engine.upgrade(path, engine.load_catalog(folder), backup=False).ok
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE schema_migrations")
    conn.execute("DROP TABLE sqlmig_log")
    conn.execute("PRAGMA user_version = 0")
    conn.close()
    assert engine.inspect_file(path, engine.load_catalog(folder)).state == "foreign"
    return folder, path


def test_baseline_of_a_foreign_head_copy_records_0_to_18_adopted(tmp_path: Path) -> None:
    folder, path = foreign_setup(tmp_path)
    out = io.StringIO()
    code = engine.cli.main(["baseline", str(path), "--migrations", str(folder), "--version",
                            "18", "--json"], stdout=out)
    assert code == 0, out.getvalue()
    done = json.loads(out.getvalue())
    assert done["adopted"] == list(range(19)) and done["backup"]

    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT version, method, checksum FROM schema_migrations").fetchall()
    assert [(v, m) for v, m, _ in rows] == [(v, "adopted") for v in range(19)]
    assert all(c.startswith("sha256:") for _, _, c in rows)
    kinds = [r[0] for r in conn.execute("SELECT kind FROM sqlmig_log ORDER BY id")]
    assert kinds == ["adopted"] * 19 + ["baselined"]
    conn.close()
    inspection = engine.inspect_file(path, engine.load_catalog(folder))
    assert inspection.state == "tracked" and inspection.current_version == 18
    assert engine.verify(path, engine.load_catalog(folder)).ok


def test_baseline_refuses_a_file_missing_an_effect_unless_forced(tmp_path: Path) -> None:
    folder, path = foreign_setup(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE worlds DROP COLUMN variables")
    conn.close()
    before = path.read_bytes()
    catalog = engine.load_catalog(folder)

    try:
        engine.baseline(path, 18, catalog=catalog)
    except engine.Refused as exc:
        assert "0013_add_world_variables.sql is missing (column worlds.variables)" in exc.message
        assert exc.message.count("worlds.variables") == 1  # one gap, named once
    else:
        raise AssertionError("baseline did not refuse")
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.sqlmig-backup*")) == []

    assert engine.baseline(path, 12, catalog=catalog, backup=False).adopted == tuple(range(13))


def test_forced_baseline_keeps_the_differences_in_the_audit_table(tmp_path: Path) -> None:
    folder, path = foreign_setup(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE worlds DROP COLUMN variables")
    conn.close()

    done = engine.baseline(path, 18, catalog=engine.load_catalog(folder), force=True,
                           backup=False)

    assert done.forced and done.differences
    conn = sqlite3.connect(path)
    detail = conn.execute("SELECT detail FROM sqlmig_log WHERE kind = 'baselined'").fetchone()[0]
    conn.close()
    assert json.loads(detail)["forced"] is True
    assert any("worlds.variables" in d for d in json.loads(detail)["differences"])


def test_a_tracked_file_is_not_baselined(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    path.touch()
    assert engine.upgrade(path, backup=False).ok
    out = io.StringIO()
    assert engine.cli.main(["baseline", str(path), "--version", "18"], stdout=out) == 3


def test_damaged_files_are_refused_in_their_own_words_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database")
    for args in (["baseline", str(path), "--version", "3"], ["down", str(path), "--to", "3"],
                 ["history", str(path)], ["accept", str(path), "3", "--reason", "x"]):
        out = io.StringIO()
        assert engine.cli.main(args, stdout=out) == 3, args
    assert path.read_text() == "not a database"
