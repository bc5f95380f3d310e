"""The SQL that takes one schema to another, without the app's knowledge (`sqlmig diff --sql`).

`ALTER TABLE ... ADD COLUMN` / `RENAME` where SQLite can, `CREATE`/`DROP` for indexes, triggers and
views, and the rebuild helper's 12-step table rebuild (`rebuild_sql`) everywhere else: foreign keys
off outside the transaction, rows copied by the columns both tables share, the AUTOINCREMENT
counter carried over, `foreign_key_check` before COMMIT. Moving data whose meaning only the app
knows is the bridge's job, not this one's. Renames are proposed only when unambiguous: the one
table (or column) that went away and the one that came, with the same columns (or definition).

Pure: reads two snapshots and opens no file (the rebuild helper parses a CREATE in memory).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from engine.runtime.rebuild import TableDefinition, rebuild_sql
from engine.schema.compare import _describe_checks, _describe_fks, _describe_options
from engine.schema.model import Column, Index, Snapshot, Table
from engine.scripts.sqlnorm import fold
from engine.scripts.sqltext import quote_ident
from engine.scripts.sqlwrites import tokens

# A default ADD COLUMN accepts on a table with rows: a constant literal (never an expression).
_LITERAL = re.compile(
    r"[-+]?\s*(\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+)|'([^']|'')*'|[xX]'[0-9a-fA-F]*'|null|true|false",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reconciliation:
    """The statements, in order, that run inside one transaction (foreign keys off around it when
    a table is rebuilt or dropped), the renames it proposes and what it cannot keep."""

    statements: tuple[str, ...]
    foreign_keys_off: bool
    renames: tuple[str, ...]  # sentences: "table a looks renamed to b"
    notes: tuple[str, ...]  # sentences: data a statement drops, objects that cannot be kept

    @property
    def empty(self) -> bool:
        return not self.statements

    def migration(self) -> str:
        """The statements as a migration's part (up or down). Its file needs the directive
        `-- foreign-keys: off` at the top when `foreign_keys_off`: the runner then switches them
        off before the transaction and checks them before COMMIT."""
        comments = "\n".join(f"-- {line}" for line in (*self.renames, *self.notes))
        return "\n\n".join([comments, *self.statements]).strip() + "\n"

    def script(self) -> str:
        """The whole procedure, to run as it is (in the sqlite3 shell, for example)."""
        if self.empty:
            return "-- Nothing to do: the schemas are equal.\n"
        fk = self.foreign_keys_off
        lines = [*(f"-- {line}" for line in (*self.renames, *self.notes))]
        lines += ["PRAGMA foreign_keys = OFF;"] if fk else []
        lines += ["BEGIN IMMEDIATE;", *self.statements]
        lines += ["PRAGMA foreign_key_check;  -- must return no rows, else ROLLBACK"]
        lines += ["COMMIT;", *(["PRAGMA foreign_keys = ON;"] if fk else [])]
        return "\n".join(lines) + "\n"


def _column_shape(c: Column) -> tuple[object, ...]:
    return (c.type, c.notnull, c.default, c.pk, c.hidden)


def _columns_shape(t: Table) -> frozenset[tuple[object, ...]]:
    return frozenset((fold(c.name), *_column_shape(c)) for c in t.columns)


def _auto_indexes(
    snap: Snapshot, table: str, renamed: Mapping[str, str] | None = None
) -> list[tuple[object, ...]]:
    names = renamed or {}
    return sorted(
        (i.unique, i.origin, tuple(names.get(fold(c), fold(c)) for c in i.columns), i.where or "")
        for i in snap.indexes.values()
        if fold(i.table) == fold(table) and not _is_named(i)
    )


def _is_named(i: Index) -> bool:
    return i.origin == "c" and not fold(i.name).startswith("sqlite_autoindex_")


def _index_shape(i: Index) -> tuple[object, ...]:
    return (fold(i.table), i.unique, tuple(fold(c) for c in i.columns), i.where)


def _unique_pairs(
    gone: Mapping[str, object], came: Mapping[str, object]
) -> list[tuple[str, str]]:
    """(old, new) where the shape of `old` matches exactly one new one and vice versa."""
    pairs = []
    for old, shape in gone.items():
        matches = [new for new, other in came.items() if other == shape]
        back = [o for o, s in gone.items() if s == shape]
        if len(matches) == 1 and len(back) == 1:
            pairs.append((old, matches[0]))
    return pairs


def column_definition(create_sql: str, column: str) -> str | None:
    """The text of `column`'s definition in a CREATE TABLE (its COLLATE and all), or None."""
    toks = tokens(create_sql)
    start = next((n for n, t in enumerate(toks) if t.text == "("), None)
    if start is None:
        return None
    depth, begin = 0, start + 1
    for n in range(start, len(toks)):
        text = toks[n].text
        depth += (text == "(") - (text == ")")
        if (text == "," and depth == 1) or depth == 0:
            part = toks[begin:n]
            if part and part[0].name == fold(column):
                return create_sql[part[0].at : toks[n].at].strip()
            begin = n + 1
            if depth == 0:
                return None
    return None


