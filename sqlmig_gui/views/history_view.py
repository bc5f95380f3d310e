"""The History tab: the file's applied migrations with how each was applied and its checksum."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from sqlmig_gui.models import HistoryModel
from sqlmig_gui.views.table_view import InspectionTable

TITLE = "H&istory"


class HistoryView(InspectionTable):
    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(HistoryModel(), "historyTable", "Applied history", controller, parent)

    def rows_of(self, inspected: Any) -> Any:
        return [(a.version, a.name, a.applied_at, a.method, a.duration_ms, a.status)
                for a in inspected.inspection.applied]
