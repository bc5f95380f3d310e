"""The words of the developer's views: a cell as a table shows it (a BLOB as its size and first
bytes in hex, long text elided), a column's facts, the console's row count and time, the note a
scanning browse shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.state.schema_info import ColumnInfo, ForeignKeyInfo, IndexInfo

CELL_CHARS = 80  # longer text is elided in a table; the side panel shows it whole
HEX_BYTES = 16
_HIDDEN = {1: "hidden", 2: "generated (virtual)", 3: "generated (stored)"}


def blob_text(value: bytes, preview: int = HEX_BYTES) -> str:
    head = value[:preview].hex(" ")
    more = " …" if len(value) > preview else ""
    return f"BLOB {len(value):,} bytes: {head}{more}" if value else "BLOB 0 bytes"


def cell_text(value: Any, limit: int = CELL_CHARS) -> str:
    """One line for a table cell: NULL, numbers as SQLite gives them, text elided at `limit`."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return blob_text(value)
    text = str(value)
    line = " ".join(text.split()) if ("\n" in text or "\t" in text) else text
    return line if len(line) <= limit else line[: limit - 1] + "…"


def full_text(value: Any) -> str:
    """The whole value, for the side panel (a BLOB as a hex dump of up to 4 KiB)."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        shown = value[:4096]
        lines = [f"{i:08x}  {shown[i:i + 16].hex(' ')}" for i in range(0, len(shown), 16)]
        tail = [f"… {len(value) - len(shown):,} more bytes"] if len(value) > len(shown) else []
        return "\n".join([blob_text(value, 0).split(":")[0], *lines, *tail])
    return str(value)


def column_facts(column: ColumnInfo) -> tuple[str, str, str, str, str, str]:
    """Name, type, NOT NULL, default, primary key, hidden/generated: the columns view's row."""
    return (column.name, column.type or "(none)", "NOT NULL" if column.not_null else "",
            "" if column.default is None else str(column.default),
            f"#{column.primary_key}" if column.primary_key else "",
            _HIDDEN.get(column.hidden, ""))


def index_line(index: IndexInfo) -> str:
    kind = {"pk": "primary key", "u": "unique constraint"}.get(index.origin, "")
    words = ["unique" if index.unique and index.origin == "c" else "", kind,
             "partial" if index.partial else ""]
    extra = ", ".join(w for w in words if w)
    return f"{index.name} ({', '.join(index.columns)})" + (f": {extra}" if extra else "")


def foreign_key_line(fk: ForeignKeyInfo, *, incoming: bool) -> str:
    pair = (f"{fk.table}({', '.join(fk.columns)}) → {fk.parent}({', '.join(fk.parent_columns)})")
    rules = f"on delete {fk.on_delete.lower()}" if fk.on_delete.upper() != "NO ACTION" else ""
    return ("← " if incoming else "→ ") + pair + (f", {rules}" if rules else "")


def rows_message(rows: int, more: bool, seconds: float | None = None) -> str:
    """"1 row in 3 ms", "200 rows so far (scroll for more) in 12 ms"."""
    count = f"{rows:,} row{'s' if rows != 1 else ''}"
    shown = f"{count} so far (scroll for more)" if more else count
    return shown + (f" in {_duration(seconds)}" if seconds is not None else "")


def _duration(seconds: float) -> str:
    if seconds < 0.001:
        return "under 1 ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def plan_message(steps: int, seconds: float) -> str:
    """The console's line for an EXPLAIN QUERY PLAN."""
    return f"Query plan: {steps} step{'s' if steps != 1 else ''}, prepared in {_duration(seconds)}"


def scanning_note(table: str) -> str:
    return (f"Scanning {table}: this order or filter has no index, so SQLite reads the rows "
            "one by one; rows appear as they are found.")