def _addable(column: Column, definition: str | None) -> bool:
    """ALTER TABLE ADD COLUMN can add it to a table with rows (lang_altertable.html)."""
    if column.pk or column.hidden or definition is None:
        return False
    if column.notnull and column.default is None:
        return False
    if column.default is not None and not _LITERAL.fullmatch(column.default):
        return False
    words = {t.word for t in tokens(definition)}
    return not words & {"PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "GENERATED", "AS"}


def _renamed(table: Table, old: str, new: str) -> Table:
    """`table` with its column `old` (folded) called `new`, in its keys and CHECKs too."""
    word = re.compile(rf"(?<![\w\"]){re.escape(old)}(?![\w\"])", re.IGNORECASE)
    columns = tuple(replace(c, name=new) if fold(c.name) == old else c for c in table.columns)
    fks = tuple(
        replace(fk, columns=tuple(new if fold(c) == old else c for c in fk.columns))
        for fk in table.foreign_keys
    )
    checks = tuple(sorted(word.sub(new, check) for check in table.checks))
    return replace(table, columns=columns, foreign_keys=fks, checks=checks)


class _Plan:
    """The reconciliation, built in the order its statements must run."""

    def __init__(self, source: Snapshot, target: Snapshot, drop_extras: bool) -> None:
        self.source, self.target, self.drop_extras = source, target, drop_extras
        self.renames: list[str] = []
        self.notes: list[str] = []
        self.rebuilt: set[str] = set()  # folded target table names rebuilt
        self.early: list[str] = []  # renames, drops, creates, rebuilds, added columns
        self.structural = False  # a table renamed, rebuilt or dropped: views are recreated
        self.dropped: set[str] = set()  # folded source table names dropped
        self.lost: dict[str, list[str]] = {}  # folded rebuilt table -> the columns it loses

    def build(self) -> Reconciliation:
        src = {fold(n): t for n, t in self.source.tables.items()}
        dst = {fold(n): t for n, t in self.target.tables.items()}
        gone = {k: _columns_shape(t) for k, t in src.items() if k not in dst}
        came = {k: _columns_shape(t) for k, t in dst.items() if k not in src}
        pairs = {k: src[k] for k in dst if k in src}
        for old, new in _unique_pairs(gone, came):
            a, b = src[old], dst[new]
            if not self._same_constraints(a, b, {}):
                continue
            self.renames.append(f"Proposed rename: table {a.name} looks renamed to {b.name} "
                                "(the only table gone with these columns); if it was not, "
                                "replace this with a DROP TABLE and a CREATE TABLE.")
            self.early.append(f"ALTER TABLE {quote_ident(a.name)} RENAME TO {quote_ident(b.name)};")
            pairs[new], self.structural = a, True
            del gone[old], came[new]
        for key in sorted(gone):
            if self.drop_extras:
                self.notes.append(f"Drops table {src[key].name} and its rows.")
                self.early.append(f"DROP TABLE {quote_ident(src[key].name)};")
                self.dropped.add(key)
                self.structural = True
        self.early += [_statement(dst[key].sql) for key in dst if key in came]
        for key, b in dst.items():
            if key in pairs:
                self._table(pairs[key], b)
        return self._assemble()

    def _same_constraints(self, a: Table, b: Table, renamed: Mapping[str, str]) -> bool:
        """Only a name differs: the same foreign keys, CHECKs, options and UNIQUE keys."""
        return all(
            describe(a, self.source) == describe(b, self.target)
            for describe in (_describe_fks, _describe_checks, _describe_options)
        ) and _auto_indexes(self.source, a.name, renamed) == _auto_indexes(self.target, b.name)

    def _droppable(self, table: Table, column: Column) -> bool:
        """ALTER TABLE DROP COLUMN can drop it (lang_altertable.html): not a key, not indexed,
        not named by a foreign key, a CHECK, a trigger or a view (any mention: a rebuild)."""
        name = fold(column.name)
        word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        source, own = self.source, fold(table.name)
        texts = [*table.checks, *(t.body for t in source.triggers.values()),
                 *(v.body for v in source.views.values())]
        for index in source.indexes.values():
            if fold(index.table) == own:
                texts += [*index.columns, index.where or ""]
        keys = {fold(c) for fk in table.foreign_keys for c in fk.columns}
        keys |= {fold(c) for t in source.tables.values() for fk in t.foreign_keys
                 if fold(fk.parent) == own for c in fk.parent_columns if c}  # fmt: skip
        return not (column.pk or column.hidden or name in keys
                    or any(word.search(text) for text in texts))  # fmt: skip

    def _table(self, a: Table, b: Table) -> None:
        a_cols = {fold(c.name): c for c in a.columns}
        b_cols = {fold(c.name): c for c in b.columns}
        missing = {k: c for k, c in b_cols.items() if k not in a_cols}
        extra = {k: c for k, c in a_cols.items() if k not in b_cols}
        renamed: dict[str, str] = {}
        for old, new in _unique_pairs(
            {k: _column_shape(c) for k, c in extra.items()},
            {k: _column_shape(c) for k, c in missing.items()},
        ):
            if not self._same_constraints(_renamed(a, old, fold(new)), b, {old: fold(new)}):
                continue  # more changed than a name: not a rename
            renamed[old] = b_cols[new].name
            self.renames.append(f"Proposed rename: column {a.name}.{a_cols[old].name} looks "
                                f"renamed to {b_cols[new].name} (the only column gone with "
                                "this definition); if it was not, replace this with a drop "
                                "and an add.")
            self.early.append(f"ALTER TABLE {quote_ident(a.name)} RENAME COLUMN "
                              f"{quote_ident(a_cols[old].name)} TO "
                              f"{quote_ident(b_cols[new].name)};")
            self.structural = True
            del missing[new], extra[old]
        definitions = {k: column_definition(b.sql, c.name) for k, c in missing.items()}
        dropping = list(extra.values()) if self.drop_extras else []
        rebuild = (
            any(_column_shape(c) != _column_shape(b_cols[k]) for k, c in a_cols.items()
                if k in b_cols)
            or any(describe(a, self.source) != describe(b, self.target)
                   for describe in (_describe_fks, _describe_checks, _describe_options))
            or _auto_indexes(self.source, a.name) != _auto_indexes(self.target, b.name)
            or not all(self._droppable(a, c) for c in dropping)
            or not all(_addable(c, definitions[k]) for k, c in missing.items())
        )  # fmt: skip
        if not rebuild:
            t = quote_ident(a.name)
            for c in dropping:
                self.notes.append(f"Drops column {a.name}.{c.name} and its values.")
                self.early.append(f"ALTER TABLE {t} DROP COLUMN {quote_ident(c.name)};")
            self.early += [f"ALTER TABLE {t} ADD COLUMN {definitions[k]};" for k in missing]
            return
        self.rebuilt.add(fold(b.name))
        self.lost[fold(b.name)] = [c.name for c in extra.values()]
        self.structural = True
        for c in extra.values():
            self.notes.append(f"The rebuild of {a.name} drops its column {c.name} and its values.")
        columns = tuple(renamed.get(fold(c.name), c.name) for c in a.columns if c.hidden == 0)
        current = TableDefinition(a.name, columns, a.autoincrement, (), (), ())
        self.early += rebuild_sql(current, b.sql).inside

    def _assemble(self) -> Reconciliation:
        source, target = self.source, self.target
        first: list[str] = []
        last: list[str] = []
        gone_tables = self.dropped

        def on_rebuilt(table: str) -> bool:
            return fold(table) in self.rebuilt

        # Views hold no rows: when a table changes shape, they are dropped first and recreated.
        views_src = {fold(n): v for n, v in source.views.items()}
        views_dst = {fold(n): v for n, v in target.views.items()}
        for key, v in views_src.items():
            same = key in views_dst and views_dst[key].body == v.body
            if not same and key not in views_dst and not self.drop_extras:
                same = True  # an extra view the user keeps
            if not same or self.structural:
                first.append(f"DROP VIEW {quote_ident(v.name)};")
                if key not in views_dst and not self.drop_extras:
                    last.append(_statement(v.sql))
        for key, v in views_dst.items():
            old = views_src.get(key)
            if old is None or old.body != v.body or self.structural:
                last.append(_statement(v.sql))
        first += self._objects(
            {k: i for k, i in source.indexes.items() if _is_named(i)},
            {k: i for k, i in target.indexes.items() if _is_named(i)},
            "INDEX", _index_shape, on_rebuilt, gone_tables, last,
        )  # fmt: skip
        first += self._objects(
            dict(source.triggers), dict(target.triggers), "TRIGGER",
            lambda t: (fold(t.table), t.body), on_rebuilt, gone_tables, last,
        )  # fmt: skip
        statements = (*first, *self.early, *_views_last(last))
        return Reconciliation(
            statements=tuple(statements),
            foreign_keys_off=bool(self.rebuilt or self.dropped),
            renames=tuple(self.renames),
            notes=tuple(self.notes),
        )

    def _objects(
        self,
        src: Mapping[str, _Hanging],
        dst: Mapping[str, _Hanging],
        noun: str,
        shape: Callable[[Any], object],
        on_rebuilt: Callable[[str], bool],
        gone_tables: set[str],
        last: list[str],
    ) -> list[str]:
        """Indexes or triggers: drop what differs (and extras, when asked) before the tables
        change; create what is missing, differs, or lived on a rebuilt table afterwards."""
        drops: list[str] = []
        src_f = {fold(k): v for k, v in src.items()}
        dst_f = {fold(k): v for k, v in dst.items()}
        for key, obj in src_f.items():
            other = dst_f.get(key)
            if other is None and not self.drop_extras:
                if on_rebuilt(obj.table):  # the user's own object, on a table rebuilt under it
                    self._keep(obj, last)
                continue
            if (other is None or shape(other) != shape(obj)) and fold(obj.table) not in gone_tables:
                drops.append(f"DROP {noun} IF EXISTS {quote_ident(obj.name)};")
        for key, obj in dst_f.items():
            old = src_f.get(key)
            if old is None or shape(old) != shape(obj) or on_rebuilt(obj.table):
                last.append(_statement(obj.sql or ""))
        return drops

    def _keep(self, obj: _Hanging, last: list[str]) -> None:
        """Recreate the user's index or trigger after its table's rebuild, unless it names a
        column the rebuilt table no longer has (then it is said, not recreated)."""
        sql = obj.sql or ""
        for column in self.lost.get(fold(obj.table), []):
            if re.search(rf"(?<!\w){re.escape(column)}(?!\w)", sql, re.IGNORECASE):
                self.notes.append(f"{obj.name} used {obj.table}.{column}, which the rebuilt "
                                  "table lacks: it is not recreated.")
                return
        last.append(_statement(sql))


class _Hanging(Protocol):
    """An index or a trigger: it hangs on a table and is recreated from its SQL."""

    @property
    def name(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def sql(self) -> str | None: ...


def _views_last(statements: Iterable[str]) -> list[str]:
    """Indexes and triggers first, then views (a trigger never needs a view to exist first)."""
    out = list(dict.fromkeys(statements))
    return [s for s in out if not _creates_view(s)] + [s for s in out if _creates_view(s)]


def _creates_view(sql: str) -> bool:
    words = [t.word for t in tokens(sql)[:4]]
    return "VIEW" in words


def _statement(sql: str) -> str:
    return sql.strip().rstrip(";") + ";"


def reconcile(source: Snapshot, target: Snapshot, *, drop_extras: bool) -> Reconciliation:
    """The statements that take `source`'s schema to `target`'s.

    `drop_extras`: objects only `source` has are dropped (another file's exact schema is the
    goal); otherwise they are the user's own (SPEC §7.5) and kept, recreated after a rebuild."""
    return _Plan(source, target, drop_extras).build()
