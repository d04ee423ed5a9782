"""How counts are said: singular for one, thousands grouped (the employee page said "3251
complaints" beside reports that print "3,251")."""

from __future__ import annotations

from tracker.domain.wording import plural


def test_one_is_singular_and_thousands_are_grouped() -> None:
    assert plural(1, "complaint") == "1 complaint"
    assert plural(0, "complaint") == "0 complaints"
    assert plural(3251, "earlier complaint") == "3,251 earlier complaints"
    assert plural(1_000_000, "contact") == "1,000,000 contacts"
