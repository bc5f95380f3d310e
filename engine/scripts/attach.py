"""Keep migrations inside the one file being upgraded: the text side.

`ATTACH` (and `VACUUM INTO`, which SQLite authorizes as an attach) lets a statement write a file
other than the one sqlmig backed up and checks. A migration may only do that when it says
`-- attach: allow`: the catalog checks the text with `reaches_another_file`, and the authorizer
(engine/core/authorizer.py) enforces it on every connection that runs migration SQL. The
expected-schema replay and a dry run's rehearsal never reach a file at all: `in_memory` points
such a statement at an in-memory database under the same name.
"""

from __future__ import annotations

import re

from engine.core.lazyre import LazyPattern
from engine.scripts.sqltext import first_keywords, strip_leading_comments

_NAME = r"""(?:"(?:[^"]|"")+"|\[[^\]]+\]|`(?:[^`]|``)+`|'(?:[^']|'')*'|[A-Za-z_][\w$]*)"""
_ATTACH = LazyPattern(rf"^ATTACH\b[\s\S]*\bAS\s+({_NAME})\s*;?\s*$", re.IGNORECASE)
_VACUUM_INTO = LazyPattern(rf"^(VACUUM(?:\s+{_NAME})?\s+INTO)\b[\s\S]*$", re.IGNORECASE)


class UnreadableAttach(ValueError):
    """A statement that reaches another file, in a form whose target cannot be read."""


def reaches_another_file(sql: str) -> str | None:
    """'ATTACH' or 'VACUUM INTO' when the statement can write another file, else None."""
    words = first_keywords(sql, 3)
    if words[:1] == ("ATTACH",):
        return "ATTACH"
    if words[:1] == ("VACUUM",) and "INTO" in words:
        return "VACUUM INTO"
    return None


def in_memory(sql: str) -> str | None:
    """The statement with its file replaced by an in-memory database, or None when it reaches
    no file. The schema name stays, so the statements after it work the same."""
    what = reaches_another_file(sql)
    if what is None:
        return None
    text = strip_leading_comments(sql).rstrip()
    if what == "ATTACH":
        found = _ATTACH.match(text)
        if found is None:
            raise UnreadableAttach(f"cannot tell which schema name '{text}' attaches")
        return f"ATTACH ':memory:' AS {found.group(1)}"
    found = _VACUUM_INTO.match(text)
    if found is None:
        raise UnreadableAttach(f"cannot tell where '{text}' writes")
    return f"{found.group(1)} ':memory:'"
