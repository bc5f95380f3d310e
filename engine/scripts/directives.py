"""Directives: `-- name: value` lines in a migration's (or repair script's) leading comments.

`DIRECTIVES` is the one table of them: each directive's name, the kind of file it belongs in,
its value grammar and how it sets the `Directives` record. Reading, checking and the list of
known names all come from it (docs/authoring-migrations.md describes them for authors).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from engine.core.lazyre import LazyPattern
from engine.scripts.sqltext import first_keywords, split_statements

Moves = tuple[tuple[str, tuple[str, ...]], ...]


class Directives(NamedTuple):
    transaction: bool = True
    foreign_keys_off: bool = False
    when: str | None = None  # SQL query; the step runs when its first value is true
    before: int | None = None  # repair scripts: run just before this migration version
    present: str | None = None  # legacy bridge: true when the effect is already present
    reason: str | None = None  # repairs: one sentence for `status` when `when` is true
    moves: Moves = ()  # row moves the ledger must allow: (source table, target tables)
    attach: bool = False  # `attach: allow`: may ATTACH (or VACUUM INTO) another database file


class Report(Protocol):
    def __call__(self, kind: str, line: int | None, what: str, hint: str = "") -> None: ...


# Where a directive may stand.
MIGRATIONS, REPAIRS, BOTH = "migrations", "repairs", "both"
_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?"  # a table, or table.column for a column move
_MOVES = LazyPattern(rf"^({_NAME})\s*->\s*({_NAME}(?:\s*,\s*{_NAME})*)$")
_DIRECTIVE = LazyPattern(r"^--\s*([a-z][a-z0-9-]*):\s*(.*)$")
_CONTINUATION = LazyPattern(r"^--[ \t]{2,}(\S.*)$")
_NEAR_MARKER = LazyPattern(r"^--\s*migrate\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    name: str
    where: str  # MIGRATIONS, REPAIRS or BOTH
    wrong: Callable[[str, bool], str | None]  # (value, in a repair) -> what is wrong, or None
    apply: Callable[[Directives, str], Directives]
    query: bool = False  # a SQL query: may go on over comment lines indented two spaces or more
    repeats: bool = False  # may be given more than once (each adds to the record)


def _one_of(name: str, *allowed: str) -> Callable[[str, bool], str | None]:
    words = " or ".join(f"'{a}'" for a in allowed)

    def wrong(value: str, _repair: bool) -> str | None:
        return None if value.lower() in allowed else f"'{name}: {value}' must be {words}"

    return wrong


def _transaction(value: str, repair: bool) -> str | None:
    if value.lower() not in ("yes", "no"):
        return f"'transaction: {value}' must be 'no' or 'yes'"
    if repair and value.lower() == "no":
        return "repair scripts always run inside the plan's transaction"
    return None


def _version(value: str, _repair: bool) -> str | None:
    ok = value.isascii() and value.isdigit()
    return None if ok else f"'before: {value}' is not a migration number such as 0012"


def _sentence(value: str, _repair: bool) -> str | None:
    return None if value.strip() else "'reason:' needs a sentence"


def _moves(value: str, _repair: bool) -> str | None:
    if _MOVES.match(value.strip()):
        return None
    return f"'moves: {value}' must read 'moves: source -> target[, target2]'"


def _query_of(name: str) -> Callable[[str, bool], str | None]:
    def wrong(value: str, _repair: bool) -> str | None:
        error = query_error(query(value))
        return f"'{name}:' {error}" if error else None

    return wrong


def _add_moves(d: Directives, value: str) -> Directives:
    hit = _MOVES.match(value.strip())
    assert hit is not None  # checked by `_moves` first
    targets = tuple(t.strip() for t in hit.group(2).split(","))
    return d._replace(moves=(*d.moves, (hit.group(1), targets)))


DIRECTIVES: tuple[Directive, ...] = (
    Directive("transaction", BOTH, _transaction,
              lambda d, v: d._replace(transaction=v.lower() == "yes")),
    Directive("foreign-keys", BOTH, _one_of("foreign-keys", "off", "on"),
              lambda d, v: d._replace(foreign_keys_off=v.lower() == "off")),
    Directive("when", BOTH, _query_of("when"), lambda d, v: d._replace(when=query(v)), query=True),
    Directive("before", REPAIRS, _version, lambda d, v: d._replace(before=int(v))),
    Directive("present", MIGRATIONS, _query_of("present"),
              lambda d, v: d._replace(present=query(v)), query=True),
    Directive("reason", BOTH, _sentence, lambda d, v: d._replace(reason=v.strip())),
    Directive("moves", BOTH, _moves, _add_moves, repeats=True),
    Directive("attach", BOTH, _one_of("attach", "allow"), lambda d, v: d._replace(attach=True)),
)  # fmt: skip
BY_NAME = {d.name: d for d in DIRECTIVES}
KNOWN = tuple(BY_NAME)
_MISPLACED = {
    MIGRATIONS: "'{name}:' is only for numbered migrations",
    REPAIRS: "'{name}:' is only for repair scripts; migrations run in version order",
}


def read_directives(
    lines: list[str], block_end: int, *, repair: bool, report: Report
) -> Directives:
    """The directives of file lines 1 .. block_end - 1 (the leading comment block); every
    problem goes to `report(kind, line, what, hint)`."""
    found: list[tuple[Directive, str, int]] = []
    given: set[str] = set()
    index = 0
    while index < block_end - 1:
        number, hit = index + 1, directive_line(lines[index].strip())
        index += 1
        if hit is None:
            continue
        name, value = hit
        directive = BY_NAME.get(name)
        if directive is None:
            report(
                "unknown_directive",
                number,
                f"unknown directive '{name}:'",
                f"Known directives: {', '.join(KNOWN)}. For a free-text comment, start "
                f"with a capital letter or drop the colon: '-- {name.capitalize()}: ...'.",
            )
            continue
        while directive.query and index < block_end - 1:
            more = lines[index].strip()
            cont = _CONTINUATION.match(more)
            if cont is None or (directive_line(more) or ("",))[0] in BY_NAME:
                break
            value += "\n" + cont.group(1).rstrip()
            index += 1
        if name in given and not directive.repeats:
            report("bad_directive", number, f"directive '{name}:' is given twice")
            continue
        given.add(name)
        found.append((directive, value, number))
    result = Directives()
    for directive, value, number in found:
        error = _misplaced(directive, repair) or directive.wrong(value, repair)
        if error:
            report("bad_directive", number, error)
        else:
            result = directive.apply(result, value)
    return result


def _misplaced(directive: Directive, repair: bool) -> str | None:
    wanted = REPAIRS if repair else MIGRATIONS
    if directive.where in (BOTH, wanted):
        return None
    return _MISPLACED[directive.where].format(name=directive.name)


def is_near_marker(line: str) -> bool:
    """Like `-- migrate:` (engine/scripts/markers.py): a marker, perhaps misspelled or with
    trailing text, never a directive."""
    return _NEAR_MARKER.match(line) is not None


def directive_line(line: str) -> tuple[str, str] | None:
    """(name, value) when a stripped line is written as a directive; None for free text."""
    hit = None if is_near_marker(line) else _DIRECTIVE.match(line)
    if hit is None or hit.group(2).startswith("//"):  # a URL is free text
        return None
    return hit.group(1), hit.group(2).strip()


def query(value: str) -> str:
    return value.rstrip().rstrip(";").rstrip()


def query_error(text: str) -> str | None:
    if not text:
        return "needs a SQL query"
    statements, stray = split_statements(text + "\n;")  # "\n": a query may end in -- text
    if stray is not None or len(statements) != 1:
        return "must be exactly one complete SQL query"
    if first_keywords(statements[0].sql, 1)[:1] in (("SELECT",), ("WITH",), ("VALUES",)):
        return None
    return "must be a query (SELECT, WITH or VALUES)"
