"""The restore confirmation says what is replaced: the file, its version now, and where the copy
of it is kept (hardening item 3)."""

from __future__ import annotations

from pathlib import Path

from sqlmig_gui.prompts import restore_question


def test_the_restore_question_names_the_file_its_version_and_where_the_copy_goes(
    tmp_path: Path,
) -> None:
    real = tmp_path / "data" / "database.db"
    real.parent.mkdir()
    real.write_bytes(b"")
    link = tmp_path / "link.db"
    link.symlink_to(real)
    backup = tmp_path / "database.20250101-000000.v9.sqlmig-backup.db"
    question, details = restore_question(link, backup, "v18")
    assert "link.db" in question and "now v18" in question
    assert str(link) in details and str(backup) in details
    assert f"kept in {real.parent}" in details  # beside the real file, not beside the link
    assert "database.DATE.v18.sqlmig-backup.db" in details
