"""Build legacy agent-world files (PRAGMA user_version 0…7) exactly as the app's legacy code left
them, by replaying its start-up logic (§1.3, §1.3b, §1.5) on the DDL of `ddl.py`.

`build_legacy(path, era=…)` writes one file and returns a `LegacyFile` describing it.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders import ddl
from builders.data import DataSpec, columns, has_table, populate

# Steps of the legacy `migrate()` that can fail ("try to continue anyway", §1.5 item 2).
COLUMN_STEPS = {
    "chat_id": "agent_memory",
    "chat_llm_provider": "worlds",
    "chat_llm_model": "worlds",
    "current_chat_id": "worlds",
    "mcp_config": "worlds",
    "message_id": "agent_memory",
    "reply_to_message_id": "agent_memory",
}
INDEX_STEPS = {spec[0]: column for column, spec in ddl.ALTER_INDEXES.items()}
FAILABLE = frozenset(COLUMN_STEPS) | frozenset(INDEX_STEPS)

# Which fresh era first had each column in its CREATE text.
COLUMN_BORN = {
    "chat_id": "F4",
    "chat_llm_provider": "F2",
    "chat_llm_model": "F2",
    "current_chat_id": "F7",
    "mcp_config": "F8",
    "message_id": "F10",
    "reply_to_message_id": "F11",
}

BOOKKEEPING = frozenset({"sqlite_sequence", "schema_migrations", "sqlmig_log"})


@dataclass(frozen=True)
class ExtraTable:
    """A user's own table next to the app's (kept by any upgrade)."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (name, declared type; "" for none)
    rows: tuple[tuple[Any, ...], ...] = ()


@dataclass
class LegacyFile:
    """What a builder put into a file."""

    path: Path
    era: str | None
    upgraded_from: str | None = None
    failed: frozenset[str] = frozenset()
    user_version: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    tables: tuple[str, ...] = ()
    extra_tables: tuple[str, ...] = ()
    fallback: tuple[str, ...] = ()
    history: tuple[int, ...] | None = None  # schema_migrations versions; None = no such table
    kind: str = "legacy"
    app_errors: tuple[str, ...] = ()  # what the emulated app printed
    notes: list[str] = field(default_factory=list)

    def __fspath__(self) -> str:
        return str(self.path)

    def missing_columns(self) -> dict[str, list[str]]:
        """Columns the file's claimed era promises but lacks (the failed steps)."""
        out: dict[str, list[str]] = {}
        for step in sorted(self.failed):
            if step in COLUMN_STEPS:
                out.setdefault(COLUMN_STEPS[step], []).append(step)
        return out


# --------------------------------------------------------------------------------------------
# the legacy start-up, replayed


class _StepFailed(Exception):
    pass


