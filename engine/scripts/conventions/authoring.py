"""Writing a new migration in a folder's own convention (`sqlmig new`, issue 12): the next file
name(s) and their up/down skeletons, so a dbmate folder gets a dbmate file, a golang-migrate folder
an `.up.sql`/`.down.sql` pair, and so on. Reads the folder only; the face writes the files.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from engine.scripts.conventions.choose import choose, read_settings

# The skeleton of each convention: (file name suffixes, text per file).
_SKELETONS = {
    "sqlmig": ((".sql",), ("-- Describe the change here.\n\n\n-- migrate:down\n\n",)),
    "dbmate": ((".sql",), ("-- migrate:up\n\n\n-- migrate:down\n\n",)),
    "goose": ((".sql",), ("-- +goose Up\n\n\n-- +goose Down\n\n",)),
    "golang-migrate": ((".up.sql", ".down.sql"), ("\n", "\n")),
    "sqlx": ((".up.sql", ".down.sql"), ("\n", "\n")),
    "flyway": ((".sql",), ("\n",)),
}


class NewFile(NamedTuple):
    path: Path
    text: str


class FolderConvention(NamedTuple):
    """A folder's convention, as far as writing a new migration needs it."""

    folder: Path
    name: str  # "sqlmig", "dbmate", "golang-migrate", "goose", "sqlx" or "flyway"
    versions: tuple[int, ...]  # the versions already in the folder, in order
    timestamps: bool  # versions are 14-digit UTC timestamps (YYYYmmddHHMMSS)
    width: int  # digits of a sequential version (0001 → 4)

    def next_version(self, now: datetime | None = None) -> int:
        if self.timestamps:
            stamp = int((now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S"))
            return max(stamp, max(self.versions, default=0) + 1)
        return max(self.versions, default=-1 if self.name == "sqlmig" else 0) + 1

    def new_files(self, slug: str, now: datetime | None = None) -> tuple[NewFile, ...]:
        """The file(s) a new migration named `slug` would be, with their up/down skeleton."""
        version = self.next_version(now)
        words = re.sub(r"[^a-z0-9]+", "_", slug.lower()).strip("_") or "change"
        number = str(version).rjust(self.width, "0")
        stem = f"V{version}__{words}" if self.name == "flyway" else f"{number}_{words}"
        suffixes, texts = _SKELETONS[self.name]
        return tuple(NewFile(self.folder / f"{stem}{s}", t) for s, t in zip(suffixes, texts,
                                                                            strict=True))


def convention_of(folder: str | Path) -> FolderConvention:
    """The convention a new migration in `folder` must follow (the folder's own, decided as the
    catalog decides it; an empty folder is sqlmig's)."""
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.sql") if p.is_file()) if folder.is_dir() else []
    texts = [(p.name, p.read_text("utf-8", errors="replace")) for p in files]
    choice = choose(texts, read_settings(folder))
    convention = choice.convention
    named = [n for n in (convention.parse_name(p.name) for p in files) if n is not None]
    if convention.name == "flyway":  # the next whole version after the first part (1.10 → 2)
        versions = tuple(sorted({int(n.label.split(".")[0]) for n in named if n.label}))
    else:
        versions = tuple(sorted({n.version for n in named if n.version >= 0}))
    labels = [n.label for n in named if n.label.isdigit()]
    timestamps = bool(labels) and all(len(label) == 14 for label in labels)
    width = max((len(label) for label in labels), default=4)
    return FolderConvention(folder, convention.name, versions, timestamps, width)
