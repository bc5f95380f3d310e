"""Read and validate a migrations folder into a `Catalog` (engine/scripts/catalog.py).

A folder holds ``NNNN_slug.sql`` files (up and down in one file, split by ``-- migrate:down``),
an optional ``profile.toml`` and, if the profile names it, a folder of repair scripts. Loading
never stops at the first problem: every problem is collected with its file and line, and the
migrations that can be identified are still returned so that inspection keeps working. Upgrades
must check ``Catalog.ok``. See docs/authoring-migrations.md for the file format.

This module reads files only; it never opens a database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from engine.core.lazyre import LazyPattern
from engine.scripts.attach import reaches_another_file
from engine.scripts.catalog import (
    Catalog,
    CatalogNotFound,
    CatalogProblem,
    Migration,
    RepairScript,
)
from engine.scripts.catalog_hints import HINTS as _HINTS
from engine.scripts.catalog_hints import name_hint as _name_hint
from engine.scripts.conventions.choose import choose, read_settings
from engine.scripts.dialect_catalog import read_folder, skipped_files
from engine.scripts.directives import KNOWN, Directives, directive_line, read_directives
from engine.scripts.folderfiles import peek_text, sql_files
from engine.scripts.markers import SPLIT_NAME, find_markers, foreign_hint
from engine.scripts.profile import PROFILE_NAME, Profile, ProfileError, load_profile
from engine.scripts.sqltext import (
    Statement,
    checksum,
    is_transaction_control,
    needs_no_transaction,
    normalize_text,
    split_statements,
)
from engine.scripts.templates import has_templates, unknown_templates

_MIGRATION_NAME = LazyPattern(r"^(\d{4,})_([a-z0-9_]+)\.sql$")
_REPAIR_NAME = LazyPattern(r"^([a-z0-9_]+)\.sql$")
_MAX_VERSION = 2**31 - 1  # user_version is a signed 32-bit integer

class _Parsed(NamedTuple):
    checksum: str
    directives: Directives
    up: tuple[Statement, ...]
    down: tuple[Statement, ...] | None


def _up_text(lines: list[str], down_marker: int | None) -> str:
    """What the checksum covers (SPEC §7.21): the up part, so adding or editing a down part is
    not drift. The blank lines before the marker do not count: a file that gains a down part
    keeps the checksum it had without one."""
    if down_marker is None:
        return "\n".join(lines)
    return "\n".join(lines[: down_marker - 1]).rstrip("\n") + "\n"


class _Reader:
    """Parses one file, collecting its problems under ``label``."""

    def __init__(self, label: str, *, repair: bool) -> None:
        self.label = label
        self.repair = repair
        self.problems: list[CatalogProblem] = []

    def problem(self, kind: str, line: int | None, what: str, hint: str = "") -> None:
        where = self.label if line is None else f"{self.label} line {line}"
        message = f"{where}: {what}."
        self.problems.append(CatalogProblem(kind, message, hint or _HINTS[kind], self.label, line))

    def read(self, path: Path) -> _Parsed | None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.problem("unreadable", None, f"the file cannot be read ({exc.strerror or exc})")
            return None
        try:
            text = normalize_text(raw)
        except UnicodeDecodeError as exc:
            head = raw[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            bad = f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
            self.problem("not_utf8", head.count(b"\n") + 1, bad)
            return None
        return self.parse(text)

    def parse(self, text: str) -> _Parsed:
        lines = text.split("\n")
        up_marker, down_marker = find_markers(lines, repair=self.repair, report=self.problem)
        up_end = down_marker or len(lines) + 1  # first line after the up part
        up, incomplete = split_statements("\n".join(lines[: up_end - 1]))
        if incomplete is not None:
            self.problem("incomplete_statement", incomplete, _INCOMPLETE)
        elif not up:
            self.problem("empty", None, "there are no SQL statements in the up part")
        if up_marker is not None and up and up[0].line < up_marker:
            self.problem("bad_directive", up_marker, "'-- migrate:up' comes after SQL statements")
        # The leading comment block ends at the first statement (or at stray text).
        block_end = min(up_end, *(st.line for st in up[:1]), incomplete or up_end)
        directives = read_directives(lines, block_end, repair=self.repair, report=self.problem)
        down: tuple[Statement, ...] | None = None
        if down_marker is not None:
            down, stray = split_statements("\n".join(lines[down_marker:]), down_marker + 1)
            if stray is not None:
                self.problem("incomplete_statement", stray, _INCOMPLETE)
            end = down[0].line if down else (stray or len(lines) + 1)
            self._misplaced(lines, down_marker + 1, end)
            down = down or None  # an empty down part means "cannot be rolled back"
        self._check_transactions(up + (down or ()), directives)
        self._check_attach(up + (down or ()), directives)
        self._check_templates(up + (down or ()))
        return _Parsed(checksum(_up_text(lines, down_marker)), directives, up, down)

    def _check_templates(self, statements: tuple[Statement, ...]) -> None:
        for st in statements:
            if not has_templates(st.sql):
                continue
            if not self.repair:
                what = "column-list templates ({{...}}) are only for repair scripts"
                self.problem("bad_directive", st.line, what)
                continue
            for body in unknown_templates(st.sql):
                what = f"unknown template '{{{{{body}}}}}'"
                hint = "The only template is {{columns(table)}} or {{columns(a, b)}}."
                self.problem("bad_directive", st.line, what, hint)

    def _misplaced(self, lines: list[str], start: int, end: int) -> None:
        """Known directives among the down part's leading comments would be silently ignored."""
        for number in range(start, end):
            hit = directive_line(lines[number - 1].strip())
            if hit and hit[0] in KNOWN:
                what = f"directive '{hit[0]}:' after '-- migrate:down' has no effect"
                hint = "Move it to the top of the file; directives apply to both parts."
                self.problem("bad_directive", number, what, hint)

    def _check_attach(self, statements: tuple[Statement, ...], d: Directives) -> None:
        for st in statements:
            what = reaches_another_file(st.sql)
            if what is not None and not d.attach:
                self.problem(
                    "attach_not_allowed",
                    st.line,
                    f"the statement ({what}) writes another database file; add '-- attach: "
                    "allow' to the comments at the top of the file if that is intended",
                    "No backup covers another file, so sqlmig refuses to write one unless the "
                    "migration says so.",
                )

    def _check_transactions(self, statements: tuple[Statement, ...], d: Directives) -> None:
        for st in statements:
            reason = needs_no_transaction(st.sql)
            if reason is None:
                continue
            if is_transaction_control(st.sql):
                what = f"{reason}; it is not allowed, even with '-- transaction: no'"
                hint = "Remove the statement: the runner opens and commits the transaction."
            elif self.repair:
                what = f"{reason}, and repair scripts run inside the plan's transaction"
                hint = "Move it to a numbered migration marked '-- transaction: no'."
            elif d.transaction:
                what = f"{reason}; add '-- transaction: no' to the comments at the top of the file"
                hint = (
                    "For a table rebuild, remove the PRAGMA and add '-- foreign-keys: off'."
                    if "foreign_keys" in reason
                    else "Add '-- transaction: no' and keep the file to this one statement: "
                    "without a transaction nothing can be rolled back."
                )
            else:
                continue
            self.problem("needs_no_transaction", st.line, what, hint)


