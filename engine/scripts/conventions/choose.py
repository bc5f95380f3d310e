"""Deciding a folder's convention (SPEC §7.19), in this order: the history table already in the
database file (the caller passes it as `from_history`), then `convention = "…"` in the folder's
sqlmig.toml or profile.toml, then features only one convention has. A folder of plain
`NNNN_slug.sql` files stays sqlmig's; a folder two conventions could own is refused naming the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from engine.scripts.conventions import Convention
from engine.scripts.conventions.dbmate import Dbmate
from engine.scripts.conventions.flyway import Flyway
from engine.scripts.conventions.golang_migrate import GolangMigrate
from engine.scripts.conventions.goose import Goose
from engine.scripts.conventions.sqlmig import Sqlmig
from engine.scripts.conventions.sqlx import Sqlx

CONFIG_NAME = "sqlmig.toml"
KEY = "convention"
NAMES = ("sqlmig", "dbmate", "golang-migrate", "goose", "sqlx", "flyway")
_FEATURED = (Dbmate(), GolangMigrate(), Goose(), Flyway())  # in the order features are tried


class Settings(NamedTuple):
    """What sqlmig.toml (or profile.toml) says about the folder's convention."""

    convention: str | None = None
    user_version: bool | None = None  # write PRAGMA user_version (None: the convention's default)
    placeholders: Mapping[str, str] = {}
    source: str = CONFIG_NAME  # the file the values came from
    problem: str | None = None  # a sentence when a value is unusable


class Choice(NamedTuple):
    convention: Convention
    decided_by: str  # "history", "config", "features" or "default"
    problem: str | None = None  # why the folder is refused (ambiguous, mixed, bad key)
    hint: str = ""


def make(name: str, settings: Settings) -> Convention:
    classes: dict[str, Any] = {
        "sqlmig": Sqlmig, "dbmate": Dbmate, "golang-migrate": GolangMigrate, "goose": Goose,
        "sqlx": Sqlx,
    }
    if name == "flyway":
        return Flyway(settings.placeholders)
    return classes[name]()  # type: ignore[no-any-return]


def read_settings(folder: Path) -> Settings:
    """`convention`, `user_version` and `[placeholders]` from sqlmig.toml, else profile.toml."""
    import tomllib  # only when a folder is parsed: a cached catalog needs no TOML

    for file_name in (CONFIG_NAME, "profile.toml"):
        path = folder / file_name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            if file_name == "profile.toml":
                continue  # the profile's own reader reports it
            return Settings(source=file_name, problem=f"{file_name} cannot be read ({exc})")
        settings = _settings(data, file_name)
        if settings.convention is not None or file_name == "profile.toml" or settings.problem:
            return settings
        if settings != Settings(source=file_name):
            return settings
    return Settings()


def _settings(data: dict[str, Any], source: str) -> Settings:
    convention = data.get(KEY)
    if convention is not None and convention not in NAMES:
        what = f"{source}: {KEY} = {convention!r} is not one of {', '.join(NAMES)}"
        return Settings(source=source, problem=what)
    writes = data.get("user_version")
    if writes is not None and not isinstance(writes, bool):
        return Settings(source=source, problem=f"{source}: user_version must be true or false")
    raw = data.get("placeholders", {})
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        what = f"{source}: [placeholders] must map names to strings"
        return Settings(source=source, problem=what)
    return Settings(convention, writes, raw, source)


def choose(
    files: Iterable[tuple[str, str]], settings: Settings, from_history: str | None = None
) -> Choice:
    """The convention for a folder's `(file name, text)` pairs."""
    listed = list(files)
    if from_history is not None and fits(make(from_history, settings), listed):
        return Choice(make(from_history, settings), "history")
    if settings.convention is not None:
        return Choice(make(settings.convention, settings), "config")
    owners: dict[str, list[str]] = {}
    for filename, text in listed:
        for convention in _FEATURED:
            if convention.owns(filename, text):
                owners.setdefault(convention.name, []).append(filename)
                break
    key = f'{KEY} = "…" in {CONFIG_NAME}'
    if not owners:
        return Choice(Sqlmig(), "default")
    if len(owners) > 1:
        found = "; ".join(f"{', '.join(sorted(v)[:2])} {_tool(k)}" for k, v in owners.items())
        what = f"the folder mixes conventions ({found})"
        hint = f"Keep one convention per folder, then set {key}."
        return Choice(Sqlmig(), "features", what, hint)
    (name, owned), = owners.items()
    if len(owned) < len(listed) and not fits(make(name, settings), listed):
        # Some files are another tool's, the rest only sqlmig's: read as sqlmig's, whose catalog
        # names each foreign file (issue 8 item 7).
        return Choice(Sqlmig(), "default")
    if name == "golang-migrate":
        # `.up.sql`/`.down.sql` pairs are golang-migrate's and sqlx's alike.
        what = "the .up.sql/.down.sql files fit both golang-migrate and sqlx"
        hint = f'Set {KEY} = "golang-migrate" or {KEY} = "sqlx" in {CONFIG_NAME} next to them.'
        return Choice(Sqlmig(), "features", what, hint)
    return Choice(make(name, settings), "features")


def fits(convention: Convention, files: list[tuple[str, str]]) -> bool:
    """Every file is one this convention reads (a history table of another shape than the
    folder's files is not allowed to turn them into something else)."""
    if convention.name == "sqlmig":
        return True
    named = [(f, t) for f, t in files if convention.parse_name(f) is not None]
    if len(named) < len(files):
        return False
    if convention.name in ("dbmate", "goose"):
        return all(convention.split(t, "both").problems == () for _, t in named)
    return True


def _tool(name: str) -> str:
    return f"read as {name}'s"
