"""Text handling for migration files: decoding, checksums, statement splitting.

Pure functions over strings. ``sqlite3`` is used only for ``complete_statement`` (SQLite's own
tokenizer), which needs no connection; nothing here touches a database.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

_BOM = "\ufeff"
_SPACE = " \t\n\v\f\r"  # SQLite's whitespace; str.isspace() is wider
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK"})
# Pragmas that are silently ignored or refused inside a transaction.
_NO_TRANSACTION_PRAGMAS = {
    "JOURNAL_MODE": "PRAGMA journal_mode cannot change the journal mode inside a transaction",
    "FOREIGN_KEYS": "PRAGMA foreign_keys has no effect inside a transaction",
}


class Statement(NamedTuple):
    """One complete SQL statement and where it starts in its file."""

    sql: str  # as written, from its first token to its ';' inclusive
    line: int  # 1-based file line of the first token


def normalize_text(raw: bytes) -> str:
    """Decode UTF-8 strictly, drop a leading BOM and turn CRLF and lone CR into LF.

    A ``UnicodeDecodeError`` reaches the caller, which knows the file name.
    """
    return _normalize_str(raw.decode("utf-8"))


def _normalize_str(text: str) -> str:
    if text.startswith(_BOM):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def checksum(text: str) -> str:
    """``sha256:`` + hex digest of the normalised text (SPEC §7.8).

    Normalising again is idempotent and makes the result independent of line endings and a BOM
    even when a caller passes text that did not come through ``normalize_text``.
    """
    digest = hashlib.sha256(_normalize_str(text).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def statements_text(statements: Iterable[str]) -> str:
    """A step's statements as one text, each ending with exactly one ';' (as the audit table
    keeps a step and as drift compares it)."""
    return "\n".join(s if s.rstrip().endswith(";") else s.rstrip() + ";" for s in statements)


def _skip_space_and_comments(text: str, pos: int) -> int:
    """Index of the first character at or after ``pos`` that is not whitespace or a comment."""
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch in _SPACE:
            pos += 1
        elif text.startswith("--", pos):
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            # SQLite treats an unterminated block comment as running to the end of input.
            pos = n if end < 0 else end + 2
        else:
            break
    return pos


def split_statements(text: str, first_line: int = 1) -> tuple[tuple[Statement, ...], int | None]:
    """Split ``text`` into complete statements with their file line numbers.

    Each ';' is a candidate end; SQLite's ``complete_statement`` decides whether it really ends a
    statement, so semicolons in strings, comments and trigger bodies are handled by SQLite's own
    rules. Returns the statements and the file line where trailing text that never became a
    complete statement starts (None when there is none). Empty statements (a lone ';') and
    comment-only chunks are dropped.
    """
    statements: list[Statement] = []
    start = 0  # start of the current chunk (may begin with comments)
    search = 0
    while True:
        semi = text.find(";", search)
        if semi < 0:
            break
        search = semi + 1
        if not sqlite3.complete_statement(text[start:search]):
            continue
        begin = _skip_space_and_comments(text, start)
        if begin < semi:  # not an empty statement
            line = first_line + text.count("\n", 0, begin)
            statements.append(Statement(text[begin:search].rstrip(), line))
        start = search
    rest = _skip_space_and_comments(text, start)
    incomplete = first_line + text.count("\n", 0, rest) if rest < len(text) else None
    return tuple(statements), incomplete


def _tokens(sql: str, limit: int = 4) -> list[str]:
    """Up to ``limit`` leading tokens of ``sql``, upper-cased: words, quoted names, symbols.

    Only as much lexing as keyword checks need; it stops at a string literal.
    """
    out: list[str] = []
    pos = 0
    n = len(sql)
    while len(out) < limit:
        pos = _skip_space_and_comments(sql, pos)
        if pos >= n:
            break
        ch = sql[pos]
        if ch.isalnum() or ch == "_":
            end = pos
            while end < n and (sql[end].isalnum() or sql[end] in "_$"):
                end += 1
            out.append(sql[pos:end].upper())
            pos = end
        elif ch in '"`[':
            close = "]" if ch == "[" else ch
            end = sql.find(close, pos + 1)
            if end < 0:
                break
            out.append(sql[pos + 1 : end].upper())
            pos = end + 1
        elif ch == "'":
            break
        else:
            out.append(ch)
            pos += 1
    return out


def first_keywords(sql: str, n: int = 2) -> tuple[str, ...]:
    """Up to ``n`` upper-cased leading words of ``sql``, skipping comments.

    Stops at the first token that is not a word: ``PRAGMA user_version = 3`` gives
    ``("PRAGMA", "USER_VERSION")``, ``VACUUM;`` gives ``("VACUUM",)``.
    """
    words: list[str] = []
    for token in _tokens(sql, n):
        if len(words) >= n or not (token[:1].isalpha() or token[:1] == "_"):
            break
        words.append(token)
    return tuple(words)


def is_transaction_control(sql: str) -> bool:
    """True for BEGIN / COMMIT / END / ROLLBACK: never allowed in a migration file."""
    words = first_keywords(sql, 1)
    return bool(words) and words[0] in _TRANSACTION_CONTROL


def needs_no_transaction(sql: str) -> str | None:
    """Why ``sql`` cannot run inside the runner's transaction, or None if it can."""
    tokens = _tokens(sql)
    if not tokens:
        return None
    head = tokens[0]
    if head == "VACUUM":
        return "VACUUM cannot run inside a transaction"
    if head in _TRANSACTION_CONTROL:
        return f"{head} is transaction control, which would break the runner's own transaction"
    if head == "PRAGMA" and len(tokens) >= 2:
        # PRAGMA [schema.]name ...: the name is after the dot when there is one.
        name = tokens[3] if len(tokens) >= 4 and tokens[2] == "." else tokens[1]
        return _NO_TRANSACTION_PRAGMAS.get(name)
    return None


def strip_leading_comments(sql: str) -> str:
    """``sql`` without the whitespace and comments before its first token."""
    return sql[_skip_space_and_comments(sql, 0) :]


def quote_ident(name: str) -> str:
    """`name` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
