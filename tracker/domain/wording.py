"""How counts are said to people: "1 contact", "3 contacts" (never "1 contacts"), "3,251 complaints"
(thousands grouped, as the reports' figures are)."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"
