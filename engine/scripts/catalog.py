"""A migrations folder as the engine uses it: `Catalog`, its `Migration`s and `RepairScript`s,
and the problems found in it.

`load_catalog` reads a folder (the reader is engine/scripts/catalog_reader.py, imported only when
a folder is parsed: a compiled catalog, SPEC §7.24, is unpickled into these types alone). See
docs/authoring-migrations.md for the file format. This module never opens a database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from engine.scripts.directives import Directives
from engine.scripts.profile import Profile
from engine.scripts.sqltext import Statement, checksum

if TYPE_CHECKING:
    from engine.scripts.dialect_catalog import Skipped


class CatalogNotFound(ValueError):
    """The migrations folder is missing or is not a folder. ``str()`` is the message."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class Migration(NamedTuple):
    version: int
    name: str  # slug, as recorded in schema_migrations.name
    path: Path
    checksum: str
    directives: Directives
    up: tuple[Statement, ...]
    down: tuple[Statement, ...] | None  # None: no down section (or an empty one)
    label: str | None = None  # the version as its tool writes it (dbmate's digits, Flyway's 1.10)
    tool_checksum: str | None = None  # the checksum the folder's tool records (sqlx, Flyway)

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def version_label(self) -> str:
        return self.label if self.label is not None else str(self.version)


class RepairScript(NamedTuple):
    name: str  # file stem
    path: Path
    checksum: str
    directives: Directives  # when and before are always set
    statements: tuple[Statement, ...]


class CatalogProblem(NamedTuple):
    kind: str
    message: str  # one sentence, starting with the file (and line)
    hint: str
    file: str | None  # relative to the migrations folder
    line: int | None
    code: str = "bad_catalog"


class Catalog(NamedTuple):
    folder: Path
    migrations: tuple[Migration, ...]  # sorted by version; a duplicated version keeps neither
    repairs: tuple[RepairScript, ...]
    problems: tuple[CatalogProblem, ...]
    profile: Profile | None
    convention: str = "sqlmig"  # whose files and history table (SPEC §7.19)
    skipped: tuple[Skipped, ...] = ()  # files the convention does not run, with the reason
    user_version: bool = True  # write PRAGMA user_version (when the version fits)
    decided_by: str = "default"  # "history", "config", "features" or "default"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def head_version(self) -> int | None:
        return self.migrations[-1].version if self.migrations else None

    def get(self, version: int) -> Migration | None:
        return next((m for m in self.migrations if m.version == version), None)

    def names(self) -> Mapping[int, str]:
        return {m.version: m.name for m in self.migrations}

    def current_version(self, applied: Collection[int]) -> int | None:
        """The highest version V such that every migration up to V is applied (SPEC §7.1);
        None when the first one is not."""
        current = None
        for migration in self.migrations:
            if migration.version not in applied:
                break
            current = migration.version
        return current

    @property
    def checksum(self) -> str:
        """One checksum of every migration and repair script (number, name, text): the key of
        anything derived from the catalog alone, such as its expected schemas."""
        parts = [f"{m.version} {m.name} {m.checksum}" for m in self.migrations]
        parts += [f"repair {r.name} {r.checksum}" for r in self.repairs]
        return checksum("\n".join(parts))


def load_catalog(folder: Path, *, from_history: str | None = None) -> Catalog:
    """Read every migration, the profile and the repair scripts of ``folder``, in the folder's
    convention (`from_history`: the convention of the history table in the database file).

    Raises ``CatalogNotFound`` when ``folder`` is missing or is not a folder; every other
    problem is collected in ``Catalog.problems``.
    """
    from engine.scripts.catalog_reader import read_catalog  # the parser: only when parsing

    return read_catalog(folder, from_history=from_history)
