"""Open database files safely: the one home for SQLite connection quirks.

- A path is opened through a `file:` URI with `mode=ro` or `mode=rw`, so a missing file is never
  created by accident.
- Every connection treats the file as untrusted: `trusted_schema` off (no SQL functions from the
  schema run with side effects), no extension loading, `cell_size_check` on.
- `isolation_level=None`: the runner issues its own `BEGIN IMMEDIATE … COMMIT`.
- A WAL-mode file with no frames in a `-wal` and no `-shm` beside it is opened `immutable`, so
  inspection creates no `-wal`/`-shm` files: there is nothing in a WAL that does not exist, and
  no connection has the file open (each keeps a `-shm`). With a `-shm` a writer may be at work
  (an empty `-wal` after a checkpoint), so the read takes SQLite's locks.
- Every connection of the engine is opened here, always from an absolute path made into a URI
  (`_uri`): a relative path such as `file:x.db` is a file name, never read as a URI by SQLite.
- SQLite's unix VFS cannot open a file whose full path, plus the 8 characters of its journal's
  name (`-journal`; `-wal` and `-shm` are shorter), passes `SQLITE_MAX_PATHNAME` (512) bytes.
  `refuse_long_path` says so in a sentence before SQLite's own "could not open" can happen.
- A WAL-mode file whose `-wal` holds frames, in a folder this process cannot write and without a
  `-shm` (which SQLite would have to create), is read without SQLite's file locks and with the
  WAL index in private memory (`vfs=unix-none`, `locking_mode=EXCLUSIVE`): the committed frames
  are read and nothing is created. Nobody can be writing such a file through this folder's
  permissions but its owner; a write by the owner meanwhile can at worst make the read fail.
- A rollback journal beside a file is "hot" when SQLite says so: a read-only connection then
  fails with SQLITE_READONLY_ROLLBACK, and inspection calls the file `interrupted`. Only a
  connection that may write rolls it back (`roll_back_journal`).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import NamedTuple

from engine.core.errors import (
    EngineError,
    Refused,
    from_os_error,
    from_sqlite,
    sqlite_error_name,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # a rollback journal whose header is live
HEADER_SIZE = 100
UNCHANGED = "Nothing was changed."
SQLITE_MAX_PATHNAME = 512  # bytes of a full path, SQLite's unix VFS (mxPathname)
JOURNAL_NAME_ROOM = len("-journal")  # SQLite refuses a file whose journal's path would not fit
NAME_MAX = 255  # bytes of one file name on the common file systems
SETTLE_SECONDS = 5.0  # how long a header read waits for another program's write (SQLite's default)


class FileFacts(NamedTuple):
    """What the first 100 bytes and the file system say, before SQLite parses anything."""

    path: Path
    size: int
    page_size: int | None
    header_page_count: int | None
    wal_mode: bool
    wal_size: int | None  # size of the -wal file beside it, None when absent
    journal_present: bool  # a rollback journal: a crash left work SQLite will roll back

    @property
    def empty(self) -> bool:
        return self.size == 0


def _uri(path: Path, **params: str) -> str:
    # Percent-encode by hand: urllib.parse costs `sqlmig status` more than the rest of its work.
    safe = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~")
    encoded = "".join(
        chr(b) if chr(b) in safe else f"%{b:02X}"
        for b in str(path).encode("utf-8", "surrogateescape")
    )
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"file:{encoded}?{query}"


def path_bytes(path: Path) -> int:
    """Length of the absolute path SQLite is given (UTF-8 bytes, as SQLite counts)."""
    return len(str(path.resolve()).encode("utf-8", "surrogateescape"))


def refuse_long_path(path: Path, *, what: str, hint: str, state: str = UNCHANGED) -> None:
    """Refuse (code `path_too_long`) a file SQLite would have to open whose path, with its
    journal's name, passes SQLite's limit, or whose file name is longer than a file system allows.

    `what` names the file in the sentence ("The backup", "database.db")."""
    length = path_bytes(path)
    if length + JOURNAL_NAME_ROOM > SQLITE_MAX_PATHNAME:
        raise Refused(
            f"{what}'s path is {length} characters long: with the name of its journal "
            f"(+{JOURNAL_NAME_ROOM}) that passes SQLite's limit of {SQLITE_MAX_PATHNAME} "
            f"characters, so SQLite cannot open it. {state}",
            hint=hint,
            detail=f"path: {path.resolve()}",
            code="path_too_long",
        )
    name = len(path.name.encode("utf-8", "surrogateescape"))
    if name > NAME_MAX:
        raise Refused(
            f"{what}'s file name would be {name} characters long; file systems allow at most "
            f"{NAME_MAX}. {state}",
            hint=hint,
            detail=f"name: {path.name}",
            code="path_too_long",
        )


def refuse_long_database_path(path: Path) -> None:
    refuse_long_path(
        path,
        what=path.name if len(path.name) <= 60 else "The database",
        hint="Move the file to a folder with a shorter path (or give it a shorter name).",
    )


def check_path(path: Path) -> Path:
    """Refuse a missing path, a directory or a special file before SQLite sees it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise Refused(
                f"{path} is a broken symbolic link.",
                hint="Open the file the link should point to.",
                code="missing",
            ) from None
        raise Refused(
            f"{path} does not exist.",
            hint="Check the path; sqlmig never creates a database file by itself.",
            code="missing",
        ) from None
    except OSError as exc:
        raise from_os_error(exc, path=str(path), state=UNCHANGED) from exc
    if stat.S_ISDIR(st.st_mode):
        raise Refused(
            f"{path} is a folder, not a database file.",
            hint="Pick the database file inside it (for agent-world usually database.db).",
            code="is_directory",
        )
    if not stat.S_ISREG(st.st_mode):
        raise Refused(
            f"{path} is not a regular file.",
            hint="Pick a database file.",
            code="not_sqlite",
        )
    return path


