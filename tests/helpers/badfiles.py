"""Builders for awkward database files: each takes a folder and returns the path it wrote there.

Good files (``head_db``, ``legacy_like``, ``empty_file``) are here too because bad ones are made
from them. The head file is built once per process (an empty file upgraded by the engine) and
copied byte for byte afterwards, so building many of these stays cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import api
from engine.cli import main as cli_main

PAGE = 4096
_CACHE: dict[str, bytes] = {}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")  # scratch files: no need to wait for the disk
    return conn


# -- good files ---------------------------------------------------------------------------------


def empty_file(folder: Path, name: str = "empty.db") -> Path:
    """A zero-byte file: ``fresh``, not an error."""
    path = folder / name
    path.write_bytes(b"")
    return path


def _cached(key: str, build: Callable[[Path], Path]) -> bytes:
    """The bytes of ``build(folder)``, built once per process in a scratch folder."""
    if key not in _CACHE:
        with tempfile.TemporaryDirectory() as tmp:
            _CACHE[key] = build(Path(tmp)).read_bytes()
    return _CACHE[key]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _build_at(version: int | None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = empty_file(folder, "build.db")
        result = api.upgrade(path, api.load_catalog(), target=version, backup=False)
        if not result.ok:
            raise RuntimeError(f"could not build a file at v{version}: {result.error}")
        return path

    return build


def _head_bytes() -> bytes:
    return _cached("head", _build_at(None))


def head_db(folder: Path, name: str = "head.db") -> Path:
    """An empty file upgraded to the newest bundled migration (tracked, up to date), i.e.
    ``engine.upgrade(path, engine.load_catalog(), backup=False)``."""
    return _write(folder, name, _head_bytes())


def at_version(folder: Path, version: int, name: str | None = None) -> Path:
    """An empty file upgraded with ``target=version`` (tracked, migrations pending)."""
    return _write(folder, name or f"v{version}.db", _cached(f"v{version}", _build_at(version)))


LEGACY_V5_SCHEMA = """
CREATE TABLE worlds (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, turn_limit INTEGER DEFAULT 5,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  chat_llm_provider TEXT, chat_llm_model TEXT, current_chat_id TEXT, mcp_config TEXT
);
CREATE TABLE agents (
  id TEXT NOT NULL, world_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
  status TEXT DEFAULT 'inactive', provider TEXT NOT NULL, model TEXT NOT NULL,
  system_prompt TEXT, temperature REAL, max_tokens INTEGER, llm_call_count INTEGER DEFAULT 0,
  last_llm_call TIMESTAMP, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  last_active TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id, world_id),
  FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE
);
CREATE TABLE agent_memory (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, world_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')), content TEXT NOT NULL,
  sender TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, chat_id TEXT, message_id TEXT,
  FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE
);
CREATE TABLE memory_archives (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, world_id TEXT NOT NULL,
  session_name TEXT, archive_reason TEXT, message_count INTEGER DEFAULT 0,
  start_time TIMESTAMP, end_time TIMESTAMP, participants TEXT, tags TEXT, summary TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE archived_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT, archive_id INTEGER NOT NULL, agent_id TEXT NOT NULL,
  world_id TEXT NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, sender TEXT,
  original_created_at TIMESTAMP, archived_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (archive_id) REFERENCES memory_archives(id) ON DELETE CASCADE
);
CREATE TABLE archive_statistics (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, world_id TEXT NOT NULL,
  total_archives INTEGER DEFAULT 0, total_messages INTEGER DEFAULT 0,
  last_archive_date TIMESTAMP, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO worlds (id, name) VALUES ('w1', 'World one');
INSERT INTO agents (id, world_id, name, type, provider, model)
  VALUES ('a1', 'w1', 'Agent one', 'assistant', 'openai', 'gpt-4');
INSERT INTO agent_memory (agent_id, world_id, role, content, chat_id, message_id)
  VALUES ('a1', 'w1', 'user', 'hello', 'c1', 'm1');
PRAGMA user_version = 5;
"""


def legacy_like(folder: Path, name: str = "legacy.db") -> Path:
    """A minimal legacy-v5-shaped file: the six legacy tables, user_version 5, no history."""
    return _write(folder, name, _cached("legacy", _build_legacy))


def _build_legacy(folder: Path) -> Path:
    path = folder / "build.db"
    with closing(_connect(path)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript("BEGIN;" + LEGACY_V5_SCHEMA.replace("PRAGMA user_version = 5;", "")
                           + "COMMIT; PRAGMA user_version = 5;")
    return path


# -- files that are not databases ------------------------------------------------------------------


def not_sqlite_text(folder: Path, name: str = "notes.db") -> Path:
    """A text file with a database's name."""
    path = folder / name
    path.write_text("These are my notes, not a database.\n" * 40, encoding="utf-8")
    return path


def random_bytes(folder: Path, name: str = "random.db", size: int = 10_000) -> Path:
    path = folder / name
    path.write_bytes(random.Random(1).randbytes(size))
    return path


def encrypted_looking(folder: Path, name: str = "encrypted.db", pages: int = 8) -> Path:
    """Random bytes whose length is a whole number of 4096-byte pages (like SQLCipher output)."""
    path = folder / name
    path.write_bytes(random.Random(2).randbytes(PAGE * pages))
    return path


# -- damaged databases -----------------------------------------------------------------------------

TRUNCATIONS = ("50", "page", "mid")


def truncated(folder: Path, at: str | int, name: str | None = None) -> Path:
    """A head file cut short: ``"50"`` (inside the header), ``"page"`` (exactly one page), ``"mid"``
    (half of it), or an explicit byte count."""
    data = _head_bytes()
    cut = {"50": 50, "page": PAGE, "mid": len(data) // 2}.get(str(at)) if isinstance(at, str) else at
    if cut is None:
        raise ValueError(f"unknown truncation point {at!r}")
    if cut >= len(data):
        raise ValueError(f"the head file has only {len(data)} bytes; cannot cut at {cut}")
    path = folder / (name or f"truncated-{at}.db")
    path.write_bytes(data[:cut])
    return path


def header_damaged(folder: Path, name: str = "header.db") -> Path:
    """A head file whose header says the page size is 3 bytes (impossible)."""
    data = bytearray(_head_bytes())
    data[16:18] = (3).to_bytes(2, "big")
    path = folder / name
    path.write_bytes(bytes(data))
    return path


def corrupted_page(folder: Path, name: str = "corrupt-page.db") -> Path:
    """A tracked file at v5 (so upgrade has work to do) with a few hundred rows, one of whose data
    pages in the middle of the file is overwritten with garbage. Its schema (page 1 onwards) still
    reads, so ``status`` may classify it; the upgrade preflight's quick_check must refuse it."""
    return _write(folder, name, _cached("corrupted_page", _build_corrupted_page))


def _build_corrupted_page(folder: Path) -> Path:
    path = at_version(folder, 5, "build.db")
    with closing(_connect(path)) as conn:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO worlds (id, name) VALUES ('w1', 'World')")
        conn.execute(
            "INSERT INTO agents (id, world_id, name, type, provider, model) "
            "VALUES ('a1', 'w1', 'Agent', 'assistant', 'openai', 'gpt-4')"
        )
        conn.executemany(
            "INSERT INTO agent_memory (agent_id, world_id, role, content) VALUES ('a1', 'w1', "
            "'user', ?)",
            [(f"message {i} " + "x" * 400,) for i in range(400)],
        )
        conn.execute("COMMIT")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        # A leaf page of agent_memory's table b-tree, in the middle of the file.
        leaf_pages = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'agent_memory' AND pagetype = 'leaf'"
            )
        ] if _has_dbstat(conn) else []
    victim = leaf_pages[len(leaf_pages) // 2] if leaf_pages else pages // 2
    with path.open("r+b") as handle:
        handle.seek((victim - 1) * page_size)
        handle.write(random.Random(3).randbytes(page_size))
    return path


def _has_dbstat(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1").fetchall()
    except sqlite3.Error:
        return False
    return True


# -- valid SQLite, but not upgradable --------------------------------------------------------------


def foreign_db(folder: Path, name: str = "shop.db") -> Path:
    """Somebody else's database: tables ``customers`` and ``orders`` with rows."""
    path = folder / name
    with closing(_connect(path)) as conn:
        conn.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE orders (id INTEGER PRIMARY KEY,
                                 customer_id INTEGER REFERENCES customers(id), total REAL);
            INSERT INTO customers (name) VALUES ('Ada'), ('Grace');
            INSERT INTO orders (customer_id, total) VALUES (1, 9.5), (2, 12.0), (2, 3.25);
            """
        )
    return path


def ahead_db(folder: Path, name: str = "ahead.db") -> Path:
    """A head file written by a newer app: user_version 25 and a history row 25."""
    path = head_db(folder, name)
    with closing(_connect(path)) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (25, 'from_the_future')")
        conn.execute("PRAGMA user_version = 25")
    return path


def huge_user_version(folder: Path, name: str = "huge.db") -> Path:
    """A head file with ``user_version`` 2**31-1 (the largest SQLite stores)."""
    path = head_db(folder, name)
    with closing(_connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {2**31 - 1}")
    return path


def garbage_history(folder: Path, name: str = "garbage-history.db") -> Path:
    """A legacy-shaped file whose ``schema_migrations`` holds text versions and NULL names."""
    path = legacy_like(folder, name)
    with closing(_connect(path)) as conn:
        conn.executescript(
            """
            CREATE TABLE schema_migrations (version TEXT, name TEXT, applied_at TEXT);
            INSERT INTO schema_migrations VALUES ('one', NULL, NULL), ('v2', NULL, 'yesterday'),
                                                 ('3', NULL, NULL), (NULL, 'orphan', NULL);
            """
        )
    return path


Builder = Callable[[Path], Path]

# Every builder of a file that `upgrade` must refuse (name -> builder).
BAD_FILES: dict[str, Builder] = {
    "not_sqlite_text": not_sqlite_text,
    "random_bytes": random_bytes,
    "encrypted_looking": encrypted_looking,
    "truncated_50": lambda folder: truncated(folder, "50"),
    "truncated_page": lambda folder: truncated(folder, "page"),
    "truncated_mid": lambda folder: truncated(folder, "mid"),
    "header_damaged": header_damaged,
    "corrupted_page": corrupted_page,
    "foreign_db": foreign_db,
    "ahead_db": ahead_db,
    "huge_user_version": huge_user_version,
    "garbage_history": garbage_history,
}


def files_in(folder: Path) -> dict[str, int]:
    """Name -> size of every entry in ``folder`` (to spot files a command left behind)."""
    return {entry.name: entry.stat().st_size for entry in folder.iterdir() if entry.is_file()}


def new_files(before: dict[str, int], folder: Path) -> dict[str, int]:
    """Files that appeared since ``before``, ignoring empty ``-wal``/``-shm`` files SQLite may
    leave next to a database it opened."""
    after = files_in(folder)
    return {
        name: size
        for name, size in after.items()
        if name not in before and not (size == 0 and name.endswith(("-wal", "-shm")))
    }


# -- running the CLI in-process -------------------------------------------------------------------


@dataclass
class CliRun:
    """What one in-process ``sqlmig`` command did."""

    code: int
    out: str
    err: str
    seconds: float

    def json(self) -> Any:
        """The single JSON object of ``status --json``."""
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one JSON line, got {len(lines)}:\n{self.out}"
        return json.loads(lines[0])

    def events(self) -> list[dict[str, Any]]:
        """The JSON Lines of every other ``--json`` command."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    @property
    def done(self) -> dict[str, Any]:
        events = self.events()
        assert events, f"no output (exit {self.code}); stderr: {self.err}"
        return events[-1]

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(*argv: object) -> CliRun:
    """``engine.cli.main(argv)`` with stdout and stderr captured (argparse writes to both)."""
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main([str(a) for a in argv], stdout=out)
    return CliRun(code, out.getvalue(), err.getvalue(), time.monotonic() - started)


# -- more hostile files (tests/safety/test_hostile.py) ---------------------------------------------


def _patched(folder: Path, name: str, edits: dict[int, bytes], *, cut: int | None = None) -> Path:
    """A head file with bytes replaced at the given offsets (and optionally cut short)."""
    data = bytearray(_head_bytes())
    for offset, chunk in edits.items():
        data[offset:offset + len(chunk)] = chunk
    return _write(folder, name, bytes(data[:cut] if cut is not None else data))


def wrong_magic(folder: Path) -> Path:
    """'SQLite format 4': almost the header string."""
    return _patched(folder, "magic.db", {0: b"SQLite format 4\x00"})


def future_file_format(folder: Path) -> Path:
    """Read/write format versions 3 (a future SQLite): SQLite refuses to read it."""
    return _patched(folder, "future.db", {18: b"\x03\x03"})


def header_page_count_too_big(folder: Path) -> Path:
    """The header claims 2**31 pages (with a valid "valid-for" counter): truncated on its face."""
    data = _head_bytes()
    counter = data[24:28]
    return _patched(folder, "pagecount.db", {28: (2**31).to_bytes(4, "big"), 92: counter})


def schema_page_garbage(folder: Path) -> Path:
    """Page 1 after the 100-byte header is random: sqlite_master cannot be read."""
    return _patched(folder, "schema-garbage.db", {100: random.Random(4).randbytes(PAGE - 100)})


def zeroed_middle(folder: Path) -> Path:
    """The corrupted-page file, but the damaged page is all zeros instead of random bytes."""
    data = bytearray(_cached("corrupted_page", _build_corrupted_page))
    middle = (len(data) // PAGE // 2) * PAGE
    data[middle:middle + PAGE] = bytes(PAGE)
    return _write(folder, "zeroed.db", bytes(data))


def truncated_odd(folder: Path) -> Path:
    """A head file missing its very last byte."""
    data = _head_bytes()
    return _write(folder, "truncated-odd.db", data[:-1])


def truncated_header_only(folder: Path) -> Path:
    """Exactly the 100-byte header and nothing else."""
    return _write(folder, "header-only.db", _head_bytes()[:100])


def fifo(folder: Path) -> Path:
    """A named pipe with a database's name (reading it would block forever)."""
    import os

    path = folder / "pipe.db"
    os.mkfifo(path)
    return path


def history_out_of_range(folder: Path) -> Path:
    """A head file whose history holds version 2**63-1 and -5 (an app bug or tampering)."""
    path = head_db(folder, "history-range.db")
    with closing(_connect(path)) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, 'huge')",
                     (2**63 - 1,))
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (-5, 'negative')")
    return path


def negative_user_version(folder: Path) -> Path:
    """A tracked v5 file whose user_version says -1 (stored as a signed 32-bit value)."""
    path = at_version(folder, 5, "negative.db")
    with closing(_connect(path)) as conn:
        conn.execute("PRAGMA user_version = -1")
    return path


HOSTILE_BAD_FILES: dict[str, Builder] = {
    "wrong_magic": wrong_magic,
    "future_file_format": future_file_format,
    "header_page_count_too_big": header_page_count_too_big,
    "schema_page_garbage": schema_page_garbage,
    "zeroed_middle": zeroed_middle,
    "truncated_odd": truncated_odd,
    "truncated_header_only": truncated_header_only,
    "fifo": fifo,
    "history_out_of_range": history_out_of_range,
}


# -- valid but unusual files: never refused --------------------------------------------------------


def utf16_fresh(folder: Path) -> Path:
    """An empty UTF-16le database (encoding set, no tables): `fresh`."""
    path = folder / "utf16.db"
    with closing(_connect(path)) as conn:
        conn.execute("PRAGMA encoding = 'UTF-16le'")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
    return path


def page_size_64k(folder: Path) -> Path:
    """A v5 file rebuilt with 65536-byte pages."""
    path = at_version(folder, 5, "big-pages.db")
    with closing(_connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA page_size = 65536")
        conn.execute("VACUUM")
    return path


def odd_name(folder: Path) -> Path:
    """A v5 file whose name needs URI escaping: spaces, '?', '#', '%' and non-ASCII."""
    return at_version(folder, 5, "my data?#%20 (ß) ☃.db")


def hostile_schema(folder: Path) -> Path:
    """A v5 file with a never-ending view, a trigger that would write, and a table whose name is
    SQL: inspection and the upgrade must never run the view or the trigger."""
    path = at_version(folder, 5, "hostile-schema.db")
    with closing(_connect(path)) as conn:
        conn.execute(
            "CREATE VIEW forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
            "FROM c) SELECT x FROM c"
        )
        conn.execute('CREATE TABLE "x""; DROP TABLE worlds; --" (id INTEGER PRIMARY KEY, v TEXT)')
        conn.execute('INSERT INTO "x""; DROP TABLE worlds; --" (v) VALUES (\'kept\')')
        conn.execute("CREATE TABLE tripwire (n INTEGER)")
        conn.execute(
            "CREATE TRIGGER trip AFTER INSERT ON worlds BEGIN "
            "INSERT INTO tripwire VALUES (1); END"
        )
    return path


UNUSUAL_GOOD_FILES: dict[str, Builder] = {
    "utf16_fresh": utf16_fresh,
    "page_size_64k": page_size_64k,
    "odd_name": odd_name,
    "hostile_schema": hostile_schema,
    "negative_user_version": negative_user_version,
}
