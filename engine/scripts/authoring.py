"""`sqlmig new`: the next migration file of a folder, with its up and down parts.

`migration_file` is the one place that decides a new file's name and its up/down markers, so
that a folder written in another tool's convention can get that tool's names and markers.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from engine.core.errors import Refused, UsageError

_NUMBERED = re.compile(r"^(\d+)_(.+?)(?:\.(?:up|down))?\.sql$", re.IGNORECASE)
_SLUG_LIMIT = 60
_DEFAULT_WIDTH = 4


class NewFile(NamedTuple):
    name: str  # file name inside the folder
    up_marker: str | None  # the line before the up part (None: the file starts with it)
    down_marker: str  # the line before the down part


def slug_of(description: str) -> str:
    """'Add foo to bar!' -> 'add_foo_to_bar' (letters, digits and underscores)."""
    slug = re.sub(r"[^0-9a-z]+", "_", description.lower()).strip("_")[:_SLUG_LIMIT].strip("_")
    if not slug:
        raise UsageError(
            f"'{description}' has no letters or digits to name a migration file by.",
            hint='Describe the change in a few words, e.g. sqlmig new "add email to users".',
        )
    return slug


def migration_file(folder: Path, description: str) -> NewFile:
    """The next file of the folder in its convention (sqlmig's: `NNNN_slug.sql`, numbered one
    above the highest number present, so gaps stay gaps) and its markers. Refuses a slug that a
    file of the folder already has."""
    slug = slug_of(description)
    numbered = [(m.group(1), m.group(2)) for p in folder.iterdir()
                if (m := _NUMBERED.match(p.name)) and p.is_file()]  # fmt: skip
    taken = next((f"{n}_{s}" for n, s in numbered if s.lower() == slug), None)
    if taken is not None:
        raise Refused(
            f"{folder} already has a migration named {slug} ({taken}).",
            hint="Describe the new change differently, or edit that migration if it is not "
            "applied anywhere yet.",
            code="exists",
        )
    width = max((len(n) for n, _ in numbered), default=_DEFAULT_WIDTH)
    number = max((int(n) for n, _ in numbered), default=-1) + 1
    return NewFile(f"{number:0{width}d}_{slug}.sql", None, "-- migrate:down")


def migration_text(
    description: str, new: NewFile, up: str, down: str, directives: Sequence[str] = ()
) -> str:
    """The file's text: directives (they apply to both parts), a header comment, the up part,
    the down part."""
    today = datetime.date.today().isoformat()
    header = [*directives, f"-- {description.strip()}", f"-- Written by sqlmig new on {today}."]
    up_part = up.strip() or "-- The up part: the SQL of the change, each statement ending with ';'."
    down_part = down.strip() or "-- The down part: the SQL that undoes the up part."
    lines = [*header, *([new.up_marker] if new.up_marker else []), "", up_part, "",
             new.down_marker, "", down_part]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_new_migration(
    folder: Path, description: str, up: str = "", down: str = "", directives: Sequence[str] = ()
) -> Path:
    """Write the folder's next migration; never replaces a file (exclusive create)."""
    new = migration_file(folder, description)
    target = folder / new.name
    with target.open("x", encoding="utf-8", newline="\n") as out:
        out.write(migration_text(description, new, up, down, directives))
    return target
