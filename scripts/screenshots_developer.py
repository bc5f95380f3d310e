"""Render the developer's tabs to docs/screenshots/inspector-*.png, data-*.png, console-*.png.

    xvfb-run -a .venv/bin/python scripts/screenshots_developer.py [--out DIR]

Real files only: the demo legacy database (legacy-demo fixture of the test suite) and a tracked
head file built with the engine, plus a 1,000,000-row table built with a recursive CTE. Reuses the
window helpers of scripts/screenshots.py.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from screenshots import REPO, Shooter, dark_palette, gui_files, settle, wait

from sqlmig_gui.resources import icon, style_sheet


def million(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "telemetry.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, "
                     "reading REAL, note TEXT, payload BLOB)")
        conn.execute("CREATE INDEX idx_samples_sensor ON samples (sensor)")
        conn.execute(
            "INSERT INTO samples WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            "WHERE x < 1000000) SELECT x, 'sensor-' || (x % 17), "
            "round((x * 7919 % 1000) / 10.0 + (x % 17) * 0.37, 1), "
            "CASE WHEN x % 5 = 0 THEN 'calibrated after the firmware update; the previous "
            "readings of this sensor were taken with the old offset table' END, "
            "CASE WHEN x % 3 = 0 THEN randomblob(48) END FROM c")
        conn.commit()
    return path


class DeveloperShooter(Shooter):
    def run(self) -> None:
        t = self.work
        w = self.window()
        with_schema = w.schema_view.reportShown
        w.open_file(gui_files.legacy_demo(t / "ticket-5101"))
        wait(with_schema)
        wait(w.schema_view.countsDone)
        w.tabs.setCurrentWidget(w.schema_view)
        w.schema_view.select("archived_messages")
        self.save(w, "inspector-legacy")
        w.schema_view.select("agents")
        self.save(w, "inspector-columns")
        w.close()

        w = self.window()
        w.open_file(million(t / "ticket-5102"))
        wait(w.schema_view.reportShown)
        w.tabs.setCurrentWidget(w.data_view)
        data = w.data_view
        data.browse("samples")
        wait(data.pageShown)
        data.table.setCurrentIndex(data.model.index(4, 3))
        self.save(w, "data-million")
        edit = data.findChild(QLineEdit, "dataFilter_reading")
        edit.setText("> 99")
        edit.returnPressed.emit()
        wait(data.pageShown)
        data.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # a header click
        wait(data.pageShown)
        if data.model.canFetchMore(QModelIndex()):
            data.model.fetchMore(QModelIndex())
            wait(data.pageShown)
        blob = next(r for r in range(data.model.rowCount())
                    if data.model.value(r, 4) is not None)
        data.table.setCurrentIndex(data.model.index(blob, 4))
        self.save(w, "data-filtered")

        console = w.console_view
        w.tabs.setCurrentWidget(console)
        console.run("SELECT sensor, count(*) AS samples, round(avg(reading), 2) AS average\n"
                    "FROM samples\nWHERE reading > 50 -- the upper half\nGROUP BY sensor\n"
                    "ORDER BY samples DESC;")
        wait(console.finished)
        self.save(w, "console-query")
        console.run("DELETE FROM samples WHERE reading IS NULL;")
        wait(console.finished)
        self.save(w, "console-refused")
        console.run("SELECT * FROM samples WHERE sensor = 'sensor-3' ORDER BY reading",
                    explain=True)
        wait(console.finished)
        self.save(w, "console-explain")
        w.close()

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
        w = self.window()
        w.open_file(gui_files.tracked(t / "ticket-5103", None))
        wait(w.schema_view.reportShown)
        w.tabs.setCurrentWidget(w.schema_view)
        w.schema_view.select("agent_memory")
        settle()
        self.save(w, "inspector-dark")
        w.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication([sys.argv[0]])
    app.setApplicationName("sqlmig")
    app.setWindowIcon(icon("sqlmig"))
    app.setStyleSheet(style_sheet())
    with tempfile.TemporaryDirectory(prefix="sqlmig-shots-") as folder:
        DeveloperShooter(args.out, Path(folder), set()).run()
        QApplication.sendPostedEvents(None, 0)
        gc.collect()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # see scripts/screenshots.py
