"""sqlmig side by side with the tools users choose between, in one run, written to bench/RESULTS.md.

    python bench/peers.py            # full run (the first one installs the peers, ~2 min)
    python bench/peers.py --quick    # smoke run: 3 rounds (2 for row 4), a 30 MB file for row 4

Each peer lives in its own throwaway environment under bench/.cache/peers/ (gitignored): a venv
for yoyo-migrations, alembic and sqlite-utils (with its `migrate` plugin, sqlite-migrate), an npm
prefix for dbmate, Debian's sqitch with libdbd-sqlite3-perl (apt-get, as root). A peer that cannot
be installed is skipped with the reason in the table. sqlmig itself runs from a regular,
non-editable `pip install .` of this repo into its own venv there (re-installed when the source
changes), as a user would have it.

Rows (whole processes, wall clock, interleaved: every round runs every tool once, in a rotated
order; median and min/max over the rounds; sqlmig with --no-backup, SPEC §7.16):
  1. `status` of an up-to-date file (the 19-migration bundled chain, laid out for each tool);
     baselines: bare `python -c` reading user_version, and the sqlite3 CLI
  2. applying the 19 migrations to a fresh file
  3. applying 200 trivial migrations (one table and one index each) to a fresh file
  4. applying migrations 0001-0018 to a copy of a populated ~300 MB file at version 0
A run's time counts only when its file then has the same schema as sqlmig's (PRAGMA facts and
normalised SQL of every object that is not a tool's bookkeeping) and the command exited 0.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MIGRATIONS = REPO / "migrations"
CACHE = BENCH / ".cache" / "peers"
RESULTS = BENCH / "RESULTS.md"
FILE_RE = re.compile(r"^(\d{4})_(.+)\.sql$")
MB = 1024 * 1024
# Tables a tool keeps for itself: not part of the schema the tools must agree on.
BOOKKEEPING = re.compile(
    r"^(schema_migrations|sqlmig_log|alembic_version|_yoyo_.*|yoyo_lock|_sqlite_migrations"
    r"|sqlite_sequence|sqlite_stat\d)$"
)
ENV = {
    **os.environ,
    "SQITCH_FULLNAME": "Bench",
    "SQITCH_EMAIL": "bench@example.invalid",
    "PYTHONDONTWRITEBYTECODE": "",
}
ENV.pop("PYTHONDONTWRITEBYTECODE")


@dataclass
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The statements of the up part, cut where SQLite's tokenizer says one is complete."""
        out: list[str] = []
        start = 0
        pos = self.sql.find(";")
        while pos != -1:
            chunk = self.sql[start : pos + 1]
            if sqlite3.complete_statement(chunk):
                out.append(chunk.strip())
                start = pos + 1
            pos = self.sql.find(";", pos + 1)
        return out


def bundled_chain() -> list[Migration]:
    chain = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        m = FILE_RE.match(path.name)
        if m:
            text = path.read_text(encoding="utf-8").split("-- migrate:down")[0]
            text = text.replace("-- migrate:up", "")
            chain.append(Migration(int(m.group(1)), m.group(2), text))
    return chain


def trivial_chain(count: int) -> list[Migration]:
    return [
        Migration(
            i,
            f"create_t{i:04d}",
            f"CREATE TABLE t{i:04d} (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
            f"CREATE INDEX idx_t{i:04d}_name ON t{i:04d} (name);\n",
        )
        for i in range(count)
    ]


def run(argv: list[str], cwd: Path | None = None, timeout: float = 1800) -> tuple[float, str]:
    """Wall-clock seconds of one process; raises with its output when it fails."""
    start = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(
            f"exit {proc.returncode}: {' '.join(argv)}\n{proc.stdout[-1500:]}{proc.stderr[-1500:]}"
        )
    return elapsed, proc.stdout + proc.stderr


# -- the schema every tool must arrive at ------------------------------------------------------


