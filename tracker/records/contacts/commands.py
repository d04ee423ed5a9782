"""Importing contacts: all or nothing unless rejects are asked for, idempotent by the source
system's ID, one audit event per import."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from tracker.audit import chain as audit
from tracker.db.models import Contact, ContactImport, ContactMessage, Employee, HandbookVersion
from tracker.domain.contact_rows import FileRowError, ProfileRead
from tracker.domain.errors import InputError, NoVersionPublished
from tracker.domain.timeutil import as_utc, utcnow
from tracker.records.contacts.mapping import Prepared, VersionInForce, prepare, roster_from
from tracker.records.handbook.queries import standards

BATCH = 500

CONTACT_IMPORT_ACTION = "contacts.import"  # the audit event of one import; verify counts its "new"


@dataclass
class ContactImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[FileRowError] = field(default_factory=list)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False
    import_id: int | None = None
    audit_seq: int | None = None

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


class ContactRowErrors(InputError):
    """Bad rows in an import that applies all or nothing: nothing was written; every row is listed."""

    def __init__(self, errors: list[FileRowError]):
        self.errors = errors
        first = errors[0]
        others = len(errors) - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        super().__init__(
            "file",
            f"{len(errors)} problem{'s' if len(errors) > 1 else ''} in the export, nothing was imported; "
            f"first: {first.file}, row {first.error.row}, {first.error.column}: {first.error.reason}{more}",
        )


def versions_in_force(session: Session) -> list[VersionInForce]:
    versions = session.exec(select(HandbookVersion).order_by(col(HandbookVersion.published_at))).all()
    if not versions:
        raise NoVersionPublished()
    return [VersionInForce(v.id or 0, v.label, as_utc(v.published_at), standards(session, v)) for v in versions]


def import_contacts(
    read: ProfileRead,
    *,
    session: Session,
    actor: str,
    profile: str,
    files: list[tuple[str, str]],
    keep_good: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> ContactImportResult:
    """Apply ``read`` in the caller's write transaction. ``files`` are (name, SHA-256) pairs, kept
    in the audit event. With ``keep_good`` the good contacts are written and the bad ones come back
    in ``rejected``; otherwise any bad row refuses the whole import."""
    now = now or utcnow()
    versions = versions_in_force(session)
    roster = roster_from(
        [
            (employee_id or 0, number, name, hired)
            for employee_id, number, name, hired in session.exec(
                select(col(Employee.id), col(Employee.number), col(Employee.name), col(Employee.hire_date))
            )
        ]
    )
    errors = list(read.errors)
    prepared: list[Prepared] = []
    bad_keys: set[tuple[str, str]] = set()
    for row in read.contacts:
        contact, problems = prepare(row, versions, roster, now)
        if contact is None:
            errors += problems
            bad_keys.add((row.source, row.external_id))
        else:
            prepared.append(contact)
    # Rejects keep the good rows of a file read whole; a file that could not be (its header, its
    # encoding, a NUL, a line too long) may hold messages of contacts whose own rows are good.
    if errors and (not keep_good or any(error.whole_file for error in errors)):
        raise ContactRowErrors(errors)
    result = ContactImportResult(rejected=errors, ignored_columns=read.ignored_columns, dry_run=dry_run)
    existing = _existing(session, [p.key for p in prepared])
    new = [p for p in prepared if p.key not in existing]
    changed = [p for p in prepared if p.key in existing and existing[p.key][1] != p.content_hash]
    result.new, result.updated = len(new), len(changed)
    result.unchanged = len(prepared) - len(new) - len(changed)
    if dry_run:
        return result
    record = ContactImport(
        profile=profile,
        files=json.dumps([{"name": name, "sha256": digest} for name, digest in files]),
        new=result.new,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=len(errors),
        imported_at=now,
        imported_by=actor,
    )
    session.add(record)
    session.flush()
    import_id = record.id or 0
    done = 0
    for start in range(0, len(new), BATCH):
        batch = new[start : start + BATCH]
        ids = _insert_contacts(session, batch, import_id)
        _insert_messages(session, zip(ids, batch))
        done += len(batch)
        if progress is not None:
            progress(done, len(new) + len(changed))
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        ids = [existing[p.key][0] for p in batch]
        session.execute(delete(ContactMessage).where(col(ContactMessage.contact_id).in_(ids)))
        for contact_id, contact in zip(ids, batch):
            session.execute(
                update(Contact).where(col(Contact.id) == contact_id).values(**contact.columns, import_id=import_id)
            )
        _insert_messages(session, zip(ids, batch))
        done += len(batch)
        if progress is not None:
            progress(done, len(new) + len(changed))
    digest = hashlib.sha256()
    for contact in sorted(new + changed, key=lambda p: p.key):
        digest.update(f"{contact.key[0]}\x1f{contact.key[1]}\x1f{contact.content_hash}\n".encode())
    event = audit.append(
        session,
        actor=actor,
        action=CONTACT_IMPORT_ACTION,
        entity="contact_import",
        key=str(import_id),
        after={
            "profile": profile,
            "files": [{"name": name, "sha256": sha} for name, sha in files],
            "new": result.new,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": len(errors),
            "contacts_sha256": digest.hexdigest(),
        },
        at=now,
    )
    result.import_id, result.audit_seq = import_id, event.seq
    return result


def _existing(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    found: dict[tuple[str, str], tuple[int, str]] = {}
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    for source, ids in by_source.items():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            for contact_id, external_id, digest in session.exec(
                select(Contact.id, Contact.external_id, Contact.content_hash).where(
                    Contact.source == source, col(Contact.external_id).in_(chunk)
                )
            ):
                found[(source, external_id)] = (contact_id or 0, digest)
    return found


def _insert_contacts(session: Session, batch: list[Prepared], import_id: int) -> list[int]:
    rows: list[dict[str, Any]] = [{**p.columns, "import_id": import_id} for p in batch]
    # render_nulls: every row in one statement shape. Without it the ORM leaves a None out of the
    # INSERT (for a server default there is none of) and splits the batch by which columns are
    # None, near one statement per contact.
    inserted = session.execute(
        insert(Contact)
        .returning(col(Contact.id), col(Contact.external_id), col(Contact.source))
        .execution_options(render_nulls=True),
        rows,
    )
    ids = {(source, external_id): contact_id for contact_id, external_id, source in inserted}
    return [ids[p.key] for p in batch]


def _insert_messages(session: Session, pairs: Any) -> None:
    rows = [{**message, "contact_id": contact_id} for contact_id, contact in pairs for message in contact.messages]
    if rows:
        session.execute(insert(ContactMessage).execution_options(render_nulls=True), rows)
