"""``sqlmig-gui``: arguments, application object, exception hook."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlmig_gui import earlyinit

log = logging.getLogger("sqlmig_gui")

NO_DISPLAY = (
    "No display found: run sqlmig-gui on a desktop, or use --screenshot OUT.png "
    "(renders offscreen), or set QT_QPA_PLATFORM=offscreen."
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sqlmig-gui", description="Inspect and upgrade SQLite files.")
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="database file to open")
    p.add_argument("--demo", action="store_true",
                   help="create a sample legacy database in a temporary folder and open it")
    p.add_argument("--screenshot", type=Path, metavar="OUT.png",
                   help="render the window to OUT.png once the file is inspected, and exit "
                        "(offscreen without a display)")
    p.add_argument("--migrations", type=Path, metavar="DIR",
                   help="migrations folder to use instead of the bundled chain")
    p.add_argument("--install-desktop", action="store_true",
                   help="add sqlmig to the desktop's application menu (desktop entry, AppStream "
                        "metadata and icon in $XDG_DATA_HOME, default ~/.local/share), and exit")
    return p


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


GIL_SWITCH_SECONDS = 0.001


def tune_interpreter() -> None:
    """Worker threads run Python (the engine) next to the GUI thread: make the interpreter hand
    the GIL over every 1 ms instead of 5 ms, so the GUI thread never waits long for it."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)


def install_excepthook(offscreen: bool, prompts: Any = None) -> None:
    """Log every uncaught exception and show it in a dialog; the window stays open."""
    from PySide6.QtWidgets import QApplication

    from sqlmig_gui.prompts import ErrorReport, Prompts

    shown = prompts or Prompts()

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(etype, value, tb))
        log.error("unhandled exception\n%s", details)
        app = QApplication.instance()
        if app is None:
            sys.__excepthook__(etype, value, tb)
            return
        if offscreen:  # nobody could read a dialog: it is logged above, and the run fails
            app.exit(1)
            return
        shown.show_error(
            QApplication.activeWindow(),
            ErrorReport(
                "sqlmig: unexpected error",
                f"Something went wrong inside sqlmig ({etype.__name__}: {value}). "
                "Your file was not changed by it.",
                "The window stays open. Please send the details to the sqlmig developers.",
                details,
            ),
        )

    sys.excepthook = hook


def _start_log_file() -> None:
    """The log file in the per-user log folder; a folder that cannot be made costs only it."""
    from sqlmig_gui.logfile import start_log_file

    try:
        log.info("log file: %s", start_log_file())
    except OSError as exc:
        log.warning("no log file (%s)", exc)


def main(argv: list[str] | None = None) -> int:
    refused = earlyinit.check()  # before any Qt module: a known-bad binding gets one sentence
    if refused:
        return refused
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.demo and args.file is not None:
            parser.error("give a FILE or --demo, not both")
    except SystemExit as exc:  # --help, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else 2

    if args.install_desktop:
        from sqlmig_gui.desktop import install_desktop

        for installed in install_desktop():
            print(installed)
        return 0

    if not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        if args.screenshot is None:
            print(NO_DISPLAY, file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    path: Path | None = args.file
    if args.demo:
        from sqlmig_migrations.demo import build_demo_database

        path = build_demo_database(Path(tempfile.mkdtemp(prefix="sqlmig-demo-")))
        print(f"Demo database: {path}", file=sys.stderr)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _start_log_file()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from sqlmig_gui.main_window import MainWindow
    from sqlmig_gui.resources import icon, style_sheet

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "sqlmig-gui"])
    assert isinstance(app, QApplication)
    app.setApplicationName("sqlmig")
    app.setOrganizationName("sqlmig")
    app.setDesktopFileName("sqlmig")
    app.setWindowIcon(icon("sqlmig"))
    app.setStyleSheet(style_sheet())
    install_excepthook(os.environ.get("QT_QPA_PLATFORM") == "offscreen")
    tune_interpreter()

    window = MainWindow(migrations=args.migrations)
    window.show()

    if args.screenshot is not None:
        out: Path = args.screenshot
        # A fixed, roomy size: the offscreen screen is small, and a bug report should show it all.
        window.resize(1120, 800)

        def shoot() -> None:
            out.parent.mkdir(parents=True, exist_ok=True)
            if window.grab().save(str(out)):
                print(out)
                window.close()
                app.exit(0)
            else:
                print(f"Could not write the screenshot to {out}.", file=sys.stderr)
                app.exit(1)

        def later() -> None:
            QTimer.singleShot(100, shoot)  # let the layout settle after the header filled in

        if path is None:
            later()
        else:
            window.inspectionShown.connect(later)
    if path is not None:
        window.open_file(path)

    code = int(app.exec())
    window.controller.shutdown()  # no worker thread outlives the window (normally a no-op)
    # Delete the window (and its finished threads) while the application still exists, not in
    # the interpreter's final garbage collection.
    window.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    gc.collect()
    return code


def main_entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    main_entry()