def read_facts(path: Path) -> FileFacts:
    """Read the header without SQLite: refuses what is clearly not a database.

    Another program writing the file may have put pages in it before its header (a first
    transaction whose pages spill before COMMIT): when a header looks wrong while a journal or a
    WAL is beside the file, it is read again under SQLite's shared lock, which waits for that
    writer (and is refused as `locked` when the writer keeps the file longer)."""
    check_path(path)
    header, size = _header(path)
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else None
    journal_present = path.with_name(path.name + "-journal").exists()
    try:
        return _facts(path, header, size, wal_size, journal_present)
    except Refused:
        if not (journal_present or wal_size):
            raise
        settled = _header_under_lock(path)
        if settled is None:
            raise
        return _facts(path, *settled, wal_size, journal_present)


def _header(path: Path) -> tuple[bytes, int]:
    try:
        with path.open("rb") as handle:
            header = handle.read(HEADER_SIZE)
        return header, path.stat().st_size
    except OSError as exc:
        raise from_os_error(exc, path=str(path), state=UNCHANGED) from exc


def _header_under_lock(path: Path) -> tuple[bytes, int] | None:
    """The header and size while SQLite's shared lock keeps any writer from committing; None
    when SQLite does not read the file as a database either (its first refusal stands)."""
    try:
        conn = sqlite3.connect(
            _uri(path.resolve(), mode="ro"), uri=True, isolation_level=None,
            timeout=SETTLE_SECONDS,
        )
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # takes the shared lock
        return _header(path)
    except sqlite3.Error as exc:
        if sqlite_error_name(exc) in ("SQLITE_BUSY", "SQLITE_LOCKED") or str(
            getattr(exc, "sqlite_errorname", "")
        ).startswith("SQLITE_READONLY_ROLLBACK"):
            raise from_sqlite(exc, state=UNCHANGED) from exc
        return None
    finally:
        conn.close()


def _facts(
    path: Path, header: bytes, size: int, wal_size: int | None, journal_present: bool
) -> FileFacts:
    if size == 0:
        return FileFacts(path, 0, None, None, False, wal_size, journal_present)
    if not header.startswith(SQLITE_MAGIC[: min(len(header), 16)]) or len(header) < 16:
        raise Refused(
            f"{path.name} is not a SQLite database (its first bytes are not the SQLite header; "
            "it may be another kind of file, or encrypted).",
            hint="Check that you picked the right file; an encrypted database must be "
            "decrypted with its own tool first.",
            detail=f"first bytes: {header[:16]!r}",
            code="not_sqlite",
        )
    if len(header) < HEADER_SIZE:
        raise Refused(
            f"{path.name} is truncated: it is only {size} bytes long, "
            "shorter than a SQLite header.",
            hint="The file was cut off while being copied; get a complete copy of it.",
            code="corrupt",
        )
    raw_page = int.from_bytes(header[16:18], "big")
    page_size = 65536 if raw_page == 1 else raw_page
    if page_size < 512 or page_size & (page_size - 1):
        raise Refused(
            f"{path.name} has a damaged header (page size {raw_page} is impossible).",
            hint="Work on a backup copy; the file's first page is damaged.",
            code="corrupt",
        )
    if header[18] > 2 or header[19] > 2:
        raise Refused(
            f"{path.name} uses a newer SQLite file format (version {header[18]}) than this "
            "SQLite can read.",
            hint="Open it with the program that wrote it, or a newer SQLite, and export it.",
            detail=f"read version {header[18]}, write version {header[19]}",
            code="not_sqlite",
        )
    wal_mode = header[18] == 2 and header[19] == 2
    page_count = int.from_bytes(header[28:32], "big")
    # The in-header size is trustworthy when its "valid-for" number equals the change counter.
    size_valid = header[92:96] == header[24:28]
    # An interrupted write may have grown page 1's count before the pages: the journal undoes it.
    cut_short = page_count * page_size > size and not journal_live(path)
    if size_valid and not wal_size and cut_short:
        raise Refused(
            f"{path.name} is truncated: its header says {page_count * page_size:,} bytes but the "
            f"file has only {size:,}.",
            hint="The file was cut off (an interrupted copy or download); get a complete copy.",
            code="corrupt",
        )
    return FileFacts(
        path, size, page_size, page_count, wal_mode, wal_size, journal_present
    )


