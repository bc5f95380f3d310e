"""Who and what ran a step: the tool's version and the OS user, for backups' origins and the
audit table."""

from __future__ import annotations

import functools
import getpass


@functools.cache  # the installed package's metadata, parsed once (an audit row per step)
def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sqlmig")
    except PackageNotFoundError:
        return "unknown"


def run_by() -> str:
    """The OS user running the tool; an account without a name is still recorded."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
