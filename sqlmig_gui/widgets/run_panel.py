"""Progress of a running upgrade: a bar, the current step, elapsed time and a Cancel button.

Events only update plain attributes (and emit `progressChanged`); the widgets are refreshed from
them by a 100 ms timer. A burst of hundreds of events therefore costs hundreds of attribute writes,
not hundreds of repaints and relayouts, and the GUI thread stays responsive.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

import engine

STATEMENTS = "%v of %m statements"


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


PREPARING = "Preparing: checking the file…"
WAIT_SHOWN_AFTER = 1.0  # seconds of silence before the panel says what it may be waiting for

class RunPanel(QFrame):
    """Fed with engine events by the window; counts what it shows (the bench reads the counts)."""

    cancelRequested = Signal()
    progressChanged = Signal(str, int, int)  # phase ("backup" / "statements"), value, maximum

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("progressBar")
        self.progress.setAccessibleName("Upgrade progress")
        self.step = QLabel(self)
        self.step.setObjectName("currentStep")
        self.step.setTextFormat(Qt.TextFormat.PlainText)
        # A new text never changes the label's size hint: no relayout of the window per event.
        self.step.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.elapsed = QLabel(self)
        self.elapsed.setObjectName("elapsedLabel")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName("Cancel the upgrade")
        self.cancel_button.setToolTip("Stop and roll back: the file stays as it was (Esc)")
        self.cancel_button.clicked.connect(self._cancel)
        grid.addWidget(self.progress, 0, 0)
        grid.addWidget(self.elapsed, 0, 1)
        grid.addWidget(self.cancel_button, 0, 2)
        grid.addWidget(self.step, 1, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(100)
        self._ticker.timeout.connect(self.refresh)
        self._reset()
        self.hide()

    def _reset(self) -> None:
        self.total = self.done = self.updates = 0
        self._step_index = 0
        self._offsets: list[int] = []
        self._step_text = ""
        self._statement: tuple[str, float] | None = None  # (label, monotonic start) while one runs
        self.shown_at: list[float] = []  # when the visible progress changed (the bench reads it)
        self.text = PREPARING
        self._bar = (0, 0, "Preparing…")  # (value, maximum, format); maximum 0 = busy
        self._heard = False  # an event arrived: the engine is past its go/no-go checks

    def start(self) -> None:
        self._reset()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self._clock.start()
        self.refresh()
        self._ticker.start()
        self.show()

    def stop(self) -> None:
        self._ticker.stop()
        self.hide()

    def refresh(self) -> None:
        """Show the latest state (called by the timer, and once at start)."""
        seconds = self._clock.elapsed() / 1000 if self._clock.isValid() else 0.0
        if not self._heard and self.cancel_button.isEnabled() and seconds >= WAIT_SHOWN_AFTER:
            # The checks before the run send nothing until they end; the long part is waiting
            # for another program's write lock (up to --wait), or quick_check of a big file.
            self.text = (f"Preparing: waiting for the file's write lock (another program may be "
                         f"writing) and checking the file — {seconds:.0f} s. Cancel stops and "
                         "changes nothing.")
        if self._statement is not None:
            # The engine's heartbeats need SQLite's progress handler, which some long opcodes
            # (a DROP TABLE of a big table) never call: count the seconds here as well.
            label, started = self._statement
            running = time.monotonic() - started
            if running >= 0.5:
                self.text = f"{label} — running for {running:.1f} s"
        value, maximum, fmt = self._bar
        changed = (value, maximum, fmt) != (self.progress.value(), self.progress.maximum(),
                                            self.progress.format()) or self.step.text() != self.text
        if changed:
            self.shown_at.append(time.monotonic())
        if self.progress.maximum() != maximum:
            self.progress.setRange(0, maximum)
        if self.progress.format() != fmt:
            self.progress.setFormat(fmt)
        if maximum and self.progress.value() != value:
            self.progress.setValue(value)
        if self.step.text() != self.text:
            self.step.setText(self.text)
        self.elapsed.setText(f"Elapsed {_clock(self._clock.elapsed())}")

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.text = "Cancelling: rolling back…"
        self.refresh()
        self.cancelRequested.emit()

    def _set(self, value: int, maximum: int, fmt: str, phase: str = "statements") -> None:
        maximum = max(maximum, 1)
        self._bar = (min(value, maximum), maximum, fmt)
        self.updates += 1
        self.progressChanged.emit(phase, value, maximum)

    def _at(self, steps: int) -> int:
        """Statements before step `steps + 1` (bounded: a replanned run may have more steps)."""
        if not self._offsets:
            return 0
        return self._offsets[max(0, min(steps, len(self._offsets) - 1))]

    def on_event(self, event: object) -> None:
        self._heard = True
        if isinstance(event, engine.PlanEvent):
            # A step counts as its statements (at least 1): adopted steps run none but count.
            sizes = [max(len(s.statements), 1) for s in event.steps]
            self._offsets = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
            self.total = self._offsets[-1]
            self._set(0, self.total, STATEMENTS)
            self.text = f"Plan: {len(event.steps)} steps to v{event.to_version}"
        elif isinstance(event, engine.BackupEvent):
            if event.done:
                self.text = f"Backup written and verified: {event.path}"
                self._set(self.done, self.total, STATEMENTS)
            else:
                self._set(event.pages_done, event.pages_total, "Backing up… %p%", "backup")
                self.text = "Backing up the file before any change…"
        elif isinstance(event, engine.StepStartEvent):
            self._step_text = f"Step {event.index} of {event.total}: {event.step}"
            self._step_index = event.index
            self.text = self._step_text
        elif isinstance(event, engine.StatementEvent):
            # A statement event announces its start: the ones before it are done.
            self.done = max(self.done, self._at(self._step_index - 1) + event.index - 1)
            self._set(self.done, self.total, STATEMENTS)
            self.text = f"{self._step_text} — statement {event.index} of {event.total}"
            self._statement = (self.text, time.monotonic())
        elif isinstance(event, engine.HeartbeatEvent):
            self.updates += 1
            label = f"{self._step_text} — statement {event.statement}"
            self.text = f"{label} — running for {event.elapsed:.1f} s"
            self._statement = (label, time.monotonic() - event.elapsed)
        if not isinstance(event, engine.StatementEvent | engine.HeartbeatEvent):
            self._statement = None
        if isinstance(event, engine.StepEndEvent):
            self.done = max(self.done, self._at(event.index))
            self._set(self.done, self.total, STATEMENTS)
        elif isinstance(event, engine.VerifyEvent | engine.PreflightEvent):
            self.text = f"Checking: {event.check}"
        elif isinstance(event, engine.DoneEvent):
            self.text = event.message
