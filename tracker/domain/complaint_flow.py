"""The complaint-handling flow of the handbook (ISO 10002 style).

received → acknowledged → investigating → resolved | dismissed. A step cannot be
skipped and the flow never goes backwards, so the record shows that every
complaint was acknowledged and investigated before it was closed.
"""

from __future__ import annotations

from tracker.domain.errors import InputError

RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
INVESTIGATING = "investigating"
RESOLVED = "resolved"
DISMISSED = "dismissed"

SEVERITIES: tuple[str, ...] = ("low", "medium", "high")

STATUSES: tuple[str, ...] = (RECEIVED, ACKNOWLEDGED, INVESTIGATING, RESOLVED, DISMISSED)
OPEN_STATUSES: tuple[str, ...] = (RECEIVED, ACKNOWLEDGED, INVESTIGATING)
CLOSED_STATUSES: tuple[str, ...] = (RESOLVED, DISMISSED)

NEXT: dict[str, tuple[str, ...]] = {
    RECEIVED: (ACKNOWLEDGED,),
    ACKNOWLEDGED: (INVESTIGATING,),
    INVESTIGATING: (RESOLVED, DISMISSED),
    RESOLVED: (),
    DISMISSED: (),
}

# The verb a person uses for each step (command names and button labels).
VERB: dict[str, str] = {
    ACKNOWLEDGED: "acknowledge",
    INVESTIGATING: "investigate",
    RESOLVED: "resolve",
    DISMISSED: "dismiss",
}


def allowed_next(status: str) -> tuple[str, ...]:
    return NEXT.get(status, ())


def check_transition(current: str, target: str) -> None:
    """Refuse a transition that skips a step or goes backwards, saying what is allowed."""
    allowed = allowed_next(current)
    if target in allowed:
        return
    if not allowed:
        raise InputError("status", f"the complaint is {current} and closed; no further step is allowed")
    choices = " or ".join(f"{VERB[s]} ({s})" for s in allowed)
    raise InputError("status", f"cannot go from {current} to {target}; next allowed: {choices}")
