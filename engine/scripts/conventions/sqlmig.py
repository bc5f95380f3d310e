"""sqlmig's own convention: `NNNN_slug.sql`, up and down in one file split by `-- migrate:down`.

The catalog reads these files itself (engine/scripts/catalog.py): markers, directives, repairs.
"""

from __future__ import annotations

from engine.core.lazyre import LazyPattern
from engine.scripts.conventions import BOTH, Convention, FileName

NAME = LazyPattern(r"^(\d{4,})_([a-z0-9_]+)\.sql$")
MAX_VERSION = 2**31 - 1  # sqlmig's own versions fit user_version, a signed 32-bit integer


class Sqlmig(Convention):
    name = "sqlmig"
    tool = "sqlmig"
    history_table = "schema_migrations"
    foreign_suffixes = ()

    def parse_name(self, filename: str) -> FileName | None:
        found = NAME.match(filename)
        if found is None or int(found.group(1)) > MAX_VERSION:
            return None
        return FileName(int(found.group(1)), found.group(1), found.group(2), BOTH)
