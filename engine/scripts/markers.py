"""The `-- migrate:up` / `-- migrate:down` markers that split a migration file into its parts,
and other tools' markers and file names, which sqlmig refuses rather than misreads.

To SQLite another tool's marker is a comment, so a "down" part after it would run as part of the
upgrade: each is a problem until sqlmig reads that convention.
"""

from __future__ import annotations

import re

from engine.core.lazyre import LazyPattern
from engine.scripts.directives import Report, is_near_marker

MARKER = LazyPattern(r"^--\s*migrate:(up|down)$", re.IGNORECASE)
_FOREIGN_MARKERS = (
    (LazyPattern(r"^--\s*\+goose\b", re.IGNORECASE), "goose"),
    (LazyPattern(r"^--\s*\+migrate\b", re.IGNORECASE), "sql-migrate"),
    (LazyPattern(r"^--\s*!\s*(?:ups|downs)\b", re.IGNORECASE), "Play evolutions"),
    (LazyPattern(r"^--\s*migrate:(?:up|down)\s+\w+:", re.IGNORECASE), "dbmate"),  # options
)
SPLIT_NAME = LazyPattern(r"^\d+_\w+\.(?:up|down)\.sql$", re.IGNORECASE)  # golang-migrate


def find_markers(
    lines: list[str], *, repair: bool, report: Report
) -> tuple[int | None, int | None]:
    """The file lines of the up and down markers (None where there is none)."""
    up: int | None = None
    down: int | None = None
    foreign: dict[str, list[int]] = {}
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        found = MARKER.match(stripped)
        if found is None:
            tool = foreign_tool(stripped)
            if tool is not None:
                foreign.setdefault(tool, []).append(number)
            elif is_near_marker(stripped):
                report("bad_marker", number, f"'{stripped}' is not a marker sqlmig knows")
            continue
        if found.group(1).lower() == "up":
            if up is None and down is None:
                up = number
            else:
                report("bad_directive", number, "misplaced '-- migrate:up' marker")
        elif repair:
            report("bad_repair", number, "repair scripts have no down part")
        elif down is not None:
            report("bad_directive", number, "second '-- migrate:down' marker")
        else:
            down = number
    for tool, numbers in foreign.items():
        first = lines[numbers[0] - 1].strip()
        more = f" (and {len(numbers) - 1} more such line(s))" if len(numbers) > 1 else ""
        what = (
            f"'{first}' is a {tool} marker{more}, which sqlmig does not read (to SQLite it is "
            "a comment, so a down part after it would run as part of the upgrade)"
        )
        report("foreign_marker", numbers[0], what, foreign_hint(tool))
    return up, down


def foreign_tool(line: str) -> str | None:
    """The tool whose up/down marker a stripped line is, if it is another tool's."""
    return next((tool for pattern, tool in _FOREIGN_MARKERS if pattern.match(line)), None)


def foreign_hint(tool: str) -> str:
    return (
        f"This looks like a {tool} file in a folder of sqlmig's own files: sqlmig does not read "
        "that convention yet in such a folder. Write one NNNN_slug.sql file with the up part, "
        "then a line '-- migrate:down' and the down part (docs/authoring-migrations.md); or keep "
        f"the folder all {tool}'s and, where the tool is supported, set convention = \"…\" in "
        "sqlmig.toml (docs/other-tools.md)."
    )
