"""Flyway SQL migrations: `V<version>__<description>.sql` (dotted versions such as 1.10, with `_`
read as `.`), `U<version>__…` undo scripts (the down part of that version) and `R__…` repeatable
scripts; `${name}` placeholders take their values from `[placeholders]` in sqlmig.toml. Its history
is `flyway_schema_history`, each row with Flyway's CRC32 of the script (flyway/flyway:
flyway-core/.../resolver/ChecksumCalculator.java and api/resource/LoadableResource.java
`calculateChecksum`: CRC32 over each line's UTF-8 bytes as BufferedReader.readLine gives them,
without line endings, a BOM removed from the first line, the result as a signed 32-bit int;
MigrationVersion.java for the order; database/sqlite/createMetaDataTable.sql for the table).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping

from engine.core.lazyre import LazyPattern
from engine.scripts.conventions import DOWN, REPEATABLE, UP, Convention, FileName, description_of

_NAME = LazyPattern(r"^([VUR])(\d+(?:[._]\d+)*)?__(.+)\.sql$")
_PLACEHOLDER = LazyPattern(r"\$\{([^}]+)\}")
_PARTS = 4  # version parts the order key holds (1.2.3.4); each below 10^20
_BASE = 10**20


class DottedVersion(int):
    """A Flyway version: an integer in Flyway's order that reads as Flyway writes it (1.10)."""

    label: str

    def __new__(cls, key: int, label: str) -> DottedVersion:
        made = super().__new__(cls, key)
        made.label = label
        return made

    def __str__(self) -> str:
        return self.label

    __repr__ = __str__

    def __reduce__(self) -> tuple[type[DottedVersion], tuple[int, str]]:
        return DottedVersion, (int(self), self.label)  # copies keep the label

    def __format__(self, spec: str) -> str:
        return self.label  # as written, whatever width a sequential number would get


def version_key(label: str) -> DottedVersion | None:
    """Flyway's order as one integer: parts compared as numbers, missing parts as 0 (1.10 comes
    after 1.9; 1.0 equals 1). None when the version is beyond what the key holds."""
    parts = [int(p) for p in label.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    if len(parts) > _PARTS or any(p >= _BASE for p in parts):
        return None
    parts += [0] * (_PARTS - len(parts))
    key = 0
    for part in parts:
        key = key * _BASE + part
    return DottedVersion(key, label)


def crc32_checksum(raw: bytes) -> int:
    """Flyway's checksum of a script's bytes (see the module docstring for where it is defined)."""
    text = raw.decode("utf-8")
    crc = 0
    for number, line in enumerate(_read_lines(text)):
        if number == 0 and line.startswith("\ufeff"):
            line = line[1:]
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - 2**32 if crc >= 2**31 else crc


def _read_lines(text: str) -> list[str]:
    """Lines as Java's BufferedReader.readLine splits them (\\n, \\r or \\r\\n; no last empty)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class Flyway(Convention):
    name = "flyway"
    tool = "Flyway"
    history_table = "flyway_schema_history"

    def __init__(self, placeholders: Mapping[str, str] | None = None) -> None:
        self.placeholders = dict(placeholders or {})

    def parse_name(self, filename: str) -> FileName | None:
        found = _NAME.match(filename)
        if found is None:
            return None
        prefix, raw_version, words = found.groups()
        if prefix == "R":
            return None if raw_version else FileName(-1, "", description_of(words), REPEATABLE)
        if raw_version is None:
            return None
        label = raw_version.replace("_", ".")
        key = version_key(label)
        if key is None:
            return None
        return FileName(key, label, description_of(words), UP if prefix == "V" else DOWN)

    def owns(self, filename: str, text: str) -> bool:
        return _NAME.match(filename) is not None

    def tool_checksum(self, raw: bytes) -> str | None:
        return f"crc32:{crc32_checksum(raw)}"

    def substitute(self, text: str, filename: str) -> tuple[str, list[str]]:
        values = {
            "flyway:defaultSchema": "main",
            "flyway:database": "main",
            "flyway:table": self.history_table,
            "flyway:filename": filename,
            **self.placeholders,
        }
        missing: list[str] = []

        def value(found: re.Match[str]) -> str:
            name = found.group(1)
            if name in values:
                return values[name]
            missing.append(name)
            return found.group(0)

        return _PLACEHOLDER.sub(value, text), missing
