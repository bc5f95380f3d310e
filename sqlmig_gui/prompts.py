"""Every dialog the window can show, behind one injectable object.

The window never creates a dialog itself: it asks `self.prompts`. Tests inject a double
(`tests/gui/conftest.py`) that returns canned answers, so no test ever blocks on a modal dialog.
Strings taken from a user's file are always shown as plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QSpacerItem,
    QWidget,
)


@dataclass(frozen=True)
class UpgradeSummary:
    """What the confirmation says will happen, in words."""

    file: Path
    from_label: str
    to_label: str
    steps: int  # in the engine's plan (migrations and repair scripts)
    backup_folder: Path
    atomic: bool = True

    def text(self) -> str:
        mode = (
            "All or nothing: the whole upgrade runs in one transaction, so the file ends fully "
            "upgraded or exactly as it is now."
            if self.atomic
            else "One transaction per migration."
        )
        return (
            f"File: {self.file}\n"
            f"Upgrade: {self.from_label} → {self.to_label} ({self.steps} step(s))\n"
            f"Backup first, verified, written to: {self.backup_folder}\n"
            f"{mode}\n\n"
            "Nothing is written if the backup cannot be verified. You can cancel at any time; "
            "the file is then left unchanged."
        )


def restore_question(file: Path, backup: Path, current: str) -> tuple[str, str]:
    """The restore confirmation in words: what is replaced (the file, its version now) and
    where the copy of it is kept (beside the real file, named as the engine names it)."""
    real = file.resolve()
    now = f" (now {current})" if current else ""
    label = current if current.startswith("v") else "vN"
    return (
        f"Replace the contents of {file.name}{now} with the backup?",
        f"File: {file}{now}\n"
        f"Backup to restore: {backup}\n"
        "Before anything is written, the current file is copied and verified, and the copy is "
        f"kept in {real.parent} (named {real.stem}.DATE.{label}.sqlmig-backup{real.suffix}), "
        "so you can go back.\n\n"
        "A program that has the file open sees the restore as an ordinary change; if it is "
        "writing at that moment, the restore waits for it, or stops and changes nothing.",
    )


def batch_question(files: int, needing: int, backup_folder: Path | None) -> tuple[str, str]:
    """The batch confirmation: how many files, where the backups go, what a failure does."""
    where = f"in {backup_folder}" if backup_folder is not None else "next to each file"
    return (
        f"Back up and upgrade the files that need it ({needing} of {files})?",
        f"Each file is checked again, backed up (verified, {where}) and upgraded on its own, "
        "all or nothing: a file that fails or is cancelled stays exactly as it was, and the "
        "others go on. Files that are up to date or cannot be upgraded are not touched.",
    )


@dataclass(frozen=True)
class ErrorReport:
    """An error for a support person: a sentence, what to do, and the technical detail."""

    title: str
    message: str
    hint: str = ""
    detail: str = ""


PATH_LINE_EXTRA = 40  # characters besides a path on a line that is kept whole ("File: … (now v18)")


def room_for_paths(box: QMessageBox, text: str) -> None:
    """Make the box wide enough for the longest path in `text` on one line (a label wraps a
    path after any "/", cutting a backup's name in two), within three quarters of the screen.
    QMessageBox sizes itself and ignores its labels' minimum widths; a spacer in its grid holds."""
    metrics = box.fontMetrics()
    widths = []
    for line in text.splitlines():
        paths = [w for w in line.split() if "/" in w or "\\" in w]
        if paths:  # "Backup: PATH" whole; in a sentence, the path alone
            path = max(paths, key=len)
            short = len(line) - len(path) <= PATH_LINE_EXTRA
            widths.append(metrics.horizontalAdvance(line if short else path))
    if not widths:
        return
    needed = max(widths) + metrics.height() * 10  # and the icon's column and the margins
    screen = QGuiApplication.primaryScreen()
    most = screen.availableGeometry().width() * 3 // 4 if screen is not None else 900
    grid = box.layout()
    if isinstance(grid, QGridLayout):
        spacer = QSpacerItem(min(needed, most), 0, QSizePolicy.Policy.Minimum,
                             QSizePolicy.Policy.Expanding)
        grid.addItem(spacer, grid.rowCount(), 0, 1, grid.columnCount())


def ask(parent: QWidget | None, icon: QMessageBox.Icon, title: str, question: str, details: str,
        ok_text: str, ok_role: QMessageBox.ButtonRole = QMessageBox.ButtonRole.AcceptRole,
        fit: Callable[[QMessageBox], None] | None = None) -> bool:
    """One confirmation: plain text, the question and its details, `ok_text` (objectName
    `confirmButton`) or Cancel, which is the default and Escape. `fit` adjusts the box first."""
    box = QMessageBox(icon, title, "", parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(question)
    box.setInformativeText(details)
    if fit is not None:
        fit(box)
    ok = box.addButton(ok_text, ok_role)
    ok.setObjectName("confirmButton")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is ok


def _wide_details(box: QMessageBox) -> None:
    """Room for a path on one line in the details; follows the font (and the DPI)."""
    label = box.findChild(QLabel, "qt_msgbox_informativelabel")
    if label is not None:
        label.setMinimumWidth(label.fontMetrics().averageCharWidth() * 72)


class Prompts:
    """The real dialogs. Confirmations are modal (they must return an answer); errors are not."""

    def confirm_upgrade(self, parent: QWidget | None, summary: UpgradeSummary) -> bool:
        return ask(parent, QMessageBox.Icon.Question, "Back up and upgrade",
                   f"Back up and upgrade {summary.file.name}?", summary.text(),
                   "Back up and upgrade", fit=_wide_details)

    def confirm_batch(
        self, parent: QWidget | None, files: int, needing: int, backup_folder: Path | None
    ) -> bool:
        question, details = batch_question(files, needing, backup_folder)
        return ask(parent, QMessageBox.Icon.Question, "Back up and upgrade all", question,
                   details, "Back up and upgrade")

    def confirm_close_during_run(self, parent: QWidget | None) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Upgrade in progress", "", parent=parent)
        box.setText("An upgrade is running. Cancel it and close?")
        box.setInformativeText("The upgrade is rolled back: the file stays as it was.")
        stop = box.addButton("Cancel upgrade and close", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep running", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is stop

    def confirm_restore(
        self, parent: QWidget | None, file: Path, backup: Path, current: str = ""
    ) -> bool:
        question, details = restore_question(file, backup, current)
        return ask(parent, QMessageBox.Icon.Question, "Restore backup", question, details,
                   "Restore", fit=lambda box: room_for_paths(box, details))

    def choose_down_target(self, parent: QWidget | None, current: int) -> int | None:
        """The version to roll back to (-1: before the first migration), or None."""
        from PySide6.QtWidgets import QInputDialog

        value, ok = QInputDialog.getInt(
            parent, "Roll back to…", f"The file is at v{current}. Roll back to version "
            "(-1: before the first migration):", max(current - 1, -1), -1, current - 1)
        return value if ok else None

    def confirm_down(self, parent: QWidget | None, question: str, details: str) -> bool:
        """Confirm a rollback, or (after a data-loss refusal) dropping the data it named."""
        return ask(parent, QMessageBox.Icon.Warning, "Roll back", question, details,
                   "Back up and roll back")

    def confirm_delete_backups(
        self, parent: QWidget | None, backups: list[Path], summary: str
    ) -> bool:
        names = "\n".join(p.name for p in backups[:12]) + ("\n…" if len(backups) > 12 else "")
        return ask(parent, QMessageBox.Icon.Warning, "Delete backups",
                   f"Delete {len(backups)} backup(s) for good? {summary}",
                   f"{names}\n\nThey cannot be restored afterwards.", "Delete",
                   QMessageBox.ButtonRole.DestructiveRole)

    def confirm_compact(self, parent: QWidget | None, file: Path, space: str) -> bool:
        return ask(parent, QMessageBox.Icon.Question, "Compact", f"Compact {file.name}?",
                   f"{space}\n\nA verified backup of the file is kept first; the compacted copy "
                   "is checked (same rows in every table) before it is written back. A program "
                   "that has the file open sees it as an ordinary change.", "Compact")

    def save_report(self, parent: QWidget | None, suggested: Path) -> Path | None:
        """Where to write the report: the chosen name; `.json` and `.txt` are written beside."""
        name, _ = QFileDialog.getSaveFileName(
            parent, "Export report (JSON and text)", str(suggested),
            "Report (*.json *.txt);;All files (*)")
        return Path(name) if name else None

    def show_about(self, parent: QWidget | None, text: str) -> None:
        QMessageBox.about(parent, "About sqlmig", text)

    def open_file(self, parent: QWidget | None, start: Path | None) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            "Open a database file",
            str(start or Path.home()),
            "SQLite databases (*.db *.sqlite *.sqlite3 *.db3);;All files (*)",
        )
        return Path(name) if name else None

    def choose_folder(self, parent: QWidget | None, title: str, start: Path | None) -> Path | None:
        name = QFileDialog.getExistingDirectory(parent, title, str(start or Path.home()))
        return Path(name) if name else None

    def show_error(self, parent: QWidget | None, report: ErrorReport) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, report.title, "", parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(report.message)
        room_for_paths(box, report.message)
        if report.hint:
            box.setInformativeText(report.hint)
        if report.detail:
            box.setDetailedText(report.detail)  # the "Show Details..." button
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.show()

    def show_info(self, parent: QWidget | None, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, "", parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(message)
        room_for_paths(box, message)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.show()

    def open_folder(self, folder: Path) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