def _uv(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _set_uv(conn: sqlite3.Connection, value: int) -> None:
    conn.execute(f"PRAGMA user_version = {int(value)}")


def initialize_schema(conn: sqlite3.Connection, era: str) -> bool:
    """`initializeSchema()` of `era`: tables, then `createIndexes` (which stops at the first
    failing index, e.g. on a missing column), then `createTriggers`. Returns False on failure."""
    for _name, sql in ddl.legacy_tables(era):
        conn.execute(sql)
    for name, table, cols in ddl.legacy_indexes(era):
        try:
            conn.execute(ddl.create_index(name, table, cols))
        except sqlite3.OperationalError:
            return False  # start-up fails here; the triggers are never reached
    for _name, sql in ddl.legacy_triggers(era):
        conn.execute(sql)
    return True


def _add_column(conn: sqlite3.Connection, column: str, failing: set[str]) -> None:
    table = COLUMN_STEPS[column]
    if column in failing:
        raise _StepFailed(column)
    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
    index = ddl.ALTER_INDEXES.get(column)
    if index is not None:
        if index[0] in failing:
            raise _StepFailed(index[0])
        conn.execute(ddl.create_index(*index))


def _add_if_missing(conn: sqlite3.Connection, column: str, failing: set[str]) -> None:
    if column not in columns(conn, COLUMN_STEPS[column]):
        _add_column(conn, column, failing)


BLOCKS = {
    3: ("chat_llm_provider", "chat_llm_model"),
    4: ("current_chat_id",),
    5: ("mcp_config",),
    6: ("message_id",),
    7: ("reply_to_message_id",),
}


def legacy_migrate(conn: sqlite3.Connection, opener: str, failing: set[str]) -> None:
    """The inline `migrate()` of the code generation `opener` (L9+ semantics, §1.3)."""
    _ddl_era, _target, last_block = ddl.OPENERS[opener]
    current = _uv(conn)  # read once
    if current == 0:
        if not has_table(conn, "agent_memory"):
            initialize_schema(conn, ddl.ddl_era(opener))
            _set_uv(conn, ddl.FRESH_USER_VERSION[opener])
        else:  # branch A
            steps = ["chat_id"]
            if last_block >= 3:
                steps += ["chat_llm_provider", "chat_llm_model"]
            if last_block >= 4:
                steps.append("current_chat_id")
            try:
                for column in steps:
                    _add_if_missing(conn, column, failing)
            except _StepFailed:
                pass
            _set_uv(conn, min(last_block, 4))
    elif current == 1:  # branch B: unconditional ALTER, no bump on failure
        try:
            _add_column(conn, "chat_id", failing)
            _set_uv(conn, 2)
        except (_StepFailed, sqlite3.OperationalError):
            pass
    for number in range(3, last_block + 1):
        if current < number:
            try:
                for column in BLOCKS[number]:
                    _add_if_missing(conn, column, failing)
            except _StepFailed:
                pass
            _set_uv(conn, number)  # set in the try and in the catch path


def legacy_start(conn: sqlite3.Connection, opener: str, failing: set[str]) -> None:
    """One start-up of legacy code `opener` (E5+): migrate when behind, else initializeSchema."""
    if opener not in ddl.OPENERS:  # L1…L7: initializeSchema on every start, target 1
        initialize_schema(conn, opener)
        if _uv(conn) == 0:
            _set_uv(conn, 1)
        return
    target = ddl.OPENERS[opener][1]
    if _uv(conn) < target:
        legacy_migrate(conn, opener, failing)
    else:
        initialize_schema(conn, ddl.ddl_era(opener))


# --------------------------------------------------------------------------------------------
# helpers shared by the builders


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = OFF")  # test files: speed over durability
    return conn


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        str(r[0])
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return {n: int(conn.execute(f"SELECT count(*) FROM {quote(n)}").fetchone()[0]) for n in names}


def history_versions(conn: sqlite3.Connection) -> tuple[int, ...] | None:
    if not has_table(conn, "schema_migrations"):
        return None
    return tuple(
        int(r[0]) for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")
    )


RESERVED = {
    "worlds", "agents", "agent_memory", "memory_archives", "archived_messages",
    "archive_statistics", "world_chats", "chat_snapshots", "events", "event_sequences",
    "message_queue", "chat_messages", "schema_migrations", "sqlmig_log", "sessions",
}  # fmt: skip


def is_reserved(name: str) -> bool:
    low = name.lower()
    return (
        low in RESERVED
        or low.startswith("sqlite_")
        or low.startswith("sqlmig")
        or low.endswith(("_legacy", "_unplaced", "_backup"))
        or any(low.startswith(t + "_sqlmig") for t in RESERVED)
    )


def random_extra_tables(rng: random.Random, count: int, rows: int) -> list[ExtraTable]:
    out: list[ExtraTable] = []
    types = ["TEXT", "INTEGER", "REAL", "BLOB", "", "NUMERIC", "VARCHAR(20)"]
    for i in range(count):
        name = f"user_{rng.choice(['notes', 'Tags', 'cache', 'kv', 'log'])}_{i}_{rng.randrange(1 << 16):04x}"
        ncols = rng.randrange(1, 5)
        cols = tuple(
            (f"c{j}_{rng.choice(['a', 'B', 'x'])}", rng.choice(types)) for j in range(ncols)
        )
        body = tuple(tuple(_value(rng, t) for _, t in cols) for _ in range(rows))
        out.append(ExtraTable(name, cols, body))
    return out


def _value(rng: random.Random, decl: str) -> Any:
    pick = rng.randrange(6)
    if pick == 0:
        return None
    if decl == "INTEGER":
        return rng.randrange(-(10**6), 10**6)
    if decl == "REAL":
        return rng.random() * 1000
    if decl == "BLOB":
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 8)))
    from builders.data import TEXTS

    return rng.choice(TEXTS)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def add_extra_tables(conn: sqlite3.Connection, tables: Iterable[ExtraTable]) -> list[str]:
    names = []
    for table in tables:
        if is_reserved(table.name):
            raise ValueError(f"extra table name {table.name!r} collides with an app/tool name")
        cols = ", ".join(f"{quote(c)} {t}".rstrip() for c, t in table.columns)
        conn.execute(f"CREATE TABLE {quote(table.name)} ({cols})")
        marks = ", ".join("?" for _ in table.columns)
        conn.executemany(f"INSERT INTO {quote(table.name)} VALUES ({marks})", table.rows)
        names.append(table.name)
    return names


def add_fallbacks(conn: sqlite3.Connection, fallback: Iterable[str]) -> tuple[str, ...]:
    done = []
    for name in fallback:
        if name not in ddl.FALLBACKS:
            raise ValueError(f"unknown fallback table {name!r}; one of {sorted(ddl.FALLBACKS)}")
        for sql in ddl.FALLBACKS[name]:
            conn.execute(sql)
        done.append(name)
    return tuple(done)


def finish(conn: sqlite3.Connection, *, wal: bool) -> None:
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")  # persistent; closing checkpoints the WAL
    conn.close()


