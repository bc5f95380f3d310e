"""Start-up checks that run before any window: refuse a Qt binding known to crash sqlmig-gui.

`sqlmig_gui.app.main` calls `check()` first. It imports only the PySide6 package itself (its
version), never QtCore or QtWidgets, so a refused start shows one sentence and no window.
"""

from __future__ import annotations

import sys

EXIT_BAD_BINDING = 3  # refused, as the CLI's exit code 3
FIX = "pip install 'PySide6-Essentials!=6.12.0'"
PYTHON = sys.version_info[:2]

# (binding release, the Python versions below which it breaks, what goes wrong)
KNOWN_BAD = (
    ((6, 12, 0), (3, 12), "aborts the interpreter after about 1,000 signals on Python 3.11"),
)


def binding_problem(qt: tuple[int, ...], python: tuple[int, ...]) -> str | None:
    """The sentence that refuses binding `qt` on `python`, or None when the pair is fine."""
    for release, below, harm in KNOWN_BAD:
        if tuple(qt[:3]) == release and tuple(python[:2]) < below:
            version = ".".join(map(str, release))
            return f"PySide6 {version} {harm}: install another release with {FIX}."
    return None


def check() -> int:
    """0 when the GUI can start; otherwise say why on stderr and return the exit code."""
    try:
        import PySide6
    except ImportError:
        print(f"sqlmig-gui needs PySide6: install it with {FIX}.", file=sys.stderr)
        return EXIT_BAD_BINDING
    problem = binding_problem(tuple(PySide6.__version_info__[:3]), PYTHON)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_BAD_BINDING
    return 0
