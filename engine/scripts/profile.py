"""The app profile: what is app-specific about a migrations folder (SPEC §7.3).

``profile.toml`` next to the migrations names the tables the app has ever created, its core
tables, the legacy ``user_version`` range and the folder of repair scripts, so that ``engine/``
itself holds no app table names. A malformed profile raises ``ProfileError``; the catalog turns
it into a ``bad_profile`` problem rather than a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from engine.core.lazyre import LazyPattern

PROFILE_NAME = "profile.toml"

_TOML_LINE = LazyPattern(r"\(at line (\d+), column \d+\)")


class ProfileError(ValueError):
    """``profile.toml`` exists but cannot be used. ``str()`` is the one-sentence message."""

    def __init__(self, message: str, *, hint: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line

    def __str__(self) -> str:
        return self.message


class Era(NamedTuple):
    """A birth era of legacy files: its name, the user_version a new file got, and a test."""

    name: str
    born_user_version: int
    when: str  # SQL query: true when a file's shape matches this era


class Profile(NamedTuple):
    path: Path  # the profile.toml file
    app_name: str
    app_tables: frozenset[str]  # every table name the app has ever created
    core_tables: frozenset[str]
    legacy_min: int  # legacy user_version range, inclusive
    legacy_max: int
    repairs_dir: Path | None  # absolute; None if not configured
    eras: tuple[Era, ...] = ()  # tried in order; the first whose query is true names the era
    # A legacy user_version N corresponds to tracked migration N + tracked_offset.
    tracked_offset: int = 0
    # The first tracked migration a legacy user_version can claim (a legacy base schema is not
    # the tracked base).
    claims_from: int = 0


def load_profile(folder: Path) -> Profile | None:
    """Read ``folder/profile.toml``; None when there is no such file.

    Unknown keys are ignored so that a newer profile still loads in an older engine.
    """
    path = folder / PROFILE_NAME
    if not path.exists():
        return None
    import tomllib  # only when parsing: a compiled catalog (SPEC §7.24) needs no TOML

    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except IsADirectoryError:
        raise ProfileError(
            f"{PROFILE_NAME} is a folder, not a file.",
            hint=f"Replace it with a {PROFILE_NAME} file.",
        ) from None
    except OSError as exc:
        raise ProfileError(
            f"{PROFILE_NAME} cannot be read: {exc.strerror or exc}.",
            hint="Check the file's permissions.",
        ) from exc
    except UnicodeDecodeError as exc:
        raise ProfileError(
            f"{PROFILE_NAME} is not valid UTF-8.", hint="Save the file as UTF-8."
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        raise ProfileError(
            f"{PROFILE_NAME} is not valid TOML: {exc}.",
            hint="Fix the TOML syntax (see docs/authoring-migrations.md for the format).",
            line=int(found.group(1)) if found else None,
        ) from exc
    return _build(path, data)


def _build(path: Path, data: dict[str, Any]) -> Profile:
    app = _table(data, "app")
    legacy = _table(data, "legacy")
    name = app.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _missing("[app] name", "a non-empty string")
    tables = _names(app, "tables")
    core = _names(app, "core_tables")
    unknown = sorted(core - tables)
    if unknown:
        raise ProfileError(
            f"{PROFILE_NAME}: [app] core_tables names tables missing from [app] tables: "
            f"{', '.join(unknown)}.",
            hint="Every core table must also be listed in [app] tables.",
        )
    low = _int(legacy, "user_version_min")
    high = _int(legacy, "user_version_max")
    if low > high:
        raise ProfileError(
            f"{PROFILE_NAME}: [legacy] user_version_min ({low}) is above "
            f"user_version_max ({high}).",
            hint="Swap the two values.",
        )
    repairs = legacy.get("repairs")
    if repairs is not None and (not isinstance(repairs, str) or not repairs.strip()):
        raise _missing("[legacy] repairs", "a folder name relative to the profile")
    base = path.parent.absolute()
    return Profile(
        path=path,
        app_name=name,
        app_tables=tables,
        core_tables=core,
        legacy_min=low,
        legacy_max=high,
        repairs_dir=base / repairs if repairs else None,
        eras=_eras(legacy),
        tracked_offset=_offset(legacy, "tracked_offset"),
        claims_from=_offset(legacy, "claims_from"),
    )


def _eras(legacy: dict[str, Any]) -> tuple[Era, ...]:
    raw = legacy.get("eras", [])
    if not isinstance(raw, list):
        raise _missing("[[legacy.eras]]", "a list of tables")
    out = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise _missing("[[legacy.eras]]", "a list of tables")
        name, born, when = entry.get("name"), entry.get("born_user_version"), entry.get("when")
        if not isinstance(name, str) or not isinstance(when, str) or not name or not when:
            raise _missing("[[legacy.eras]] name and when", "non-empty strings")
        if not isinstance(born, int) or isinstance(born, bool):
            raise _missing("[[legacy.eras]] born_user_version", "a whole number")
        out.append(Era(name, born, when.strip().rstrip(";")))
    return tuple(out)


def _offset(legacy: dict[str, Any], key: str) -> int:
    value = legacy.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _missing(f"[legacy] {key}", "a whole number")
    return value


def _missing(key: str, what: str) -> ProfileError:
    return ProfileError(
        f"{PROFILE_NAME}: {key} must be {what}.",
        hint="See docs/authoring-migrations.md for the profile format.",
    )


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise _missing(f"[{key}]", "a table")
    return value


def _names(section: dict[str, Any], key: str) -> frozenset[str]:
    value = section.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _missing(f"[app] {key}", "a list of table names")
    return frozenset(value)


def _int(section: dict[str, Any], key: str) -> int:
    value = section.get(key)
    # bool is an int subclass; `true` is never a version.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _missing(f"[legacy] {key}", "a whole number, 0 or more")
    return value