def effective_failures(conn: sqlite3.Connection, failed: frozenset[str]) -> frozenset[str]:
    """The failed steps whose effect is really absent from the file."""
    indexes = {
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    out = set()
    for step in failed:
        if step in COLUMN_STEPS:
            if step not in columns(conn, COLUMN_STEPS[step]):
                out.add(step)
        elif step not in indexes:
            out.add(step)
    return frozenset(out)


def _pick_birth(era: str, failed: frozenset[str]) -> str:
    """The newest birth era whose fresh file lacks every failed column (so its ALTER ran)."""
    needed = {f if f in COLUMN_STEPS else INDEX_STEPS[f] for f in failed}
    candidates = [
        b
        for b in ddl.FRESH_ERAS
        if ddl.ERA_INDEX[b] < ddl.ERA_INDEX[ddl.ddl_era(era)]
        and all(ddl.ERA_INDEX[b] < ddl.ERA_INDEX[COLUMN_BORN[c]] for c in needed)
    ]
    if not candidates:
        raise ValueError(f"no birth era before {era} lacks {sorted(needed)}")
    return candidates[-1]


# --------------------------------------------------------------------------------------------
# the builder


def build_legacy(
    path: str | Path,
    *,
    era: str,
    user_version: int | None = None,
    failed: Iterable[str] = (),
    upgraded_from: str | None = None,
    opened_again: bool = True,
    extra_tables: int | Sequence[ExtraTable] = (),
    data: DataSpec | Mapping[str, Any] | None = None,
    rng: random.Random | int | None = None,
    fallback: Iterable[str] = (),
    born_user_version: int | None = None,
    wal: bool = True,
) -> LegacyFile:
    """Write a legacy agent-world file.

    :param era: the legacy code that last opened the file: ``F1 F2 F3 F4 F7 F8 F10 F11`` (fresh
        schemas, §1.4), or the code generations ``F4-v3`` (71e4915f, uv 3) and ``F8-v4`` (97f0fd97,
        whose target stayed 4). Without `upgraded_from` the file was born fresh in that era.
    :param upgraded_from: the birth era of a file that `era`'s `migrate()` then upgraded (columns
        appended by ALTER in §1.3b order). Eras ≤ F3 have no `migrate()`: their
        `initializeSchema()` only adds missing tables (e.g. F1 opened by F2 gets chat tables).
    :param failed: legacy steps whose ALTER (or index) failed while `uv` was bumped anyway; see
        `FAILABLE`. Without `upgraded_from`, the newest birth era that lacks those columns is used.
        Failures are one-off: a second start (`opened_again`) behaves like the app's.
    :param opened_again: a second start by the same code (creates chat tables, indexes).
    :param user_version: overrides the final ``user_version`` (e.g. 0: "uv never set").
    :param born_user_version: the user_version of the birth file before `era` opened it (0 for
        "F1 tables at uv 0", branch A of `migrate()`).
    :param extra_tables: a count of random user tables, or explicit `ExtraTable`s.
    :param fallback: TypeScript fallback tables to add: ``events`` (no FKs), ``event_sequences``,
        ``message_queue`` (camelCase).
    """
    path = Path(path)
    failing = frozenset(failed)
    unknown = failing - FAILABLE
    if unknown:
        raise ValueError(f"unknown failed steps {sorted(unknown)}; one of {sorted(FAILABLE)}")
    if era not in ddl.ERA_INDEX and era not in ddl.OPENERS:
        raise ValueError(f"unknown era {era!r}")
    if failing and upgraded_from is None:
        upgraded_from = _pick_birth(era, failing)
    if failing and era not in ddl.OPENERS:
        raise ValueError(f"era {era} has no migrate(): nothing can fail")
    generator = rng if isinstance(rng, random.Random) else random.Random(rng)
    spec = DataSpec.make(data)
    if path.exists():
        raise FileExistsError(path)
    conn = connect(path)
    birth = upgraded_from or era
    initialize_schema(conn, ddl.ddl_era(birth))
    _set_uv(conn, ddl.FRESH_USER_VERSION[birth] if born_user_version is None else born_user_version)
    notes: list[str] = []
    if upgraded_from is not None:
        legacy_start(conn, era, set(failing))
        if opened_again:
            legacy_start(conn, era, set())
    fallbacks = add_fallbacks(conn, fallback)
    populate(conn, spec, generator)
    if isinstance(extra_tables, int):
        extras = random_extra_tables(generator, extra_tables, spec.extra_rows)
    else:
        extras = list(extra_tables)
    extra_names = add_extra_tables(conn, extras)
    if user_version is not None:
        _set_uv(conn, user_version)
    effective = effective_failures(conn, failing)
    if effective != failing:
        notes.append(f"requested failures without effect: {sorted(failing - effective)}")
    record = LegacyFile(
        path=path,
        era=era,
        upgraded_from=upgraded_from,
        failed=effective,
        user_version=_uv(conn),
        counts={k: v for k, v in table_counts(conn).items() if k != "sqlite_sequence"},
        tables=tuple(sorted(table_counts(conn))),
        extra_tables=tuple(extra_names),
        fallback=fallbacks,
        history=history_versions(conn),
        notes=notes,
    )
    finish(conn, wal=wal)
    return record
