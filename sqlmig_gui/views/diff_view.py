"""The Schema diff tab: the open file's schema against the expected schema of its version (or
another file's), the SQL that reconciles them (copyable), and "Rehearse on a copy": the upgrade
run on a temporary copy, so its timings, checks and schema changes show without touching the file.

Every answer is the engine's (`engine.diff`, `engine.diff_lines`, `engine.upgrade` with
`dry_run` and `execute`), on a worker thread through the controller."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

import engine

TITLE = "Sche&ma diff"


class DiffView(QWidget):
    diffShown = Signal()  # a comparison (or why there is none) is shown

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.controller = window.controller
        self.report: Any = None  # the engine.DiffReport shown
        self.setObjectName("diffView")
        self.against_label = QLabel("Open a file to compare its schema.", self)
        self.against_label.setWordWrap(True)
        # A long file name or path is cut at the tab's edge, never widening the window.
        self.against_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                         QSizePolicy.Policy.Preferred)
        self.compare_button = self._button("Compare with its &version", "compareButton",
                                           lambda: self.compare(None))
        self.compare_file_button = self._button("Compare with a &file…", "compareFileButton",
                                                self.compare_with_file)
        self.copy_button = self._button("&Copy SQL", "copySqlButton", self.copy_sql)
        self.rehearse_button = self._button("&Rehearse on a copy", "rehearseButton",
                                            self.rehearse)
        self.rehearse_button.setToolTip("Run the upgrade on a temporary copy: timings, checks and "
                                        "schema changes, without touching the file.")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("diffText")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QHBoxLayout()
        for button in (self.compare_button, self.compare_file_button, self.copy_button,
                       self.rehearse_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.against_label)
        layout.addLayout(buttons)
        layout.addWidget(self.text, 1)
        self.controller.stateChanged.connect(self._update_buttons)
        self.controller.inspected.connect(self._new_look)
        self.controller.diffFinished.connect(self._show)
        self.controller.diffFailed.connect(self._failed)
        self._update_buttons()

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _update_buttons(self) -> None:
        look = self.controller.look
        idle = look is not None and not self.controller.is_running()
        self.compare_button.setEnabled(idle)
        self.compare_file_button.setEnabled(idle)
        self.rehearse_button.setEnabled(idle and bool(look.assessment.can_upgrade))
        self.copy_button.setEnabled(self.report is not None
                                    and not self.report.reconciliation.empty)
        if look is None:
            self.report = None
            self.text.clear()

    def _new_look(self, *_args: Any) -> None:
        """A file was opened or read again: an earlier comparison may no longer be true."""
        look = self.controller.look
        if look is None:
            return
        self.report = None
        self.text.clear()
        self.against_label.setText(f"Compare {look.path.name} with the expected schema of its "
                                   "version, or with another file.")
        self._update_buttons()

    # -- actions ---------------------------------------------------------------------------------

    def compare(self, against: str | None) -> None:
        look = self.controller.look
        if look is None:
            return
        self.against_label.setText(f"Comparing {look.path.name}…")
        self.controller.diff(look.path, against)

    def compare_with_file(self) -> None:
        look = self.controller.look
        if look is None:
            return
        other = self.window_.prompts.open_file(self, look.path.parent)
        if other is not None:
            self.compare(str(other))

    def copy_sql(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(self.report.reconciliation.script())

    def rehearse(self) -> None:
        look, w = self.controller.look, self.window_
        if look is None:
            return
        w.result_panel.hide()
        w.log_view.add(f"--- Rehearse the upgrade of {look.path} on a temporary copy")
        w.run_panel.start()  # the run panel and the result panel show it as any run
        self.controller.upgrade(look.path, None, look.expectation, rehearse=True)

    # -- answers -------------------------------------------------------------------------------

    def _show(self, report: Any) -> None:
        self.report = report
        verdict = "same schema" if report.ok else "schemas differ"
        self.against_label.setText(f"{report.path.name} against {report.against}: {verdict}.")
        self.text.setPlainText("\n".join(engine.diff_lines(report, sql=True)))
        self._update_buttons()
        self.diffShown.emit()

    def _failed(self, report: Any) -> None:
        self.report = None
        self.against_label.setText(report.message)
        self.text.setPlainText("\n".join(x for x in (report.message, report.hint) if x))
        self._update_buttons()
        self.diffShown.emit()