def _harden(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        # SQLite 3.40 does not mark the JSON functions innocuous, so a schema with a json_extract()
        # index (agent-world 0011) fails to parse with trusted_schema off. Our connections register
        # no functions of their own, so trusting the schema can only call SQLite's built-ins.
        if "unsafe use of" not in str(exc):
            raise
        conn.execute("PRAGMA trusted_schema = ON")


def open_readonly(facts: FileFacts, *, locking: bool = False) -> sqlite3.Connection:
    """A read-only connection that writes nothing and creates no file when it can avoid it.

    `locking=True` (backups) always takes SQLite's locks, so a program that starts writing
    meanwhile cannot change what this connection reads (a WAL file then gets a `-shm`)."""
    refuse_long_database_path(facts.path)
    params = {"mode": "ro"}
    private_wal_index = False
    if facts.empty or (facts.wal_mode and not facts.wal_size and not locking
                       and not _shm_of(facts.path).exists()):
        # Nothing lives outside the main file and no connection has it open (each keeps a
        # -shm), so no locking or -shm is needed to read it.
        params["immutable"] = "1"
    elif facts.wal_mode and facts.wal_size and _no_shm_possible(facts.path):
        params["vfs"] = "unix-none"  # see the module docstring
        private_wal_index = True
    try:
        conn = sqlite3.connect(
            _uri(facts.path.resolve(), **params),
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
        if private_wal_index:  # before the first read: the WAL index then lives in memory
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        _harden(conn)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=UNCHANGED) from exc
    return conn


def open_readwrite(path: Path, *, wait_seconds: float = 10.0) -> sqlite3.Connection:
    """A read-write connection to an existing file (never creates one)."""
    check_path(path)
    refuse_long_database_path(path)
    try:
        conn = sqlite3.connect(
            _uri(path.resolve(), mode="rw"),
            uri=True,
            isolation_level=None,
            timeout=wait_seconds,
            check_same_thread=False,
        )
        _harden(conn)
        # Writing the agent-world chain creates json_extract() indexes, which SQLite 3.40 only
        # accepts from a trusted schema. Safe here: these connections register no SQL functions,
        # extension loading stays off, and SQLite's built-ins have no side effects.
        conn.execute("PRAGMA trusted_schema = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=UNCHANGED) from exc
    return conn


def open_copy(path: Path) -> sqlite3.Connection:
    """A read-write connection to a file the engine itself writes (a backup's `.partial` copy, a
    restore's staging copy), created when missing. Never for a user's database."""
    try:
        return sqlite3.connect(
            _uri(path.resolve(), mode="rwc"), uri=True, isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=UNCHANGED) from exc


def writable(path: Path) -> bool:
    """Can this process write the file and create a journal beside it?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _shm_of(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def _no_shm_possible(path: Path) -> bool:
    """SQLite would need to create a `-shm` here and cannot: it is absent, the folder read-only."""
    return not _shm_of(path).exists() and not os.access(path.resolve().parent, os.W_OK | os.X_OK)


def journal_live(path: Path) -> bool:
    """A `-journal` beside `path` with a live header: SQLite rolls it back unless another
    connection still holds the write lock (then the write is simply still in progress)."""
    try:
        with path.with_name(path.name + "-journal").open("rb") as handle:
            return handle.read(len(JOURNAL_MAGIC)) == JOURNAL_MAGIC
    except OSError:
        return False


def roll_back_journal(path: Path, *, wait_seconds: float = 10.0) -> bool:
    """Open `path` for writing so SQLite rolls back the hot journal an interrupted write left.

    Returns True when a live journal was there and is rolled back. Raises `Refused` when the
    file cannot be opened for writing (`read_only`, `locked`, …)."""
    if not journal_live(path):
        return False
    conn = open_readwrite(path, wait_seconds=wait_seconds)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=UNCHANGED) from exc
    finally:
        conn.close()
    return not journal_live(path)


def recover_journal(path: Path, *, wait_seconds: float = 10.0) -> bool:
    """`roll_back_journal` that never raises (the upgrade's automatic recovery): when the file
    cannot be opened for writing, inspection and the preflight say why in their own words."""
    try:
        return writable(path) and roll_back_journal(path, wait_seconds=wait_seconds)
    except (OSError, EngineError):
        return False
