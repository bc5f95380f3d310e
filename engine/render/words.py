"""Short words about a file and a plan, for both faces: the state badge, current → target, the
file's facts, the findings, and each planned step's status and SQL.

The window shows these strings as they are; the CLI prints the same words in `status`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from engine.core.verdicts import Method, ProblemCode, State, StepKind
from engine.state.findings import listing

if TYPE_CHECKING:
    from engine.core.planned import PlannedStep
    from engine.planning.assess import Assessment
    from engine.state.inspection import Inspection

# Short words for why a file is damaged (problem codes of SPEC §7.7).
DAMAGE_WORDS = {
    "not_sqlite": "not a SQLite database",
    "corrupt": "the file is corrupt",
    "read_only": "the file cannot be read",
    "locked": "the file is locked",
    "missing": "the file is missing",
    "is_directory": "this is a folder",
}


class Badge(NamedTuple):
    """`key`: one of fresh, pending, legacy, ok, ahead, foreign, damaged, interrupted (the
    window's colour and icon); `text`: the words on it."""

    key: str
    text: str


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def state_badge(assessment: Assessment) -> Badge:
    """The badge of an assessed file, e.g. "Legacy v5 — needs upgrade" or
    "Tracked v18 — needs repair"."""
    inspection = assessment.inspection
    state = inspection.state
    pending = len(inspection.pending)
    refused = " — upgrade refused" if assessment.refusal is not None else ""
    if state == State.LEGACY:
        return Badge("legacy", f"Legacy v{claimed_version(inspection)}" +
                     (refused or " — needs upgrade"))
    if state == State.TRACKED:
        current = f"Tracked v{inspection.current_version}"
        needs = []
        if pending:
            needs.append(f"{plural(pending, 'migration')} pending")
        if inspection.needs_repair:
            needs.append("needs repair")
        if needs:
            return Badge("pending", current + (refused or f" — {', '.join(needs)}"))
        return Badge("ok", f"Up to date (v{inspection.current_version})")
    if state == State.FRESH:
        todo = f" — {plural(pending, 'migration')} to create the schema"
        return Badge("fresh", "Empty file" + (refused or todo))
    if state == State.AHEAD:
        return Badge("ahead", f"Newer than this tool (v{newest_in_file(inspection)})")
    if state == State.FOREIGN:  # the diagnosis names the app (or says the folder has none)
        return Badge("foreign", inspection.diagnosis.partition(":")[0])
    if state == State.INTERRUPTED:
        return Badge("interrupted", "Interrupted — needs recovery")
    code = inspection.problems[0].code if inspection.problems else ""
    if code == ProblemCode.NOT_SQLITE:  # another kind of file: nothing is broken, so not red
        return Badge("foreign", "Not a database")
    return Badge("damaged", f"Damaged: {DAMAGE_WORDS.get(code, 'the file cannot be read')}")


def claimed_version(inspection: Inspection) -> int:
    """The version a legacy file claims (its `user_version`)."""
    legacy = inspection.legacy
    claimed = legacy.claimed_version if legacy is not None else inspection.user_version
    return claimed or 0


def newest_in_file(inspection: Inspection) -> int:
    """The newest version a file records (history rows or `user_version`)."""
    return max([a.version for a in inspection.applied] + [inspection.user_version or 0])


def version_labels(inspection: Inspection) -> tuple[str, str]:
    """("legacy v5", "v18"): where the file is and where an upgrade takes it."""
    head = inspection.head_version
    target = "—" if head is None else f"v{head}"
    state = inspection.state
    if state == State.LEGACY:
        return f"legacy v{claimed_version(inspection)}", target
    if state == State.FRESH:
        return "empty", target
    if state in (State.FOREIGN, State.DAMAGED):
        return "unknown", "—"
    if state == State.INTERRUPTED:
        return "unknown until recovered", "—"
    if state == State.AHEAD:
        return f"v{newest_in_file(inspection)}", f"no upgrade (this tool knows up to {target})"
    current = inspection.current_version
    return ("none" if current is None else f"v{current}"), target


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def file_facts(inspection: Inspection) -> str:
    """"1.2 MB · journal mode wal · 300 pages of 4096 bytes · user_version 18 · SQLite 3.40.1"."""
    facts = [human_size(inspection.size)]
    if inspection.journal_mode:
        facts.append(f"journal mode {inspection.journal_mode}")
    if inspection.page_size and inspection.page_count is not None:
        facts.append(f"{inspection.page_count:,} pages of {inspection.page_size} bytes")
    if inspection.user_version is not None:
        facts.append(f"user_version {inspection.user_version}")
    facts.append(f"SQLite {inspection.sqlite_version}")
    return " · ".join(facts)


def finding_lines(inspection: Inspection) -> list[str]:
    """The findings under the diagnosis: one line each (a finding the diagnosis already says
    gives only what to do), then the extra tables kept."""
    lines = []
    for p in inspection.problems:
        if p.message in inspection.diagnosis:
            if p.hint:
                lines.append(f"What to do: {p.hint}")
            continue
        hint = f" — {p.hint}" if p.hint and p.code != ProblemCode.LEGACY else ""
        lines.append(f"• {p.message}{hint}")
    if inspection.extras and inspection.state not in (State.FOREIGN, State.DAMAGED):
        lines.append(f"• Extra tables kept as they are: {listing(inspection.extras)}")
    return lines


STEP_STATUS = {
    Method.EXECUTED: "will run",
    Method.ADOPTED: "adopt: already there",
    Method.REPAIRED: "repair: complete what the file lacks",
    Method.KEPT: "recorded: kept",
}


def step_status(step: PlannedStep) -> str:
    """What a planned step will do, in a few words ("will run", "adopt: already there", …)."""
    if step.kind == StepKind.REPAIR:
        if step.method == Method.SKIPPED:
            return "repair: not needed now (asked again when reached)"
        return "repair: needed"
    if step.kind == StepKind.UNRECORD:
        return "move another branch's history rows to sqlmig_log"
    return STEP_STATUS.get(Method(step.method), step.method)


def step_sql(step: PlannedStep) -> str:
    """The step's statements as the preview shows them: a heading, then each statement after
    a comment with its line in the file."""
    parts = [f"-- {step.label} ({step_status(step)})"]
    if step.reason:
        parts.append(f"-- {step.reason}")
    if step.when:
        parts.append(f"-- when: {step.when}")
    parts += [f"\n-- line {line}\n{sql.strip().rstrip(';')};" for line, sql in step.statements]
    return "\n".join(parts)


def plan_summary(assessment: Assessment) -> str:
    """What an upgrade would do, in one line: "legacy v5 → v18: 32 steps (8 to run, 8 to adopt,
    2 repair scripts needed now)"; why not, when it would be refused."""
    current, target = version_labels(assessment.inspection)
    if assessment.refusal is not None:
        return f"No upgrade: {assessment.refusal.message}"
    steps = assessment.steps
    if not steps:
        return f"Nothing to do ({current})."
    counts = dict.fromkeys(SUMMARY_KEYS.values(), 0)
    for step in steps:
        if step.kind == StepKind.MIGRATE and step.method in SUMMARY_KEYS:
            counts[SUMMARY_KEYS[step.method]] += 1
        elif step.kind == StepKind.REPAIR and step.method != Method.SKIPPED:
            counts[SUMMARY_KEYS[StepKind.REPAIR]] += 1
    parts = [f"{n} {key}" if key != REPAIRS else f"{plural(n, 'repair script')} needed now"
             for key, n in counts.items() if n]
    return f"{current} → {target}: {plural(len(steps), 'step')} ({', '.join(parts)})."


# How `plan_summary` counts a step, by its method (a migration) or its kind.
SUMMARY_KEYS: dict[str, str] = {
    Method.EXECUTED: "to run",
    Method.REPAIRED: "to complete",
    Method.ADOPTED: "to adopt",
    StepKind.REPAIR: "repair scripts",
}
REPAIRS = "repair scripts"