def schema_of(path: Path) -> tuple[tuple[str, ...], ...]:
    """PRAGMA facts and whitespace-normalised SQL of every object outside tools' bookkeeping."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
            " WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name"
        ).fetchall()
        facts: list[tuple[str, ...]] = []
        for kind, name, table, sql in rows:
            if BOOKKEEPING.match(table):
                continue
            norm = " ".join(sql.replace('"', "").split()).lower()
            facts.append((kind, name, table, norm))
            if kind == "table":
                for pragma in ("table_xinfo", "foreign_key_list", "index_list"):
                    for fact in conn.execute(f"SELECT * FROM pragma_{pragma}(?)", (name,)):
                        facts.append((pragma, name, *map(str, fact)))
        return tuple(facts)
    finally:
        conn.close()


# -- the tools ---------------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    skip: str | None = None  # why it is not in the run
    version: str = ""
    # (db, migrations folder) -> argv; the folder comes from `layout`
    status: Callable[[Path, Path], list[str]] | None = None
    apply: Callable[[Path, Path], list[str]] | None = None
    layout: Callable[[list[Migration], Path], None] | None = None
    uses_bundled: bool = False  # sqlmig reads its own bundled chain for rows 1, 2 and 4
    notes: list[str] = field(default_factory=list)


def source_key() -> str:
    digest = hashlib.sha256()
    for base in ("engine", "migrations", "resources"):
        for p in sorted((REPO / base).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                digest.update(str(p.relative_to(REPO)).encode() + b"\0" + p.read_bytes())
    digest.update((REPO / "pyproject.toml").read_bytes())
    return digest.hexdigest()[:16]


def venv(name: str, packages: list[str], *, stamp: str = "1") -> Path:
    """A cached venv with `packages` installed; rebuilt when `stamp` changes."""
    path = CACHE / f"venv-{name}"
    ready = path / ".ready"
    if ready.is_file() and ready.read_text() == stamp:
        return path
    shutil.rmtree(path, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(path)])
    run([str(path / "bin" / "pip"), "install", "-q", *packages], timeout=900)
    ready.write_text(stamp)
    return path


def setup_sqlmig() -> Tool:
    tool = Tool("sqlmig", uses_bundled=True)
    try:
        key = source_key()
        path = CACHE / "venv-sqlmig"
        if not ((path / ".ready").is_file() and (path / ".ready").read_text() == key):
            venv("sqlmig", ["rich>=13", "platformdirs>=3", "Pygments>=2.15"], stamp="deps")
            # Regular install, no PySide6 (the CLI never imports it): what `status` costs a user.
            build = Path(tempfile.mkdtemp(prefix="sqlmig-build-"))
            try:
                src = build / "src"
                shutil.copytree(
                    REPO,
                    src,
                    ignore=shutil.ignore_patterns(
                        ".venv", ".git", "bench", "__pycache__", "*.egg-info", "build"
                    ),
                )
                run(
                    [
                        str(path / "bin/pip"),
                        "install",
                        "-q",
                        "--no-deps",
                        "--force-reinstall",
                        str(src),
                    ],
                    timeout=900,
                )
            finally:
                shutil.rmtree(build, ignore_errors=True)
            (path / ".ready").write_text(key)
        exe = str(path / "bin" / "sqlmig")
    except (RuntimeError, OSError) as exc:
        tool.skip = f"could not install: {str(exc).splitlines()[0]}"
        return tool

    def folder_args(folder: Path) -> list[str]:
        return [] if folder == MIGRATIONS else ["--migrations", str(folder)]

    tool.status = lambda db, d: [exe, "status", str(db), *folder_args(d)]
    tool.apply = lambda db, d: [exe, "upgrade", str(db), "--no-backup", *folder_args(d)]

    def layout(chain: list[Migration], folder: Path) -> None:
        for m in chain:
            (folder / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)

    tool.layout = layout
    tool.version = "0.1.0 (pip install ., this tree)"
    return tool


def setup_yoyo() -> Tool:
    tool = Tool("yoyo-migrations")
    try:
        env = venv("yoyo-migrations", ["yoyo-migrations"])
    except RuntimeError as exc:
        tool.skip = f"pip install yoyo-migrations failed: {str(exc).splitlines()[0]}"
        return tool
    yoyo = str(env / "bin" / "yoyo")
    common = ["--no-config-file", "--batch"]
    tool.status = lambda db, d: [yoyo, "list", *common, "--database", f"sqlite:///{db}", str(d)]
    tool.apply = lambda db, d: [yoyo, "apply", *common, "--database", f"sqlite:///{db}", str(d)]

    def layout(chain: list[Migration], folder: Path) -> None:
        for m in chain:
            (folder / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)

    tool.layout = layout
    tool.version = pip_version(env, "yoyo-migrations")
    return tool


ALEMBIC_ENV = """\
from alembic import context
from sqlalchemy import create_engine

