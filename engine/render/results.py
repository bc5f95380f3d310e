"""The results of `backup`, `restore` and `recover` in words, and as the JSON Lines their
`--json` prints (progress events, then one `done` event with the command's own fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.core.events import BackupEvent, Clock, DoneEvent

if TYPE_CHECKING:
    from engine.runtime.backups import BackupResult
    from engine.runtime.recovery import RecoverResult
    from engine.runtime.restoring import RestoreResult


def backup_lines(made: BackupResult) -> list[str]:
    return [f"Backup written and verified: {made.path}"]


def backup_json(made: BackupResult, clock: Clock) -> list[dict[str, Any]]:
    """The finished `backup` event, then `done` with the pages and the seconds it took."""
    finished = BackupEvent(clock(), str(made.path), made.pages, made.pages, True, True)
    done = DoneEvent(
        clock(),
        ok=True,
        from_version=made.user_version,
        to_version=made.user_version,
        backup=str(made.path),
        ledger={table: [n, n] for table, n in made.row_counts.items()},
        message=backup_lines(made)[0],
    ).to_json()
    done.update(
        {
            "pages": made.pages,
            "seconds": round(made.seconds, 3),
            "verify_seconds": round(made.verify_seconds, 3),
        }
    )
    return [finished.to_json(), done]


def _label(version: int | None) -> str:
    return "none" if version is None else f"v{version}"


def restore_lines(done: RestoreResult) -> list[str]:
    where = (
        f"{done.real_path} (through the link {done.restored})"
        if done.restored.is_symlink()
        else str(done.restored)
    )
    lines = [
        f"Restored {where} from {done.from_backup}.",
        f"Version {_label(done.replaced_version)} → {_label(done.restored_version)}; "
        f"journal mode {done.journal_mode.upper()} kept.",
        f"The file it replaced ({_label(done.replaced_version)}) was kept as "
        f"{done.replaced_copy}.",
    ]
    if done.replaced_damage:
        lines.append(
            f"That file was damaged ({done.replaced_damage[0]}); its copy is kept as it was."
        )
    if done.forced:
        lines.append(f"Forced: {done.origin}")
    return lines


def restore_json(done: RestoreResult, clock: Clock) -> dict[str, Any]:
    event = DoneEvent(
        clock(),
        ok=True,
        from_version=done.replaced_version,
        to_version=done.restored_version,
        backup=str(done.replaced_copy),
        message=restore_lines(done)[0],
    ).to_json()
    event.update(
        {
            "restored": str(done.restored),
            "real_path": str(done.real_path),
            "from": str(done.from_backup),
            "replaced_copy": str(done.replaced_copy),
            "replaced_version": done.replaced_version,
            "restored_version": done.restored_version,
            "journal_mode": done.journal_mode,
            "origin": done.origin,
            "forced": done.forced,
            "replaced_damage": list(done.replaced_damage),
        }
    )
    return event


def recover_lines(done: RecoverResult) -> list[str]:
    return [done.message]


def recover_json(done: RecoverResult, clock: Clock) -> dict[str, Any]:
    version = done.inspection.current_version
    event = DoneEvent(
        clock(),
        ok=True,
        from_version=version,
        to_version=version,
        backup=None,
        problems=tuple(p.to_json() for p in done.inspection.problems),
        message=done.message,
    ).to_json()
    event.update(done.to_json())
    return event
