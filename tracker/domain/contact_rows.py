"""A contact as an import profile reads it from a help desk's export, before the tracker maps it
onto its own records: the channel as the export names it (the handbook's aliases map it), the agent
as the export names them (the roster resolves them), times as aware UTC.

Every profile (``domain/contact_profiles/``) turns its files into these, so what happens next
(mapping, checking, measuring, writing) is written once, in ``records/contacts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tracker.domain.errors import RowError


@dataclass(frozen=True)
class MessageRow:
    at: datetime
    author: str  # one of contact_words.AUTHORS
    agent: str | None = None  # who of ours wrote it, as the export names them (person messages)
    row: int = 0  # its row in its own file, for a row error
    file: str = ""


@dataclass(frozen=True)
class ContactRow:
    file: str  # the file the contact's own row is in (its name, for messages)
    row: int  # that row's number, the header being row 1
    source: str  # the system it came from: 'zendesk', 'chatwoot', 'tickets' or the file's own column
    external_id: str
    channel: str  # as the export names it
    received_at: datetime
    agent: str | None = None  # who handled it, as the export names them
    topic: str | None = None
    priority: str | None = None
    urgent: bool = False
    status: str | None = None
    closed_at: datetime | None = None
    reported_first_response: timedelta | None = None  # a first-reply time the export states
    talk_seconds: int | None = None
    hold_seconds: int | None = None
    wrap_seconds: int | None = None
    messages: tuple[MessageRow, ...] = ()


@dataclass(frozen=True)
class FileRowError:
    """A row error located in one of several files."""

    file: str
    error: RowError
    # The file could not be read whole (its header, its encoding, a NUL, a line too long): which
    # contacts lost rows to it is unknown, so no import keeps "the good rows" past it.
    whole_file: bool = False

    def __str__(self) -> str:
        return f"{self.file}: {self.error}"


@dataclass
class ProfileRead:
    """What a profile made of its files: the contacts, the rows it could not read, and the columns
    it ignored (each file's, named once)."""

    contacts: list[ContactRow] = field(default_factory=list)
    errors: list[FileRowError] = field(default_factory=list)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    rows_read: int = 0