url = "sqlite:///" + context.get_x_argument(as_dictionary=True)["db"]
with create_engine(url).connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
"""


def setup_alembic() -> Tool:
    tool = Tool("alembic")
    try:
        env = venv("alembic", ["alembic"])
    except RuntimeError as exc:
        tool.skip = f"pip install alembic failed: {str(exc).splitlines()[0]}"
        return tool
    alembic = str(env / "bin" / "alembic")

    def argv(db: Path, folder: Path, *verb: str) -> list[str]:
        return [alembic, "-c", str(folder / "alembic.ini"), "-x", f"db={db}", *verb]

    tool.status = lambda db, d: argv(db, d, "current")
    tool.apply = lambda db, d: argv(db, d, "upgrade", "head")

    def layout(chain: list[Migration], folder: Path) -> None:
        (folder / "alembic.ini").write_text(f"[alembic]\nscript_location = {folder}\n")
        (folder / "env.py").write_text(ALEMBIC_ENV)
        versions = folder / "versions"
        versions.mkdir()
        previous = None
        for m in chain:
            stmts = [s.replace(":", "\\:") for s in m.statements()]  # text() would bind :name
            (versions / f"r{m.version:04d}.py").write_text(
                "from alembic import op\n\n"
                f"revision = 'r{m.version:04d}'\ndown_revision = {previous!r}\n"
                "branch_labels = None\ndepends_on = None\n\n"
                f"STATEMENTS = {stmts!r}\n\n\ndef upgrade():\n"
                "    for statement in STATEMENTS:\n        op.execute(statement)\n"
            )
            previous = f"r{m.version:04d}"

    tool.layout = layout
    tool.version = pip_version(env, "alembic")
    return tool


def setup_sqlite_utils() -> Tool:
    tool = Tool("sqlite-utils migrate")
    try:
        env = venv("sqlite-utils", ["sqlite-utils", "sqlite-migrate"], stamp="2")
    except RuntimeError as exc:
        tool.skip = f"pip install sqlite-utils sqlite-migrate failed: {str(exc).splitlines()[0]}"
        return tool
    exe = str(env / "bin" / "sqlite-utils")
    tool.status = lambda db, d: [exe, "migrate", str(db), str(d / "migrations.py"), "--list"]
    tool.apply = lambda db, d: [exe, "migrate", str(db), str(d / "migrations.py")]

    def layout(chain: list[Migration], folder: Path) -> None:
        lines = ["from sqlite_migrate import Migrations", "", 'migration = Migrations("bench")', ""]
        for m in chain:
            lines += [
                "",
                "@migration()",
                f"def m{m.version:04d}_{m.name}(db):",
                f"    for statement in {m.statements()!r}:",
                "        db.execute(statement)",
                "",
            ]
        (folder / "migrations.py").write_text("\n".join(lines))

    tool.layout = layout
    tool.version = (
        f"sqlite-utils {pip_version(env, 'sqlite-utils')}, "
        f"sqlite-migrate {pip_version(env, 'sqlite-migrate')}"
    )
    return tool


def setup_dbmate() -> Tool:
    tool = Tool("dbmate")
    prefix = CACHE / "npm"
    exe = prefix / "node_modules" / ".bin" / "dbmate"
    if not exe.exists():
        if shutil.which("npm") is None:
            tool.skip = "npm is not installed"
            return tool
        try:
            run(["npm", "install", "--silent", "--prefix", str(prefix), "dbmate"], timeout=900)
        except RuntimeError as exc:
            tool.skip = f"npm install dbmate failed: {str(exc).splitlines()[0]}"
            return tool
    # `.bin/dbmate` is a node launcher (~0.15 s of node start-up per run): time the static
    # binary the package ships for this platform, as a user of dbmate runs it.
    exe = next(iter(sorted((prefix / "node_modules" / "@dbmate").glob("*/bin/dbmate"))), exe)
    try:
        tool.version = run([str(exe), "--version"])[1].strip().split()[-1]
    except RuntimeError as exc:
        tool.skip = f"dbmate does not run here: {str(exc).splitlines()[0]}"
        return tool

    def argv(db: Path, folder: Path, verb: str) -> list[str]:
        return [
            str(exe),
            "--url",
            f"sqlite:{db}",
            "--migrations-dir",
            str(folder),
            "--no-dump-schema",
            verb,
        ]

    tool.status = lambda db, d: argv(db, d, "status")
    tool.apply = lambda db, d: argv(db, d, "up")

    def layout(chain: list[Migration], folder: Path) -> None:
        for m in chain:
            (folder / f"{m.version:04d}_{m.name}.sql").write_text(
                f"-- migrate:up\n{m.sql}\n-- migrate:down\n"
            )

    tool.layout = layout
    return tool


def setup_sqitch() -> Tool:
    tool = Tool("sqitch")
    perl_driver = subprocess.run(["perl", "-MDBD::SQLite", "-e1"], capture_output=True).returncode
    if shutil.which("sqitch") is None or perl_driver != 0:
        if os.geteuid() != 0:
            tool.skip = (
                "not installed, and apt-get needs root: apt-get install sqitch libdbd-sqlite3-perl"
            )
            return tool
        try:
            run(["apt-get", "install", "-y", "-qq", "sqitch", "libdbd-sqlite3-perl"], timeout=900)
        except RuntimeError as exc:
            tool.skip = (
                f"apt-get install sqitch libdbd-sqlite3-perl failed: {str(exc).splitlines()[0]}"
            )
            return tool
    tool.version = run(["sqitch", "--version"])[1].strip().split()[-1]

    def argv(db: Path, folder: Path, verb: str) -> list[str]:
        return ["sqitch", "--chdir", str(folder), verb, f"db:sqlite:{db}"]

    tool.status = lambda db, d: argv(db, d, "status")
    tool.apply = lambda db, d: argv(db, d, "deploy")

    def layout(chain: list[Migration], folder: Path) -> None:
        (folder / "sqitch.conf").write_text(
            "[core]\n\tengine = sqlite\n\tplan_file = sqitch.plan\n\ttop_dir = .\n"
        )
        plan = ["%syntax-version=1.0.0", "%project=bench", ""]
        (folder / "deploy").mkdir()
        for m in chain:
            change = f"m{m.version:04d}_{m.name}"
            plan.append(f"{change} 2026-01-01T00:00:00Z Bench <bench@example.invalid> # {m.name}")
            # sqitch's own template: each deploy script is one transaction of its own.
            (folder / "deploy" / f"{change}.sql").write_text(f"BEGIN;\n{m.sql}\nCOMMIT;\n")
        (folder / "sqitch.plan").write_text("\n".join(plan) + "\n")

    tool.layout = layout
    return tool


def pip_version(env: Path, package: str) -> str:
    out = run([str(env / "bin" / "pip"), "show", package])[1]
    match = re.search(r"^Version: (\S+)", out, re.M)
    return match.group(1) if match else "?"


def remove_db(db: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    for extra in db.parent.glob("sqitch.db*"):
        extra.unlink()


# -- the populated file of row 4 ---------------------------------------------------------------


def populate(path: Path, target_bytes: int) -> None:
    """Fill a version-0 file with worlds, agents and ~1 KB agent_memory rows up to target_bytes."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        for w in range(4):
            conn.execute("INSERT INTO worlds(id, name) VALUES (?, ?)", (f"w{w}", f"World {w}"))
            for a in range(6):
                conn.execute(
                    "INSERT INTO agents(id, world_id, name, type, provider, model)"
                    " VALUES (?, ?, ?, 'assistant', 'openai', 'gpt')",
                    (f"a{a}", f"w{w}", f"Agent {a}"),
                )
        conn.execute("COMMIT")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        done = 0
        while conn.execute("PRAGMA page_count").fetchone()[0] * page_size < target_bytes:
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO agent_memory(agent_id, world_id, role, content, sender) "
                "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2) "
                "SELECT 'a' || (i % 6), 'w' || (i % 4), "
                "CASE i % 3 WHEN 0 THEN 'user' WHEN 1 THEN 'assistant' ELSE 'system' END, "
                "hex(randomblob(450)), 'agent' FROM n",
                (done + 1, done + 20_000),
            )
            conn.execute("COMMIT")
            done += 20_000
    finally:
        conn.close()


