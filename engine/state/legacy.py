"""The legacy bridge: where a file without usable history stands, and the plan that brings it home.

A legacy file's `user_version` is a claim, not a fact: old code bumped it after failed steps. So
the position is decided from the file's shape. Each migration's effect counts as present when its
`-- present:` query says so (or, without one, when every object its statements create exists).
Everything app-specific (which queries, which repairs, which eras) is data in the migrations
folder; this module only evaluates it.
"""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from engine.core.errors import Problem
from engine.runtime.checks import ExpectedSchemas, ReplayFailed
from engine.schema import Snapshot
from engine.scripts.catalog import Catalog
from engine.scripts.guards import Ask, Effect, ExpectedAt, effect_present, missing_effect
from engine.state.atrisk import at_risk_hint, objects_at_risk

UNKNOWN = None


class LegacyReport(NamedTuple):
    claimed_version: int  # what user_version says
    shape_version: int | None  # the highest V whose effects 0…V are all present
    era: str | None  # e.g. "born in v0.6.x, upgraded from v1"
    differences: tuple[str, ...]  # plain sentences
    missing: tuple[int, ...] = ()  # migrations whose effect is not (fully) present
    repairs: tuple[str, ...] = ()  # repair scripts whose condition holds now
    diverged: tuple[tuple[int, str, str], ...] = ()  # (version, recorded name, catalog name)
    at_risk: tuple[str, ...] = ()  # the user's indexes, triggers, views the bridge cannot keep

    def to_json(self) -> dict[str, Any]:
        return {
            "claimed_version": self.claimed_version,
            "shape_version": self.shape_version,
            "era": self.era,
            "differences": list(self.differences),
            "missing": list(self.missing),
            "repairs": list(self.repairs),
            "at_risk": list(self.at_risk),
        }


def truthy(conn: sqlite3.Connection, query: str) -> bool:
    row = conn.execute(query).fetchone()
    return bool(row and row[0])


def _answer(conn: sqlite3.Connection) -> Ask:
    """Condition queries during a read-only diagnosis: one that cannot run is false."""

    def ask(query: str) -> bool:
        try:
            return truthy(conn, query)
        except sqlite3.Error:
            return False

    return ask


def _expected_at(expected: ExpectedSchemas) -> ExpectedAt:
    def at(version: int) -> Snapshot | None:
        try:
            return expected.at(version)
        except ReplayFailed:
            return None

    return at


def diagnose(
    conn: sqlite3.Connection,
    catalog: Catalog,
    *,
    user_version: int,
    recorded: dict[int, str],
) -> LegacyReport:
    """Read-only: evaluate every migration's presence, the eras and the repairs' conditions."""
    names = catalog.names()
    matching = {v for v, n in recorded.items() if names.get(v) == n}
    diverged = tuple(
        (v, n, names[v]) for v, n in sorted(recorded.items()) if v in names and names[v] != n
    )
    chain = [
        Effect(m.version, tuple(s.sql for s in m.up), m.directives.present, m.version in matching)
        for m in catalog.migrations
    ]
    expected = ExpectedSchemas(catalog)
    ask, expected_at = _answer(conn), _expected_at(expected)
    presence = {
        effect.version: effect_present(conn, chain, at, ask=ask, expected_at=expected_at)
        for at, effect in enumerate(chain)
    }
    shape: int | None = None
    legacy_base = _legacy_base(conn, catalog, recorded)
    for migration in catalog.migrations:
        # A legacy base schema is not the tracked base, but it is the base the bridge builds on.
        if not presence[migration.version] and migration.version >= legacy_base:
            break
        shape = migration.version
    missing = tuple(v for v, ok in presence.items() if not ok)

    differences: list[str] = []
    claimed = _claimed(catalog, user_version, recorded, matching)
    for at, migration in enumerate(catalog.migrations):
        if presence[migration.version] or migration.version not in claimed:
            continue
        objects = [
            g.describe()
            for g in missing_effect(conn, chain, at, ask=ask, expected_at=expected_at)
        ]
        claim = (
            f"the history records {migration.version:04d} {migration.name}"
            if migration.version in matching
            else f"user_version {user_version} claims {migration.version:04d} {migration.name}"
        )
        if objects:
            shown = ", ".join(objects[:3]) + (" …" if len(objects) > 3 else "")
            differences.append(
                f"{claim}, but {shown} {'is' if len(objects) == 1 else 'are'} missing: "
                "an earlier upgrade failed half-way."
            )
        else:
            differences.append(f"{claim}, but its effect is not complete in this file.")
    if recorded and user_version != max(recorded):
        differences.append(
            f"user_version says {user_version} but the history's newest row is {max(recorded)}."
        )
    for version, old, new in diverged:
        differences.append(
            f"History row {version} is '{old}', not '{new}': a different branch of the app "
            "upgraded this file."
        )
    repairs = []
    for repair in catalog.repairs:
        when = repair.directives.when
        try:
            due = bool(when) and truthy(conn, when or "")
        except sqlite3.Error:
            due = False
        if due:
            repairs.append(repair.name)
            if repair.directives.reason:
                differences.append(repair.directives.reason)
    head = catalog.head_version
    at_risk = objects_at_risk(
        conn,
        catalog,
        owned=expected.owned_names,
        missing=missing,
        due=repairs,
        head_schema=lambda: expected_at(head) if head is not None else None,
    )
    return LegacyReport(
        claimed_version=user_version,
        shape_version=shape,
        era=_era(conn, catalog, user_version),
        differences=tuple(differences),
        missing=missing,
        repairs=tuple(repairs),
        diverged=diverged,
        at_risk=tuple(at_risk),
    )


