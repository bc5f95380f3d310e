"""Normalise SQLite SQL text and read the few facts PRAGMAs cannot give.

Schema comparison uses PRAGMAs wherever they see; this module serves the places they are blind
(CHECK clauses, AUTOINCREMENT, WITHOUT ROWID / STRICT, expression and partial index bodies,
trigger and view bodies). Everything works on one small tokenizer, so comments, string literals
and quoted identifiers (a column named "check", a comment saying AUTOINCREMENT) never fool it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from engine.core.lazyre import LazyPattern

_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# SQLite treats every character >= 0x80 as an identifier character.
_WORD_CHARS = "A-Za-z0-9_$\x80-\U0010ffff"
_WORD_CHAR = LazyPattern(f"[{_WORD_CHARS}]")
_PLAIN = LazyPattern(f"[A-Za-z_\x80-\U0010ffff][{_WORD_CHARS}]*")
# One alternative per token kind. SQLite's whitespace set is used (str.isspace() is wider);
# unterminated comments, strings and quoted identifiers run to the end of the text.
_TOKEN = LazyPattern(
    rf"""(?P<space>[ \t\n\v\f\r]+|--[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>'(?:[^']|'')*'?)
    |"(?P<dq>(?:[^"]|"")*)"?
    |`(?P<bt>(?:[^`]|``)*)`?
    |\[(?P<br>[^\]]*)\]?
    |(?P<word>[{_WORD_CHARS}]+)
    |(?P<punct>.)""",
    re.S | re.X,
)


_UNESCAPE = {"dq": lambda c: c.replace('""', '"'), "bt": lambda c: c.replace("``", "`")}


class Token(NamedTuple):
    kind: str  # "word" (text case-folded), "string", "ident" (quoted; text = content), "punct"
    text: str
    space_before: bool  # whitespace or a comment separated it from the previous token


def fold(text: str) -> str:
    """ASCII-only case folding, as SQLite does for identifiers and keywords."""
    return text.translate(_FOLD)


def tokenize(text: str) -> list[Token]:
    """Split SQL into tokens; comments count as whitespace."""
    tokens: list[Token] = []
    space = False
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            space = True
            continue
        if kind == "word":
            tokens.append(Token("word", fold(m.group()), space))
        elif kind in ("string", "punct"):
            tokens.append(Token(str(kind), m.group(), space))
        else:  # a quoted identifier: "" and `` escape themselves, [..] has no escape
            content = m.group(str(kind))
            content = _UNESCAPE[kind](content) if kind in _UNESCAPE else content
            tokens.append(Token("ident", content, space))
        space = False
    return tokens


def _plain(name: str) -> bool:
    return _PLAIN.fullmatch(name) is not None


def _render(tok: Token) -> str:
    if tok.kind == "string":
        return tok.text
    if tok.kind == "ident":
        name = fold(tok.text)
        return name if _plain(name) else '"' + name.replace('"', '""') + '"'
    return tok.text


def _needs_space(left: str, right: str, tok_left: Token, tok_right: Token) -> bool:
    # Mandatory separators keep the output re-tokenizing into the same tokens (idempotence).
    if _WORD_CHAR.match(left[-1]) and _WORD_CHAR.match(right[0]):
        return True
    if left[-1] + right[0] in ("--", "/*", "''", '""'):
        return True
    if not tok_right.space_before:
        return False
    return tok_left.kind != "punct" and tok_right.kind != "punct"


def normalize_tokens(tokens: list[Token]) -> str:
    out: list[str] = []
    prev: Token | None = None
    prev_text = ""
    for tok in tokens:
        text = _render(tok)  # never empty: an empty quoted identifier renders as ""
        if prev is not None and _needs_space(prev_text, text, prev, tok):
            out.append(" ")
        out.append(text)
        prev, prev_text = tok, text
    return "".join(out)


def normalize_sql(text: str) -> str:
    """Comment-free, whitespace-collapsed, case-folded SQL; string literals kept exactly.

    Spaces next to punctuation are dropped, quoted identifiers that are plain words lose their
    quotes ("x", [x], `x` -> x) and the others are re-quoted with double quotes.
    """
    return normalize_tokens(tokenize(text))


def normalize_type(declared: str | None) -> str:
    """Declared type, upper-cased, whitespace collapsed: "varchar ( 10 )" -> "VARCHAR(10)"."""
    collapsed = " ".join((declared or "").split()).upper()
    return re.sub(r" ?([(),]) ?", r"\1", collapsed)


def normalize_default(text: str | None) -> str | None:
    """A column default expression; DEFAULT (0) and DEFAULT 0 mean the same, so parens go."""
    if text is None:
        return None
    return normalize_tokens(strip_outer_parens(tokenize(text)))


def _match(tokens: list[Token], start: int) -> int:
    """Index of the ")" closing the "(" at start (len(tokens) if unbalanced)."""
    depth = 0
    for i in range(start, len(tokens)):
        tok = tokens[i]
        if tok.kind == "punct":
            if tok.text == "(":
                depth += 1
            elif tok.text == ")":
                depth -= 1
                if depth == 0:
                    return i
    return len(tokens)


