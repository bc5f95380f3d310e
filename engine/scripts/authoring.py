"""`sqlmig new`: the next migration of a folder, with its up and down parts, in the folder's own
convention (`engine.convention_of`: sqlmig's `NNNN_slug.sql`, a dbmate or goose file with that
tool's markers, a golang-migrate or sqlx `.up.sql`/`.down.sql` pair, Flyway's `V`/`U` files).

`migration_file` is the one place that decides a new migration's file names and markers.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from engine.core.errors import Refused, UsageError
from engine.core.lazyre import LazyPattern
from engine.scripts.conventions.authoring import convention_of

_SLUG_LIMIT = 60
_ANY_NAME = LazyPattern(r"^[VU]?(\d[\d._]*?)_{1,2}(.+?)(?:\.(?:up|down))?\.sql$", re.IGNORECASE)

# (up marker, down marker) of the conventions that keep both parts in one file.
_MARKERS = {
    "sqlmig": (None, "-- migrate:down"),
    "dbmate": ("-- migrate:up", "-- migrate:down"),
    "goose": ("-- +goose Up", "-- +goose Down"),
}


class NewFile(NamedTuple):
    names: tuple[str, ...]  # one file (both parts, split by markers) or the up file, the down file
    up_marker: str | None  # the line before the up part (None: the file starts with it)
    down_marker: str | None  # the line before the down part (None: it has a file of its own)
    convention: str


def slug_of(description: str) -> str:
    """'Add foo to bar!' -> 'add_foo_to_bar' (letters, digits and underscores)."""
    slug = re.sub(r"[^0-9a-z]+", "_", description.lower()).strip("_")[:_SLUG_LIMIT].strip("_")
    if not slug:
        raise UsageError(
            f"'{description}' has no letters or digits to name a migration file by.",
            hint='Describe the change in a few words, e.g. sqlmig new "add email to users".',
        )
    return slug


def migration_file(folder: Path, description: str, now: datetime.datetime | None = None
                   ) -> NewFile:
    """The next migration of the folder in its convention, numbered one above the highest
    version present (gaps stay gaps) or, where the folder's versions are timestamps, stamped
    now. Refuses a slug that a migration of the folder already has."""
    slug = slug_of(description)
    taken = _file_named(folder, slug)
    if taken is not None:
        raise Refused(
            f"{folder} already has a migration named {slug} ({taken}).",
            hint="Describe the new change differently, or edit that migration if it is not "
            "applied anywhere yet.",
            code="exists",
        )
    convention = convention_of(folder)
    names = tuple(made.path.name for made in convention.new_files(slug, now))
    if convention.name == "flyway":  # the undo script of the same version (Flyway's `U`)
        names = (names[0], "U" + names[0][1:])
    up_marker, down_marker = _MARKERS.get(convention.name, (None, None))
    return NewFile(names, up_marker, down_marker, convention.name)


def _file_named(folder: Path, slug: str) -> str | None:
    """The stem of the folder's migration already named `slug`, if any (in any convention's
    names: `0003_x.sql`, `20240101120000_x.sql`, `0003_x.up.sql`, `V1.2__x.sql`)."""
    for path in sorted(folder.glob("*.sql")):
        found = _ANY_NAME.match(path.name)
        if found and re.sub(r"[^0-9a-z]+", "_", found.group(2).lower()).strip("_") == slug:
            return path.name.removesuffix(".sql").removesuffix(".up").removesuffix(".down")
    return None


def migration_texts(
    description: str, new: NewFile, up: str, down: str, directives: Sequence[str] = ()
) -> tuple[str, ...]:
    """Each file's text: directives (they apply to both parts), a header comment, the up part,
    the down part; a pair's down file has the header and the down part."""
    today = datetime.date.today().isoformat()
    header = [f"-- {description.strip()}", f"-- Written by sqlmig new on {today}."]
    up_part = up.strip() or "-- The up part: the SQL of the change, each statement ending with ';'."
    down_part = down.strip() or "-- The down part: the SQL that undoes the up part."
    if new.down_marker is None:  # a pair of files
        return ("\n".join([*directives, *header, "", up_part]) + "\n",
                "\n".join([*directives, *header, "", down_part]) + "\n")
    if new.up_marker is None:
        lines = [*directives, *header, "", up_part]
    else:  # the tool's marker first: dbmate and goose read nothing above it
        lines = [new.up_marker, *directives, *header, "", up_part]
    lines += ["", new.down_marker, "", down_part]
    return ("\n".join(lines) + "\n",)


def write_new_migration(
    folder: Path, description: str, up: str = "", down: str = "", directives: Sequence[str] = ()
) -> tuple[Path, ...]:
    """Write the folder's next migration (one file, or an up/down pair); never replaces a file
    (exclusive create; a pair whose second file cannot be made leaves no first file behind)."""
    new = migration_file(folder, description)
    written: list[Path] = []
    try:
        for name, text in zip(new.names, migration_texts(description, new, up, down, directives),
                              strict=True):
            target = folder / name
            with target.open("x", encoding="utf-8", newline="\n") as out:
                written.append(target)
                out.write(text)
    except BaseException:
        for made in written:
            made.unlink(missing_ok=True)
        raise
    return tuple(written)
