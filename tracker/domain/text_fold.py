"""Text as a search compares it: without accents and in lower case, so "zoe" finds "Zoë" and
"angstrom" finds "Ångström", however a name was typed into the roster.

Both databases fold the stored side the same way (``db/dialect.folded``): SQLite calls ``fold``
itself, PostgreSQL translates the accented letters listed in ``FOLD_FROM`` / ``FOLD_TO`` (built
here, from the same definition) and lowers the rest.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` decomposed, its combining marks dropped, in lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _translation() -> tuple[str, str]:
    """Each accented Latin letter (U+00C0–U+024F) that folds to one other letter, and that letter."""
    source, target = [], []
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded != char.lower():
            source.append(char)
            target.append(folded)
    return "".join(source), "".join(target)


FOLD_FROM, FOLD_TO = _translation()
