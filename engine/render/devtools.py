"""The words of `history`, `accept` and `baseline` for both faces (text lines and the JSON
`done` event that carries the payload, SPEC §7.23)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from engine.core.events import Clock, DoneEvent

if TYPE_CHECKING:
    from engine.runtime.accepting import AcceptResult
    from engine.runtime.baselining import BaselineResult
    from engine.state.auditlog import AuditEntry
    from engine.state.timeline import HistoryReport


def _done(clock: Clock, version: int | None, message: str, payload: dict[str, Any]
          ) -> dict[str, Any]:
    done = DoneEvent(clock(), ok=True, from_version=version, to_version=version, backup=None,
                     message=message).to_json()
    done.update(payload)
    return done


def log_line(entry: AuditEntry) -> str:
    """One audit row: when, what, which step, how long, which tool, who (and why, if said)."""
    number = entry.version_number
    version = f"{number:04d}" if number is not None else (entry.version or "")
    step = f"{version} {entry.name}".strip() if version else entry.name
    parts = [entry.at or "?", f"{entry.kind:<9}", step]
    if entry.duration_ms is not None and entry.kind not in ("accepted", "baselined"):
        parts.append(f"{entry.duration_ms} ms")
    if entry.tool_version:
        parts.append(f"sqlmig {entry.tool_version}")
    if entry.run_by:
        parts.append(f"by {entry.run_by}")
    why = _reason(entry)
    return "  ".join(parts) + (f"  — {why}" if why else "")


def _reason(entry: AuditEntry) -> str:
    if entry.detail is None or entry.kind not in ("accepted", "baselined"):
        return ""
    try:
        detail = json.loads(entry.detail)
    except ValueError:
        return entry.detail
    if entry.kind == "accepted":
        return f"reason: {detail.get('reason')} ({detail.get('old_checksum')} → " \
            f"{detail.get('new_checksum')})"
    forced = detail.get("differences") or []
    return f"forced over {len(forced)} difference(s)" if detail.get("forced") else ""


def history_lines(report: HistoryReport) -> list[str]:
    version = f"v{report.version}" if report.version is not None else "no version"
    out = [f"{report.path.name} ({report.state}, {version}): {len(report.applied)} history "
           f"row(s), {len(report.log)} audit row(s)."]
    if report.applied:
        out.append("History (schema_migrations):")
        for a in report.applied:
            how = f"  {a.method}" if a.method else ""
            took = f"  {a.duration_ms} ms" if a.duration_ms is not None else ""
            out.append(f"  {a.version:04d} {a.name}  {a.applied_at or '?'}{how}{took}  "
                       f"[{a.status}]")
    if report.log:
        out.append("Audit trail (sqlmig_log), oldest first:")
        out += [f"  {log_line(entry)}" for entry in report.log]
    else:
        out.append("No audit trail: sqlmig has not written to this file yet.")
    return out


def history_json(report: HistoryReport, clock: Clock) -> list[dict[str, Any]]:
    message = f"{len(report.applied)} history row(s), {len(report.log)} audit row(s)."
    return [_done(clock, report.version, message, report.to_json())]


def accept_message(done: AcceptResult) -> str:
    return (f"Accepted the change to {done.version:04d}_{done.name}: checksum "
            f"{done.old_checksum or '(none)'} → {done.new_checksum}, reason recorded "
            f"(\"{done.reason}\", by {done.run_by}).")


def accept_lines(done: AcceptResult) -> list[str]:
    return [accept_message(done), "`sqlmig history` shows it; `sqlmig verify` no longer "
            "reports this file as changed."]


def accept_json(done: AcceptResult, clock: Clock) -> list[dict[str, Any]]:
    return [_done(clock, None, accept_message(done), done.to_json())]


def baseline_message(done: BaselineResult) -> str:
    forced = (f", forced over {len(done.differences)} difference(s)" if done.forced
              and done.differences else "")
    return (f"Baselined at v{done.version}: {len(done.adopted)} migration(s) recorded as "
            f"adopted{forced}.")


def baseline_lines(done: BaselineResult) -> list[str]:
    out = [baseline_message(done)]
    out += [f"  - {d}" for d in done.differences]
    if done.backup is not None:
        out.append(f"Backup: {done.backup}")
    return out


def baseline_json(done: BaselineResult, clock: Clock) -> list[dict[str, Any]]:
    return [_done(clock, done.version, baseline_message(done), done.to_json())]
