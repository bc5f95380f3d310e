"""The Pending tab: the engine's plan for the file, step by step (migrations and repair scripts),
with the selected step's SQL. Empty when the engine has no plan (nothing to do, or refused)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSplitter, QWidget

import engine
from sqlmig_gui.models import PendingModel
from sqlmig_gui.views.subscriptions import Subscriptions
from sqlmig_gui.views.table_view import InspectionTable
from sqlmig_gui.widgets.sql_view import SqlView

TITLE = "&Pending"


class PlanTable(InspectionTable):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(PendingModel(), "pendingTable", "Steps an upgrade would run",
                         controller, parent)
        # Room for the headers' words even when there is no step.
        self.horizontalHeader().setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 12)
        self.empty_text = ""  # said in the empty table: "Nothing pending" once a file is read

    def show_inspected(self, inspected: Any) -> None:
        self.table_model.set_steps(inspected.assessment.steps)
        assessment = inspected.assessment
        nothing = not assessment.steps and assessment.refusal is None
        self.empty_text = "Nothing pending" if nothing else ""
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """An empty plan says so in the table itself (not a blank grid)."""
        super().paintEvent(event)
        if self.table_model.rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()

    def clear(self, *_args: Any) -> None:
        self.table_model.set_steps(())
        self.empty_text = ""


class PendingView(QSplitter):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("pendingSplitter")
        self.table = PlanTable(controller, self)
        self.table_model = self.table.table_model
        self.sql_preview = SqlView(self)
        self.addWidget(self.table)
        self.addWidget(self.sql_preview)
        # The list needs room for its words; the SQL view scrolls sideways anyway.
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.table.selectionModel().currentRowChanged.connect(self._show_selected_sql)
        self.table_model.modelReset.connect(self._select_first)
        self.subscriptions = Subscriptions(self, (controller.inspected, self._explain))

    def _explain(self, inspected: Any) -> None:
        """Say in the SQL pane why there is nothing to preview, in the engine's words."""
        assessment = inspected.assessment
        if assessment.steps:
            text = "Select a step to see its SQL."
        elif assessment.refusal is not None:
            text = f"An upgrade would be refused: {assessment.refusal.message}"
        else:
            text = f"Nothing to run. {assessment.inspection.diagnosis}"
        self.sql_preview.setPlaceholderText(text)

    def steps(self) -> tuple[Any, ...]:
        """The planned steps listed, in order (`PlannedStep`s of the engine's assessment)."""
        return self.table_model.steps()

    def _select_first(self) -> None:
        self.sql_preview.clear()
        if self.table_model.rowCount():
            self.table.selectRow(0)

    def _show_selected_sql(self, current: Any, _previous: Any = None) -> None:
        if not current.isValid():
            self.sql_preview.clear()
            return
        self.sql_preview.show_sql(engine.step_sql(self.table_model.step(current.row())))