_INCOMPLETE = "statement is not complete (missing ';'?)"



def read_catalog(folder: Path, *, from_history: str | None = None) -> Catalog:
    """Read every migration, the profile and the repair scripts of ``folder``, in the folder's
    convention (`from_history`: the convention of the history table in the database file).

    Raises ``CatalogNotFound`` when ``folder`` is missing or is not a folder; every other
    problem is collected in ``Catalog.problems``.
    """
    if not folder.exists():
        raise CatalogNotFound(
            f"The migrations folder {folder} does not exist.",
            "Check the path of the migrations folder (--migrations).",
        )
    if not folder.is_dir():
        raise CatalogNotFound(
            f"{folder} is a file, not a migrations folder.",
            "Give the folder that holds the NNNN_slug.sql files.",
        )
    problems: list[CatalogProblem] = []
    profile: Profile | None = None
    try:
        profile = load_profile(folder)
    except ProfileError as exc:
        problems.append(
            CatalogProblem("bad_profile", exc.message, exc.hint, PROFILE_NAME, exc.line)
        )
    settings = read_settings(folder)
    files = sql_files(folder)
    choice = choose(((p.name, peek_text(p)) for p in files), settings, from_history)
    writes = settings.user_version
    base = Catalog(folder, (), (), (), profile, choice.convention.name,
                   user_version=choice.convention.name == "sqlmig" if writes is None else writes,
                   decided_by=choice.decided_by)
    if settings.problem or choice.problem:
        what = settings.problem or f"{folder.name}: {choice.problem}."
        hint = choice.hint or "See docs/other-tools.md for the conventions sqlmig reads."
        problem = CatalogProblem("bad_convention", what.rstrip(".") + ".", hint, None, None)
        return base._replace(problems=(*problems, problem))
    if choice.convention.name != "sqlmig":
        reads, faults, skipped = read_folder(folder, choice.convention, files)
        problems += [CatalogProblem(kind, f"{file}{f' line {line}' if line else ''}: {what}.",
                                    hint, file, line) for kind, file, line, what, hint in faults]
        return base._replace(problems=tuple(problems), skipped=tuple(skipped), migrations=tuple(
            Migration(r.name.version, r.name.name, r.path, r.checksum, r.directives, r.up,
                      r.down, r.name.label, r.tool_checksum) for r in reads))
    by_version: dict[int, list[Migration]] = {}
    for path in files:
        reader = _Reader(path.name, repair=False)
        found = _MIGRATION_NAME.match(path.name)
        version = int(found.group(1)) if found else -1
        if SPLIT_NAME.match(path.name):
            # Never suggest a plain name for it: a renamed .down.sql file would run as an upgrade.
            what = "the name follows golang-migrate's .up.sql/.down.sql convention"
            reader.problem("foreign_marker", None, what, foreign_hint("golang-migrate"))
        elif found is None or version > _MAX_VERSION:
            what = "the version number is too large" if found else "the name is not NNNN_slug.sql"
            reader.problem("bad_name", None, what, _name_hint(path.name))
        p = reader.read(path)  # even a badly named file gets its content checked
        problems += reader.problems
        if found and p and version <= _MAX_VERSION:
            m = Migration(version, found.group(2), path, p.checksum, p.directives, p.up, p.down)
            by_version.setdefault(version, []).append(m)
    migrations = []
    for version, same in sorted(by_version.items()):
        if len(same) == 1:
            migrations.append(same[0])
        for m in same if len(same) > 1 else ():
            others = ", ".join(o.filename for o in same if o is not m)
            what = f"{m.filename}: version {version} is also used by {others}."
            hint = _HINTS["duplicate_version"]
            problems.append(CatalogProblem("duplicate_version", what, hint, m.filename, None))
    repairs = _load_repairs(folder, profile, set(by_version), problems)
    problems.sort(key=lambda p: (p.file or "", p.line or 0))
    kept = {r.path.parent for r in repairs} | ({profile.repairs_dir} if profile else set())
    unread = tuple(s for s in skipped_files(folder, choice.convention)
                   if (folder / s.file).parent.absolute() not in kept)
    return base._replace(migrations=tuple(migrations), repairs=repairs, problems=tuple(problems),
                         skipped=unread)


