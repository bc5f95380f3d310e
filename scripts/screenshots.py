"""Render the window in each state to docs/screenshots/*.png (run under Xvfb or offscreen).

    xvfb-run -a .venv/bin/python scripts/screenshots.py [--out DIR] [--only NAME ...]

Every file shown is real: built in a temporary folder with the engine (and sqlite3 for the odd
ones, like the test suite does), opened and upgraded through the real window and controller. Only
the dialogs are answered by a script. A second process renders the 200 % shot
(QT_SCALE_FACTOR=2).
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "gui"))  # gui_files: the test suite's file builders

import gui_files  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QFontDatabase, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QPlainTextEdit, QWidget  # noqa: E402

import engine  # noqa: E402
from sqlmig_gui.about import about_text, face_versions  # noqa: E402
from sqlmig_gui.main_window import MainWindow  # noqa: E402
from sqlmig_gui.prompts import Prompts, UpgradeSummary  # noqa: E402
from sqlmig_gui.resources import icon, style_sheet  # noqa: E402

SIZE = (1120, 800)


class ScriptedPrompts(Prompts):
    """Real dialogs for everything except the questions, which are answered "yes"."""

    def confirm_upgrade(self, parent: Any, summary: UpgradeSummary) -> bool:
        return True

    def confirm_close_during_run(self, parent: Any) -> bool:
        return True

    def confirm_batch(self, parent: Any, files: int, needing: int, folder: Any) -> bool:
        return True

    def show_error(self, parent: Any, report: Any) -> None:
        print(f"  (error dialog: {report.message})")

    def show_info(self, parent: Any, title: str, message: str) -> None:
        print(f"  (info: {message})")


def wait(signal: Any, timeout_ms: int = 60_000, until: Callable[[Any], bool] | None = None) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)

    def got(*args: Any) -> None:
        if until is None or until(*args):
            loop.quit()

    signal.connect(got)
    timer.start(timeout_ms)
    loop.exec()
    signal.disconnect(got)
    if not timer.isActive():
        raise TimeoutError(f"waited {timeout_ms} ms for {signal}")
    timer.stop()


def settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class Shooter:
    def __init__(self, out: Path, work: Path, only: set[str]) -> None:
        self.out = out
        self.work = work
        self.only = only
        self.settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
        self.made: list[Path] = []

    def window(self, migrations: Path | None = None) -> MainWindow:
        w = MainWindow(migrations=migrations, prompts=ScriptedPrompts(), settings=self.settings)
        w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        w.resize(*SIZE)
        w.show()
        return w

    def save(self, widget: QWidget, name: str) -> None:
        settle()
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise SystemExit(f"could not write {path}")
        self.made.append(path)
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def state(self, name: str, path: Path, tab: int = 0) -> None:
        if not self.wanted(name):
            return
        w = self.window()
        w.open_file(path)
        wait(w.inspectionShown)
        w.tabs.setCurrentIndex(tab)
        self.save(w, name)
        w.close()

    def run(self) -> None:
        t = self.work
        self.state("legacy", gui_files.legacy_demo(t / "ticket-4711"))
        self.state("tracked", gui_files.tracked(t / "ticket-4712", 9))
        self.state("history", gui_files.tracked(t / "ticket-4712b", 9), tab=1)
        self.state("up-to-date", gui_files.tracked(t / "ticket-4713", None))
        self.state("needs-repair", gui_files.index_dropped(t / "ticket-4718"))
        self.state("fresh", gui_files.fresh(t / "ticket-4714"))
        self.state("ahead", gui_files.ahead(t / "ticket-4715"))
        self.state("foreign", gui_files.foreign(t / "ticket-4716"))
        self.state("damaged", gui_files.damaged(t / "ticket-4717"))
        self.confirmation()
        self.running_and_cancelled()
        self.result()
        self.failed()
        self.support_day()
        self.dark()
        self.batch()

    def confirmation(self) -> None:
        if not self.wanted("confirm"):
            return
        w = self.window()
        w.prompts = Prompts()  # the real dialog, grabbed and then declined by a timer
        w.open_file(gui_files.legacy_demo(self.work / "ticket-4720"))
        wait(w.inspectionShown)

        def grab_and_decline() -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                self.save(box, "confirm")
                box.reject()
            else:
                QTimer.singleShot(50, grab_and_decline)

        QTimer.singleShot(300, grab_and_decline)
        w.upgrade_flow.upgrade()
        w.close()

    def running_and_cancelled(self) -> None:
        if not (self.wanted("running") or self.wanted("cancelled")):
            return
        migrations = gui_files.slow_migrations(self.work / "slow-migrations")
        path = gui_files.slow_file(self.work / "ticket-4721", migrations, seeds=2000)
        w = self.window(migrations)
        w.open_file(path)
        wait(w.inspectionShown)
        w.upgrade_flow.upgrade()
        w.show_log()
        wait(w.controller.runEvent, until=lambda e: isinstance(e, engine.HeartbeatEvent)
             and e.elapsed > 2.0)
        self.save(w, "running")
        w.upgrade_flow.cancel()
        wait(w.runShown)
        wait(w.inspectionShown)
        w.tabs.setCurrentIndex(0)
        self.save(w, "cancelled")
        w.close()

    def result(self) -> None:
        if not self.wanted("result"):
            return
        w = self.window()
        w.open_file(gui_files.legacy_demo(self.work / "ticket-4722"))
        wait(w.inspectionShown)
        w.upgrade_flow.upgrade()
        wait(w.runShown)
        wait(w.inspectionShown)
        w.tabs.setCurrentIndex(1)
        self.save(w, "result")
        w.close()

    def failed(self) -> None:
        if not self.wanted("failed"):
            return
        migrations = gui_files.failing_migrations(self.work / "broken-migrations")
        w = self.window(migrations)
        w.open_file(gui_files.fresh(self.work / "ticket-4723"))
        wait(w.inspectionShown)
        w.upgrade_flow.upgrade()
        wait(w.runShown)
        wait(w.inspectionShown)
        w.result_panel.details_button.setChecked(True)
        self.save(w, "failed")
        w.close()

    def support_day(self) -> None:
        """The Backups tab, the exported report, the About box, the window at 800 x 600."""
        names = {"backups", "report", "about", "small-800x600"}
        if not any(self.wanted(n) for n in names):
            return
        w = self.window()
        path = gui_files.legacy_demo(self.work / "ticket-4730")
        engine.backup(path)  # an older backup beside the one the upgrade makes
        w.open_file(path)
        wait(w.inspectionShown)
        w.upgrade_flow.upgrade()
        wait(w.runShown)
        wait(w.backupsShown)
        if self.wanted("backups"):
            w.tabs.setCurrentWidget(w.backups_view)
            w.backups_view.table.selectRow(0)
            self.save(w, "backups")
        if self.wanted("report"):
            summary = w.result_panel.summary
            text = summary.report(face_versions(), w.log_view.text().splitlines())
            view = QPlainTextEdit()
            view.setWindowTitle("database.sqlmig-report.txt")
            view.setReadOnly(True)
            view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            view.setPlainText(text)
            view.resize(980, 900)
            view.show()
            self.save(view, "report")
            view.close()
        if self.wanted("about"):
            box = QMessageBox(QMessageBox.Icon.Information, "About sqlmig", about_text(), parent=w)
            box.setIconPixmap(icon("sqlmig").pixmap(64, 64))
            box.show()
            self.save(box, "about")
            box.close()
        if self.wanted("small-800x600"):
            w.resize(800, 600)
            w.tabs.setCurrentIndex(0)
            self.save(w, "small-800x600")
        w.close()

    def dark(self) -> None:
        if not self.wanted("legacy-dark"):
            return
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
        self.state("legacy-dark", gui_files.legacy_demo(self.work / "ticket-4724"))


    def batch(self) -> None:
        """A support day's folder: legacy, tracked, current, ahead and damaged files, upgraded
        together through the Batch tab's worker processes."""
        if not self.wanted("batch"):
            return
        day = self.work / "support-day"
        for ticket in ("ticket-4801", "ticket-4802", "ticket-4803"):
            gui_files.legacy_demo(day / ticket)
        gui_files.tracked(day / "ticket-4804", 9)
        gui_files.tracked(day / "ticket-4805", None)
        gui_files.ahead(day / "ticket-4806")
        gui_files.damaged(day / "ticket-4807")
        w = self.window()
        w.tabs.setCurrentWidget(w.batch_view)
        w.batch_view.add_paths([day])
        wait(w.batch_view.filesShown)
        w.batch_view.upgrade_all()
        wait(w.batch_view.batchShown, timeout_ms=180_000)
        wait(w.batch_view.filesShown)  # the rows read again: the files as they are now
        w.batch_view.table.setFocus()
        self.save(w, "batch")
        w.close()


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d31", QPalette.ColorRole.WindowText: "#e8e8e8",
        QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.Text: "#e8e8e8", QPalette.ColorRole.Button: "#35373c",
        QPalette.ColorRole.ButtonText: "#e8e8e8", QPalette.ColorRole.Highlight: "#3d6fb6",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#35373c",
        QPalette.ColorRole.ToolTipText: "#e8e8e8", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a7a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a7a7a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7a7a"))
    return p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", default=[], help="names of the shots to make")
    parser.add_argument("--no-scaled", action="store_true", help="skip the 200 %% shot")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication([sys.argv[0]])
    app.setApplicationName("sqlmig")
    app.setWindowIcon(icon("sqlmig"))
    app.setStyleSheet(style_sheet())
    with tempfile.TemporaryDirectory(prefix="sqlmig-shots-") as folder:
        shooter = Shooter(args.out, Path(folder), set(args.only))
        shooter.run()
        QApplication.sendPostedEvents(None, 0)  # delete the closed windows (WA_DeleteOnClose)
        gc.collect()  # ...now, while the application object still exists
    if not args.no_scaled and (not args.only or "legacy-200" in args.only):
        scaled = args.out / "legacy-200.png"
        env = {**os.environ, "QT_SCALE_FACTOR": "2"}
        with tempfile.TemporaryDirectory(prefix="sqlmig-shots-") as folder:
            path = gui_files.legacy_demo(Path(folder) / "ticket-4725")
            subprocess.run(
                [sys.executable, "-m", "sqlmig_gui.app", str(path), "--screenshot", str(scaled)],
                check=True, env={**env, "XDG_CONFIG_HOME": folder},
            )
    if not args.no_scaled and (not args.only or "result-200" in args.only):
        # The result panel and the Backups tab at 200 %: this script again, scaled.
        with tempfile.TemporaryDirectory(prefix="sqlmig-shots-") as folder:
            subprocess.run(
                [sys.executable, __file__, "--out", folder, "--only", "result", "backups",
                 "--no-scaled"],
                check=True, env={**os.environ, "QT_SCALE_FACTOR": "2"},
            )
            for name in ("result", "backups"):
                os.replace(Path(folder) / f"{name}.png", args.out / f"{name}-200.png")
                print(args.out / f"{name}-200.png")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Every PNG is written. Skip the interpreter's final garbage collection, where PySide 6.12
    # can abort ("bool_dealloc") after many windows and worker threads in one process.
    os._exit(code)
