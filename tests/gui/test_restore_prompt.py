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


def _answer(qtbot, click: str) -> list[dict[str, object]]:
    """Answer the next message box by clicking its confirm button or pressing Escape; note how
    the box was built."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    seen: list[dict[str, object]] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        ok = box.findChild(QPushButton, "confirmButton")
        seen.append({"default": box.defaultButton() is not ok, "escape": box.escapeButton()
                     is not ok, "plain": box.textFormat().name, "text": box.text()})
        if click == "ok" and ok is not None:
            ok.click()
        else:
            box.escapeButton().click()

    QTimer.singleShot(10, press)
    return seen


def test_every_confirmation_defaults_to_cancel_and_answers_what_was_clicked(
    qtbot, tmp_path: Path
) -> None:
    from sqlmig_gui.prompts import Prompts, UpgradeSummary

    prompts = Prompts()
    file = tmp_path / "app.db"
    asks = {
        "upgrade": lambda: prompts.confirm_upgrade(None, UpgradeSummary(file, "v9", "v18", 9,
                                                                        tmp_path)),
        "batch": lambda: prompts.confirm_batch(None, 3, 2, None),
        "restore": lambda: prompts.confirm_restore(None, file, tmp_path / "b.db", "v18"),
        "down": lambda: prompts.confirm_down(None, "Roll back?", "details"),
        "delete": lambda: prompts.confirm_delete_backups(None, [tmp_path / "b.db"], "1 KB"),
        "compact": lambda: prompts.confirm_compact(None, file, "20 % free"),
    }
    for name, question in asks.items():
        for click, expected in (("ok", True), ("escape", False)):
            seen = _answer(qtbot, click)
            assert question() is expected, (name, click)
            [box] = seen
            assert box["default"] and box["escape"], name  # Cancel is the default and Escape
            assert box["plain"] == "PlainText", name
