"""The words a contact's records are stored with: who wrote a message. The schema's CHECK
constraint and the measures (``contact_measures.Author``) both read them from here."""

from __future__ import annotations

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
