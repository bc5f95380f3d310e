"""Patterns compiled on first use behave as `re.compile`'s and cost nothing until used."""

from __future__ import annotations

import re

from engine.core.lazyre import LazyPattern


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_re_does() -> None:
    lazy = LazyPattern(r"^(\d{4,})_([a-z0-9_]+)\.sql$", re.IGNORECASE)
    assert lazy._compiled is None  # defined at import, not compiled
    eager = re.compile(r"^(\d{4,})_([a-z0-9_]+)\.sql$", re.IGNORECASE)
    for text in ("0001_init.sql", "0001_INIT.SQL", "1_x.sql", "notes.txt", ""):
        got, want = lazy.match(text), eager.match(text)
        assert (got and got.groups()) == (want and want.groups())
        assert bool(lazy.fullmatch(text)) == bool(eager.fullmatch(text))
    assert lazy._compiled is not None
    words = LazyPattern(r"\b(\w)(\w*)")
    assert [m.group(1) for m in words.finditer("add the email")] == ["a", "t", "e"]
    assert words.sub(lambda m: m.group(1).upper() + m.group(2), "add email") == "Add Email"
    assert words.search("  x")
