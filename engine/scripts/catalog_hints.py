"""The hints of the catalog's problems (engine/scripts/catalog.py): the usual one per problem kind,
and a corrected name when one can be guessed."""

from __future__ import annotations

import re

_MAX_VERSION = 2**31 - 1  # user_version is a signed 32-bit integer
NAME_HINT = (
    "Name migration files NNNN_slug.sql: four or more digits, an underscore, then lower-case "
    "letters, digits and underscores."
)
# The usual hint per problem kind; call sites pass a more specific one where it helps.
HINTS = {
    "bad_name": NAME_HINT,
    "unreadable": "Check that the file exists and that you may read it.",
    "not_utf8": "Save the file with UTF-8 encoding.",
    "empty": "Write the migration's SQL, each statement ending with ';'.",
    "incomplete_statement": "End every statement with ';' and close every string, bracket "
    "and trigger body (BEGIN ... END;).",
    "bad_directive": "See docs/authoring-migrations.md for the directives and their values.",
    "bad_repair": "A repair script needs '-- when: <query>' and '-- before: NNNN' in its top "
    "comments, and has no down part.",
    "duplicate_version": "Give each migration its own number; renumber the one that is not "
    "applied anywhere yet.",
    "bad_marker": "Write the marker exactly as '-- migrate:down' (or '-- migrate:up') on a line "
    "of its own; for a comment, start with a capital letter: '-- Migrate ...'.",
}



def name_hint(name: str) -> str:
    """The general rule, plus a corrected name when one can be guessed."""
    guess = re.match(r"^(\d+)[\W_]*(.*?)\.sql$", name, re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "_", guess.group(2).lower()).strip("_") if guess else ""
    if guess is None or not slug or int(guess.group(1)) > _MAX_VERSION:
        return NAME_HINT
    return f"{NAME_HINT} For example: {int(guess.group(1)):04d}_{slug}.sql"
