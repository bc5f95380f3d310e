"""The expected schema after each version: the catalog replayed on an in-memory database, once
per catalog (keyed by its checksum, SPEC §7.24) and shared by every run in this process.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from engine.core.cancel import CancelToken
from engine.scripts import diskcache
from engine.scripts.catalog import Catalog
from engine.scripts.compiled import cache_dir_for
from engine.scripts.statements import created_names

if TYPE_CHECKING:
    from engine.schema import Snapshot

# Expected schemas per catalog checksum (SPEC §7.24 names the key), shared by every run in this
# process: a second upgrade, a verify or a diff with the same catalog does not replay it again.
_SHARED: dict[str, dict[int, Snapshot]] = {}
_SHARED_CATALOGS = 8  # the most recently used catalogs kept; a developer edits a folder often
_SHARED_LOCK = threading.Lock()


def _shared_for(key: str) -> dict[int, Snapshot]:
    with _SHARED_LOCK:
        found = _SHARED.pop(key, {})
        _SHARED[key] = found  # now the most recent
        while len(_SHARED) > _SHARED_CATALOGS:
            del _SHARED[next(iter(_SHARED))]
        return found


class ExpectedSchemas:
    """The expected schema after each version, built once per catalog by replaying it in memory."""

    def __init__(self, catalog: Catalog, *, cancel: CancelToken | None = None) -> None:
        self.catalog = catalog
        self._cancel = cancel
        self._cache = _shared_for(catalog.checksum)
        self._owned: frozenset[str] | None = None

    def owned_names(self) -> frozenset[str]:
        """Names (lower-case) of the objects the catalog's migrations and repairs create.

        The chain decides what happens to those; a rebuild only keeps the others.
        """
        if self._owned is None:
            statements = [s.sql for m in self.catalog.migrations for s in m.up]
            statements += [s.sql for r in self.catalog.repairs for s in r.statements]
            self._owned = created_names(statements)
        return self._owned

    def at(self, version: int) -> Snapshot:
        """The schema after `version`; raises `ReplayFailed` naming the migration that broke."""
        if version not in self._cache:
            stored = self._stored(version)
            if stored is not None:
                self._cache[version] = stored
        if version not in self._cache:
            from engine.schema import replay  # `status` rarely needs it: loaded on first use

            current: list[str] = []

            def steps() -> Iterator[tuple[tuple[str, ...], bool]]:
                for m in self.catalog.migrations:
                    if m.version <= version:
                        current[:] = [m.filename]
                        yield tuple(s.sql for s in m.up), m.directives.foreign_keys_off

            cancel = self._cancel
            try:
                self._cache[version] = replay(steps(), progress=cancel.progress if cancel else None)
            except sqlite3.Error as exc:
                if cancel is not None:
                    cancel.check()
                raise ReplayFailed(current[0] if current else "?", exc) from exc
            self._store(version, self._cache[version])
        return self._cache[version]

    # Kept between runs in the catalog's cache folder (SPEC §7.24), keyed by the catalog's
    # checksum, the version, the engine's build and the SQLite library that replayed it.
    def _disk_key(self, version: int) -> tuple[Path | None, str, str]:
        checksum = self.catalog.checksum
        key = f"{diskcache.engine_stamp()}\n{sqlite3.sqlite_version}\n{checksum}\n{version}"
        return cache_dir_for(checksum), f"expected-{checksum[7:23]}-v{version}", key

    def _stored(self, version: int) -> Snapshot | None:
        from engine.schema import Snapshot

        found = diskcache.load(*self._disk_key(version))
        return found if isinstance(found, Snapshot) else None

    def _store(self, version: int, snapshot: Snapshot) -> None:
        diskcache.store(*self._disk_key(version), snapshot)


class ReplayFailed(Exception):
    """A migration fails on an empty in-memory database, so there is no expected schema."""

    def __init__(self, filename: str, error: sqlite3.Error) -> None:
        super().__init__(f"{filename} fails when replayed on an empty database: {error}")
        self.filename = filename
        self.error = error
