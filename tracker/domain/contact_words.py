"""The words a contact's records are stored with: who wrote a message. The schema's CHECK
constraint and the measures (``contact_measures.Author``) both read them from here."""

from __future__ import annotations

from tracker.domain.errors import InputError

CUSTOMER = "customer"
PERSON = "person"  # one of ours, writing to the customer
AUTOMATIC = "automatic"  # an auto-reply, a trigger, a bot: never a first response (SPD-02)
NOTE = "note"  # an internal note the customer never sees

AUTHORS = (CUSTOMER, PERSON, AUTOMATIC, NOTE)

# How a contact stands against its first-response target (SPD-01).
MET = "met"
MISSED = "missed"
PENDING = "pending"  # no reply by a person yet: missed once its due time has passed
NOT_MEASURED = "not measured"  # the export carries neither messages nor a stated first-reply time
FIRST_RESPONSE_STATES = (MET, MISSED, PENDING, NOT_MEASURED)

# The fewest contacts a rate is judged on, for a version published before the handbook stated its own.
DEFAULT_SMALLEST_SAMPLE = 20


def smallest_sample(stated: int | None) -> int:
    """The fewest contacts a rate is judged on: the handbook's figure, or the default before it stated one."""
    return stated or DEFAULT_SMALLEST_SAMPLE


def in_first_response_sample(state: str, past_due: bool) -> bool:
    """Whether a contact counts towards first-response attainment (SPD-01): answered, met or
    missed, or still unanswered with its due time passed (missed by now). Every report counts by
    this, whether it reads rows (the service report) or groups them in SQL (the dashboard)."""
    return state in (MET, MISSED) or waiting_past_due(state, past_due)


def waiting_past_due(state: str, past_due: bool) -> bool:
    """No reply by a person yet, and the target has passed."""
    return state == PENDING and past_due


def attainment(met: int, sample: int, smallest: int) -> float | None:
    """The share answered within target, in percent; None (too few to judge) below ``smallest``."""
    return 100.0 * met / sample if sample >= smallest and sample > 0 else None


def parse_contact_key(text: str) -> tuple[str, str]:
    """'zendesk:16988' -> ('zendesk', '16988'): a contact as supervisors name it, by its source
    system and that system's own ID (the ID may itself hold colons)."""
    source, sep, external_id = text.partition(":")
    if not sep or not source.strip() or not external_id.strip():
        raise InputError("contact", f"'{text}' is not SOURCE:ID (for example zendesk:16988)")
    return source.strip(), external_id.strip()
