"""What a face showed of a file, so that a run can refuse when the file is no longer that.

A window inspects a file, shows it, asks for confirmation and only then upgrades; meanwhile the
CLI, a second window or a file copy may have changed it. `Expectation.of(inspection)` records what
the confirmation was about; `upgrade(..., expect=...)` compares it with its own inspection at the
start of the run and refuses before writing when they differ.

"The same file in the same state" means: the same file-system object (device and inode: a file
replaced by another one is another file, however alike), the same state and versions, the same
history rows, the same table names and the same plan (pending migrations, the bridge's missing
effects and repairs). Rows are not compared: the app may write rows while the window is open, and
the run takes its own backup and row ledger. Nothing here reads data: it uses the inspection and
one `stat`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from engine.core.errors import Refused
from engine.state.inspect import Inspection

CHANGED_SINCE_INSPECTION = "changed_since_inspection"


@dataclass(frozen=True)
class Expectation:
    state: str
    user_version: int | None
    current_version: int | None
    history: tuple[tuple[int, str, str | None], ...]  # (version, name, checksum)
    tables: tuple[str, ...]
    pending: tuple[int, ...]
    missing: tuple[int, ...]  # the bridge's migrations whose effect is absent
    repairs: tuple[str, ...]
    identity: tuple[int, int] | None  # (device, inode); None when the path cannot be read

    @classmethod
    def of(cls, inspection: Inspection) -> Expectation:
        """Call it right after the inspection: the file's identity is read now."""
        legacy = inspection.legacy
        return cls(
            state=inspection.state,
            user_version=inspection.user_version,
            current_version=inspection.current_version,
            history=tuple((a.version, a.name, a.checksum) for a in inspection.applied),
            tables=inspection.tables,
            pending=tuple(p.version for p in inspection.pending),
            missing=legacy.missing if legacy is not None else (),
            repairs=legacy.repairs if legacy is not None else (),
            identity=_identity(inspection),
        )

    def differences(self, now: Expectation) -> list[str]:
        """What changed from `self` to `now`, one line each (empty: the same file and state)."""
        out = []
        for item in fields(self):
            seen, found = getattr(self, item.name), getattr(now, item.name)
            if seen == found:
                continue
            if item.name == "identity":
                out.append("file: replaced by another file (another inode)")
            elif isinstance(seen, tuple) and len(seen) == len(found):
                out.append(f"{item.name}: other values ({len(seen)} before and now)")
            elif isinstance(seen, tuple):
                out.append(f"{item.name}: {len(seen)} → {len(found)} entries")
            else:
                out.append(f"{item.name}: {_show(seen)} → {_show(found)}")
        return out


def refuse_if_changed(expect: Expectation, inspection: Inspection) -> None:
    """Raise `Refused` (`changed_since_inspection`) when `inspection` is not what was expected."""
    now = Expectation.of(inspection)
    differences = expect.differences(now)
    if not differences:
        return
    what = "was replaced by another file" if expect.identity != now.identity else "changed"
    diagnosis = inspection.diagnosis.rstrip(".")
    raise Refused(
        f"{inspection.path.name} {what} since it was opened: it is now "
        f"{diagnosis[:1].lower()}{diagnosis[1:]}. Nothing was changed.",
        hint="Review the file as it is now before upgrading it.",
        detail="\n".join(differences),
        code=CHANGED_SINCE_INSPECTION,
    )


def _identity(inspection: Inspection) -> tuple[int, int] | None:
    try:
        st = os.stat(inspection.path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _show(value: object) -> str:
    return "none" if value is None else str(value)