def populated_templates(size_mb: int, sqlmig: Tool, tmp: Path) -> tuple[Path, Path]:
    """(sqlmig's file at version 0, the same data without any tool's history), cached."""
    key = hashlib.sha256(
        (source_key() + str(size_mb) + Path(__file__).read_text()).encode()
    ).hexdigest()[:12]
    ours = CACHE / f"populated-{key}-{size_mb}MB-sqlmig.db"
    plain = CACHE / f"populated-{key}-{size_mb}MB-plain.db"
    if ours.exists() and plain.exists():
        return ours, plain
    for stale in CACHE.glob(f"populated-*-{size_mb}MB-*.db"):
        stale.unlink()
    part = tmp / "populated.db"
    part.write_bytes(b"")
    assert sqlmig.apply is not None
    run([*sqlmig.apply(part, MIGRATIONS), "--to", "0"])
    populate(part, size_mb * MB)
    shutil.copyfile(part, ours)
    conn = sqlite3.connect(part, isolation_level=None)
    conn.execute("DROP TABLE schema_migrations")
    conn.execute("DROP TABLE IF EXISTS sqlmig_log")
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")
    conn.close()
    shutil.move(part, plain)
    return ours, plain


# -- timing ------------------------------------------------------------------------------------


@dataclass
class Row:
    title: str
    samples: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # printed under the goals


