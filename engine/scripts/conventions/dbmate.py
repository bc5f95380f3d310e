"""dbmate: `VERSION_name.sql` (the version is the leading digits, often a 14-digit timestamp),
`-- migrate:up` and `-- migrate:down` blocks, each marker optionally followed by options such as
`transaction:false`. Its history is `schema_migrations(version varchar(128) primary key)`, the
version written as the file name's digits (amacneil/dbmate, pkg/dbmate/migration.go and
pkg/driver/sqlite/sqlite.go).
"""

from __future__ import annotations

import re

from engine.core.lazyre import LazyPattern
from engine.scripts.conventions import BOTH, Convention, FileName, Parts

_NAME = LazyPattern(r"^(\d+)_(.*)\.sql$")
_MARKER = LazyPattern(r"^--\s*migrate:(up|down)(?:\s+(.*))?$")
_OPTIONS_MARKER = LazyPattern(r"^--[ \t]*migrate:up[ \t]+\S", re.MULTILINE)


class Dbmate(Convention):
    name = "dbmate"
    tool = "dbmate"
    history_table = "schema_migrations"

    def parse_name(self, filename: str) -> FileName | None:
        found = _NAME.match(filename)
        if found is None or len(found.group(1)) > 18:  # a 64-bit integer
            return None
        return FileName(int(found.group(1)), found.group(1), found.group(2), BOTH)

    def owns(self, filename: str, text: str) -> bool:
        """Options after the up marker, or a version sqlmig's names cannot carry (a timestamp
        beyond 2^31) or a name outside sqlmig's slug grammar, in a file with `-- migrate:up`."""
        if not re.search(r"^--\s*migrate:up\b", text, re.MULTILINE):
            return False
        if _OPTIONS_MARKER.search(text):
            return True
        found = _NAME.match(filename)
        return found is not None and (
            int(found.group(1)) > 2**31 - 1 or not re.fullmatch(r"[a-z0-9_]+", found.group(2))
        )

    def split(self, text: str, part: str) -> Parts:
        lines = text.split("\n")
        up = down = None
        transaction = True
        problems: list[tuple[int | None, str]] = []
        for number, line in enumerate(lines, 1):
            found = _MARKER.match(line.strip())
            if found is None:
                continue
            options = (found.group(2) or "").split()
            for option in options:
                if option.lower() not in ("transaction:false", "transaction:true"):
                    problems.append((number, f"unknown dbmate option '{option}'"))
            if found.group(1) == "up":
                up = number if up is None else up
                transaction = "transaction:false" not in [o.lower() for o in options]
            elif down is None:
                down = number
        if up is None:
            problems.append((None, "dbmate needs a '-- migrate:up' line before the up part"))
            up = 0
        before = [n for n, line in enumerate(lines[: up - 1], 1) if _is_sql(line)] if up else []
        if before:
            problems.append((before[0], "SQL before '-- migrate:up' (dbmate does not run it)"))
        end = down if down is not None and down > up else len(lines) + 1
        up_text = "\n".join(lines[up:end - 1])
        down_text = "\n".join(lines[down:]) if down is not None else None
        return Parts(up_text, up + 1, down_text, (down or 0) + 1, transaction, tuple(problems))


def _is_sql(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("--")
