"""The engine's one answer to a face's questions about a file: what it is, whether it can be
upgraded, what an upgrade would run (repairs included) and why it would be refused.

`sqlmig status`, `sqlmig upgrade --dry-run` and the window all take their answer from here, so
they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.core.cancel import CancelToken
from engine.core.errors import Problem, Refused, UsageError
from engine.core.planned import PlannedStep
from engine.core.verdicts import Mode, State
from engine.planning.clashes import foresee
from engine.planning.planner import Plan, plan_upgrade
from engine.scripts.catalog import Catalog
from engine.state.inspect import inspect_file
from engine.state.inspection import Inspection

NO_PROFILE_NAME = "these migrations"  # the app's name when the folder has no profile


@dataclass(frozen=True)
class Assessment:
    inspection: Inspection  # as `inspect_file` returns it
    plan: Plan | None  # what `upgrade` to the newest version would run; None when refused
    refusal: Problem | None  # why an upgrade would be refused (None otherwise)
    newest_version: int | None  # the catalog's head
    app_name: str  # the profile's app name; without a profile "these migrations"
    # The catalog as the file's history decided its convention (SPEC §7.19): its convention,
    # problems and skipped files are the ones to show.
    catalog: Catalog | None = None

    @property
    def can_upgrade(self) -> bool:
        return self.plan is not None and not self.plan.empty

    @property
    def steps(self) -> tuple[PlannedStep, ...]:
        """The plan's steps, repairs included, as the dry run's `plan` event lists them."""
        return tuple(step.describe() for step in self.plan.steps) if self.plan else ()

    @property
    def state(self) -> State:
        return self.inspection.state


def assess(
    path: str | Path,
    catalog: Catalog,
    *,
    cancel: CancelToken | None = None,
    mode: Mode = Mode.ATOMIC,
    accept_diverged: bool = False,
) -> Assessment:
    """Inspect `path` (read-only) and plan its upgrade to the newest version."""
    return assessment_of(
        inspect_and_foresee(path, catalog, cancel=cancel), catalog, mode=mode,
        accept_diverged=accept_diverged,
    )


def inspect_and_foresee(
    path: str | Path, catalog: Catalog, *, cancel: CancelToken | None = None
) -> Inspection:
    """The inspection as `status` shows it: the file's state (read-only), with the name clashes
    an upgrade to the newest version would meet."""
    return foresee(inspect_file(path, catalog, cancel=cancel), catalog)


def assessment_of(
    inspection: Inspection,
    catalog: Catalog,
    *,
    mode: Mode = Mode.ATOMIC,
    accept_diverged: bool = False,
) -> Assessment:
    plan: Plan | None = None
    refusal: Problem | None = None
    try:
        plan = plan_upgrade(inspection, catalog, mode=mode, accept_diverged=accept_diverged)
    except (Refused, UsageError) as exc:
        refusal = exc.problem()
    profile = catalog.profile
    return Assessment(
        inspection=inspection,
        plan=plan,
        refusal=refusal,
        newest_version=catalog.head_version,
        app_name=profile.app_name if profile is not None else NO_PROFILE_NAME,
        catalog=catalog,
    )
