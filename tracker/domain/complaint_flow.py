"""The complaint-handling flow of the handbook (ISO 10002 style), in proportion to severity.

received → acknowledged → investigating → resolved | dismissed is the path of every complaint
that needs finding out about. Two shorter paths are the handbook's own (complaint-handling page,
"How a complaint moves"; a test holds the page's table to ``NEXT``):

- a *low* complaint put right when it is acknowledged may be resolved from acknowledged;
- a complaint recorded in error (a duplicate, not a complaint) may be dismissed while received or
  acknowledged, with its written reason.

A step cannot be skipped otherwise and the flow never goes backwards, so the record shows how
each complaint was handled before it was closed.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from tracker.domain.errors import InputError
from tracker.domain.timeutil import to_local

RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
INVESTIGATING = "investigating"
RESOLVED = "resolved"
DISMISSED = "dismissed"

SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
DEFAULT_SEVERITY = "medium"

STATUSES: tuple[str, ...] = (RECEIVED, ACKNOWLEDGED, INVESTIGATING, RESOLVED, DISMISSED)
OPEN_STATUSES: tuple[str, ...] = (RECEIVED, ACKNOWLEDGED, INVESTIGATING)
CLOSED_STATUSES: tuple[str, ...] = (RESOLVED, DISMISSED)

NEXT: dict[str, tuple[str, ...]] = {
    RECEIVED: (ACKNOWLEDGED, DISMISSED),
    ACKNOWLEDGED: (INVESTIGATING, RESOLVED, DISMISSED),
    INVESTIGATING: (RESOLVED, DISMISSED),
    RESOLVED: (),
    DISMISSED: (),
}
# Steps open to some severities only: resolving without an investigation is for a low complaint.
ONLY_FOR: dict[tuple[str, str], tuple[str, ...]] = {(ACKNOWLEDGED, RESOLVED): ("low",)}

# The verb a person uses for each step (command names and button labels).
VERB: dict[str, str] = {
    ACKNOWLEDGED: "acknowledge",
    INVESTIGATING: "investigate",
    RESOLVED: "resolve",
    DISMISSED: "dismiss",
}


def allowed_next(status: str, severity: str) -> tuple[str, ...]:
    """The steps a complaint of this severity may take next."""
    return tuple(target for target in NEXT.get(status, ()) if severity in ONLY_FOR.get((status, target), (severity,)))


def check_transition(current: str, target: str, severity: str) -> None:
    """Refuse a transition that skips a step or goes backwards, saying what is allowed."""
    allowed = allowed_next(current, severity)
    if target in allowed:
        return
    if not allowed:
        raise InputError("status", f"the complaint is {current} and closed; no further step is allowed")
    choices = " or ".join(f"{VERB[s]} ({s})" for s in allowed)
    only = ONLY_FOR.get((current, target))
    if target in NEXT.get(current, ()) and only:
        why = f"only a {' or '.join(only)} complaint goes from {current} to {target}; this one is {severity}"
        raise InputError("status", f"{why}; next allowed: {choices}")
    raise InputError("status", f"cannot go from {current} to {target}; next allowed: {choices}")


def before_hire_problem(received_at: datetime, number: str, hire_date: date) -> str | None:
    """Why a complaint cannot name this employee, if it can't: it was received (local day)
    before they were hired, so it is about someone else, or its time was typed wrong."""
    if to_local(received_at).date() < hire_date:
        return f"is before {number} was hired ({hire_date})"
    return None


REFERENCE = re.compile(r"^C-(\d{4})-(\d{5,9})$")
_DIGITS = re.compile(r"\d{1,5}")
_TYPED_REFERENCE = re.compile(r"C-?(\d{4})(?:-(\d{0,5}))?", re.IGNORECASE)
_YEARS_BACK = 10  # a bare complaint number is looked up in this year and the nine before it


def reference_prefixes(term: str, this_year: int) -> list[str]:
    """The reference prefixes a search names: "00146" or "146" the complaint numbered 146 of any
    recent year (newest first), "2026-001" or "C-2026-001" those starting so."""
    text = term.strip().upper()
    if _DIGITS.fullmatch(text):
        number = text.zfill(5)
        return [f"C-{year}-{number}" for year in range(this_year, this_year - _YEARS_BACK, -1)]
    typed = _TYPED_REFERENCE.fullmatch(text)
    if typed:
        year, number = typed.group(1), typed.group(2)
        return [f"C-{year}-{number or ''}"]
    return []


def reference(year: int, number: int) -> str:
    """A complaint's reference as the tracker writes it: one spelling per number."""
    return f"C-{year}-{number:05d}"
