"""The capability gate: which SQLite version each statement of a plan needs, and which version a
file needs to be read at all after the plan ran (STRICT tables, generated columns).

Versions from sqlite.org's release log: UPSERT 3.24.0; RENAME COLUMN and window functions
3.25.0; generated columns 3.31.0 (files using them cannot be read before); DROP COLUMN and
RETURNING 3.35.0; STRICT tables 3.37.0 (files using them cannot be read before); JSON functions
built in, and the -> / ->> operators, 3.38.0 (older libraries have the functions only when
compiled with JSON1, so for them this is a warning, not a stop); unixepoch() 3.38.0.

Pure text: the library's version is a parameter (the runtime passes `sqlite3.sqlite_version_info`;
tests pretend an older one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Version = tuple[int, int, int]

_CLEAN = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)
_CREATES_TABLE = re.compile(r"^\s*(CREATE\s+(TEMP\w*\s+)?TABLE|ALTER\s+TABLE)\b", re.I)


def _bare(sql: str) -> str:
    """The statement without comments and string literals (their words are not SQL)."""
    return _CLEAN.sub(lambda m: "''" if m.group().startswith("'") else " ", sql)


def _matches(pattern: str, *, table_ddl: bool = False) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.I | re.S)

    def test(bare: str) -> bool:
        if table_ddl and not _CREATES_TABLE.match(bare):
            return False
        return compiled.search(bare) is not None

    return test


@dataclass(frozen=True)
class Feature:
    what: str
    needs: Version
    applies: Callable[[str], bool]  # on the statement without comments and strings
    soft: bool = False  # an older library may have it anyway (compiled in): a warning
    readers: bool = False  # a file whose schema uses it cannot be read by older libraries

    @property
    def version(self) -> str:
        return ".".join(map(str, self.needs))


FEATURES: tuple[Feature, ...] = (
    Feature("ALTER TABLE … DROP COLUMN", (3, 35, 0),
            _matches(r"\bALTER\s+TABLE\b.*\bDROP\s+(COLUMN\s+)?[\w\"`\[]")),
    Feature("ALTER TABLE … RENAME COLUMN", (3, 25, 0),
            _matches(r"\bALTER\s+TABLE\b.*\bRENAME\s+(COLUMN\s+)?[\w\"`\[]+\s+TO\b")),
    Feature("STRICT tables", (3, 37, 0), _matches(r"\)\s*(WITHOUT\s+ROWID\s*,\s*)?STRICT\b",
                                                  table_ddl=True), readers=True),
    Feature("generated columns", (3, 31, 0),
            _matches(r"\bGENERATED\s+ALWAYS\b|\bAS\s*\(", table_ddl=True),
            readers=True),
    Feature("RETURNING", (3, 35, 0), _matches(r"\bRETURNING\b")),
    Feature("UPSERT (ON CONFLICT … DO)", (3, 24, 0),
            _matches(r"\bON\s+CONFLICT\b[^;]*\bDO\s+(UPDATE|NOTHING)\b")),
    Feature("window functions", (3, 25, 0), _matches(r"\bOVER\s*(\(|\w)")),
    Feature("JSON functions", (3, 38, 0), _matches(r"\bjson(_\w+)?\s*\("), soft=True),
    Feature("the -> and ->> operators", (3, 38, 0), _matches(r"->")),
    Feature("unixepoch()", (3, 38, 0), _matches(r"\bunixepoch\s*\(")),
)


@dataclass(frozen=True)
class Need:
    where: str  # "0021_drop_notes line 4"
    feature: Feature

    def sentence(self) -> str:
        return f"{self.where} uses {self.feature.what} (SQLite {self.feature.version} or newer)"


@dataclass(frozen=True)
class Capabilities:
    library: Version
    needs: tuple[Need, ...]  # every feature of every statement, in the plan's order

    @property
    def missing(self) -> tuple[Need, ...]:
        """What this library cannot run."""
        return tuple(n for n in self.needs if n.feature.needs > self.library
                     and not n.feature.soft)  # fmt: skip

    @property
    def uncertain(self) -> tuple[Need, ...]:
        """What this library runs only when it was compiled with it."""
        return tuple(n for n in self.needs if n.feature.needs > self.library and n.feature.soft)

    @property
    def needed(self) -> Version:
        """The oldest library that runs every statement."""
        return max((n.feature.needs for n in self.needs if not n.feature.soft),
                   default=(3, 0, 0))  # fmt: skip

    @property
    def readers(self) -> tuple[Need, ...]:
        """Statements after which older libraries cannot read the file at all."""
        return tuple(n for n in self.needs if n.feature.readers)

    @property
    def oldest_reader(self) -> Version | None:
        return max((n.feature.needs for n in self.readers), default=None)


def capabilities(statements: Iterable[tuple[str, str]], library: Version) -> Capabilities:
    """`statements`: (where, sql) pairs, e.g. ("0021_drop_notes line 4", "ALTER TABLE …")."""
    needs = []
    for where, sql in statements:
        bare = _bare(sql)
        needs += [Need(where, f) for f in FEATURES if f.applies(bare)]
    return Capabilities(library, tuple(needs))


def version_text(version: Version) -> str:
    return ".".join(map(str, version))
