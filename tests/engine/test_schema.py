"""engine.schema: snapshot a schema from PRAGMAs, compare snapshots, replay an expected schema."""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.schema import (
    KINDS,
    Snapshot,
    compare,
    format_diff,
    normalize_sql,
    replay,
    snapshot,
)
from engine.scripts.sqlnorm import parse_create_index, parse_create_table

WORLDS = """CREATE TABLE worlds (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  turn_limit INTEGER NOT NULL DEFAULT 5,
  mcp_config TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
)"""


def build(path: Path | str, *statements: str) -> sqlite3.Connection:
    """A real SQLite database (file or :memory:) holding the given schema."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    return conn


def snap(*statements: str, path: Path | str = ":memory:") -> Snapshot:
    conn = build(path, *statements)
    try:
        return snapshot(conn)
    finally:
        conn.close()


def kinds(actual: Snapshot, expected: Snapshot) -> list[tuple[str, str]]:
    return [(d.kind, d.object) for d in compare(actual, expected).differences]


# --------------------------------------------------------------------------------------------
# normalize_sql


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT  a ,\n\tb FROM t", "select a,b from t"),
        ("a -- comment\n = /* block */ b", "a=b"),
        (
            "WHERE name = 'Mixed  CASE -- not a comment'",
            "where name='Mixed  CASE -- not a comment'",
        ),
        ('"Col" + [col] + `COL`', "col+col+col"),
        ('"a b" = [x y]', '"a b"="x y"'),
        ("'it''s'", "'it''s'"),
        ("json_extract\n(meta, '$.ownerAgentIds')", "json_extract(meta,'$.ownerAgentIds')"),
        ("a - -1", "a- -1"),
        ('a"b"', "a b"),
        ("X'0aFF'", "x'0aFF'"),
    ],
)
def test_normalize_sql_examples(text: str, expected: str) -> None:
    assert normalize_sql(text) == expected


def test_check_and_autoincrement_extraction_is_not_fooled_by_quotes_or_comments() -> None:
    sql = """CREATE TABLE t (
      id INTEGER PRIMARY KEY, -- AUTOINCREMENT was removed; CHECK (id > 0) too
      "check" TEXT DEFAULT 'CHECK (x)',
      [autoincrement] INT /* CHECK (y) */,
      v INT CONSTRAINT positive CHECK ( V>0 ),
      CHECK ((length("check") < 10))
    )"""
    text = parse_create_table(sql)
    assert text.checks == ("length(check)<10", "v>0")
    assert not text.autoincrement
    assert not text.without_rowid


def test_index_text_gives_expression_terms_and_where() -> None:
    text = parse_create_index(
        "CREATE INDEX i ON t\n(lower(a) COLLATE NOCASE DESC, (b + 1), c) WHERE (c IS NOT NULL)"
    )
    assert text.terms == ("lower(a)", "b+1", "c")
    assert text.where == "c is not null"


# --------------------------------------------------------------------------------------------
# compare: columns


def test_column_order_is_ignored() -> None:
    a = snap("CREATE TABLE t (a INTEGER, b TEXT NOT NULL, c REAL DEFAULT 0)")
    b = snap("CREATE TABLE t (c REAL DEFAULT 0, a INTEGER, b TEXT NOT NULL)")
    diff = compare(a, b)
    assert diff.ok and diff.extras == ()


def test_missing_column_is_reported_in_plain_words() -> None:
    expected = snap(WORLDS)
    actual = snap(WORLDS.replace("  mcp_config TEXT,\n", ""))
    diff = compare(actual, expected)
    assert not diff.ok
    [difference] = diff.differences
    assert difference.kind == "missing_column"
    assert difference.object == "column worlds.mcp_config"
    assert difference.message == "Column worlds.mcp_config is missing."
    assert difference.expected == "TEXT"
    assert "  - Column worlds.mcp_config is missing." in format_diff(diff)


def test_changed_default_is_a_difference() -> None:
    expected = snap(WORLDS)
    actual = snap(WORLDS.replace("DEFAULT 5", "DEFAULT 10"))
    [difference] = compare(actual, expected).differences
    assert (difference.kind, difference.object) == ("column_differs", "column worlds.turn_limit")
    assert "default" in difference.message
    assert difference.expected == "INTEGER NOT NULL DEFAULT 5"
    assert difference.actual == "INTEGER NOT NULL DEFAULT 10"


def test_default_parentheses_case_and_spacing_are_not_differences() -> None:
    a = snap(
        "CREATE TABLE t (a INT DEFAULT (0), b TEXT DEFAULT current_timestamp, c varchar ( 10 ))"
    )
    b = snap("CREATE TABLE t (a INT DEFAULT 0, b TEXT DEFAULT CURRENT_TIMESTAMP, c VARCHAR(10))")
    assert compare(a, b).ok
    assert a.tables["t"].column("c") is not None
    assert a.tables["t"].columns[2].type == "VARCHAR(10)"


def test_default_string_literal_case_is_a_difference() -> None:
    a = snap("CREATE TABLE t (s TEXT DEFAULT 'Human')")
    b = snap("CREATE TABLE t (s TEXT DEFAULT 'human')")
    assert kinds(a, b) == [("column_differs", "column t.s")]


def test_type_not_null_and_primary_key_differences_are_named() -> None:
    expected = snap("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    actual = snap("CREATE TABLE t (id TEXT, n TEXT)")
    messages = [d.message for d in compare(actual, expected).differences]
    assert "Column t.id has a different primary key position." in messages
    assert "Column t.n has a different type and NOT NULL." in messages


def test_column_and_table_names_match_case_insensitively() -> None:
    a = snap("CREATE TABLE Worlds (ID TEXT PRIMARY KEY, Name TEXT)")
    b = snap("CREATE TABLE worlds (id TEXT PRIMARY KEY, name TEXT)")
    diff = compare(a, b)
    assert diff.ok and diff.extras == ()
    assert b.tables["worlds"].column("NAME") is not None


# --------------------------------------------------------------------------------------------
# compare: CHECK, AUTOINCREMENT, table options, foreign keys


def test_check_constraint_text_differs_when_values_differ() -> None:
    expected = snap("CREATE TABLE m (role TEXT CHECK (role IN ('user', 'assistant', 'tool')))")
    actual = snap("CREATE TABLE m (role TEXT CHECK (role IN ('user', 'assistant')))")
    [difference] = compare(actual, expected).differences
    assert difference.kind == "checks_differ"
    assert difference.object == "table m"
    assert difference.expected == "role in('user','assistant','tool')"
    assert difference.actual == "role in('user','assistant')"


def test_check_constraint_ignores_whitespace_and_case() -> None:
    a = snap("CREATE TABLE m (role TEXT CHECK (role IN ('user','tool')), CHECK(length(role)>0))")
    b = snap(
        "CREATE TABLE m (\n  role TEXT,\n  CONSTRAINT c1 check ( LENGTH( Role ) > 0 ),\n"
        "  Check (\n    ROLE in ( 'user' , 'tool' )\n  )\n)"
    )
    assert compare(a, b).ok


def test_autoincrement_difference_detected() -> None:
    expected = snap("CREATE TABLE q (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)")
    actual = snap("CREATE TABLE q (id INTEGER PRIMARY KEY /* AUTOINCREMENT */, v TEXT)")
    [difference] = compare(actual, expected).differences
    assert difference.kind == "table_options_differ"
    assert (difference.expected, difference.actual) == ("AUTOINCREMENT", "(none)")
    assert expected.tables["q"].autoincrement and not actual.tables["q"].autoincrement


def test_without_rowid_and_strict_are_table_options() -> None:
    expected = snap("CREATE TABLE k (a TEXT PRIMARY KEY, b INT) WITHOUT ROWID, STRICT")
    actual = snap("CREATE TABLE k (a TEXT PRIMARY KEY, b INT)")
    assert ("table_options_differ", "table k") in kinds(actual, expected)
    assert expected.tables["k"].without_rowid and expected.tables["k"].strict


def test_fk_on_delete_difference_detected() -> None:
    parent = "CREATE TABLE p (id TEXT PRIMARY KEY)"
    expected = snap(parent, "CREATE TABLE c (pid TEXT REFERENCES p(id) ON DELETE CASCADE)")
    actual = snap(parent, "CREATE TABLE c (pid TEXT REFERENCES p(id))")
    [difference] = compare(actual, expected).differences
    assert (difference.kind, difference.object) == ("foreign_keys_differ", "table c")
    assert difference.expected is not None and "ON DELETE CASCADE" in difference.expected
    assert difference.actual is not None and "ON DELETE NO ACTION" in difference.actual


def test_composite_fk_and_implicit_parent_key_compare_equal() -> None:
    parent = "CREATE TABLE a (id TEXT, w TEXT, PRIMARY KEY (id, w))"
    one = snap(parent, "CREATE TABLE m (x, y, FOREIGN KEY (x, y) REFERENCES a ON DELETE CASCADE)")
    two = snap(
        parent, "CREATE TABLE m (x, y, FOREIGN KEY (x, y) REFERENCES a(id, w) ON DELETE CASCADE)"
    )
    assert compare(one, two).ok
    fk = two.tables["m"].foreign_keys[0]
    assert fk.columns == ("x", "y") and fk.parent_columns == ("id", "w")


# --------------------------------------------------------------------------------------------
# compare: indexes, triggers, views, extras


def test_expression_index_body_compared_by_normalised_text() -> None:
    table = "CREATE TABLE events (id TEXT PRIMARY KEY, meta TEXT)"
    expected = snap(
        table, "CREATE INDEX idx_owner ON events(json_extract(meta, '$.ownerAgentIds'))"
    )
    reformatted = snap(
        table, "CREATE INDEX idx_owner \n  ON events\n(JSON_EXTRACT\n(meta, '$.ownerAgentIds'))"
    )
    other_path = snap(
        table, "CREATE INDEX idx_owner ON events(json_extract(meta, '$.threadRootId'))"
    )
    assert compare(reformatted, expected).ok
    assert expected.indexes["idx_owner"].columns == ("json_extract(meta,'$.ownerAgentIds')",)
    assert kinds(other_path, expected) == [("index_differs", "index idx_owner")]


def test_partial_index_where_and_sort_order_are_compared() -> None:
    table = "CREATE TABLE t (a INT, b INT)"
    expected = snap(table, "CREATE INDEX i ON t(a) WHERE b > 0")
    assert kinds(snap(table, "CREATE INDEX i ON t(a) WHERE (B>0)"), expected) == []
    assert kinds(snap(table, "CREATE INDEX i ON t(a) WHERE b > 1"), expected) == [
        ("index_differs", "index i")
    ]
    assert kinds(snap(table, "CREATE INDEX i ON t(a)"), expected) == [("index_differs", "index i")]
    assert kinds(snap(table, "CREATE INDEX i ON t(a DESC) WHERE b > 0"), expected) == [
        ("index_differs", "index i")
    ]


def test_index_uniqueness_and_columns_are_compared() -> None:
    table = "CREATE TABLE q (m TEXT, w TEXT)"
    expected = snap(table, "CREATE UNIQUE INDEX i ON q(m)")
    assert kinds(snap(table, "CREATE INDEX i ON q(m)"), expected) == [("index_differs", "index i")]
    assert kinds(snap(table, "CREATE UNIQUE INDEX i ON q(w)"), expected) == [
        ("index_differs", "index i")
    ]
    assert kinds(snap(table), expected) == [("missing_index", "index i")]


def test_autoindex_numbering_is_ignored() -> None:
    a = snap("CREATE TABLE t (a TEXT UNIQUE, b TEXT UNIQUE, c TEXT)")
    b = snap("CREATE TABLE t (b TEXT UNIQUE, c TEXT, a TEXT UNIQUE)")
    assert a.indexes["sqlite_autoindex_t_1"].columns == ("a",)
    assert b.indexes["sqlite_autoindex_t_1"].columns == ("b",)
    diff = compare(a, b)
    assert diff.ok and diff.extras == ()
    missing = snap("CREATE TABLE t (a TEXT UNIQUE, b TEXT, c TEXT)")
    diff = compare(missing, b)
    assert [(d.kind, d.message) for d in diff.differences] == [
        ("missing_index", "The automatic index of table t on (b) is missing.")
    ]


def test_extra_table_column_index_are_listed_not_errors() -> None:
    expected = snap("CREATE TABLE memory_archives (id INTEGER PRIMARY KEY, name TEXT)")
    actual = snap(
        "CREATE TABLE memory_archives (id INTEGER PRIMARY KEY, name TEXT, summary TEXT)",
        "CREATE TABLE chat_snapshots (id INTEGER PRIMARY KEY, data TEXT UNIQUE)",
        "CREATE INDEX idx_x ON memory_archives(name)",
        "CREATE TRIGGER t AFTER INSERT ON chat_snapshots BEGIN SELECT 1; END",
        "CREATE VIEW v AS SELECT 1",
    )
    diff = compare(actual, expected)
    assert diff.ok
    assert diff.extras == (
        "table chat_snapshots",
        "column memory_archives.summary",
        "index idx_x",
        "index sqlite_autoindex_chat_snapshots_1",
        "trigger t",
        "view v",
    )
    lines = format_diff(diff)
    assert lines[0] == "Every expected object is present and equal."
    assert "  + table chat_snapshots" in lines


def test_trigger_body_difference_detected() -> None:
    table = "CREATE TABLE w (id TEXT, updated_at TEXT)"
    body = (
        "AFTER UPDATE ON w BEGIN UPDATE w SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END"
    )
    expected = snap(table, f"CREATE TRIGGER w_upd {body}")
    reflowed = snap(table, f"CREATE TRIGGER w_upd\n{body.replace(' ', chr(10) + '  ', 3)}")
    changed = snap(table, f"CREATE TRIGGER w_upd {body.replace('NEW.id', 'OLD.id')}")
    assert compare(reflowed, expected).ok
    [difference] = compare(changed, expected).differences
    assert (difference.kind, difference.object) == ("trigger_differs", "trigger w_upd")
    assert kinds(snap(table), expected) == [("missing_trigger", "trigger w_upd")]


def test_view_body_difference_detected() -> None:
    table = "CREATE TABLE t (a INT, b INT)"
    expected = snap(table, "CREATE VIEW v AS SELECT a FROM t")
    assert compare(snap(table, "create view V as\n  select A from T"), expected).ok
    assert kinds(snap(table, "CREATE VIEW v AS SELECT b FROM t"), expected) == [
        ("view_differs", "view v")
    ]
    assert kinds(snap(table), expected) == [("missing_view", "view v")]


def test_missing_table_and_diff_order() -> None:
    expected = snap(
        "CREATE TABLE a (x INT CHECK (x > 0), y INT)",
        "CREATE TABLE b (id INT)",
        "CREATE INDEX ib ON b(id)",
    )
    actual = snap("CREATE TABLE a (x INT)")
    diff = compare(actual, expected)
    assert [(d.kind, d.object) for d in diff.differences] == [
        ("missing_table", "table b"),
        ("missing_column", "column a.y"),
        ("missing_index", "index ib"),
        ("checks_differ", "table a"),
    ]
    assert [KINDS.index(d.kind) for d in diff.differences] == sorted(
        KINDS.index(d.kind) for d in diff.differences
    )
    assert diff.differences[0].message == "Table b is missing."
    assert format_diff(diff)[0] == "4 difference(s) from the expected schema:"


def test_identical_schemas_format_as_one_line() -> None:
    a = snap(WORLDS)
    assert format_diff(compare(a, a)) == ["The schema matches the expected schema."]


# --------------------------------------------------------------------------------------------
# snapshot


def test_snapshot_never_reads_rows(tmp_path: Path) -> None:
    conn = build(
        tmp_path / "db.sqlite",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
        "INSERT INTO t (v) VALUES ('row')",
        "CREATE INDEX iv ON t(v)",
        "CREATE VIEW broken AS SELECT no_such_function(v) FROM t",
        "CREATE TRIGGER boom AFTER INSERT ON t BEGIN SELECT no_such_function(); END",
    )
    actions: list[tuple[int, str | None]] = []
    allowed_pragmas = {"table_xinfo", "foreign_key_list", "index_list", "index_xinfo"}

    def authorizer(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
        actions.append((action, arg1))
        if action == sqlite3.SQLITE_READ and arg1 not in ("sqlite_master", "sqlite_schema"):
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and arg1 not in allowed_pragmas:
            return sqlite3.SQLITE_DENY
        if action in (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorizer)
    snapshot_ = snapshot(conn)
    conn.close()
    assert set(snapshot_.tables) == {"t"}
    assert snapshot_.views["broken"].body == "select no_such_function(v)from t"
    assert snapshot_.triggers["boom"].table == "t"
    assert any(action == sqlite3.SQLITE_PRAGMA for action, _ in actions)


def test_snapshot_handles_quoted_identifiers_and_comments(tmp_path: Path) -> None:
    s = snap(
        '''CREATE TABLE "a b"
        (
          -- a comment with CHECK (x) and AUTOINCREMENT in it
          [id] INTEGER PRIMARY KEY,   /* trailing, block comment */
          `weird``name` TEXT,
          "check" TEXT NOT NULL DEFAULT 'x' CHECK ("check" <> ''),
          "say ""hi""" INT
        )''',
        'CREATE INDEX "idx a b" ON "a b"\n("check", [weird`name])',
        path=tmp_path / "quoted.sqlite",
    )
    table = s.tables["a b"]
    assert [c.name for c in table.columns] == ["id", "weird`name", "check", 'say "hi"']
    assert table.checks == ("check<>''",)
    assert not table.autoincrement
    check = table.column("CHECK")
    assert check is not None and check.notnull and check.default == "'x'"
    assert s.indexes["idx a b"].columns == ("check", "weird`name")
    assert compare(s, s).ok


def test_snapshot_skips_internal_tables_and_honours_ignore() -> None:
    s = snap(
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT)",
        "INSERT INTO a DEFAULT VALUES",
        "ANALYZE",
        "CREATE TABLE sqlmig_log (id INTEGER PRIMARY KEY, msg TEXT)",
        "CREATE INDEX sqlmig_log_msg ON sqlmig_log(msg)",
        "CREATE TRIGGER sqlmig_t AFTER INSERT ON sqlmig_log BEGIN SELECT 1; END",
    )
    assert set(s.tables) == {"a", "sqlmig_log"}  # no sqlite_sequence, no sqlite_stat1
    conn = build(
        ":memory:",
        "CREATE TABLE a (id INTEGER PRIMARY KEY)",
        "CREATE TABLE sqlmig_log (id INTEGER PRIMARY KEY, msg TEXT)",
        "CREATE INDEX sqlmig_log_msg ON sqlmig_log(msg)",
        "CREATE TRIGGER sqlmig_t AFTER INSERT ON sqlmig_log BEGIN SELECT 1; END",
    )
    ignored = snapshot(conn, ignore=lambda name: name == "sqlmig_log")
    assert set(ignored.tables) == {"a"}
    assert not ignored.indexes and not ignored.triggers


def test_snapshot_of_an_attached_schema() -> None:
    conn = build(":memory:", "ATTACH ':memory:' AS \"other db\"")
    conn.execute('CREATE TABLE "other db".t (a INT)')
    assert set(snapshot(conn, schema="other db").tables) == {"t"}
    assert not snapshot(conn).tables


def test_virtual_tables_and_generated_columns_are_snapshotted() -> None:
    s = snap(
        "CREATE TABLE g (a INT, b INT GENERATED ALWAYS AS (a * 2) STORED, c AS (a + 1))",
        "CREATE VIRTUAL TABLE docs USING fts5(body)",
    )
    assert [c.hidden for c in s.tables["g"].columns] == [0, 3, 2]
    assert s.tables["docs"].column("body") is not None
    assert "docs_data" in s.tables  # fts5's shadow tables are ordinary tables
    plain = snap("CREATE TABLE g (a INT, b INT, c INT)")
    assert {d.object for d in compare(plain, s).differences} >= {"column g.b", "column g.c"}


def test_two_thousand_column_table() -> None:
    columns = ", ".join(f"c{i} INTEGER DEFAULT {i}" for i in range(2000))
    s = snap(f"CREATE TABLE wide ({columns})")
    table = s.tables["wide"]
    assert len(table.columns) == 2000
    last = table.column("C1999")
    assert last is not None and last.default == "1999"


def test_ten_thousand_tables_snapshot_is_linear(tmp_path: Path) -> None:
    """10,000 tables (1,000 indexed) are read with one PRAGMA set each.

    Building them with CREATE TABLE is itself quadratic in SQLite (each CREATE re-scans
    sqlite_master: ~16 s here), so the schema rows are written directly and share the root pages
    of one real table and index. snapshot() reads only the schema, never those pages.
    """
    path = tmp_path / "many.sqlite"
    ddl = "CREATE TABLE {} (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '')"
    conn = build(path, ddl.format("t0"), "CREATE INDEX i0 ON t0(name)")
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master").fetchall())
    rows = []
    for i in range(1, 10_000):
        rows.append(("table", f"t{i}", f"t{i}", roots["t0"], ddl.format(f"t{i}")))
        if i % 10 == 0:
            rows.append(
                ("index", f"i{i}", f"t{i}", roots["i0"], f"CREATE INDEX i{i} ON t{i}(name)")
            )
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO sqlite_master VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()

    reader = sqlite3.connect(path)
    s = snapshot(reader)
    reader.close()
    assert len(s.tables) == 10_000
    assert len(s.indexes) == 1_000
    assert s.tables["t9999"].column("name") is not None
    assert s.indexes["i9990"].columns == ("name",)
    assert compare(s, s).ok


# --------------------------------------------------------------------------------------------
# replay


def test_replay_builds_expected_schema() -> None:
    expected = replay(
        [
            ([WORLDS], False),
            (
                [
                    "ALTER TABLE worlds ADD COLUMN variables TEXT",
                    "CREATE INDEX idx_worlds_name ON worlds(name)",
                ],
                True,
            ),
        ]
    )
    assert expected.tables["worlds"].column("variables") is not None
    assert "idx_worlds_name" in expected.indexes
    actual = snap(WORLDS)
    assert ("missing_column", "column worlds.variables") in kinds(actual, expected)


def test_replay_runs_no_data_statement_whatever_the_foreign_keys_setting() -> None:
    # The replay builds a schema only (issue 8, item 8): data statements never run, so an
    # orphan row cannot fail it, with enforcement on or off.
    tables = [
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE c (pid INTEGER REFERENCES p(id))",
    ]
    orphan = "INSERT INTO c VALUES (42)"
    for foreign_keys_off in (True, False):
        expected = replay([(tables, False), ([orphan], foreign_keys_off)])
        assert expected.tables["c"].foreign_keys[0].parent == "p"


def test_replay_raises_the_sqlite_error_unchanged() -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table: nope"):
        replay([(["CREATE TABLE a (x)"], False), (["ALTER TABLE nope ADD COLUMN y"], False)])


# --------------------------------------------------------------------------------------------
# properties

_WORDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
_PIECES = st.one_of(
    st.tuples(st.just("word"), _WORDS),
    st.tuples(st.just("word"), st.from_regex(r"[0-9]{1,3}", fullmatch=True)),
    st.tuples(
        st.just("string"),
        st.text(alphabet="aB c'-/*\n", max_size=6).map(lambda s: "'" + s.replace("'", "''") + "'"),
    ),
    st.tuples(st.just("ident"), _WORDS.map(lambda w: f'"{w}"')),
    st.tuples(
        st.just("ident"), st.text(alphabet="aB c", min_size=1, max_size=5).map(lambda w: f"[{w}]")
    ),
    st.tuples(st.just("punct"), st.sampled_from(list("(),=<>+*/;.%|&~!-"))),
)
_GAPS = st.sampled_from([" ", "  ", "\n", "\t", " /* c */ ", "-- c\n", "\r\n  "])


def _recase(piece: str, kind: str, flip: bool) -> str:
    return piece.swapcase() if flip and kind in ("word", "ident") else piece


@given(st.text(max_size=60))
def test_normalize_sql_is_idempotent(text: str) -> None:
    once = normalize_sql(text)
    assert normalize_sql(once) == once


@given(st.lists(_PIECES, min_size=1, max_size=12), st.data())
def test_normalize_sql_ignores_whitespace_and_case_outside_literals(
    pieces: list[tuple[str, str]], data: st.DataObject
) -> None:
    plain, varied = [pieces[0][1]], [_recase(pieces[0][1], pieces[0][0], data.draw(st.booleans()))]
    for (kind_a, a), (kind_b, b) in itertools.pairwise(pieces):
        # Two non-punctuation tokens, or "--" and "/*", need a separator to stay two tokens.
        needed = (kind_a != "punct" and kind_b != "punct") or a[-1] + b[0] in ("--", "/*")
        plain.append(" " if needed else "")
        varied.append(data.draw(_GAPS) if needed else data.draw(st.sampled_from(["", " ", "\n "])))
        plain.append(b)
        varied.append(_recase(b, kind_b, data.draw(st.booleans())))
    assert normalize_sql("".join(varied)) == normalize_sql("".join(plain))


_NAMES = ["id", "name", "Value", "a b", "check", "order", "x"]
_TYPES = ["INTEGER", "TEXT", "REAL", "", "VARCHAR(10)", "NUMERIC"]
_DEFAULTS = [None, "0", "'x'", "(1 + 2)", "CURRENT_TIMESTAMP", "-1"]


@dataclass(frozen=True)
class _ColumnSpec:
    name: str
    type: str
    notnull: bool
    default: str | None
    check: bool
    unique: bool


@dataclass(frozen=True)
class _TableSpec:
    name: str
    columns: tuple[_ColumnSpec, ...]
    pk: tuple[str, ...]
    fk: tuple[tuple[str, ...], str, tuple[str, ...], str] | None  # cols, parent, pcols, action
    index: tuple[str, ...]
    unique_index: bool
    where: str | None
    without_rowid: bool


@st.composite
def _table_specs(draw: st.DrawFn) -> list[_TableSpec]:
    tables: list[_TableSpec] = []
    for t in range(draw(st.integers(1, 3))):
        names = draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=5, unique=True))
        columns = tuple(
            _ColumnSpec(
                n,
                draw(st.sampled_from(_TYPES)),
                draw(st.booleans()),
                draw(st.sampled_from(_DEFAULTS)),
                draw(st.booleans()),
                draw(st.booleans()),
            )
            for n in names
        )
        pk = tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=2)))
        fk = None
        if t and draw(st.booleans()):
            parent = tables[draw(st.integers(0, t - 1))]
            if parent.pk and len(names) >= len(parent.pk):
                action = draw(st.sampled_from(["CASCADE", "SET NULL", "NO ACTION"]))
                fk = (tuple(names[: len(parent.pk)]), parent.name, parent.pk, action)
        tables.append(
            _TableSpec(
                name=f"T{t}",
                columns=columns,
                pk=pk,
                fk=fk,
                index=tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=2))),
                unique_index=draw(st.booleans()),
                where=draw(st.sampled_from([None, f'"{names[0]}" IS NOT NULL'])),
                without_rowid=bool(pk) and draw(st.booleans()),
            )
        )
    return tables


def _render(spec: list[_TableSpec], rng: random.Random) -> list[str]:
    """The same schema written in a random style: order, quoting, case, whitespace."""

    def q(name: str) -> str:
        return rng.choice(['"{}"', "[{}]", "`{}`"]).format(name)

    def qs(names: tuple[str, ...]) -> str:
        return ", ".join(q(n) for n in names)

    def kw(word: str) -> str:
        return rng.choice([word.upper(), word.lower(), word.title()])

    def gap() -> str:
        return rng.choice([" ", "\n  ", " /* note */ ", "  -- note\n  "])

    statements = []
    for table in spec:
        parts = []
        for col in rng.sample(table.columns, len(table.columns)):
            part = f"{q(col.name)} {col.type}"
            part += f"{gap()}{kw('not null')}" if col.notnull else ""
            part += f" {kw('default')} {col.default}" if col.default is not None else ""
            part += f" {kw('check')} ({q(col.name)} <> 'z')" if col.check else ""
            part += f" {kw('unique')}" if col.unique else ""
            parts.append(part)
        constraints = [f"{kw('primary key')} ({qs(table.pk)})"] if table.pk else []
        if table.fk:
            cols, parent, pcols, action = table.fk
            constraints.append(
                f"{kw('foreign key')}({qs(cols)}) {kw('references')} {q(parent)} ({qs(pcols)})"
                f" {kw('on delete')} {action}"
            )
        rng.shuffle(constraints)
        body = ",".join(gap() + p for p in parts + constraints)
        tail = f" {kw('without rowid')}" if table.without_rowid else ""
        statements.append(f"{kw('create table')} {q(table.name)}{gap()}({body}){tail}")
        if table.index:
            unique = kw("unique ") if table.unique_index else ""
            where = f" {kw('where')} {table.where}" if table.where else ""
            statements.append(
                f"{kw('create')} {unique}{kw('index')} {q('ix_' + table.name)}"
                f"{gap()}{kw('on')} {q(table.name)}({qs(table.index)}){where}"
            )
    return statements


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_table_specs(), st.integers(0, 2**32))
def test_same_schema_written_two_ways_compares_equal(spec: list[_TableSpec], seed: int) -> None:
    rng = random.Random(seed)
    first = snap(*_render(spec, rng))
    second = snap(*_render(spec, rng))
    assert compare(first, first) == compare(first, second)
    diff = compare(first, second)
    assert diff.ok, format_diff(diff)
    assert diff.extras == ()


# --------------------------------------------------------------------------------------------
# the real agent-world files


@pytest.mark.fixtures
def test_real_agent_world_files(fixture_copy: Callable[[str], Path]) -> None:
    with sqlite3.connect(fixture_copy("tracked-458d539e-fresh")) as conn:
        head = snapshot(conn)
    conn.close()
    with sqlite3.connect(fixture_copy("legacy-v7-a8962e7f-fresh")) as conn:
        legacy = snapshot(conn)
    conn.close()
    expression = [
        i for i in head.indexes.values()
        if i.table == "events" and any("json_extract" in c for c in i.columns)
    ]  # fmt: skip
    assert len(expression) == 8
    assert head.tables["agent_memory"].autoincrement
    assert head.tables["agent_memory"].checks == ("role in('system','user','assistant','tool')",)
    assert len(head.triggers) == 4
    assert legacy.tables["archived_messages"].column("original_created_at") is not None
    assert "sqlite_sequence" not in head.tables
    assert compare(head, head).ok

    diff = compare(legacy, head)
    objects = {(d.kind, d.object) for d in diff.differences}
    assert ("missing_column", "column worlds.variables") in objects
    assert ("foreign_keys_differ", "table events") in objects
    assert ("checks_differ", "table agent_memory") in objects
    assert "table chat_snapshots" in diff.extras
    assert "index sqlite_autoindex_events_1" not in {d.object for d in diff.differences}