def _is(tok: Token, kind: str, *texts: str) -> bool:
    return tok.kind == kind and tok.text in texts


def strip_outer_parens(tokens: list[Token]) -> list[Token]:
    """Drop redundant parentheses around a whole expression: ((a+1)) -> a+1."""
    while (
        len(tokens) >= 2 and _is(tokens[0], "punct", "(") and _match(tokens, 0) == len(tokens) - 1
    ):
        tokens = tokens[1:-1]
    return tokens


def _first_paren(tokens: list[Token], start: int = 0) -> int:
    for i in range(start, len(tokens)):
        if _is(tokens[i], "punct", "("):
            return i
    return len(tokens)


_TABLE_HINT = LazyPattern("check|autoincrement|rowid|strict", re.IGNORECASE)


@dataclass(frozen=True)
class TableText:
    checks: tuple[str, ...]
    autoincrement: bool
    without_rowid: bool
    strict: bool


def parse_create_table(sql: str) -> TableText:
    """CHECK clauses (normalised, sorted) and table options from CREATE TABLE text."""
    if not _TABLE_HINT.search(sql):  # most tables have none of these: skip tokenizing
        return TableText(checks=(), autoincrement=False, without_rowid=False, strict=False)
    tokens = tokenize(sql)
    open_ = _first_paren(tokens)
    close = _match(tokens, open_)
    checks: list[str] = []
    autoincrement = False
    i = open_ + 1
    while i < close:
        tok = tokens[i]
        if _is(tok, "word", "autoincrement"):
            autoincrement = True
        elif _is(tok, "word", "check") and i + 1 < close and _is(tokens[i + 1], "punct", "("):
            end = _match(tokens, i + 1)
            checks.append(normalize_tokens(strip_outer_parens(tokens[i + 2 : end])))
            i = end
        i += 1
    tail = {t.text for t in tokens[close + 1 :] if t.kind == "word"}
    return TableText(
        checks=tuple(sorted(checks)),
        autoincrement=autoincrement,
        without_rowid="rowid" in tail,
        strict="strict" in tail,
    )


@dataclass(frozen=True)
class IndexText:
    terms: tuple[str, ...]  # normalised key terms without COLLATE / ASC / DESC (PRAGMAs give those)
    where: str | None


def parse_create_index(sql: str) -> IndexText:
    """Key terms and the partial-index WHERE clause of a CREATE INDEX statement."""
    tokens = tokenize(sql)
    on = next((i for i, t in enumerate(tokens) if _is(t, "word", "on")), 0)
    open_ = _first_paren(tokens, on)
    close = _match(tokens, open_)
    terms: list[str] = []
    depth, start = 0, open_ + 1
    for i in range(open_ + 1, close + 1):
        tok = tokens[i]
        if tok.kind == "punct" and tok.text == "(":
            depth += 1
        elif tok.kind == "punct" and tok.text == ")" and depth > 0:
            depth -= 1
        elif depth == 0 and (i == close or _is(tok, "punct", ",")):
            terms.append(_strip_order(tokens[start:i]))
            start = i + 1
    tail = tokens[close + 1 :]
    where = None
    if tail and _is(tail[0], "word", "where"):
        where = normalize_tokens(strip_outer_parens(tail[1:]))
    return IndexText(terms=tuple(terms), where=where)


def _strip_order(term: list[Token]) -> str:
    if term and _is(term[-1], "word", "asc", "desc"):
        term = term[:-1]
    if len(term) >= 2 and _is(term[-2], "word", "collate"):
        term = term[:-2]
    return normalize_tokens(strip_outer_parens(term))


def _skip_words(tokens: list[Token], i: int, *words: str) -> int:
    """Index after the optional word sequence at i (unchanged when it is not there)."""
    end = i + len(words)
    found = [t.text for t in tokens[i:end] if t.kind == "word"]
    return end if found == list(words) else i


def trigger_body(sql: str) -> str:
    """Normalised CREATE TRIGGER text from the trigger's name on."""
    tokens = tokenize(sql)
    i = _skip_words(tokens, 0, "create")
    i = max(_skip_words(tokens, i, "temp"), _skip_words(tokens, i, "temporary"))
    i = _skip_words(tokens, i, "trigger")
    i = _skip_words(tokens, i, "if", "not", "exists")
    return normalize_tokens(tokens[i:])


def view_body(sql: str) -> str:
    """Normalised text after "AS" of a CREATE VIEW, led by its column list if it has one."""
    tokens = tokenize(sql)
    as_ = next((i for i, t in enumerate(tokens) if _is(t, "word", "as")), -1)
    open_ = _first_paren(tokens)
    columns = ""
    if open_ < as_:  # CREATE VIEW v(a, b) AS ...: the names are part of the view's shape
        columns = normalize_tokens(tokens[open_ : _match(tokens, open_) + 1]) + " "
    return columns + normalize_tokens(tokens[as_ + 1 :])
