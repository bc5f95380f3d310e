"""A batch in words, for both faces: one line per file, the summary ("23 upgraded, 2 already
current, 1 refused: damaged"), and the row the window's batch table shows for an assessed file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from engine.core.verdicts import BatchKind
from engine.render.words import human_size, plan_summary, plural, state_badge, version_labels

if TYPE_CHECKING:
    from engine.core.batchevents import FileOutcome
    from engine.planning.assess import Assessment

# The summary's order and words; a reason follows the refused, failed and cancelled counts.
KIND_WORDS = {
    BatchKind.UPGRADED: "upgraded",
    BatchKind.PLANNED: "would be upgraded",
    BatchKind.CURRENT: "already current",
    BatchKind.REFUSED: "refused",
    BatchKind.FAILED: "failed",
    BatchKind.CANCELLED: "cancelled (rolled back)",
    BatchKind.NOT_STARTED: "not started",
}
# The mark at the start of a file's line (text output, the window's result column).
KIND_MARKS = {
    BatchKind.UPGRADED: "✔",
    BatchKind.PLANNED: "•",
    BatchKind.CURRENT: "=",
    BatchKind.REFUSED: "✘",
    BatchKind.FAILED: "✘",
    BatchKind.CANCELLED: "■",
    BatchKind.NOT_STARTED: "■",
}
NO_FILES = "No database files found."


def reason_words(reason: str) -> str:
    return reason.replace("_", " ")


def batch_summary(outcomes: Iterable[FileOutcome]) -> str:
    """"23 upgraded, 2 already current, 1 refused: damaged"; "3 refused: 2 damaged, 1 ahead"."""
    listed = list(outcomes)
    if not listed:
        return NO_FILES
    parts = []
    for kind, words in KIND_WORDS.items():
        of_kind = [o for o in listed if o.kind == kind]
        if not of_kind:
            continue
        part = f"{len(of_kind)} {words}"
        reasons = Counter(reason_words(o.reason) for o in of_kind if o.reason)
        if kind in (BatchKind.REFUSED, BatchKind.FAILED) and reasons:
            if len(reasons) == 1:
                part += f": {next(iter(reasons))}"
            else:
                part += ": " + ", ".join(f"{n} {r}" for r, n in reasons.most_common())
        parts.append(part)
    return ", ".join(parts)


def batch_file_line(outcome: FileOutcome) -> str:
    """"✔ upgraded  data/a.db: Upgraded a.db: legacy v5 → v18." (one line per file)."""
    words = KIND_WORDS[outcome.kind]
    return f"{KIND_MARKS[outcome.kind]} {words}  {outcome.path}: {outcome.headline}"


def batch_result_text(outcome: FileOutcome) -> str:
    """The window's result cell: "upgraded: legacy v5 → v18", "refused: damaged"."""
    words = KIND_WORDS[outcome.kind]
    if outcome.kind == BatchKind.UPGRADED:
        return f"{words}: {outcome.from_label} → {outcome.to_label}"
    if outcome.reason:
        return f"{words}: {reason_words(outcome.reason)}"
    return words


class BatchRow(NamedTuple):
    """What the batch table shows of an assessed file."""

    state: str  # the badge's words ("Legacy v5 — needs upgrade")
    badge: str  # the badge's key (colour and icon)
    version: str  # "legacy v5", "v9", "empty", "unknown"
    size: str  # "1.2 MB"
    needs: str  # plan_summary: what an upgrade would do, or why not
    can_upgrade: bool


def batch_row(assessment: Assessment) -> BatchRow:
    inspection = assessment.inspection
    badge = state_badge(assessment)
    return BatchRow(badge.text, badge.key, version_labels(inspection)[0],
                    human_size(inspection.size), plan_summary(assessment),
                    assessment.can_upgrade)


def batch_inventory(can_upgrade: Sequence[bool], *, reading: int = 0) -> str:
    """The files listed before a batch runs: "6 files: 4 need an upgrade, 2 do not (up to date,
    or cannot be upgraded); 3 still being read"."""
    total = len(can_upgrade) + reading
    if not total:
        return NO_FILES
    need = sum(can_upgrade)
    parts = [f"{need} need{'s' if need == 1 else ''} an upgrade"]
    if len(can_upgrade) - need:
        parts.append(f"{len(can_upgrade) - need} up to date or not upgradable")
    text = f"{plural(total, 'file')}: " + ", ".join(parts)
    return text + (f"; {reading} still being read…" if reading else ".")


def refused_headline(message: str) -> str:
    """A file a batch did not touch, and why (the engine's refusal)."""
    return f"Not upgraded: {message}"


def crash_headline(name: str, how: str, now: str | None, *, cancelled: bool = False) -> str:
    """A worker process died while it had this file (`now`: the file's version afterwards);
    `cancelled`: it was killed because it did not stop after a cancel."""
    where = (f"after SQLite rolled back the write it left unfinished, the file is at {now}"
             if now is not None else "the file could not be read again afterwards")
    if cancelled:
        return (f"Cancelled: the worker upgrading {name} did not stop in time and was "
                f"killed ({how}); {where}.")
    return f"The worker upgrading {name} stopped unexpectedly ({how}); {where}."
