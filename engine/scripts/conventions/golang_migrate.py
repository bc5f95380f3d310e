"""golang-migrate: `VERSION_name.up.sql` and `VERSION_name.down.sql`, one part per file. Its history
is one row, `schema_migrations(version bigint, dirty boolean)`: every version up to that one is
applied; `dirty` means a run stopped half-way (golang-migrate/migrate, database/sqlite3/sqlite3.go,
source/parse.go).
"""

from __future__ import annotations

from engine.core.lazyre import LazyPattern
from engine.scripts.conventions import DOWN, UP, Convention, FileName

NAME = LazyPattern(r"^(\d+)_(.*)\.(up|down)\.sql$")


class GolangMigrate(Convention):
    name = "golang-migrate"
    tool = "golang-migrate"
    history_table = "schema_migrations"

    def parse_name(self, filename: str) -> FileName | None:
        found = NAME.match(filename)
        if found is None or len(found.group(1)) > 18:
            return None
        part = UP if found.group(3) == "up" else DOWN
        return FileName(int(found.group(1)), found.group(1), found.group(2), part)

    def owns(self, filename: str, text: str) -> bool:
        return NAME.match(filename) is not None
