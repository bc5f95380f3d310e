"""GUI test setup: offscreen Qt, a window with injected fake prompts and private settings."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # gui_files

from PySide6.QtCore import QSettings

from sqlmig_gui.main_window import MainWindow
from sqlmig_gui.prompts import ErrorReport, UpgradeSummary
from sqlmig_gui.resources import style_sheet


@dataclass
class FakePrompts:
    """Answers every dialog at once and records what it was asked; never blocks."""

    confirm: bool = True
    close_during_run: bool = True
    restore: bool = True
    open_answer: Path | None = None
    down_target: int | None = None
    down_confirm: list[bool] = field(default_factory=lambda: [True, True])
    delete: bool = True
    compact: bool = True
    report_answer: Path | None = None
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def confirm_upgrade(self, parent: Any, summary: UpgradeSummary) -> bool:
        self.calls.append(("confirm_upgrade", summary))
        return self.confirm

    def confirm_batch(self, parent: Any, files: int, needing: int, folder: Path | None) -> bool:
        self.calls.append(("confirm_batch", (files, needing, folder)))
        return self.confirm

    def confirm_close_during_run(self, parent: Any) -> bool:
        self.calls.append(("confirm_close_during_run", None))
        return self.close_during_run

    def confirm_restore(self, parent: Any, file: Path, backup: Path, current: str = "") -> bool:
        self.calls.append(("confirm_restore", backup))
        self.calls.append(("confirm_restore_version", current))
        return self.restore

    def choose_down_target(self, parent: Any, current: int) -> int | None:
        self.calls.append(("choose_down_target", current))
        return self.down_target

    def confirm_down(self, parent: Any, question: str, details: str) -> bool:
        self.calls.append(("confirm_down", (question, details)))
        return self.down_confirm.pop(0) if self.down_confirm else False

    def confirm_delete_backups(self, parent: Any, backups: list[Path], summary: str) -> bool:
        self.calls.append(("confirm_delete_backups", list(backups)))
        return self.delete

    def confirm_compact(self, parent: Any, file: Path, space: str) -> bool:
        self.calls.append(("confirm_compact", space))
        return self.compact

    def save_report(self, parent: Any, suggested: Path) -> Path | None:
        self.calls.append(("save_report", suggested))
        return self.report_answer

    def show_about(self, parent: Any, text: str) -> None:
        self.calls.append(("show_about", text))

    def open_file(self, parent: Any, start: Path | None) -> Path | None:
        self.calls.append(("open_file", start))
        return self.open_answer

    def choose_folder(self, parent: Any, title: str, start: Path | None) -> Path | None:
        self.calls.append(("choose_folder", start))
        return self.open_answer

    def show_error(self, parent: Any, report: ErrorReport) -> None:
        self.calls.append(("show_error", report))

    def show_info(self, parent: Any, title: str, message: str) -> None:
        self.calls.append(("show_info", message))

    def open_folder(self, folder: Path) -> None:
        self.calls.append(("open_folder", folder))

    def asked(self, name: str) -> list[Any]:
        return [arg for call, arg in self.calls if call == name]


@pytest.fixture
def prompts() -> FakePrompts:
    return FakePrompts()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(
    qtbot: Any, qapp: Any, prompts: FakePrompts, settings: QSettings
) -> Iterator[Callable[..., MainWindow]]:
    qapp.setStyleSheet(style_sheet())
    made: list[MainWindow] = []

    def make(migrations: Path | None = None) -> MainWindow:
        window = MainWindow(migrations=migrations, prompts=prompts, settings=settings)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:  # never leave a worker thread behind
        window.controller.shutdown()


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()

