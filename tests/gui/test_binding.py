"""The Qt binding: a long run of signals is safe, and a known-bad binding is refused at start-up.

PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None/True/False on every
`Signal.emit()` (and every PySide call that returns nothing) until the interpreter aborts
("bool_dealloc") after ~1,000 emits. pyproject.toml excludes that release; `earlyinit` refuses it
when it is installed anyway. The long runs happen in a child process: an abort there is a failed
test here, not a dead test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from sqlmig_gui import earlyinit

EVENTS = 5_000

LONG_RUN = textwrap.dedent(f"""
    import sys
    from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

    from sqlmig_gui.worker import Worker

    class Sink(QObject):
        flag = Signal(bool)

        def __init__(self):
            super().__init__()
            self.events = self.flags = 0

        @Slot(object)
        def on_event(self, event):
            self.events += 1
            self.setObjectName(f"sink-{{self.events}}")  # a PySide call that returns nothing
            self.flag.emit(self.events % 2 == 0)  # a bare bool through a Python signal

        @Slot(bool)
        def on_flag(self, value):
            self.flags += 1

    def job(emit):
        for i in range({EVENTS}):
            emit(("statement", i))  # what it carries does not matter: the emit does
        return "done"

    app = QCoreApplication([])
    sink = Sink()
    sink.flag.connect(sink.on_flag)
    thread = QThread()
    worker = Worker(1, job)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.progress.connect(sink.on_event)
    worker.finished.connect(thread.quit)
    thread.finished.connect(app.quit)
    thread.start()
    app.exec()
    thread.wait()
    print(sink.events, sink.flags)
""")


def _child(code: str, cwd=None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)


def test_a_long_run_of_progress_signals_does_not_abort() -> None:
    run = _child(LONG_RUN)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [str(EVENTS), str(EVENTS)]


@pytest.mark.parametrize(
    ("qt", "python", "refused"),
    [
        ((6, 12, 0), (3, 11), True),
        ((6, 12, 0), (3, 12), False),  # None/True/False are immortal from 3.12 on
        ((6, 11, 3), (3, 11), False),
        ((6, 12, 1), (3, 11), False),
        ((6, 6, 0), (3, 11), False),
    ],
)
def test_known_bad_binding(qt, python, refused) -> None:
    problem = earlyinit.binding_problem(qt, python)
    assert (problem is not None) == refused
    if problem is not None:
        assert "pip install 'PySide6-Essentials!=6.12.0'" in problem
        assert problem.count(". ") == 0 and problem.endswith(".")  # one sentence


REFUSED_START = textwrap.dedent("""
    import sys
    import PySide6
    PySide6.__version_info__ = (6, 12, 0, "", "")
    if sys.version_info >= (3, 12):  # the check depends on both: pretend 3.11
        from sqlmig_gui import earlyinit
        earlyinit.PYTHON = (3, 11)
    from sqlmig_gui.app import main
    code = main(["--screenshot", "never.png"])
    print("widgets imported" if "PySide6.QtWidgets" in sys.modules else "no widgets")
    sys.exit(code)
""")


def test_the_gui_refuses_a_known_bad_binding_before_any_window(tmp_path) -> None:
    run = _child(REFUSED_START, cwd=tmp_path)
    assert run.returncode == earlyinit.EXIT_BAD_BINDING != 0
    assert run.stdout.strip() == "no widgets"
    assert "pip install 'PySide6-Essentials!=6.12.0'" in run.stderr
    assert not (tmp_path / "never.png").exists()


def test_the_gui_never_patches_the_interpreter(repo_root) -> None:
    """No ctypes in sqlmig_gui/: a broken binding is excluded and refused, never worked around by
    writing into the interpreter's objects."""
    import ast

    offenders = []
    for source in sorted((repo_root / "sqlmig_gui").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{source.name}:{node.lineno}" for n in names
                          if n.split(".")[0] == "ctypes"]
    assert offenders == []
