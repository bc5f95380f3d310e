"""A column filter as the user types it (`= 5`, `> 3`, `like 'a%'`, `is null`, `abc`), parsed
into a parameterised condition: the user's text only ever reaches SQLite as a bound value, and the
column only as a quoted identifier.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from engine.core.errors import UsageError

_OPERATORS = ("not like", "not glob", "like", "glob", "<=", ">=", "!=", "<>", "==", "=", "<", ">")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NULL_TESTS = {"is null": "IS NULL", "is not null": "IS NOT NULL",
               "null": "IS NULL", "not null": "IS NOT NULL"}  # fmt: skip
HINT = ("Write an operator and a value, e.g. = 5, > 3, like 'a%', != 'x', is null, is not null; "
        "plain text finds the values that contain it.")


class Condition(NamedTuple):
    sql: str  # e.g. '"name" LIKE ?'
    params: tuple[object, ...]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parse_value(text: str) -> object:
    """A number, a 'quoted string' ('' for a quote inside), or the bare text itself."""
    text = text.strip()
    if _NUMBER.fullmatch(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        inner = text[1:-1]
        if text[0] in inner.replace(text[0] * 2, ""):
            raise UsageError(f"The value {text} has a quote inside it that is not doubled.",
                             hint=HINT)
        return inner.replace(text[0] * 2, text[0])
    return text


def parse_filter(column: str, text: str) -> Condition | None:
    """The condition for `column` that `text` asks for; None when the text is empty.

    Raises `UsageError` (a sentence and a hint) for a filter that has an operator and no value."""
    stripped = text.strip()
    if not stripped:
        return None
    target = quote_identifier(column)
    lowered = " ".join(stripped.lower().split())
    if lowered in _NULL_TESTS:
        return Condition(f"{target} {_NULL_TESTS[lowered]}", ())
    for op in _OPERATORS:
        if lowered.startswith(op) and (not op[-1].isalpha() or lowered[len(op):][:1] in (" ",
                                                                                         "'")):
            rest = stripped[len(op):].strip()
            if not rest:
                raise UsageError(f"The filter on {column} says '{stripped}' but gives no value.",
                                 hint=HINT)
            sql_op = {"==": "=", "<>": "!="}.get(op, op.upper())
            return Condition(f"{target} {sql_op} ?", (parse_value(rest),))
    # Plain text: the values that contain it (LIKE's own wildcards in it are matched literally).
    escaped = stripped.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Condition(f"{target} LIKE ? ESCAPE '\\'", (f"%{escaped}%",))


def where_clause(filters: dict[str, str]) -> Condition:
    """Every column's filter joined with AND ("" and no parameters when there is none)."""
    parts: list[str] = []
    params: list[object] = []
    for column, text in filters.items():
        condition = parse_filter(column, text)
        if condition is not None:
            parts.append(condition.sql)
            params.extend(condition.params)
    return Condition(" AND ".join(parts), tuple(params))
