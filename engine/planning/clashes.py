"""Name clashes: a user's object named like a table the plan writes (engine/state/bookkeeping.py
lists the user's reserved names). `status` foresees them; the planner refuses such a plan before
anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.core.errors import Problem, Refused
from engine.core.tables import AUDIT_TABLE
from engine.scripts.catalog import Catalog
from engine.state.bookkeeping import written_tables

if TYPE_CHECKING:
    from engine.planning.planner import Step
    from engine.state.inspection import Inspection


def plan_writes(steps: Iterable[Step]) -> set[str]:
    """Every reserved name the plan's steps may write (whatever their `when:` decides)."""
    steps = list(steps)
    names = {AUDIT_TABLE} if steps else set()  # any run may log to the audit table
    for step in steps:
        names |= written_tables((s.sql for s in step.statements), step.moves)
    return names


def clashes(users: Iterable[tuple[str, str]], written: set[str]) -> list[Problem]:
    """A `name_clash` problem for each of the user's objects whose name the plan writes."""
    return [_clash(kind, name) for kind, name in users if name.lower() in written]


def _clash(kind: str, name: str) -> Problem:
    low = name.lower()
    own = f"the file has its own {kind} {name}"
    if low == AUDIT_TABLE:
        what = f"{own}, which is not sqlmig's audit table, but the upgrade logs there"
    elif "sqlmig" in low:
        what = f"{own}, a name the upgrade uses for a table it builds and then renames"
    elif low.endswith("_legacy"):
        old = name[: -len("_legacy")]
        what = f"{own}, the name under which the upgrade keeps the old {old} table"
    else:
        table = name[: -len("_unplaced")]
        what = f"{own}, where the upgrade keeps the {table} rows it cannot put back"
    return Problem(
        "name_clash",
        f"{what[0].upper()}{what[1:]}.",
        f"Rename your {kind} {name} (for example to {name}_own) with a SQLite tool, then "
        "upgrade again; the names sqlmig writes are fixed.",
    )


def foresee(inspection: Inspection, catalog: Catalog) -> Inspection:
    """`inspection` with the clashes an upgrade to the head would meet, as `status` shows them."""
    if not inspection.user_reserved:
        return inspection
    from engine.planning.planner import plan_upgrade  # the planner refuses with this module's rules

    unclashed = inspection._replace(user_reserved=())  # the plan as if the names were free
    try:
        steps = plan_upgrade(unclashed, catalog, accept_diverged=True).steps
    except Refused:
        steps = ()  # refused for another reason, which status already shows
    found = clashes(inspection.user_reserved, plan_writes(steps))
    return inspection._replace(problems=(*inspection.problems, *found))


def refuse_clashes(inspection: Inspection, steps: Iterable[Step]) -> None:
    found = clashes(inspection.user_reserved, plan_writes(steps))
    if found:
        more = f" (and {len(found) - 1} more such name(s))" if len(found) > 1 else ""
        raise Refused(
            f"{found[0].message}{more} Upgrade refused; nothing was changed.",
            hint=found[0].hint,
            code="name_clash",
        )
