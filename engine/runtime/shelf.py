"""The backups of one database file, as the backups view lists them, and deleting old ones.

A backup belongs to a database when its name follows the pattern (SPEC §7.11) for that file's
name, next to it or in the backup folder, and, when it has an origin sidecar (SPEC §7.20), the
sidecar names that database. Deleting takes only such files (and their sidecars): a path the user
picked that is not one of them is refused before anything is deleted.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.core.errors import Refused, from_os_error
from engine.runtime import origin
from engine.runtime.backups import BACKUP_PATTERN, find_backups


@dataclass(frozen=True)
class BackupInfo:
    """One backup of the file: where, which version, when, how big, and where it came from."""

    path: Path
    version: int | None
    created_at: datetime | None
    size: int
    origin: str | None  # the database the sidecar says it was taken from (None: no sidecar)

    @property
    def sidecar(self) -> Path:
        return origin.sidecar_path(self.path)


@dataclass(frozen=True)
class Deleted:
    paths: tuple[Path, ...]
    freed: int  # bytes


def list_backups(db: Path, folder: Path | None = None) -> list[BackupInfo]:
    """Every backup of `db` next to it and in `folder`, newest first (each listed once)."""
    real = db.resolve()
    seen: dict[Path, BackupInfo] = {}
    for base in dict.fromkeys(p for p in (db.parent, folder) if p is not None and p.is_dir()):
        for path in find_backups(db, base):
            info = _describe(path)
            if info is not None and _belongs(info, real) and path.resolve() not in seen:
                seen[path.resolve()] = info
    return sorted(seen.values(), key=_newest_first, reverse=True)


def _newest_first(backup: BackupInfo) -> tuple[str, int, str]:
    """By the time in the name, then by the counter of backups made in the same second (`-2`,
    `-3`): the name is stamped once, when the backup starts (the origin record a moment later)."""
    match = BACKUP_PATTERN.match(backup.path.name)
    if match is None:
        return "", 0, backup.path.name
    return match["stamp"], int(match["n"] or 1), backup.path.name


def total_size(backups: list[BackupInfo]) -> int:
    return sum(b.size for b in backups)


def delete_backups(db: Path, chosen: list[Path], folder: Path | None = None) -> Deleted:
    """Delete the `chosen` backups of `db` with their sidecars; refuses (deleting nothing) when
    one of them is not a backup of `db` as `list_backups` finds them."""
    known = {b.path.resolve(): b for b in list_backups(db, folder)}
    strangers = [p for p in chosen if Path(p).resolve() not in known]
    if strangers:
        raise Refused(
            f"{Path(strangers[0]).name} is not a backup of {db.name}, so it is not deleted. "
            "Nothing was deleted.",
            hint="Pick backups from the list of this file's backups.",
            code="not_a_backup",
        )
    gone: list[Path] = []
    freed = 0
    for path in chosen:
        info = known[Path(path).resolve()]
        try:
            info.path.unlink()
        except OSError as exc:
            raise from_os_error(exc, path=str(info.path),
                                state=f"{len(gone)} backup(s) were deleted before it.") from exc
        with contextlib.suppress(FileNotFoundError):
            info.sidecar.unlink()
        gone.append(info.path)
        freed += info.size
    return Deleted(tuple(gone), freed)


def _describe(path: Path) -> BackupInfo | None:
    match = BACKUP_PATTERN.match(path.name)
    if match is None or not path.is_file() or path.is_symlink():
        return None
    record = origin.read_sidecar(path)
    stamp = _stamp(match["stamp"])
    created = _created(record) or stamp
    version = None if match["version"] == "none" else int(match["version"])
    source = str(record["source_path"]) if record and record.get("source_path") else None
    return BackupInfo(path, version, created, path.stat().st_size, source)


def _belongs(info: BackupInfo, real: Path) -> bool:
    """A sidecar naming another database means another file's backup (same name elsewhere)."""
    return info.origin is None or Path(info.origin) == real


def _created(record: dict[str, object] | None) -> datetime | None:
    text = record.get("created_at") if record else None
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d-%H%M%S").astimezone()
    except ValueError:
        return None
