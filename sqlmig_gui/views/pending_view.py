"""The Pending tab: what an upgrade would do, step by step, with the selected step's SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from sqlmig_gui.models import PendingModel
from sqlmig_gui.views.table_view import InspectionTable
from sqlmig_gui.widgets.sql_view import SqlView

TITLE = "&Pending"
UPGRADABLE = ("fresh", "legacy", "tracked")


class PendingTable(InspectionTable):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(PendingModel(), "pendingTable", "Pending migrations", controller, parent)

    def rows_of(self, inspected: Any) -> Any:
        inspection = inspected.inspection
        missing = set(inspection.legacy.missing) if inspection.legacy is not None else None
        rows = []
        for p in inspection.pending:
            if inspection.state == "legacy" and missing is not None and p.version not in missing:
                status = "adopt: already there"
            elif inspection.state in UPGRADABLE:
                status = "will run"
            else:
                status = "pending"
            rows.append((p.version, p.name, status))
        return rows


class PendingView(QSplitter):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("pendingSplitter")
        self.controller = controller
        self.table = PendingTable(controller, self)
        self.table_model = self.table.table_model
        self.sql_preview = SqlView(self)
        self.addWidget(self.table)
        self.addWidget(self.sql_preview)
        # The list needs room for its status words; the SQL view scrolls sideways anyway.
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.table.selectionModel().currentRowChanged.connect(self._show_selected_sql)
        self.table_model.modelReset.connect(self._select_first)

    def _select_first(self) -> None:
        self.sql_preview.clear()
        if self.table_model.rowCount():
            self.table.selectRow(0)

    def _show_selected_sql(self, current: Any, _previous: Any = None) -> None:
        catalog = self.controller.catalog
        if catalog is None or not current.isValid():
            self.sql_preview.clear()
            return
        migration = catalog.get(self.table_model.version(current.row()))
        if migration is None:
            self.sql_preview.clear()
            return
        parts = [f"-- {migration.path.name} (up)"]
        parts += [f"\n-- line {s.line}\n{s.sql.strip().rstrip(';')};" for s in migration.up]
        self.sql_preview.show_sql("\n".join(parts))
