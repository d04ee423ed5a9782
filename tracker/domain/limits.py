"""How long each kind of text may be: the input models check these and the schema's
columns are declared with them, so a value the forms accept always fits the database."""

from __future__ import annotations

EMPLOYEE_NUMBER = 32
PERSON_NAME = 200  # employees, printed names, customers
TEAM = 100
ACTOR = 100  # who recorded something
FILING_REF = 200
CUSTOMER_CONTACT = 200
CHANNEL_CODE = 40  # and a ladder level's code
PERIOD_TEXT = 40  # a duration as the handbook writes it ("12 months")
MEANING = 500  # what a signature means, stored with it
EXTERNAL_ID = 200  # a help desk's own ID of a contact
CONTACT_SOURCE = 40  # the help desk a contact came from
CONTACT_KEY = CONTACT_SOURCE + 1 + EXTERNAL_ID  # "zendesk:16988"
TOPIC = 100  # a contact's topic, priority or status as its help desk names them
VERSION_LABEL = 50
# What the handbook's pages give a published version: the parser checks these, so a handbook
# that publishes on PostgreSQL (which enforces column lengths) publishes on SQLite (which does not).
RULE_TITLE = 300
HANDBOOK_PAGE = 200  # a page's path in the pages folder
RULE_TAGS = 300  # a page's tags, joined with commas
TABLE_NAME = 100  # a channel's or ladder level's name
REASON = 2000  # a revocation's reason
LONG_TEXT = 4000  # summaries, notes, expectations, outcomes

# The calendar dates the tracker keeps (a typed 9999-12-31 would overflow every "plus the grace
# period"); times of day start at 1970, the epoch timestamps count from.
FIRST_YEAR = 1900
LAST_YEAR = 2999
# The earliest hire year taken (later than FIRST_YEAR on purpose): nobody still on a roster was
# hired before it, so an earlier year is a typing slip (1925 for 2025), not a date to keep.
FIRST_HIRE_YEAR = 1950

# Record ids and row counts: the largest integer both SQLite and PostgreSQL (BIGINT) store.
LARGEST_INTEGER = 2**63 - 1

# The longest line a CSV file may have, in bytes, its line ending included. The longest row the
# complaint import accepts (three 4,000-character texts, two 200-character ones, in four-byte
# characters) is under 50 KiB; a longer line is not a spreadsheet export, and the reader refuses it
# after reading this much rather than holding a 150 MB "line" (tests/hostile/test_csv_limits.py).
CSV_LINE = 64 * 1024
