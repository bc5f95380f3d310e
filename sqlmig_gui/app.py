"""``sqlmig-gui``: arguments, application object, exception hook (placeholder window for now)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import TracebackType

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
                   help="render the window to OUT.png and exit (offscreen without a display)")
    return p


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def describe(path: Path) -> str:
    """Text for the placeholder window: the engine's view of ``path``, or why there is none."""
    lines = [f"File: {path}"]
    try:
        from engine import inspect_file
    except Exception as exc:  # the engine is still being written, or is broken
        problem = f"The engine could not be loaded: {type(exc).__name__}: {exc}"
        return "\n".join([*lines, "", problem])
    try:
        result = inspect_file(path)
    except Exception as exc:
        log.exception("inspection failed")
        return "\n".join([*lines, "", f"Inspection failed: {type(exc).__name__}: {exc}"])
    lines += [
        f"State: {result.state}",
        f"Diagnosis: {result.diagnosis}",
        f"Current version: {result.current_version}",
        f"Head version: {result.head_version}",
        f"Pending migrations: {len(result.pending)}",
    ]
    lines += [f"    {m.version:04d}  {m.name}" for m in result.pending]
    return "\n".join(lines)


def _install_excepthook(offscreen: bool) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(etype, value, tb))
        log.error("unhandled exception\n%s", details)
        app = QApplication.instance()
        if app is None:
            return
        if offscreen:  # nobody could click a message box: stop with a failure
            app.exit(1)
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "sqlmig: unexpected error",
                          f"Something went wrong inside sqlmig: {value}")
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.demo and args.file is not None:
            parser.error("give a FILE or --demo, not both")
    except SystemExit as exc:  # --help, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else 2

    if not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        if args.screenshot is None:
            print(NO_DISPLAY, file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    path: Path | None = args.file
    if args.demo:
        from sqlmig_gui.demo import build_demo_database

        path = build_demo_database(Path(tempfile.mkdtemp(prefix="sqlmig-demo-")))
        print(f"Demo database: {path}", file=sys.stderr)

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "sqlmig-gui"])
    app.setApplicationName("sqlmig")
    app.setOrganizationName("sqlmig")
    _install_excepthook(os.environ.get("QT_QPA_PLATFORM") == "offscreen")

    window = QMainWindow()
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setFont(QFont("monospace"))
    if path is None:
        window.setWindowTitle("sqlmig")
        view.setPlainText("No file open. Start with: sqlmig-gui FILE, or sqlmig-gui --demo.")
    else:
        window.setWindowTitle(f"sqlmig — {path.name}")
        view.setPlainText(describe(path))
    window.setCentralWidget(view)
    window.resize(900, 560)
    window.show()

    if args.screenshot is not None:
        out: Path = args.screenshot

        def shoot() -> None:
            out.parent.mkdir(parents=True, exist_ok=True)
            if window.grab().save(str(out)):
                print(out)
                app.exit(0)
            else:
                print(f"Could not write the screenshot to {out}.", file=sys.stderr)
                app.exit(1)

        QTimer.singleShot(200, shoot)

    return int(app.exec())


def main_entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    main_entry()