def _load_repairs(
    folder: Path, profile: Profile | None, versions: set[int], problems: list[CatalogProblem]
) -> tuple[RepairScript, ...]:
    """Repair scripts from the profile's folder; a missing folder means there are none."""
    where = profile.repairs_dir if profile else None
    if where is None or not where.exists():
        return ()
    if not where.is_dir():
        what = f"{PROFILE_NAME}: the repairs folder {where} is a file."
        hint = "Point [legacy] repairs at a folder of repair scripts."
        problems.append(CatalogProblem("bad_profile", what, hint, PROFILE_NAME, None))
        return ()
    try:
        prefix = where.relative_to(folder.absolute()).as_posix() + "/"
    except ValueError:  # outside the migrations folder: name it in full
        prefix = f"{where}{os.sep}"
    repairs = []
    for path in sql_files(where):
        reader = _Reader(prefix + path.name, repair=True)
        if not _REPAIR_NAME.match(path.name):
            hint = "Use lower-case letters, digits and underscores, e.g. salvage_backup.sql."
            reader.problem("bad_name", None, "a repair script's name is not slug.sql", hint)
        parsed = reader.read(path)
        if parsed:
            d = parsed.directives
            missing = [k for k, v in (("when", d.when), ("before", d.before)) if v is None]
            if missing:
                what = " or ".join(f"'{k}:'" for k in missing)
                reader.problem("bad_repair", None, f"the repair script has no {what}")
            elif d.before not in versions:
                what = f"'before: {d.before}' names no migration in the folder"
                reader.problem("bad_repair", None, what)
        problems += reader.problems
        if parsed and not reader.problems:
            d, up = parsed.directives, parsed.up
            repairs.append(RepairScript(path.stem, path, parsed.checksum, d, up))
    return tuple(repairs)
