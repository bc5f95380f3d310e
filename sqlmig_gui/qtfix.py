"""A guard against a reference-count bug of PySide6 6.12 on Python 3.11.

Measured with PySide6-Essentials 6.12.0 on CPython 3.11.7: every call of a PySide method that
returns nothing (`QLabel.setText`, `QSettings.setValue`, …) drops one reference to `None`, and
every `SignalInstance.emit()` drops one to `True`. On Python 3.12+ these objects are immortal and
nothing happens; on 3.11 their counts fall with use until the interpreter aborts with "Fatal Python
error: none_dealloc / bool_dealloc" (after a few hundred upgrade events, or at exit).

`guard()` checks for the bug once and, only when it is present, gives None, True and False a
reference count so large that the lost references can never reach zero: what Python 3.12 does for
them anyway. Those three objects are never freed in any case, so nothing else changes.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40
_done = False


def _leaks() -> tuple[bool, bool]:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20):
        probe.setObjectName("probe")
        probe.ping.emit()
    return sys.getrefcount(None) < none_before, sys.getrefcount(True) < true_before


def guard() -> None:
    """Call once before using Qt (idempotent)."""
    global _done
    if _done or sys.version_info >= (3, 12):
        _done = True
        return
    _done = True
    none_leaks, bool_leaks = _leaks()
    pinned: list[object] = []
    if none_leaks:
        pinned.append(None)
    if bool_leaks:
        pinned += [True, False]
    for obj in pinned:
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
