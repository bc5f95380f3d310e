"""Compare two snapshots: every expected object present and equal; extras listed, not errors.

Columns are matched by name (order ignored), autoindexes by table and key columns, every other
object by name; names match case-insensitively, as SQLite's do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from itertools import zip_longest
from typing import NamedTuple, TypeVar

from engine.schema.model import (
    _EXTRA_ORDER,
    KINDS,
    Column,
    Difference,
    ForeignKey,
    Index,
    SchemaDiff,
    Snapshot,
    Table,
)
from engine.scripts.sqlnorm import fold


def _describe_column(c: Column) -> str:
    parts = [c.type or "(no type)", "NOT NULL" if c.notnull else ""]
    parts.append("" if c.default is None else f"DEFAULT {c.default}")
    parts.append(f"PRIMARY KEY #{c.pk}" if c.pk else "")
    parts.append(f"hidden={c.hidden}" if c.hidden else "")
    return " ".join(p for p in parts if p)


_COLUMN_ASPECTS = (("type", "type"), ("notnull", "NOT NULL"), ("default", "default"),
                   ("pk", "primary key position"), ("hidden", "generated/hidden flag"))  # fmt: skip


class _FkKey(NamedTuple):
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    on_update: str
    on_delete: str
    match: str

    def __str__(self) -> str:
        match = "" if self.match == "NONE" else f" MATCH {self.match}"
        return (
            f"({', '.join(self.columns)}) -> {self.parent}({', '.join(self.parent_columns)})"
            f" ON UPDATE {self.on_update} ON DELETE {self.on_delete}{match}"
        )


def _fk_key(fk: ForeignKey, snap: Snapshot) -> _FkKey:
    parent_cols = fk.parent_columns
    if any(c is None for c in parent_cols):
        # "REFERENCES p" means p's primary key; resolve it so it equals "REFERENCES p(id)".
        parent = snap.tables.get(fk.parent) or next(
            (t for k, t in snap.tables.items() if fold(k) == fold(fk.parent)), None
        )
        pk = sorted((c for c in parent.columns if c.pk), key=lambda c: c.pk) if parent else []
        if len(pk) == len(parent_cols):
            parent_cols = tuple(c.name for c in pk)
    return _FkKey(
        tuple(fold(c) for c in fk.columns),
        fold(fk.parent),
        tuple(fold(c) if c else "" for c in parent_cols),
        fk.on_update.upper(),
        fk.on_delete.upper(),
        fk.match.upper(),
    )


def _describe_fks(table: Table, snap: Snapshot) -> str:
    keys = sorted(_fk_key(fk, snap) for fk in table.foreign_keys)
    return "; ".join(str(k) for k in keys) or "(none)"


def _describe_checks(table: Table, _snap: Snapshot) -> str:
    return "; ".join(table.checks) or "(none)"


def _describe_options(table: Table, _snap: Snapshot) -> str:
    flags = {"AUTOINCREMENT": table.autoincrement, "WITHOUT ROWID": table.without_rowid,
             "STRICT": table.strict}  # fmt: skip
    return ", ".join(name for name, on in flags.items() if on) or "(none)"


# Table-level aspects compared as one normalised description each (order-insensitive).
_TABLE_ASPECTS = (
    ("foreign_keys_differ", "foreign keys", _describe_fks),
    ("checks_differ", "CHECK constraints", _describe_checks),
    ("table_options_differ", "table options", _describe_options),
)


def _compare_tables(actual: Snapshot, expected: Snapshot) -> Iterator[Difference | str]:
    act_names = {fold(k): k for k in actual.tables}
    exp_names = {fold(k) for k in expected.tables}
    for key in sorted(expected.tables):
        exp, t = expected.tables[key], expected.tables[key].name
        found = act_names.get(fold(key))
        if found is None:
            yield Difference("missing_table", f"table {t}", f"Table {t} is missing.", exp.sql)
            continue
        act = actual.tables[found]
        # One dict per table, not column() per column: 2,000-column tables stay linear.
        act_cols = {fold(c.name): c for c in act.columns}
        exp_cols = {fold(c.name) for c in exp.columns}
        for col in exp.columns:
            other, obj = act_cols.get(fold(col.name)), f"column {t}.{col.name}"
            if other is None:
                msg = f"Column {t}.{col.name} is missing."
                yield Difference("missing_column", obj, msg, _describe_column(col))
                continue
            changed = [w for a, w in _COLUMN_ASPECTS if getattr(col, a) != getattr(other, a)]
            if changed:
                msg = f"Column {t}.{col.name} has a different {' and '.join(changed)}."
                desc = _describe_column(col), _describe_column(other)
                yield Difference("column_differs", obj, msg, *desc)
        yield from (f"column {t}.{c.name}" for c in act.columns if fold(c.name) not in exp_cols)
        for kind, label, describe in _TABLE_ASPECTS:
            want, got = describe(exp, expected), describe(act, actual)
            if want != got:
                msg = f"Table {t} has different {label}."
                yield Difference(kind, f"table {t}", msg, want, got)
    yield from (f"table {k}" for k in actual.tables if fold(k) not in exp_names)


_T = TypeVar("_T")


def _compare_named(
    noun: str,
    actual: Mapping[str, _T],
    expected: Mapping[str, _T],
    shape: Callable[[_T], object],
    describe: Callable[[_T], str],
) -> Iterator[Difference | str]:
    """Missing / differing / extra objects of one kind, matched by case-folded name."""
    act = {fold(k): v for k, v in actual.items()}
    exp_keys = {fold(k) for k in expected}
    kind = noun.split()[-1]
    for name in sorted(expected):
        exp, other, obj = expected[name], act.get(fold(name)), f"{kind} {name}"
        if other is None:
            msg = f"{noun.capitalize()} {name} is missing."
            yield Difference(f"missing_{kind}", obj, msg, describe(exp))
        elif shape(exp) != shape(other):
            msg = f"{noun.capitalize()} {name} has a different definition."
            yield Difference(f"{kind}_differs", obj, msg, describe(exp), describe(other))
    yield from (f"{kind} {k}" for k in actual if fold(k) not in exp_keys)


def _index_shape(i: Index) -> tuple[object, ...]:
    return (fold(i.table), i.unique, i.origin, tuple(fold(c) for c in i.columns), i.where)


def _describe_index(i: Index) -> str:
    text = f"{'UNIQUE ' if i.unique else ''}ON {i.table}({', '.join(i.columns)})"
    return text + (f" WHERE {i.where}" if i.where else "")


def _is_auto(i: Index) -> bool:
    return i.origin != "c" or fold(i.name).startswith("sqlite_autoindex_")


def _auto_by_shape(snap: Snapshot) -> dict[tuple[object, ...], list[Index]]:
    out: dict[tuple[object, ...], list[Index]] = {}
    for idx in sorted(snap.indexes.values(), key=lambda i: i.name):
        if _is_auto(idx):
            key = (fold(idx.table), tuple(fold(c) for c in idx.columns))
            out.setdefault(key, []).append(idx)
    return out


def _compare_indexes(actual: Snapshot, expected: Snapshot) -> Iterator[Difference | str]:
    # Autoindexes are matched by table and key columns: their number suffix depends on the
    # order in which constraints were written, which is not part of the schema's meaning.
    act_auto = _auto_by_shape(actual)
    for shape, exp_list in _auto_by_shape(expected).items():
        act_list = act_auto.pop(shape, [])
        for exp, act in zip_longest(exp_list, act_list[: len(exp_list)]):
            what = f"The automatic index of table {exp.table} on ({', '.join(exp.columns)})"
            if act is None:
                msg = f"{what} is missing."
                yield Difference("missing_index", f"index {exp.name}", msg, _describe_index(exp))
            elif _index_shape(exp) != _index_shape(act):
                msg, desc = f"{what} differs.", (_describe_index(exp), _describe_index(act))
                yield Difference("index_differs", f"index {exp.name}", msg, *desc)
        yield from (f"index {i.name}" for i in act_list[len(exp_list) :])
    yield from (f"index {i.name}" for rest in act_auto.values() for i in rest)

    def named(snap: Snapshot) -> dict[str, Index]:
        return {k: i for k, i in snap.indexes.items() if not _is_auto(i)}

    yield from _compare_named(
        "index", named(actual), named(expected), _index_shape, _describe_index
    )


def compare(actual: Snapshot, expected: Snapshot) -> SchemaDiff:
    """Every expected object must be present and equal in actual; extra objects are listed.

    Columns are matched by name (order ignored), autoindexes by table and key columns, every
    other object by name; names match case-insensitively, as SQLite's do.
    """
    parts = itertools.chain(
        _compare_tables(actual, expected),
        _compare_indexes(actual, expected),
        _compare_named(
            "trigger", actual.triggers, expected.triggers,
            lambda t: (fold(t.table), t.body), lambda t: t.body,
        ),
        _compare_named(
            "view", actual.views, expected.views, lambda v: v.body, lambda v: v.body
        ),
    )  # fmt: skip
    differences: list[Difference] = []
    extras: list[str] = []
    for item in parts:
        if isinstance(item, Difference):
            differences.append(item)
        else:
            extras.append(item)
    differences.sort(key=lambda d: (KINDS.index(d.kind), d.object))
    extras.sort(key=lambda e: (_EXTRA_ORDER.index(e.split(" ", 1)[0]), e))
    return SchemaDiff(differences=tuple(differences), extras=tuple(extras))


def format_diff(diff: SchemaDiff) -> list[str]:
    """Readable lines for the CLI and the GUI."""
    if diff.ok and not diff.extras:
        return ["The schema matches the expected schema."]
    lines = []
    if diff.ok:
        lines.append("Every expected object is present and equal.")
    else:
        lines.append(f"{len(diff.differences)} difference(s) from the expected schema:")
    for d in diff.differences:
        lines.append(f"  - {d.message}")
        # Whitespace is collapsed so a multi-line CREATE statement stays one readable line.
        if d.expected is not None:
            lines.append(f"      expected: {' '.join(d.expected.split())}")
        if d.actual is not None:
            lines.append(f"      found:    {' '.join(d.actual.split())}")
    if diff.extras:
        lines.append(f"{len(diff.extras)} extra object(s), kept and not counted as errors:")
        lines.extend(f"  + {e}" for e in diff.extras)
    return lines
