"""The Tables tab: the file's tables, the app's own and the user's extras (kept as they are)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from sqlmig_gui.models import TablesModel
from sqlmig_gui.views.table_view import InspectionTable

TITLE = "&Tables"


class TablesView(InspectionTable):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(TablesModel(), "tablesTable", "Tables in the file", controller, parent)

    def rows_of(self, inspected: Any) -> Any:
        return TablesModel.rows(inspected.inspection.tables, inspected.inspection.extras)
