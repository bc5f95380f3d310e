"""The checks before COMMIT (SPEC §7.10): no table lost rows or values, no value changed where
no step writes, no new foreign-key damage, and the schema equals the target's expected schema.

The baseline is taken once, before the first change: every transaction of a plan is checked
against the file as it was, so a plan of several transactions cannot lose rows step by step.
"""

from __future__ import annotations

from collections import Counter

from engine.core.events import VerifyEvent
from engine.core.tables import BOOKKEEPING_TABLES, is_bookkeeping
from engine.runtime.checks import FkKey, foreign_key_damage, new_damage, orphans_under
from engine.runtime.compiles import broken_objects
from engine.runtime.context import RunContext, RunOutcome
from engine.runtime.failures import check_failed
from engine.runtime.ledger import (
    ValueCounts,
    compare_ledger,
    counts_and_fingerprints,
    value_counts,
)
from engine.runtime.valuewatch import ValueWatch
from engine.schema import SnapshotMemo, compare, snapshot
from engine.state.expected import ReplayFailed


class PreCommit:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._counts: dict[str, int] | None = None
        self._values: ValueCounts = {}
        self._damage: Counter[FkKey] = Counter()
        self._schema_memo = SnapshotMemo()  # stepwise: each check reads only what changed

    def baseline(self) -> None:
        """Rows, values and foreign-key damage before the first change (once per run),
        including rows that would violate the target's constraints already (existing damage,
        not damage the run did)."""
        if self._counts is not None:
            return
        ctx, conn = self.ctx, self.ctx.conn
        counts, self._values = value_counts(conn)
        owned = ctx.kept.owned
        ctx.watch = ValueWatch((t for t in counts if t not in BOOKKEEPING_TABLES), owned)
        users = broken_objects(conn, wanted=lambda name: name.lower() not in owned)
        ctx.broken_before = {b.name.lower() for b in users}
        self._counts = counts
        self._damage = foreign_key_damage(conn)
        target = ctx.plan.to_version
        if target is None:
            return
        try:
            expected = ctx.expected.at(target)
        except ReplayFailed:
            return  # the run itself will fail on it, with file and line
        for key, found in orphans_under(conn, expected).items():
            self._damage[key] = max(self._damage[key], found)

    def check(self, target: int | None, outcome: RunOutcome) -> None:
        """Every check, in order; the first that fails raises `RunFailed` (the caller rolls
        back). `target`: the version whose schema the file must have now (None: not checked)."""
        ctx, conn = self.ctx, self.ctx.conn
        assert self._counts is not None, "baseline() first"
        # One scan per table: its rows, values and (where a change could hide) fingerprints.
        due = ctx.watch.due(ctx.moves) if ctx.watch is not None else {}
        counts_after, values_after, prints = counts_and_fingerprints(conn, due)
        ledger = compare_ledger(self._counts, counts_after, ctx.moves, (self._values, values_after))
        outcome.ledger.update(
            {t: [outcome.ledger.get(t, pair)[0], pair[1]] for t, pair in ledger.ledger.items()}
        )
        changed = ctx.watch.changes(conn, ctx.moves, prints) if ctx.watch is not None else []
        losses = (*ledger.losses, *changed)
        self._verdict("ledger", not losses, "No table lost rows or changed values.", losses)
        fresh_damage = new_damage(self._damage, foreign_key_damage(conn))
        outcome.existing_damage.update(self._damage)
        self._verdict("foreign_keys", not fresh_damage, "No new foreign-key damage.", fresh_damage)
        if target is None:
            return
        try:
            expected = ctx.expected.at(target)
        except ReplayFailed as exc:
            self._verdict("schema", False, "", (f"No expected schema: {exc}",))
            return
        diff = compare(snapshot(conn, ignore=is_bookkeeping, memo=self._schema_memo), expected)
        kept = f" ({len(diff.extras)} extra object(s) kept)." if diff.extras else "."
        self._verdict(
            "schema",
            diff.ok,
            f"Schema equals the expected schema of v{target}{kept}",
            tuple(d.message for d in diff.differences) if not diff.ok else tuple(diff.extras),
        )

    def _verdict(self, check: str, ok: bool, message: str, details: tuple[str, ...] | list[str]
                 ) -> None:
        details = tuple(details)
        clock = self.ctx.clock
        if ok:
            self.ctx.sink(VerifyEvent(clock(), check, True, message, details))
            return
        first = details[0] if details else "check failed"
        self.ctx.sink(VerifyEvent(clock(), check, False, first, details))
        raise check_failed(check, details)