def _legacy_base(conn: sqlite3.Connection, catalog: Catalog, recorded: dict[int, str]) -> int:
    """Migrations below this number count as the base of a legacy file with the app's core."""
    profile = catalog.profile
    first = catalog.migrations[0].version if catalog.migrations else 0
    if profile is None or first in recorded or not profile.core_tables:
        return 0
    names = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return profile.claims_from if profile.core_tables <= names else 0


def _claimed(
    catalog: Catalog, user_version: int, recorded: dict[int, str], matching: set[int]
) -> set[int]:
    """The migrations the file says it has: its matching history rows and its user_version.

    Without history rows, user_version counts in the legacy numbering (`tracked_offset`), and the
    legacy base schema never claims the tracked base (`claims_from`).
    """
    profile = catalog.profile
    start = profile.claims_from if profile else 0
    top = user_version if recorded else user_version + (profile.tracked_offset if profile else 0)
    return set(matching) | (set(range(start, top + 1)) if user_version else set())


def _era(conn: sqlite3.Connection, catalog: Catalog, user_version: int) -> str | None:
    profile = catalog.profile
    if profile is None:
        return None
    for era in profile.eras:
        try:
            hit = truthy(conn, era.when)
        except sqlite3.Error:
            continue
        if hit:
            text = f"born in {era.name}"
            if 0 < era.born_user_version < user_version <= profile.legacy_max:
                text += f", upgraded from v{era.born_user_version}"
            return text
    return None


def summary(report: LegacyReport, app: str, head: int | None) -> str:
    """One line for a support person."""
    era = f", {report.era}" if report.era else ""
    shape = (
        f"its tables match v{report.shape_version}"
        if report.shape_version is not None
        else "its tables match no tracked version yet"
    )
    issues = len(report.differences)
    found = f"; {issues} repair(s) needed" if issues else ""
    return (
        f"Legacy {app} file (user_version {report.claimed_version}{era}): {shape}{found}; "
        f"the upgrade bridges it to v{head}."
    )


def problems_for(report: LegacyReport) -> list[Problem]:
    out = [
        Problem(
            "legacy",
            sentence,
            "Back up and upgrade: the bridge adds what is missing and keeps every row.",
        )
        for sentence in report.differences
    ]
    out += [Problem("user_object", sentence, at_risk_hint()) for sentence in report.at_risk]
    if report.diverged:
        rows = ", ".join(f"v{v} '{old}'" for v, old, _ in report.diverged)
        out.append(
            Problem(
                "diverged",
                f"The history has rows from a different branch of the app ({rows}).",
                "Run the upgrade with --accept-diverged to move those rows to the audit table "
                "sqlmig_log and run this tool's migrations instead; the branch's tables are kept.",
            )
        )
    return out