def timed_rounds(
    row: Row,
    tools: list[Tool],
    rounds: int,
    prepare: Callable[[Tool, Path], list[str]],
    work: Path,
    expected: Callable[[], tuple[tuple[str, ...], ...]],
) -> None:
    """Every round runs every tool once, in a rotated order; a time counts if the schema agrees.

    `prepare(tool, db)` puts the tool's starting file at `db` (untimed) and returns the argv.
    """
    for r in range(-1, rounds):  # round -1 warms caches (page cache, .pyc, sqlmig's catalog)
        order = tools[r % len(tools) :] + tools[: r % len(tools)]
        for tool in order:
            if tool.name in row.failures:
                continue
            db = work / f"target-{tool.name.split()[0]}.db"
            remove_db(db)
            try:
                argv = prepare(tool, db)
                elapsed, _ = run(argv, cwd=work)
                if schema_of(db) != expected():
                    row.failures[tool.name] = "its file's schema differs from sqlmig's"
                    continue
            except (RuntimeError, subprocess.TimeoutExpired, sqlite3.Error) as exc:
                row.failures[tool.name] = str(exc).splitlines()[0][:160]
                print(f"  {tool.name}: {exc}", file=sys.stderr)
                continue
            if r >= 0:
                row.samples.setdefault(tool.name, []).append(elapsed)
        print(f"  {row.title}: round {r + 1}/{rounds} done", file=sys.stderr)


