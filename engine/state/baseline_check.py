"""Before `sqlmig baseline PATH --version N` records 0…N as adopted: is the effect of each of
those migrations in the file (`effect_present`, the one answer), and does its schema equal the
chain's at N? Read-only; the differences are sentences."""

from __future__ import annotations

import sqlite3

from engine.core.tables import is_bookkeeping
from engine.schema import Snapshot, compare, snapshot
from engine.scripts.catalog import Catalog
from engine.state.expected import ExpectedSchemas, ReplayFailed
from engine.state.presence import Effect, effect_present, missing_effect


def baseline_differences(conn: sqlite3.Connection, catalog: Catalog, version: int) -> list[str]:
    """What the file lacks to be at `version` of the chain (empty: it is there)."""
    expected = ExpectedSchemas(catalog)

    def expected_at(v: int) -> Snapshot | None:
        try:
            return expected.at(v)
        except ReplayFailed:
            return None

    def ask(query: str) -> bool:
        try:
            row = conn.execute(query).fetchone()
        except sqlite3.OperationalError:
            return False  # a condition naming a table the file lacks is false
        return bool(row and row[0])

    chain = [m for m in catalog.migrations if m.version <= version]
    effects = [Effect(m.version, tuple(s.sql for s in m.up), m.directives.present, False)
               for m in chain]
    out: list[str] = []
    named: set[str] = set()  # objects a missing effect already names ("column worlds.variables")
    for at, migration in enumerate(chain):
        if not migration.up:  # a no-op (its up part only comments): nothing to look for
            continue
        if effect_present(conn, effects, at, ask=ask, expected_at=expected_at):
            continue
        lacks = missing_effect(conn, effects, at, ask=ask, expected_at=expected_at)
        objects = [f"{g.kind} {g.table + '.' if g.kind == 'column' and g.table else ''}{g.name}"
                   for g in lacks]
        named.update(objects)
        what = ", ".join(objects)
        out.append(f"the effect of {migration.filename} is missing"
                   + (f" ({what})" if what else ""))
    try:
        diff = compare(snapshot(conn, ignore=is_bookkeeping), expected.at(version))
    except ReplayFailed as exc:
        return [*out, f"no expected schema: {exc}"]
    out += [d.message for d in diff.differences if d.object not in named]
    return out
