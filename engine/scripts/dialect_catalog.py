"""Reading a folder written for another tool (dbmate, golang-migrate, goose, sqlx, Flyway): each
file through its convention's strategy (engine/scripts/conventions/), pairs joined into one
migration, files the convention does not run listed as skipped. sqlmig's own folders are read by
engine/scripts/catalog.py. A migration whose up part holds only comments is a no-op, as the tools
allow. Never opens a database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from engine.scripts.attach import reaches_another_file
from engine.scripts.conventions import BOTH, DOWN, REPEATABLE, UP, Convention, FileName
from engine.scripts.directives import Directives
from engine.scripts.sqltext import (
    Statement,
    checksum,
    is_transaction_control,
    normalize_text,
    split_statements,
)


class Skipped(NamedTuple):
    file: str  # relative to the migrations folder
    reason: str


class Read(NamedTuple):
    """One migration as the convention reads it (the catalog builds its `Migration` from it)."""

    name: FileName
    path: Path
    checksum: str  # sqlmig's: SHA-256 of the normalised up part (SPEC §7.8, §7.21)
    tool_checksum: str | None
    directives: Directives
    up: tuple[Statement, ...]
    down: tuple[Statement, ...] | None


Problem = tuple[str, str, int | None, str, str]  # (kind, file, line, what, hint)


def read_folder(
    folder: Path, convention: Convention, files: list[Path]
) -> tuple[list[Read], list[Problem], list[Skipped]]:
    reads: dict[int, dict[str, tuple[FileName, Path, bytes, str]]] = {}
    problems: list[Problem] = []
    skipped = skipped_files(folder, convention)
    hint = f"Name {convention.tool} migrations as {convention.tool} expects (docs/other-tools.md)."
    for path in files:
        named = convention.parse_name(path.name)
        if named is None:
            what = f"the name is not a {convention.tool} migration name"
            problems.append(("bad_name", path.name, None, what, hint))
            continue
        if named.part == REPEATABLE:
            skipped.append(Skipped(path.name, "a Flyway repeatable script: run it with Flyway"))
            continue
        try:
            raw = path.read_bytes()
            text = normalize_text(raw)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(("unreadable", path.name, None, f"the file cannot be read ({exc})",
                             "Check the file; it must be readable UTF-8."))
            continue
        parts = reads.setdefault(named.version, {})
        # One file of both parts, or one up and one down file, per version.
        if named.part in parts or BOTH in parts or (parts and named.part == BOTH):
            others = ", ".join(p.name for _, p, _, _ in parts.values())
            problems.append(("duplicate_version", path.name, None,
                             f"version {named.label} is also used by {others}",
                             "Give each migration its own version."))
            continue
        parts[named.part] = (named, path, raw, text)
    out: list[Read] = []
    for version in sorted(reads):
        read = _migration(convention, reads[version], problems)
        if read is not None:
            out.append(read)
    return out, problems, skipped


def _migration(
    convention: Convention,
    parts: dict[str, tuple[FileName, Path, bytes, str]],
    problems: list[Problem],
) -> Read | None:
    main = parts.get(UP) or parts.get("both")
    if main is None:
        _, path, _, _ = parts[DOWN]
        problems.append(("bad_name", path.name, None, "a down part without its up part",
                         "Add the up file of this version, or remove the down file."))
        return None
    named, path, raw, text = main
    start = len(problems)
    split = convention.split(_substituted(convention, text, path.name, problems), named.part)
    for line, what in split.problems:
        problems.append(("bad_marker", path.name, line, what,
                         f"See {convention.tool}'s documentation and docs/other-tools.md."))
    up = _statements(split.up, split.up_line, path.name, problems)
    down: tuple[Statement, ...] | None = None
    if split.down is not None:
        down = _statements(split.down, split.down_line, path.name, problems) or None
    if DOWN in parts:
        _, down_path, _, down_text = parts[DOWN]
        down_split = convention.split(_substituted(convention, down_text, down_path.name,
                                                   problems), DOWN)
        down = _statements(down_split.down or "", 1, down_path.name, problems) or None
    directives = Directives(transaction=split.transaction,
                            attach=any(reaches_another_file(s.sql) for s in up))
    for st in up:
        if is_transaction_control(st.sql):
            problems.append(("needs_no_transaction", path.name, st.line,
                             "a transaction statement; sqlmig opens and commits the transaction",
                             "Remove the statement."))
    if len(problems) > start:
        return None
    return Read(named, path, checksum(split.up), convention.tool_checksum(raw), directives, up,
                down)


def _substituted(convention: Convention, text: str, filename: str, problems: list[Problem]) -> str:
    text, missing = convention.substitute(text, filename)
    for name in missing:
        what = f"no value for the placeholder ${{{name}}}"
        problems.append(("bad_directive", filename, None, what,
                         "Give it a value under [placeholders] in sqlmig.toml."))
    return text


def _statements(
    text: str, first_line: int, filename: str, problems: list[Problem]
) -> tuple[Statement, ...]:
    statements, incomplete = split_statements(text, first_line)
    if incomplete is not None:
        problems.append(("incomplete_statement", filename, incomplete,
                         "statement is not complete (missing ';'?)",
                         "End every statement with ';'."))
    return statements


def skipped_files(folder: Path, convention: Convention) -> list[Skipped]:
    """Files in the folder this convention's tool would run and sqlmig does not."""
    out: list[Skipped] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        here = Path(root)
        for name in sorted(names):
            relative = (here / name).relative_to(folder).as_posix()
            suffix = Path(name).suffix.lower()
            if here != folder and suffix == ".sql":
                out.append(Skipped(relative, "a .sql file in a subfolder: sqlmig reads only the "
                                   "folder itself"))
            elif suffix in convention.foreign_suffixes and name != "__init__.py":
                out.append(Skipped(relative, f"a {suffix} migration: only {convention.tool} can "
                                   "run it"))
    return out