def quick_check_seconds(db: Path) -> float:
    """`PRAGMA quick_check` on a read-only connection, as sqlmig runs it, warm (the second run)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA quick_check").fetchall()
        started = time.perf_counter()
        conn.execute("PRAGMA quick_check").fetchall()
        return time.perf_counter() - started
    finally:
        conn.close()


def quick_checks_note(row: Row, before: Path, after: Path) -> str:
    """What the two quick_checks SPEC §7.10 keeps (before writing, after COMMIT) cost on row 4."""
    first, second = quick_check_seconds(before), quick_check_seconds(after)
    line = (
        f"Row 4: the two `quick_check`s sqlmig runs (SPEC §7.10) take {fmt(first)} on the file "
        f"before and {fmt(second)} after (read-only connection, warm cache, timed on their own)"
    )
    if "sqlmig" in row.samples and "dbmate" in row.samples:
        ours = statistics.median(row.samples["sqlmig"])
        dbmate = statistics.median(row.samples["dbmate"])
        line += (
            f": {100 * (first + second) / ours:.0f} % of sqlmig's median; without them sqlmig / "
            f"dbmate would be {(ours - first - second) / dbmate:.2f}"
        )
    return line + "."


# The standard modules `sqlmig status` cannot do without (its argument parser, dataclasses and
# enums, paths, the pickled catalog and its checksum, signals): the floor of any design in Python.
STATUS_STDLIB = "argparse, dataclasses, enum, hashlib, pathlib, pickle, signal, threading, typing"


def bare_read(db: Path, imports: str = "") -> list[str]:
    code = (
        f"import sqlite3{', ' + imports if imports else ''}; "
        f"c=sqlite3.connect('file:{db}?mode=ro', uri=True); "
        "print(c.execute('pragma user_version').fetchone()[0])"
    )
    return [sys.executable, "-c", code]


# -- report ------------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


def report(rows: list[Row], tools: list[Tool], args: argparse.Namespace, started: float) -> str:
    load = os.getloadavg()
    lines = [
        "# sqlmig and its peers, side by side",
        "",
        f"Produced by `python bench/peers.py{' --quick' if args.quick else ''}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC in "
        f"{time.perf_counter() - started:.0f} s. Whole processes, wall clock, {args.rounds} "
        f"interleaved rounds ({args.rounds4} for row 4) after one warm-up round (each round runs "
        "every tool once, in a rotated order): median, and "
        "min-max in brackets. A time counts only when the command exited 0 and its file has the "
        "same schema as sqlmig's. sqlmig runs from a regular (non-editable) install with "
        "`--no-backup` (peers take no backup).",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} at the end (the machine is shared: compare ratios, not absolute times).",
        "",
        "Tools: " + "; ".join(f"{t.name} {t.version}" for t in tools if t.skip is None) + ".",
    ]
    skipped = [t for t in tools if t.skip is not None]
    if skipped:
        lines.append("Skipped: " + "; ".join(f"{t.name}: {t.skip}" for t in skipped) + ".")
    names = [t.name for t in tools if t.skip is None]
    extra = sorted({n for row in rows for n in row.samples if n not in names})
    columns = names + extra
    lines += ["", "| row | " + " | ".join(columns) + " |", "| --- |" + " --- |" * len(columns)]
    for row in rows:
        ours = statistics.median(row.samples["sqlmig"]) if "sqlmig" in row.samples else None
        cells = []
        for name in columns:
            if name in row.failures:
                cells.append(f"failed: {row.failures[name]}")
            elif name in row.samples:
                s = row.samples[name]
                med = statistics.median(s)
                ratio = f" **{med / ours:.2f}x**" if ours and name != "sqlmig" else ""
                cells.append(f"{fmt(med)} ({fmt(min(s))} to {fmt(max(s))}){ratio}")
            else:
                cells.append("—")
        lines.append(f"| {row.title} | " + " | ".join(cells) + " |")
    lines += ["", "Bold: the peer's median divided by sqlmig's (above 1: sqlmig is faster).", ""]
    lines += goal_lines(rows)
    lines += ["", *(note for row in rows for note in row.notes)]
    lines += [
        "",
        "",
        "Reproduce: `python bench/peers.py` from the repo root (any Python 3.11; it installs the "
        "peers into `bench/.cache/peers/` on first use and `pip install .` this tree there). "
        "`--quick` is a smoke run; `--rounds N`, `--size-mb N` change the run.",
        "",
    ]
    return "\n".join(lines)


PYTHON_PEERS = ("yoyo-migrations", "alembic", "sqlite-utils migrate")


def goal_lines(rows: list[Row]) -> list[str]:
    """The issue's goals, each with the measured figure and whether it is met."""

    def med(row: Row, name: str) -> float | None:
        return statistics.median(row.samples[name]) if name in row.samples else None

    out = ["| goal | measured | |", "| --- | --- | --- |"]

    def add(goal: str, value: float | None, limit: float, at_most: bool) -> None:
        if value is None:
            out.append(f"| {goal} | not measured | — |")
            return
        met = value <= limit if at_most else value >= limit
        out.append(f"| {goal} | {value:.2f} | {'met' if met else 'MISSED'} |")

    for row in rows[:3]:
        ours = med(row, "sqlmig")
        for peer in PYTHON_PEERS:
            theirs = med(row, peer)
            ratio = theirs / ours if theirs and ours else None
            add(f"{row.title}: {peer} / sqlmig >= 2", ratio, 2.0, at_most=False)
    ours, bare = med(rows[0], "sqlmig"), med(rows[0], "bare python -c (user_version)")
    add("status: sqlmig / bare python -c <= 1.5", ours / bare if ours and bare else None, 1.5, True)
    floor = med(rows[0], "python -c importing status's stdlib modules")
    if floor and bare:
        out.append(
            f"| information: `python -c` importing the standard modules status needs "
            f"({STATUS_STDLIB}) / bare python -c | {floor / bare:.2f} | the floor of that goal |"
        )
    if len(rows) > 3:
        ours, dbmate = med(rows[3], "sqlmig"), med(rows[3], "dbmate")
        ratio = ours / dbmate if ours and dbmate else None
        add(f"{rows[3].title}: sqlmig / dbmate <= 1.2", ratio, 1.2, True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds, a 30 MB file for row 4")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--size-mb", type=int, default=None, help="row 4's file (300 MB)")
    parser.add_argument("--trivial", type=int, default=200, help="row 3's migrations")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.rounds = args.rounds or (3 if args.quick else 5)
    args.rounds4 = max(2, (args.rounds + 1) // 2)  # row 4 rewrites the big file
    size_mb = args.size_mb or (30 if args.quick else 300)
    started = time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    print("setting up the tools (cached under bench/.cache/peers/)", file=sys.stderr)
    tools = [
        setup_sqlmig(),
        setup_yoyo(),
        setup_alembic(),
        setup_sqlite_utils(),
        setup_dbmate(),
        setup_sqitch(),
    ]
    for t in tools:
        print(f"  {t.name}: {t.skip or t.version}", file=sys.stderr)
    sqlmig = tools[0]
    if sqlmig.skip:
        print(f"sqlmig: {sqlmig.skip}", file=sys.stderr)
        return 2
    active = [t for t in tools if t.skip is None]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sqlmig-peers-") as tmp_name:
        tmp = Path(tmp_name)
        work = tmp / "work"
        work.mkdir()

        def folders(chain: list[Migration], label: str) -> dict[str, Path]:
            out = {}
            for t in active:
                if t.uses_bundled and label == "bundled":
                    out[t.name] = MIGRATIONS
                    continue
                folder = tmp / f"{label}-{t.name.split()[0]}"
                folder.mkdir()
                assert t.layout is not None
                t.layout(chain, folder)
                out[t.name] = folder
            return out

        chain = bundled_chain()
        bundled = folders(chain, "bundled")
        first_only = folders(chain[:1], "first")
        trivial = folders(trivial_chain(args.trivial), "trivial")

        def reference(folder_of: dict[str, Path], start: Path | None = None) -> Path:
            db = tmp / f"reference-{len(list(tmp.glob('reference-*')))}.db"
            if start is None:
                db.write_bytes(b"")
            else:
                shutil.copyfile(start, db)
            assert sqlmig.apply is not None
            run(sqlmig.apply(db, folder_of["sqlmig"]))
            return db

        def fresh(folder_of: dict[str, Path]) -> Callable[[Tool, Path], list[str]]:
            def prepare(tool: Tool, db: Path) -> list[str]:
                db.write_bytes(b"")
                assert tool.apply is not None
                return tool.apply(db, folder_of[tool.name])

            return prepare

        # 1. status of an up-to-date file ------------------------------------------------------
        print("row 1: status", file=sys.stderr)
        head = reference(bundled)
        head_schema = schema_of(head)
        up_to_date: dict[str, Path] = {}
        for t in active:
            db = tmp / f"head-{t.name.split()[0]}.db"
            remove_db(db)
            db.write_bytes(b"")
            try:
                assert t.apply is not None
                run(t.apply(db, bundled[t.name]), cwd=work)
                if schema_of(db) != head_schema:
                    raise RuntimeError("its file's schema differs from sqlmig's")
                up_to_date[t.name] = db
            except (RuntimeError, sqlite3.Error) as exc:
                print(f"  {t.name}: cannot build its up-to-date file: {exc}", file=sys.stderr)
        status_tools = [t for t in active if t.name in up_to_date]
        baselines = [
            Tool("bare python -c (user_version)", status=lambda db, d: bare_read(db)),
            Tool(
                "python -c importing status's stdlib modules",
                status=lambda db, d: bare_read(db, STATUS_STDLIB),
            ),
            Tool(
                "sqlite3 CLI (user_version)",
                status=lambda db, d: ["sqlite3", "-readonly", str(db), "pragma user_version"],
            ),
        ]
        row1 = Row("1. status, up-to-date file (19 migrations)")

        def prepare_status(tool: Tool, db: Path) -> list[str]:
            source = up_to_date.get(tool.name, up_to_date["sqlmig"])
            shutil.copyfile(source, db)
            if (source.parent / "sqitch.db").exists():  # sqitch's registry sits beside the file
                shutil.copyfile(source.parent / "sqitch.db", db.parent / "sqitch.db")
            assert tool.status is not None
            return tool.status(db, bundled.get(tool.name, MIGRATIONS))

        timed_rounds(
            row1, status_tools + baselines, args.rounds, prepare_status, work, lambda: head_schema
        )
        rows.append(row1)

        # 2. the 19 migrations on a fresh file -------------------------------------------------
        print("row 2: 19 migrations, fresh file", file=sys.stderr)
        row2 = Row("2. apply 19 migrations to a fresh file")
        timed_rounds(row2, active, args.rounds, fresh(bundled), work, lambda: head_schema)
        rows.append(row2)

        # 3. 200 trivial migrations ------------------------------------------------------------
        print(f"row 3: {args.trivial} trivial migrations", file=sys.stderr)
        trivial_schema = schema_of(reference(trivial))
        row3 = Row(f"3. apply {args.trivial} trivial migrations (a table and an index each)")
        timed_rounds(row3, active, args.rounds, fresh(trivial), work, lambda: trivial_schema)
        rows.append(row3)

        # 4. the chain on a populated file -----------------------------------------------------
        print(f"row 4: 0001-0018 on a populated {size_mb} MB file", file=sys.stderr)
        ours, plain = populated_templates(size_mb, sqlmig, tmp)
        upgraded = reference(bundled, ours)
        populated_schema = schema_of(upgraded)
        real_mb = plain.stat().st_size / MB

        def prepare_populated(tool: Tool, db: Path) -> list[str]:
            assert tool.apply is not None
            if tool.name == "sqlmig":
                shutil.copyfile(ours, db)
            else:
                # The same data; the tool records version 0 itself (0000 is all IF NOT EXISTS).
                shutil.copyfile(plain, db)
                run(tool.apply(db, first_only[tool.name]), cwd=work)
            os.sync()
            return tool.apply(db, bundled[tool.name])

        row4 = Row(f"4. apply 0001-0018 to a populated {real_mb:.0f} MB file")
        timed_rounds(row4, active, args.rounds4, prepare_populated, work, lambda: populated_schema)
        row4.notes.append(quick_checks_note(row4, ours, upgraded))
        rows.append(row4)
        for t in active:
            remove_db(work / f"target-{t.name.split()[0]}.db")

    text = report(rows, tools, args, started)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
