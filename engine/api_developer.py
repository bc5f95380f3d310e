"""The engine's public face for developers: roll back, history, accept, baseline, diff and new
migrations (CLI and GUI call these through `engine`, as they call engine/api.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from engine.api import bundled_migrations, catalog_for, load_catalog
from engine.core.errors import Refused, UsageError
from engine.scripts.catalog import Catalog

if TYPE_CHECKING:
    from engine.core.cancel import CancelToken
    from engine.core.events import EventSink
    from engine.runtime.accepting import AcceptResult
    from engine.runtime.baselining import BaselineResult
    from engine.runtime.diffing import DiffReport
    from engine.runtime.result import UpgradeResult
    from engine.state.timeline import HistoryReport


def down(
    path: str | Path,
    catalog: Catalog | None = None,
    *,
    target: int,
    backup: bool = True,
    backup_dir: Path | None = None,
    dry_run: bool = False,
    wait: float = 10.0,
    allow_data_loss: bool = False,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> UpgradeResult:
    """Back up and roll a file back to `target` with the down parts of its applied migrations
    (newest first, one transaction, the upgrade's checks); never raises for problems with the
    file (see `.error`). Refused when a down part is missing, or would drop data unless
    `allow_data_loss`. Its `done` event carries `reverted`."""
    from engine.runtime.downgrade import DownOptions, downgrade

    options = DownOptions(target=target, backup=backup, backup_dir=backup_dir, dry_run=dry_run,
                          wait=wait, allow_data_loss=allow_data_loss)
    return downgrade(path, catalog_for(path, catalog), options, on_event=on_event, cancel=cancel)


def history(path: str | Path, catalog: Catalog | None = None) -> HistoryReport:
    """The file's history rows and its audit trail (applied, adopted, repaired, reverted,
    accepted, baselined), oldest first. Read-only."""
    from engine.state.timeline import read_history_report

    return read_history_report(path, catalog_for(path, catalog))


def accept(
    path: str | Path, version: int, *, reason: str, catalog: Catalog | None = None,
    wait: float = 10.0,
) -> AcceptResult:
    """Record that applied migration `version`'s file changed on purpose: the history takes
    the new checksum, the audit table who, when, why, the old and new checksum."""
    from engine.runtime.accepting import accept as _accept

    return _accept(Path(path), catalog_for(path, catalog), version, reason, wait=wait)


def baseline(
    path: str | Path, version: int, *, catalog: Catalog | None = None, force: bool = False,
    backup: bool = True, wait: float = 10.0,
) -> BaselineResult:
    """Adopt a foreign or untracked file at `version`: refused with the differences when the
    effects of 0…version are not all there, unless `force` (recorded in the audit table)."""
    from engine.runtime.baselining import baseline as _baseline

    return _baseline(Path(path), catalog_for(path, catalog), version, force=force,
                     backup=backup, wait=wait)


def diff(
    path: str | Path, catalog: Catalog | None = None, *, against: str | None = None
) -> DiffReport:
    """`path`'s schema against the expected schema of its version (`against`: "head", a version
    number, or another file's path), and the SQL that reconciles it. Read-only."""
    from engine.runtime.diffing import diff_file, parse_against

    return diff_file(path, catalog_for(path, catalog), parse_against(against))


def new_migration(
    description: str,
    folder: str | Path | None = None,
    *,
    from_diff: str | Path | None = None,
    against: str | None = None,
    catalog: Catalog | None = None,
) -> tuple[Path, ...]:
    """Write the next migration of `folder` (default: ./migrations when it exists) in the
    folder's convention: one file, or an up/down pair (golang-migrate, sqlx, Flyway). With
    `from_diff`, its up part gives the catalog's head the changes made by hand in that file and
    its down part takes them away again; `against` ("head", the default, a version or another
    file) is what those changes are measured from. Never writes into the bundled chain."""
    from engine.scripts.authoring import write_new_migration

    target = _authoring_folder(folder)
    up = down = ""
    directives: list[str] = []
    if from_diff is not None:
        from engine.runtime.diffing import migration_from_diff, parse_against

        base = parse_against(against or "head")
        made, undone = migration_from_diff(from_diff, catalog or load_catalog(target), base)
        if made.empty:
            raise Refused(
                f"{Path(from_diff).name} has the schema it is compared with "
                f"({against or 'head'}): no change to write.",
                hint="Change the file's schema first, or write the migration by hand.",
                code="no_change",
            )
        up, down = made.migration(), undone.migration()
        if made.foreign_keys_off or undone.foreign_keys_off:  # a directive covers both parts
            directives.append("-- foreign-keys: off")
    return write_new_migration(target, description, up, down, directives)


def _authoring_folder(folder: str | Path | None) -> Path:
    if folder is None:
        if not Path("migrations").is_dir():
            raise UsageError(
                "There is no ./migrations folder here to write the new migration into.",
                hint="Run it in your project's folder, or give --migrations DIR.",
            )
        folder = Path("migrations")
    target = Path(folder)
    if not target.is_dir():
        raise UsageError(f"{target} is not a folder.", hint="Give an existing migrations folder.")
    if target.resolve() == bundled_migrations().resolve():
        raise Refused(
            "That is the migrations folder bundled with sqlmig; sqlmig never writes into it.",
            hint="Give --migrations DIR with your own folder (a copy of it, if you build on it).",
            code="refused",
        )
    return target
