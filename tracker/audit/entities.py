"""The kinds of record an audit event is about: a module of its own, so the command line's help can
list them without loading the ORM."""

from __future__ import annotations

# Every kind of record an event is about (``entity``): `audit log --entity` offers these names.
ENTITIES = (
    "complaint",
    "complaint_import",
    "complaint_reply",
    "contact_import",
    "corrective_action",
    "counters",
    "database",
    "employee",
    "follow_up",
    "handbook_version",
    "privacy",
    "signoff",
    "signoff_revocation",
)
