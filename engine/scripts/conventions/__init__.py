"""Folder conventions: how another tool (or sqlmig itself) names migration files, splits them into
up and down parts, orders their versions, checksums them and records them (SPEC §7.19).

Each convention is a small strategy object in its own module; `CONVENTIONS` lists them all. The
catalog (engine/scripts/catalog.py) asks the chosen one to read each file; the history readers
(engine/state/dialects.py) and writers (engine/runtime/dialect_history.py) dispatch on its name.
No module here opens a database.
"""

from __future__ import annotations

from typing import NamedTuple

# Where a file's text goes: both parts in one file, or one part per file (golang-migrate, sqlx,
# Flyway's undo scripts); `repeatable` is Flyway's R__ script, which has no version.
BOTH, UP, DOWN, REPEATABLE = "both", "up", "down", "repeatable"


class FileName(NamedTuple):
    version: int  # the order key (Flyway's dotted versions are encoded, see flyway.py)
    label: str  # the version as the tool writes it in its history table
    name: str  # the name the tool records (its description), or sqlmig's slug
    part: str  # BOTH, UP, DOWN or REPEATABLE


class Parts(NamedTuple):
    """A file's text split into parts; each part keeps its first line number."""

    up: str
    up_line: int
    down: str | None
    down_line: int
    transaction: bool = True
    problems: tuple[tuple[int | None, str], ...] = ()  # (line, what is wrong)


class Convention:
    """One tool's convention. Subclasses set the names and override what differs."""

    name = ""  # the value of `convention = "..."`
    tool = ""  # the tool's name in sentences
    history_table = ""
    # Files of other kinds this tool runs that sqlmig cannot (listed as skipped, never silently).
    foreign_suffixes: tuple[str, ...] = (".go", ".py", ".kt", ".java", ".js", ".ts")

    def parse_name(self, filename: str) -> FileName | None:
        raise NotImplementedError

    def split(self, text: str, part: str) -> Parts:
        """The up and down parts of a file's (normalised) text; `part` is its FileName.part."""
        if part == DOWN:
            return Parts("", 1, text, 1)
        return Parts(text, 1, None, 1)

    def owns(self, filename: str, text: str) -> bool:
        """True when the file has a feature only this convention has."""
        return False

    def tool_checksum(self, raw: bytes) -> str | None:
        """The checksum the tool itself records for a file's bytes, as `algorithm:value`."""
        return None

    def substitute(self, text: str, filename: str) -> tuple[str, list[str]]:
        """The text with the tool's placeholders replaced; the names it could not replace."""
        return text, []


def description_of(words: str) -> str:
    """A file name's description part as sqlx and Flyway record it: underscores become spaces."""
    return words.replace("_", " ")
