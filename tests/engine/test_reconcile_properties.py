"""Property: for two random schemas A (with rows) and B, the SQL of the diff A -> B applied to A
gives B's schema and keeps A's rows on the columns A and B share.

Only constraints A's rows satisfy are generated: every value is non-NULL, distinct, positive and
non-empty, so NOT NULL, UNIQUE and the CHECKs below hold for them; a column only B has gets a
default that satisfies its CHECK, or NULL; foreign keys point at t0, which both schemas have, from
a `pid` whose values are t0's ids.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.runtime.reconcile import reconcile
from engine.schema import compare, snapshot

TYPES = {"c0": "INTEGER", "c1": "INTEGER", "c2": "TEXT", "c3": "TEXT", "c4": "REAL"}
CHECKS = {"INTEGER": "{c} >= 0", "TEXT": "length({c}) > 0", "REAL": "{c} > 0"}
DEFAULTS = {"INTEGER": "7", "TEXT": "'d'", "REAL": "2.5"}
ROWS = 4

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    notnull: bool
    default: bool
    check: bool
    unique: bool

    def sql(self) -> str:
        kind = TYPES[self.name]
        parts = [self.name, kind]
        if self.unique:  # unique values in A; NULL (never a shared default) where only B has it
            parts.append("UNIQUE")
        else:
            if self.notnull:
                parts.append("NOT NULL")
            if self.default or self.notnull:  # a column B adds to rows must get a value
                parts.append(f"DEFAULT {DEFAULTS[kind]}")
        if self.check:
            parts.append(f"CHECK ({CHECKS[kind].format(c=self.name)})")
        return " ".join(parts)


@dataclass(frozen=True)
class TableSpec:
    name: str
    autoincrement: bool
    columns: tuple[ColumnSpec, ...]
    pid: str | None  # None, "plain", "fk"
    indexes: tuple[str, ...]  # indexed column names
    view: int  # 0 none, 1 or 2: two different bodies
    trigger: int

    def statements(self) -> list[str]:
        cols = [f"id INTEGER PRIMARY KEY{' AUTOINCREMENT' if self.autoincrement else ''}"]
        cols += [c.sql() for c in self.columns]
        if self.pid == "plain":
            cols.append("pid INTEGER")
        elif self.pid == "fk":
            cols.append("pid INTEGER REFERENCES t0(id) ON DELETE CASCADE")
        out = [f"CREATE TABLE {self.name} ({', '.join(cols)})"]
        out += [f"CREATE INDEX ix_{self.name}_{c} ON {self.name} ({c})" for c in self.indexes]
        if self.view:
            extra = ", id * 2 AS twice" if self.view == 2 else ""
            out.append(f"CREATE VIEW v_{self.name} AS SELECT id{extra} FROM {self.name}")
        if self.trigger:
            what = "SELECT 1" if self.trigger == 1 else "SELECT 2"
            out.append(f"CREATE TRIGGER tr_{self.name} AFTER INSERT ON {self.name} "
                       f"BEGIN {what}; END")
        return out

    def stored(self) -> list[str]:
        return ["id", *(c.name for c in self.columns), *(["pid"] if self.pid else [])]


@st.composite
def tables(draw: st.DrawFn, name: str) -> TableSpec:
    names = draw(st.lists(st.sampled_from(sorted(TYPES)), unique=True, max_size=4))
    columns = tuple(
        ColumnSpec(n, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()),
                   draw(st.booleans()))
        for n in names
    )
    pid = None if name == "t0" else draw(st.sampled_from([None, "plain", "fk"]))
    plain = [c.name for c in columns if not c.unique]
    indexes = tuple(draw(st.lists(st.sampled_from(plain), unique=True, max_size=2))) if plain else ()
    return TableSpec(name, draw(st.booleans()), columns, pid, indexes,
                     draw(st.integers(0, 2)), draw(st.integers(0, 2)))


@st.composite
def schemas(draw: st.DrawFn) -> tuple[TableSpec, ...]:
    others = draw(st.lists(st.sampled_from(["t1", "t2", "t3"]), unique=True, max_size=3))
    return tuple(draw(tables(n)) for n in ["t0", *sorted(others)])


def build(path: Path, schema: tuple[TableSpec, ...], *, rows: bool) -> None:
    with closing(sqlite3.connect(path)) as conn:
        for table in schema:
            for statement in table.statements():
                conn.execute(statement)
        if rows:
            for table in schema:
                for i in range(1, ROWS + 1):
                    values = {"id": i, "pid": i}
                    for c in table.columns:
                        kind = TYPES[c.name]
                        values[c.name] = {"INTEGER": i * 10, "TEXT": f"v{i}", "REAL": i + 0.5}[kind]
                    names = table.stored()
                    conn.execute(
                        f"INSERT INTO {table.name} ({', '.join(names)}) "
                        f"VALUES ({', '.join('?' * len(names))})",
                        [values[n] for n in names],
                    )
                if table.autoincrement:  # a deleted row: the counter is above the highest id
                    conn.execute(f"INSERT INTO {table.name} (id) VALUES ({ROWS + 3})")
                    conn.execute(f"DELETE FROM {table.name} WHERE id = {ROWS + 3}")
        conn.commit()


def apply(path: Path, statements: tuple[str, ...]) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        for statement in statements:
            conn.execute(statement)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("COMMIT")


def rows(path: Path, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()


def sequence(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        try:
            return dict(conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        except sqlite3.OperationalError:
            return {}


def schema_of(path: Path) -> object:
    with closing(sqlite3.connect(path)) as conn:
        return snapshot(conn)


def check_diff_applies(a_spec: tuple[TableSpec, ...], b_spec: tuple[TableSpec, ...]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder) / "a.db", Path(folder) / "b.db"
        build(a, a_spec, rows=True)
        build(b, b_spec, rows=False)
        before = {t.name: t for t in a_spec}
        shared = {t.name: [c for c in t.stored() if c in before[t.name].stored()]
                  for t in b_spec if t.name in before}  # fmt: skip
        kept = {name: rows(a, name, cols) for name, cols in shared.items()}
        counters = sequence(a)
        a_snap, b_snap = schema_of(a), schema_of(b)
        plan = reconcile(a_snap, b_snap, drop_extras=True)  # type: ignore[arg-type]
        apply(a, plan.statements)
        result = compare(schema_of(a), b_snap)  # type: ignore[arg-type]
        assert result.ok and not result.extras, (result, plan.statements)
        for name, cols in shared.items():
            assert rows(a, name, cols) == kept[name], (name, plan.statements)
        after = sequence(a)
        for name, seq in counters.items():
            spec = next((t for t in b_spec if t.name == name), None)
            if spec is not None and spec.autoincrement:
                assert after.get(name, 0) >= seq, (name, plan.statements)


@FAST
@given(schemas(), schemas())
def test_the_diff_of_a_to_b_applied_to_a_gives_b_and_keeps_a_rows(
    a_spec: tuple[TableSpec, ...], b_spec: tuple[TableSpec, ...]
) -> None:
    check_diff_applies(a_spec, b_spec)


@pytest.mark.soak
@pytest.mark.skipif(
    not os.environ.get("SQLMIG_LONG_PROPERTIES"),
    reason="the longer profile: set SQLMIG_LONG_PROPERTIES=1 to run 400 examples",
)
@LONG
@given(schemas(), schemas())
def test_the_diff_property_holds_for_many_more_schemas(
    a_spec: tuple[TableSpec, ...], b_spec: tuple[TableSpec, ...]
) -> None:
    check_diff_applies(a_spec, b_spec)


@FAST
@given(schemas())
def test_a_schema_against_itself_needs_no_statement(spec: tuple[TableSpec, ...]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        a = Path(folder) / "a.db"
        build(a, spec, rows=True)
        snap = schema_of(a)
        assert reconcile(snap, snap, drop_extras=True).statements == ()  # type: ignore[arg-type]
