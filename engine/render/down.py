"""The words of a rollback (`sqlmig down`): its `done` message and its data-loss refusal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.render.run import RECOVERED

if TYPE_CHECKING:
    from engine.runtime.result import UpgradeResult


def _v(version: int | None) -> str:
    return "before the first migration" if version is None else f"v{version}"


def _versions(reverted: Sequence[int]) -> str:
    return ", ".join(f"{v:04d}" for v in reverted)


def down_outcome(result: UpgradeResult) -> str:
    """What a finished rollback did, in one sentence (the window's words for its result)."""
    reverted = [int(step[:4]) for step, method in result.steps
                if method == "reverted" and step[:4].isdigit()]
    return down_message(result, reverted)


def down_message(result: UpgradeResult, reverted: Sequence[int]) -> str:
    """The `done` event's message: what the rollback did, in one sentence."""
    after = f" {RECOVERED}" if result.recovered else ""
    if result.error is not None:
        return result.error.message + after
    if result.dry_run and reverted:
        return (f"Dry run: {len(reverted)} down part(s) would run ({_versions(reverted)}), "
                f"from {_v(result.from_version)} to {_v(result.to_version)}; nothing was "
                "written.")
    if not reverted:
        notes = [n for n in result.notes if n != RECOVERED]
        return (notes[0] if notes else "Nothing to do.") + after
    return (f"Rolled back from {_v(result.from_version)} to {_v(result.to_version)}: "
            f"{len(reverted)} migration(s) reverted ({_versions(reverted)})." + after)


def data_loss_message(target: int | None, found: Sequence[str]) -> str:
    return (f"Rolling back to {_v(target)} would drop data: {'; '.join(found)}. "
            "Nothing was changed.")
