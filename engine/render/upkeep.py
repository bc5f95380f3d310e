"""Words for a file's upkeep: its free space, compacting it, and its backups (the backups view
and `sqlmig compact`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.core.events import Clock, DoneEvent
from engine.render.words import human_size

if TYPE_CHECKING:
    from engine.runtime.compacting import CompactResult
    from engine.runtime.shelf import BackupInfo, Deleted
    from engine.state.space import Space

WORTH_COMPACTING = 0.10  # a tenth of the file free: below that, compacting gains little


def space_line(space: Space) -> str:
    """"1.7 GB, 812.0 MB of it free pages (48 %): Compact gives them back to the disk." """
    if not space.free_bytes:
        return f"{human_size(space.file_bytes)}, no free pages."
    share = round(space.free_share * 100)
    line = (f"{human_size(space.file_bytes)}, {human_size(space.free_bytes)} of it free pages "
            f"({share} %)")
    if worth_compacting(space):
        return line + ": Compact gives them back to the disk."
    return line + "."


def worth_compacting(space: Space) -> bool:
    return space.free_bytes > 0 and space.free_share >= WORTH_COMPACTING


def compact_lines(done: CompactResult) -> list[str]:
    if done.backup is None:
        return [f"Nothing to compact: {done.path} has no free pages; nothing was changed."]
    return [
        f"Compacted {done.path}: {human_size(done.bytes_before)} → {human_size(done.bytes_after)} "
        f"({human_size(max(done.saved, 0))} given back to the disk).",
        f"The file as it was is kept as {done.backup}.",
    ]


def compact_json(done: CompactResult, version: int | None, clock: Clock) -> dict[str, Any]:
    event = DoneEvent(clock(), ok=True, from_version=version, to_version=version,
                      backup=None if done.backup is None else str(done.backup),
                      message=compact_lines(done)[0]).to_json()
    event.update({
        "path": str(done.path),
        "bytes_before": done.bytes_before,
        "bytes_after": done.bytes_after,
        "free_before": done.free_before,
        "seconds": round(done.seconds, 3),
    })
    return event


def backup_row(backup: BackupInfo) -> tuple[str, str, str, str, str]:
    """(name, version, date, size, origin) as the backups view shows one backup."""
    version = "none" if backup.version is None else f"v{backup.version}"
    date = "" if backup.created_at is None else f"{backup.created_at:%Y-%m-%d %H:%M:%S}"
    where = backup.origin or "no origin record (matched by its name)"
    return backup.path.name, version, date, human_size(backup.size), where


def backups_line(backups: list[BackupInfo]) -> str:
    if not backups:
        return "No backups of this file were found next to it or in the backup folder."
    total = sum(b.size for b in backups)
    return f"{len(backups)} backup(s), {human_size(total)} in all."


def deleted_line(done: Deleted) -> str:
    return f"Deleted {len(done.paths)} backup(s); {human_size(done.freed)} given back to the disk."
