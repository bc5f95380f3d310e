"""Do a file's views and triggers still compile? And re-pointing one at a renamed column.

SQLite checks a view's or a trigger's body only when it is used, so a table rebuilt without a
column leaves a view or a trigger that fails at the app's next query. `broken_objects` compiles
each one (`SELECT * FROM v LIMIT 0`; `EXPLAIN` of a statement that would fire the trigger) on a
schema-only copy in memory: it never writes to the file and never runs a trigger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import NamedTuple

from engine.core.connect import quote_ident
from engine.scripts.sqlwrites import Token, tokens

Renames = Mapping[str, Mapping[str, str]]  # table -> old column -> new column (lower-case)
# Not the object's fault: the app registers functions this process does not have.
_UNKNOWABLE = ("no such function", "unsafe use of")


class Broken(NamedTuple):
    kind: str  # "view" or "trigger"
    name: str
    table: str
    error: str

    def sentence(self) -> str:
        return f"The {self.kind} {self.name} does not compile: {self.error}."


def broken_objects(
    conn: sqlite3.Connection, *, wanted: Callable[[str], bool] | None = None
) -> list[Broken]:
    """Views and triggers of `conn`'s main schema that do not compile (those `wanted` names)."""
    master = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    ).fetchall()
    checked = [
        row for row in master if row[0] in ("view", "trigger") and (not wanted or wanted(row[1]))
    ]
    if not checked:
        return []
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        missing = set()  # tables this process cannot create (a virtual table's module)
        for kind, name, _table, sql in master:
            if kind in ("table", "view"):
                try:
                    memory.execute(sql)
                except sqlite3.Error:
                    missing.add(str(name).lower())
        out = []
        for kind, name, table, sql in checked:
            error = _compile(memory, str(kind), str(name), str(table), str(sql))
            unknowable = str(table).lower() in missing or (
                error is not None
                and error.startswith("no such table")
                and error.lower().rpartition(".")[2].rpartition(" ")[2] in missing
            )
            if error is not None and not unknowable:
                out.append(Broken(str(kind), str(name), str(table), error))
        return out
    finally:
        memory.close()


def compiles(conn: sqlite3.Connection, kind: str, name: str) -> str | None:
    """SQLite's error for one view or trigger of `conn`, None when it compiles."""
    found = broken_objects(conn, wanted=lambda n: n.lower() == name.lower())
    return next((b.error for b in found if b.kind == kind), None)


def _compile(memory: sqlite3.Connection, kind: str, name: str, table: str, sql: str) -> str | None:
    try:
        if kind == "view":
            memory.execute(f"SELECT * FROM {quote_ident(name)} LIMIT 0").fetchall()
            return None
        memory.execute(sql)
        try:
            for statement in _firing(memory, sql, table):
                memory.execute(f"EXPLAIN {statement}").fetchall()
        finally:
            memory.execute(f"DROP TRIGGER IF EXISTS {quote_ident(name)}")
    except sqlite3.Error as exc:
        message = str(exc)
        return None if message.startswith(_UNKNOWABLE) else message
    return None


def _firing(memory: sqlite3.Connection, sql: str, table: str) -> list[str]:
    """Statements that would fire the trigger (compiled by EXPLAIN, never run)."""
    toks = tokens(sql)
    on = next((i for i, t in enumerate(toks) if t.word == "ON"), None)  # the header's comes first
    if on is None:
        return []
    header = [t.word for t in toks[:on]]
    target = quote_ident(table)
    if "DELETE" in header:
        return [f"DELETE FROM {target}"]
    if "INSERT" in header:
        return [f"INSERT INTO {target} DEFAULT VALUES"]
    of = header.index("OF") if "OF" in header else on
    columns = [t.name for t in toks[of + 1 : on] if t.name] or [
        str(r[1]) for r in memory.execute(f"PRAGMA table_info({target})")
    ]
    return [f"UPDATE {target} SET {quote_ident(c)} = {quote_ident(c)}" for c in columns[:1]]


def repoint(sql: str, renames: Renames) -> str | None:
    """`sql` with the renamed columns of the tables it names replaced by their new names; None
    when it names none of them."""
    toks = tokens(sql)
    tables = {t.name for t in toks if t.name in renames}
    mapping = {old: new for table in tables for old, new in renames[table].items()}
    hits = [t for t in toks if t.name in mapping and t.text != "."]
    if not hits:
        return None
    out, last = [], 0
    for tok in hits:
        out += [sql[last : tok.at], _spelled(tok, mapping[tok.name])]
        last = tok.at + len(tok.text)
    return "".join([*out, sql[last:]])


def keep_view_columns(sql: str, old_names: list[str], new_names: list[str]) -> str:
    """A re-pointed view keeps its column names: give it a column list when it had none."""
    toks = tokens(sql)
    as_at = next((i for i, t in enumerate(toks) if t.word == "AS"), None)
    if as_at is None or old_names == new_names or toks[as_at - 1].text == ")":
        return sql
    head = toks[as_at]
    names = ", ".join(quote_ident(n) for n in old_names)
    return f"{sql[: head.at]}({names}) {sql[head.at :]}"


def _spelled(tok: Token, new: str) -> str:
    bare = tok.word != "" and new.replace("_", "a").isalnum() and not new[0].isdigit()
    return new if bare else quote_ident(new)
