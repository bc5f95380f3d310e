"""sqlx: `VERSION_description.sql` (simple) or `VERSION_description.up.sql`/`.down.sql`
(reversible); `-- no-transaction` on the first line runs it outside a transaction. Its history is
`_sqlx_migrations(version, description, installed_on, success, checksum, execution_time)` with the
SHA-384 of the file's text (launchbadge/sqlx, sqlx-core/src/migrate/migration.rs `Migration::new`:
`Sha384::digest(sql.as_bytes())` of the file read as a string; source.rs for names and
descriptions; sideeffects.md for the table).
"""

from __future__ import annotations

import hashlib

from engine.core.lazyre import LazyPattern
from engine.scripts.conventions import BOTH, DOWN, UP, Convention, FileName, Parts, description_of

_NAME = LazyPattern(r"^(\d+)_(.+?)(\.up|\.down)?\.sql$")


class Sqlx(Convention):
    name = "sqlx"
    tool = "sqlx"
    history_table = "_sqlx_migrations"

    def parse_name(self, filename: str) -> FileName | None:
        found = _NAME.match(filename)
        if found is None or len(found.group(1)) > 18:
            return None
        part = {".up": UP, ".down": DOWN}.get(found.group(3) or "", BOTH)
        return FileName(int(found.group(1)), found.group(1), description_of(found.group(2)), part)

    def split(self, text: str, part: str) -> Parts:
        transaction = not text.startswith("-- no-transaction")
        if part == DOWN:
            return Parts("", 1, text, 1, transaction)
        return Parts(text, 1, None, 1, transaction)

    def tool_checksum(self, raw: bytes) -> str | None:
        # sqlx hashes the file exactly as read (BOM and line endings included).
        return "sha384:" + hashlib.sha384(raw).hexdigest()
