"""What the user asked of one upgrade, as one record (the faces fill it; `engine.upgrade` takes
the same names as keywords)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.core.verdicts import Mode
from engine.state.expectation import Expectation


@dataclass(frozen=True)
class UpgradeOptions:
    target: int | None = None  # stop at this version (default: the newest migration)
    mode: str = Mode.ATOMIC  # atomic: one transaction for the plan; stepwise: one per step
    backup: bool = True  # back up (verified) before anything is written
    backup_dir: Path | None = None  # default: next to the file
    create_backup_dir: bool = False  # a missing `backup_dir` whose parent exists is created
    dry_run: bool = False  # plan, preflight and rehearse; write nothing
    execute: bool = False  # with dry_run: run any plan on a temporary copy (not only a bridge's)
    wait: float = 10.0  # seconds to wait for another program's write lock
    accept_diverged: bool = False  # move another branch's history rows to sqlmig_log
    expect: Expectation | None = None  # what a face showed: a file changed since is refused
