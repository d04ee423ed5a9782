"""How long each kind of text may be: the input models check these and the schema's
columns are declared with them, so a value the forms accept always fits the database."""

from __future__ import annotations

EMPLOYEE_NUMBER = 32
PERSON_NAME = 200  # employees, printed names, customers
TEAM = 100
ACTOR = 100  # who recorded something
FILING_REF = 200
CUSTOMER_CONTACT = 200
CHANNEL_CODE = 40
VERSION_LABEL = 50
REASON = 2000  # a revocation's reason
LONG_TEXT = 4000  # summaries, notes, expectations, outcomes
