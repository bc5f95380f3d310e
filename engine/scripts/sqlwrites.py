"""Which tables and columns a statement writes: INSERT, REPLACE, UPDATE (and upserts), DELETE,
also inside a trigger's body, and the copies `CREATE TABLE x AS SELECT`.

The value ledger uses it to know which columns a plan writes on purpose (their values may change)
and which tables a statement can change at all (their values are fingerprinted just before).
A light tokenizer, not a parser: it only has to find these few shapes, and where it cannot tell,
it answers on the safe side (a column is compared rather than assumed written).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

from engine.core.lazyre import LazyPattern
from engine.scripts.statements import guard_of, unquote

_TOKEN = LazyPattern(
    r"""
    (?P<skip>\s+|--[^\n]*|/\*[\s\S]*?(?:\*/|$))
    |(?P<string>'(?:[^']|'')*'|[xX]'[0-9a-fA-F]*')
    |(?P<name>"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|[A-Za-z_][\w$]*)
    |(?P<template>\{\{[\s\S]*?\}\})
    |(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
    |(?P<other>.)
    """,
    re.X,
)
_ENDS_ASSIGNMENTS = frozenset({"FROM", "WHERE", "RETURNING", "ORDER", "LIMIT"})


class Token(NamedTuple):
    text: str  # as written
    word: str  # upper-case for bare words (keywords), "" otherwise
    name: str  # lower-case unquoted identifier, "" for strings, numbers and punctuation
    at: int  # offset in the statement


class Write(NamedTuple):
    kind: str  # "insert" (also REPLACE and CREATE TABLE … AS), "update", "delete"
    table: str  # lower-case
    columns: tuple[str, ...] | None  # insert: the listed columns (None: all); update: SET ones
    source: str | None = None  # insert … select: the first table after FROM
    # insert: per column (listed, or the table's by position), the selected column's name when
    # it is a plain column reference (a copy), "" for an expression or a value (a write);
    # None: `SELECT *` (a copy by position)
    selected: tuple[str, ...] | None = ("",)


@functools.lru_cache(maxsize=512)
def tokens(sql: str) -> tuple[Token, ...]:
    out = []
    for hit in _TOKEN.finditer(sql):
        kind = hit.lastgroup
        text = hit.group()
        if kind == "skip":
            continue
        bare = kind == "name" and text[0] not in '"[`'
        name = unquote(text).lower() if kind == "name" else ""
        out.append(Token(text, text.upper() if bare else "", name, hit.start()))
    return tuple(out)


@functools.lru_cache(maxsize=512)
def writes(sql: str) -> tuple[Write, ...]:
    """Every write in the statement, in order (a trigger's body statements included)."""
    toks = tokens(sql)
    found: list[Write] = []
    table_as = _create_as(toks)
    if table_as is not None:
        found.append(table_as)
    last_insert = ""
    for i, tok in enumerate(toks):
        before = toks[i - 1].word if i else ""
        after = toks[i + 1].word if i + 1 < len(toks) else ""
        if (tok.word == "INSERT" and after in ("INTO", "OR")) or (
            tok.word == "REPLACE" and after == "INTO" and before != "OR"
        ):
            write = _insert(toks, i + 1)
        elif tok.word == "UPDATE" and before == "DO" and last_insert:
            write = _update(toks, i + 1, last_insert)
        elif tok.word == "UPDATE" and before != "ON" and after not in ("OF", "ON"):
            write = _update(toks, i + 1, None)
        elif tok.word == "DELETE" and after == "FROM" and before != "ON":
            table, _ = _qualified(toks, i + 2)
            write = Write("delete", table, None) if table else None
        else:
            continue
        if write is not None:
            found.append(write)
            if write.kind == "insert":
                last_insert = write.table
    return tuple(found)


def performed_writes(sql: str) -> tuple[Write, ...]:
    """The writes running `sql` performs now: none for CREATE TRIGGER (its body runs later)."""
    words = [t.word for t in tokens(sql)[:4]]
    if words[:1] == ["CREATE"] and "TRIGGER" in words:
        return ()
    return writes(sql)


def renamed_table(sql: str) -> tuple[str, str] | None:
    """`ALTER TABLE a RENAME TO b` -> (a, b), lower-case."""
    toks = tokens(sql)
    if len(toks) < 5 or [t.word for t in toks[:2]] != ["ALTER", "TABLE"]:
        return None
    old, at = _qualified(toks, 2)
    if at + 2 < len(toks) and toks[at].word == "RENAME" and toks[at + 1].word == "TO":
        return old, toks[at + 2].name
    return None


def tables_made(statements: Iterable[str]) -> set[str]:
    """Tables (lower-case) that these statements create or rename another table to."""
    found: set[str] = set()
    for sql in statements:
        guard = guard_of(sql)
        if guard is not None and guard.kind == "table":
            found.add(guard.name.lower())
        moved = renamed_table(sql)
        if moved is not None:
            found.add(moved[1])
    return found


def renamed_column(sql: str) -> tuple[str, str, str] | None:
    """`ALTER TABLE t RENAME [COLUMN] a TO b` -> (t, a, b), lower-case."""
    toks = tokens(sql)
    if len(toks) < 6 or [t.word for t in toks[:2]] != ["ALTER", "TABLE"]:
        return None
    table, at = _qualified(toks, 2)
    if at < len(toks) and toks[at].word == "RENAME":
        at += 2 if at + 1 < len(toks) and toks[at + 1].word == "COLUMN" else 1
        if at + 2 < len(toks) and toks[at + 1].word == "TO" and toks[at].word != "TO":
            return table, toks[at].name, toks[at + 2].name
    return None


# -- the shapes -------------------------------------------------------------------------------


def _qualified(toks: tuple[Token, ...], at: int) -> tuple[str, int]:
    """A possibly schema-qualified name starting at `at`: (lower-case name, index after it)."""
    if at >= len(toks) or not toks[at].name:
        return "", at
    if at + 2 < len(toks) and toks[at + 1].text == "." and toks[at + 2].name:
        return toks[at + 2].name, at + 3
    return toks[at].name, at + 1


def _create_as(toks: tuple[Token, ...]) -> Write | None:
    words = [t.word for t in toks[:8]]
    if words[:1] != ["CREATE"] or "TABLE" not in words[:3]:
        return None
    at = words.index("TABLE") + 1
    if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
        at += 3
    table, at = _qualified(toks, at)
    if at + 1 >= len(toks) or toks[at].word != "AS" or toks[at + 1].word not in ("SELECT", "WITH"):
        return None
    source, selected = _select(toks, at + 1)
    if selected is None or not all(selected):  # `*`, or columns named after expressions
        return Write("insert", table, None, source, selected)
    return Write("insert", table, selected, source, selected)


def _insert(toks: tuple[Token, ...], at: int) -> Write | None:
    if toks[at].word == "OR":
        at += 2
    if at >= len(toks) or toks[at].word != "INTO":
        return None
    table, at = _qualified(toks, at + 1)
    if at < len(toks) and toks[at].word == "AS":
        at += 2
    columns: tuple[str, ...] | None = None
    if at < len(toks) and toks[at].text == "(" and toks[at + 1].word not in ("SELECT", "WITH"):
        items, at = _list(toks, at + 1)
        columns = tuple(_single_name(item) for item in items)
    if at < len(toks) and toks[at].word in ("SELECT", "WITH"):
        source, selected = _select(toks, at)
        return Write("insert", table, columns, source, selected)
    return Write("insert", table, columns, None, ("",) * len(columns or ("",)))


def _select(toks: tuple[Token, ...], at: int) -> tuple[str | None, tuple[str, ...] | None]:
    """(first source table, per result column its plain column name or "") of a SELECT."""
    if toks[at].word != "SELECT":
        return None, ("",)  # a CTE first: nothing is known
    at += 1
    if at < len(toks) and toks[at].word in ("DISTINCT", "ALL"):
        return _source(toks, at), ("",)
    items, at = _list(toks, at, until=frozenset({"FROM"}))
    source = toks[at + 1].name if at + 1 < len(toks) and toks[at].word == "FROM" else None
    if len(items) == 1 and [t.text for t in items[0]] == ["*"]:
        return source, None
    return source, tuple(_column_ref(item) for item in items)


def _source(toks: tuple[Token, ...], at: int) -> str | None:
    depth = 0
    for i in range(at, len(toks)):
        depth += (toks[i].text == "(") - (toks[i].text == ")")
        if depth == 0 and toks[i].word == "FROM" and i + 1 < len(toks):
            return toks[i + 1].name or None
    return None


def _update(toks: tuple[Token, ...], at: int, table: str | None) -> Write | None:
    if table is None:
        if at < len(toks) and toks[at].word == "OR":
            at += 2
        table, at = _qualified(toks, at)
        while at < len(toks) and toks[at].word != "SET":
            at += 1  # an alias, INDEXED BY x, NOT INDEXED
    if at >= len(toks) or toks[at].word != "SET" or not table:
        return None
    columns: list[str] = []
    items, _ = _list(toks, at + 1, until=_ENDS_ASSIGNMENTS)
    for item in items:
        if item and item[0].text == "(":  # a row value: (a, b) = (…)
            for tok in item[1:]:
                if tok.text == ")":
                    break
                if tok.name:
                    columns.append(tok.name)
            continue
        if item and item[0].name:
            columns.append(item[0].name)
    return Write("update", table, tuple(dict.fromkeys(columns)))


def _list(
    toks: tuple[Token, ...], at: int, *, until: frozenset[str] = frozenset()
) -> tuple[list[list[Token]], int]:
    """Comma-separated items from `at` up to a closing parenthesis, `;`, or a keyword in `until`
    (all at depth 0; CASE … END counts as a bracket). Returns the items and where it stopped."""
    items: list[list[Token]] = [[]]
    depth = cases = 0
    while at < len(toks):
        tok = toks[at]
        if (
            depth == 0
            and cases == 0
            and (tok.text in (")", ";") or tok.word in until or (tok.word == "END" and not cases))
        ):
            break
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.word == "CASE":
            cases += 1
        elif tok.word == "END" and cases:
            cases -= 1
        if depth == 0 and cases == 0 and tok.text == ",":
            items.append([])
        else:
            items[-1].append(tok)
        at += 1
    if at < len(toks) and toks[at].text == ")" and not until:
        at += 1
    return [item for item in items if item], at


def _single_name(item: list[Token]) -> str:
    return item[0].name if len(item) == 1 else ""


def _column_ref(item: list[Token]) -> str:
    """`col`, `t.col` -> "col"; anything else (an expression, an alias) -> ""."""
    if len(item) == 1 and item[0].name:
        return item[0].name
    if len(item) == 3 and item[1].text == "." and item[0].name and item[2].name:
        return item[2].name
    return ""
