"""goose: `VERSION_name.sql` with `-- +goose Up` and `-- +goose Down` annotations,
`-- +goose StatementBegin`/`StatementEnd` around statements holding semicolons, and
`-- +goose NO TRANSACTION`. Its history is `goose_db_version(id, version_id, is_applied, tstamp)`,
one row per up or down run; version 0 is the row goose writes when it creates the table
(pressly/goose, internal/sqlparser/parser.go and internal/dialect/dialectquery/sqlite3.go).
"""

from __future__ import annotations

import re

from engine.core.lazyre import LazyPattern
from engine.scripts.conventions import BOTH, Convention, FileName, Parts

_NAME = LazyPattern(r"^(\d+)_(.*)\.sql$")
_ANNOTATION = LazyPattern(r"^--\s*\+goose\s+(.*?)\s*$", re.IGNORECASE)
_KNOWN = ("up", "down", "statementbegin", "statementend", "no transaction", "envsub on",
          "envsub off")


class Goose(Convention):
    name = "goose"
    tool = "goose"
    history_table = "goose_db_version"

    def parse_name(self, filename: str) -> FileName | None:
        found = _NAME.match(filename)
        if found is None or len(found.group(1)) > 18:
            return None
        return FileName(int(found.group(1)), found.group(1), found.group(2), BOTH)

    def owns(self, filename: str, text: str) -> bool:
        return any(_annotation(line) == "up" for line in text.split("\n"))

    def split(self, text: str, part: str) -> Parts:
        lines = text.split("\n")
        up = down = None
        transaction = True
        problems: list[tuple[int | None, str]] = []
        for number, line in enumerate(lines, 1):
            word = _annotation(line)
            if word is None:
                continue
            if word not in _KNOWN:
                what = f"'{line.strip()}' is not a goose annotation sqlmig knows"
                problems.append((number, what))
            elif word == "up" and up is None:
                up = number
            elif word == "down" and down is None:
                down = number
            elif word == "no transaction":
                transaction = False
            elif word.startswith("envsub"):
                problems.append((number, "goose's ENVSUB is not supported by sqlmig"))
        if up is None:
            problems.append((None, "goose needs a '-- +goose Up' line before the up part"))
            up = 0
        end = down if down is not None and down > up else len(lines) + 1
        up_text = "\n".join(lines[up:end - 1])
        down_text = "\n".join(lines[down:]) if down is not None else None
        return Parts(up_text, up + 1, down_text, (down or 0) + 1, transaction, tuple(problems))


def _annotation(line: str) -> str | None:
    found = _ANNOTATION.match(line.strip())
    return " ".join(found.group(1).lower().split()) if found else None
