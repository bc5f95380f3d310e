"""Who and what ran a step: the tool's version and the OS user, for backups' origins and the
audit table."""

from __future__ import annotations

import functools
import getpass
import os
from pathlib import Path


@functools.cache  # parsed once per process (every audit row and backup origin names it)
def tool_version() -> str:
    """sqlmig's installed version. A regular install keeps its metadata beside the package and
    it is read there: importing importlib.metadata (its e-mail parser included) costs ~20 ms,
    a tenth of a small upgrade. An editable install, or any other layout, asks importlib."""
    beside = version_beside(Path(__file__).resolve().parents[2])
    if beside is not None:
        return beside
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sqlmig")
    except PackageNotFoundError:
        return "unknown"


def version_beside(folder: Path) -> str | None:
    """The `Version:` of the one `sqlmig-*.dist-info/METADATA` in `folder` (None: none, or
    more than one, or unreadable)."""
    try:
        found = [e.path for e in os.scandir(folder)
                 if e.name.startswith("sqlmig-") and e.name.endswith(".dist-info")]
        if len(found) != 1:
            return None
        with open(os.path.join(found[0], "METADATA"), encoding="utf-8") as metadata:
            for line in metadata:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip() or None
                if not line.strip():
                    return None  # the headers end at the first empty line
    except OSError:
        return None
    return None


def run_by() -> str:
    """The OS user running the tool; an account without a name is still recorded."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
