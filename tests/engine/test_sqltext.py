"""engine.scripts.sqltext: decoding, checksums and statement splitting keep their promises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.scripts.sqltext import (
    Statement,
    checksum,
    first_keywords,
    is_transaction_control,
    needs_no_transaction,
    normalize_text,
    split_statements,
)

TRIGGER = """CREATE TRIGGER t_touch AFTER UPDATE ON t
BEGIN
    UPDATE t SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
    INSERT INTO log (msg) VALUES ('touched; really');
END;"""


def sqls(text: str) -> list[str]:
    statements, incomplete = split_statements(text)
    assert incomplete is None
    return [s.sql for s in statements]


# --- normalize_text / checksum -------------------------------------------------------------


def test_normalize_strips_bom_and_unifies_line_endings() -> None:
    assert normalize_text(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"


def test_normalize_keeps_bom_like_text_after_the_start() -> None:
    assert normalize_text("a\ufeffb".encode()) == "a\ufeffb"


def test_normalize_rejects_non_utf8_with_the_error_position() -> None:
    with pytest.raises(UnicodeDecodeError) as info:
        normalize_text(b"SELECT 1;\n\xff")
    assert info.value.start == 10


@pytest.mark.parametrize(
    "variant",
    [
        b"CREATE TABLE a (x);\nCREATE TABLE b (y);\n",
        b"CREATE TABLE a (x);\r\nCREATE TABLE b (y);\r\n",
        b"CREATE TABLE a (x);\rCREATE TABLE b (y);\r",
        b"\xef\xbb\xbfCREATE TABLE a (x);\r\nCREATE TABLE b (y);\n",
    ],
)
def test_checksum_ignores_line_endings_and_bom(variant: bytes) -> None:
    lf = checksum(normalize_text(b"CREATE TABLE a (x);\nCREATE TABLE b (y);\n"))
    assert checksum(normalize_text(variant)) == lf


def test_checksum_changes_with_content() -> None:
    assert checksum("CREATE TABLE a (x);\n") != checksum("CREATE TABLE a (y);\n")
    assert checksum("SELECT 1;") != checksum("SELECT 1; ")


def test_checksum_format() -> None:
    value = checksum("")
    assert value == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_checksum_normalises_raw_text_too() -> None:
    assert checksum("\ufeffa\r\nb") == checksum("a\nb")


@given(
    # Non-empty lines: "\r" then an empty line ended by "\n" would read as one CRLF.
    lines=st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"),
            min_size=1,
            max_size=20,
        )
    ),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1),
    bom=st.booleans(),
)
def test_checksum_is_stable_across_line_endings_and_bom(
    lines: list[str], endings: list[str], bom: bool
) -> None:
    if lines and lines[0].startswith("\ufeff"):  # a BOM of its own would be stripped
        lines[0] = "x" + lines[0]
    mixed = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    raw = ("\ufeff" if bom else "") + mixed
    plain = "".join(line + "\n" for line in lines)
    assert checksum(normalize_text(raw.encode("utf-8"))) == checksum(plain)


# --- split_statements --------------------------------------------------------------------


def test_trigger_body_with_semicolons_is_one_statement() -> None:
    text = f"CREATE TABLE t (id INTEGER PRIMARY KEY);\n{TRIGGER}\nCREATE INDEX i ON t (id);\n"
    assert sqls(text) == [
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        TRIGGER,
        "CREATE INDEX i ON t (id);",
    ]


def test_semicolons_in_strings_and_comments_do_not_split() -> None:
    text = (
        "INSERT INTO t VALUES ('a;b', \"c;d\"); -- trailing; comment\n"
        "SELECT 1 /* inline; */ + 2;\n"
        "SELECT 3 -- line; comment\n  ;\n"
    )
    assert sqls(text) == [
        "INSERT INTO t VALUES ('a;b', \"c;d\");",
        "SELECT 1 /* inline; */ + 2;",
        "SELECT 3 -- line; comment\n  ;",
    ]


def test_two_statements_on_one_line() -> None:
    statements, _ = split_statements("SELECT 1; SELECT 2;")
    assert statements == (Statement("SELECT 1;", 1), Statement("SELECT 2;", 1))


def test_line_numbers_skip_blank_lines_and_comments() -> None:
    text = (
        "-- transaction: no\n"  # 1
        "\n"  # 2
        "/* a block\n   comment */\n"  # 3-4
        "CREATE TABLE a (x);\n"  # 5
        "\n"  # 6
        "-- next one\n"  # 7
        "  CREATE TABLE b (\n"  # 8
        "    y);\n"
    )
    statements, incomplete = split_statements(text)
    assert incomplete is None
    assert [(s.line, s.sql) for s in statements] == [
        (5, "CREATE TABLE a (x);"),
        (8, "CREATE TABLE b (\n    y);"),
    ]


def test_line_numbers_with_crlf_input_after_normalising() -> None:
    text = normalize_text(b"-- c\r\n\r\nSELECT 1;\r\nSELECT\r\n 2;\r\n")
    statements, _ = split_statements(text)
    assert [(s.line, s.sql) for s in statements] == [(3, "SELECT 1;"), (4, "SELECT\n 2;")]


def test_first_line_offsets_line_numbers() -> None:
    statements, incomplete = split_statements("\nDROP TABLE a;\nDROP", first_line=10)
    assert statements == (Statement("DROP TABLE a;", 11),)
    assert incomplete == 12


def test_incomplete_trailing_statement_reports_its_first_line() -> None:
    text = "CREATE TABLE a (x);\n-- about b\n\nCREATE TABLE b (\n  y\n"
    statements, incomplete = split_statements(text)
    assert [s.sql for s in statements] == ["CREATE TABLE a (x);"]
    assert incomplete == 4


def test_unterminated_trigger_is_incomplete() -> None:
    statements, incomplete = split_statements("SELECT 1;\n" + TRIGGER.removesuffix("END;"))
    assert len(statements) == 1
    assert incomplete == 2


def test_trailing_comments_are_not_a_statement() -> None:
    assert split_statements("SELECT 1;\n-- the end\n/* really */\n") == (
        (Statement("SELECT 1;", 1),),
        None,
    )


def test_comment_only_and_empty_chunks_are_not_statements() -> None:
    assert split_statements("-- nothing here\n\n/* nor here */\n") == ((), None)
    assert split_statements(";\n -- x\n ;") == ((), None)
    assert split_statements("") == ((), None)


STATEMENTS = [
    "CREATE TABLE a (x TEXT DEFAULT 'semi;colon');",
    "INSERT INTO a VALUES ('it''s; fine');",
    "CREATE INDEX a_x ON a (x);",
    TRIGGER,
    'CREATE VIEW "v;w" AS SELECT x FROM a -- comment; inside\n;',
    "PRAGMA user_version = 3;",
    "SELECT 1 /* ; */;",
]


@given(
    chosen=st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=8),
    gaps=st.lists(
        st.sampled_from(["\n", "\n\n", " ", "\n-- note; here\n", "\n/* x; */\n"]), min_size=1
    ),
)
def test_split_then_join_preserves_every_statement(chosen: list[str], gaps: list[str]) -> None:
    text = "".join(gaps[i % len(gaps)] + sql for i, sql in enumerate(chosen))
    statements, incomplete = split_statements(text)
    assert incomplete is None
    assert [s.sql for s in statements] == chosen
    for s in statements:  # each line number points at the statement's first line
        assert s.sql.split("\n")[0] in text.split("\n")[s.line - 1]


# --- keywords and transaction rules ------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "n", "expected"),
    [
        ("PRAGMA journal_mode = WAL;", 2, ("PRAGMA", "JOURNAL_MODE")),
        ("vacuum;", 2, ("VACUUM",)),
        ("-- lead\n/* x */ create table t (a);", 3, ("CREATE", "TABLE", "T")),
        ("SELECT 1;", 2, ("SELECT",)),
        ("", 2, ()),
    ],
)
def test_first_keywords(sql: str, n: int, expected: tuple[str, ...]) -> None:
    assert first_keywords(sql, n) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "VACUUM;",
        "pragma  Journal_Mode = wal;",
        "PRAGMA main.foreign_keys=off;",
        'PRAGMA "main" . FOREIGN_KEYS = 0;',
        "-- switch\nPRAGMA foreign_keys = ON;",
        "BEGIN;",
        "begin immediate;",
        "COMMIT;",
        "END TRANSACTION;",
        "ROLLBACK;",
    ],
)
def test_needs_no_transaction_gives_a_reason(sql: str) -> None:
    reason = needs_no_transaction(sql)
    assert reason
    assert first_keywords(sql, 1)[0] in reason.upper()


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA user_version = 4;",
        "PRAGMA main.user_version;",
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;",
        "SELECT 'VACUUM';",
        "-- VACUUM\nCREATE TABLE vacuum_log (x);",
        "INSERT INTO journal_mode VALUES (1);",
    ],
)
def test_needs_no_transaction_allows_ordinary_statements(sql: str) -> None:
    assert needs_no_transaction(sql) is None


def test_transaction_control_is_recognised() -> None:
    assert is_transaction_control("commit;")
    assert is_transaction_control("/* x */ END;")
    assert not is_transaction_control("VACUUM;")
    assert not is_transaction_control("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;")
