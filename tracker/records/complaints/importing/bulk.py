"""Complaint history from a help-desk export, applied all or nothing.

The file is streamed: rows are checked and inserted in batches inside one
write transaction, so memory stays flat for a million rows. If any row is bad,
every bad row is listed (row number, column, reason) and the transaction is
rolled back: nothing is applied. A successful import appends ONE audit event
naming the file's SHA-256, the row count and a digest of every imported
complaint, which ``tracker audit verify`` re-computes.

Checking rows is Python work and inserting them is database work. The
checking runs in a forked child process that sends finished batches through a
pipe, while this process inserts the previous batch: two cores at work, and
no contention for the interpreter lock. (Where fork is not available, a thread
does the same job, more slowly.) The child only reads and computes; it never
touches the database, and it leaves with ``os._exit`` so nothing it inherited
is closed or flushed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.db.dialect import is_sqlite, refresh_statistics
from tracker.db.models import AuditEvent, Complaint, Counter, Employee
from tracker.db.raw import of_session
from tracker.domain.complaint_rows import (
    OPTIONAL,
    REQUIRED,
    check,
)
from tracker.domain.csvread import CsvStream
from tracker.domain.errors import InputError, RowError, RowErrors, TrackerError
from tracker.domain.file_shape import header_problems
from tracker.domain.timeutil import format_local, utcnow
from tracker.records.complaints.importing.producer import Item, Plan, Producer
from tracker.records.handbook.queries import get_version, standards, version_in_force

_COMPLAINT_COLUMNS = (
    "id",
    "ref",
    "received_at",
    "version_id",
    "channel",
    "target_seconds",
    "customer_name",
    "customer_contact",
    "employee_id",
    "summary",
    "severity",
    "urgent",
    "status",
    "first_response_at",
    "first_response_seconds",
    "resolution",
    "dismissal_reason",
    "closed_at",
    "import_seq",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "revision",
)


@dataclass
class ComplaintImportResult:
    rows: int
    file_sha256: str
    first_ref: str | None = None
    last_ref: str | None = None
    audit_seq: int = 0
    ignored_columns: tuple[str, ...] = ()  # a help desk's columns the tracker does not read, named once

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "file_sha256": self.file_sha256,
            "first_ref": self.first_ref,
            "last_ref": self.last_ref,
            "audit_seq": self.audit_seq,
            "ignored_columns": list(self.ignored_columns),
        }


def refuse_repeated_file(session: Session, sha256: str) -> None:
    """An export imported before (the same bytes, by its recorded SHA-256) is refused: imported
    again it would add every complaint a second time under new references."""
    on_chain = col(AuditEvent.seq) >= 1  # a row beside the chain vouches for nothing
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "complaint.import", on_chain)).all()
    for event in events:
        after = json.loads(event.after or "{}")
        if after.get("file_sha256") == sha256:
            raise InputError(
                "file",
                f"this file was already imported ({after.get('rows')} complaints from {after.get('file')}, "
                f"audit event {event.seq}, {format_local(event.at)}); nothing was imported. "
                "Pass --again to import the same rows a second time",
            )


def _insert(table: str, columns: tuple[str, ...], marker: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"


def _taken(session: Session, explicit: list[tuple[int, str]]) -> list[RowError]:
    """Rows whose explicit reference is already in the database."""
    found: set[str] = set()
    refs = [ref for _, ref in explicit]
    for start in range(0, len(refs), 900):
        found.update(session.exec(select(Complaint.ref).where(col(Complaint.ref).in_(refs[start : start + 900]))).all())
    return [RowError(row, "reference", f"{ref} already exists") for row, ref in explicit if ref in found]


class BulkLoad:
    """Complaints written in batches inside the caller's write transaction,
    covered by one audit event: the engine of ``import_complaints`` and of
    ``tracker demo``. ``items`` yields (row number, checked record or RowError).
    """

    def __init__(
        self,
        session: Session,
        *,
        actor: str,
        now: datetime,
        version_id: int,
        progress: Callable[[int, int | None], None] | None = None,
    ):
        self.session = session
        self.actor = actor
        self.now = now
        self.version_id = version_id
        self.progress = progress
        self.sqlite = is_sqlite(session)
        self.connection = session.connection()

    def run(
        self,
        items: Callable[[], Iterable[Item]],
        *,
        source: str,
        sha256: str,
        position: Callable[[], int | None] = lambda: None,
    ) -> ComplaintImportResult:
        """Apply every item, or none (raising RowErrors that list every bad row)."""
        session = self.session
        counters = {
            int(name.removeprefix("complaint-")): value
            for name, value in session.exec(
                select(Counter.name, Counter.value).where(col(Counter.name).startswith("complaint-"))
            ).all()
        }
        head = audit.head(session)
        import_seq = (head.seq if head else 0) + 1
        first_id = (session.exec(select(func.max(Complaint.id))).one() or 0) + 1
        if self.sqlite:
            # A large page cache while six indexes grow; the default 2 MB thrashes.
            self.connection.exec_driver_sql("PRAGMA cache_size = -262144")
        plan = Plan(self.actor, self.now, self.version_id, import_seq, first_id, counters, self.sqlite)
        producer = Producer(items, plan, position)
        try:
            summary, inserted, taken = self._consume(producer)
        finally:
            producer.close()
            if self.sqlite:
                self.connection.exec_driver_sql("PRAGMA cache_size = -2000")
        errors: list[RowError] = summary["errors"] + taken
        if summary["error_count"] or taken:
            errors.sort(key=lambda error: error.row)
            raise RowErrors(errors, max(summary["rows"], 1))
        if inserted == 0:
            raise RowErrors([RowError(2, "file", "has a header but no rows")], 1)
        summary["counts"].write(of_session(session))
        for year, value in summary["counters"].items():
            if counters.get(year) != value:
                counter = session.get(Counter, f"complaint-{year}") or Counter(name=f"complaint-{year}", value=0)
                counter.value = value
                session.add(counter)
        if not self.sqlite:
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('complaint', 'id'), :last)"),
                {"last": summary["next_id"] - 1},
            )
        refresh_statistics(self.connection)
        event = audit.append(
            session,
            actor=self.actor,
            action="complaint.import",
            entity="complaint_import",
            key=str(import_seq),
            after={
                "file": source,
                "file_sha256": sha256,
                "rows": inserted,
                "first_id": first_id,
                "last_id": summary["next_id"] - 1,
                "records_sha256": summary["digest"],
                "digest_format": snapshots.IMPORT_DIGEST_FORMAT,
            },
            at=self.now,
        )
        if event.seq != import_seq:  # the imported rows name this event: the chain must not have moved
            raise TrackerError(
                "import: another writer appended to the audit trail during the import; nothing was imported"
            )
        return ComplaintImportResult(inserted, sha256, summary["first_ref"], summary["last_ref"], event.seq)

    def _consume(self, producer: Producer) -> tuple[dict[str, Any], int, list[RowError]]:
        """Insert each batch as it arrives, until the producer's summary."""
        marker = "?" if self.sqlite else "%s"
        complaint_sql = _insert("complaint", _COMPLAINT_COLUMNS, marker)
        rule_sql = _insert("complaint_rule", ("complaint_id", "rule_id", "version_id"), marker)
        inserted = 0
        taken: list[RowError] = []
        while True:
            kind, payload = producer.receive()
            if kind == "batch":
                if payload.explicit_refs:
                    taken += _taken(self.session, payload.explicit_refs)
                if taken:
                    continue  # the import will be refused: stop inserting, keep listing
                self.connection.exec_driver_sql(complaint_sql, payload.complaints)
                if payload.rules:
                    self.connection.exec_driver_sql(rule_sql, payload.rules)
                inserted += len(payload.complaints)
                if self.progress is not None:
                    self.progress(inserted, payload.position)
            elif kind == "refs":
                taken += _taken(self.session, payload)
            elif kind == "end":
                return payload, inserted, taken
            else:
                raise TrackerError(f"import: checking the rows failed: {str(payload).strip().splitlines()[-1]}")


def import_complaints(
    stream: BinaryIO,
    *,
    session: Session,
    actor: str,
    source: str,
    sha256: str,
    progress: Callable[[int, int | None], None] | None = None,
    now: datetime | None = None,
    version_label: str | None = None,
) -> ComplaintImportResult:
    """Apply a complaint history file in the caller's write transaction (all rows or none).

    Rows are checked against ``version_label`` (the handbook in force when the
    complaints arrived), by default the version in force now. ``progress`` gets
    (rows inserted, bytes of the file read).
    """
    now = now or utcnow()
    reader = CsvStream(stream, required=REQUIRED, optional=OPTIONAL)
    if reader.header_errors:  # a file of another kind is refused without quoting it (domain/file_shape.py)
        raise RowErrors(header_problems(reader.header, reader.header_errors, required=REQUIRED, optional=OPTIONAL), 1)
    version = get_version(session, version_label) if version_label else version_in_force(session)
    std = standards(session, version)
    employees: dict[str, tuple[int, date]] = {
        number: (employee_id or 0, hired)
        for number, employee_id, hired in session.exec(
            select(col(Employee.number), col(Employee.id), col(Employee.hire_date))
        ).all()
    }

    def items() -> Iterator[Item]:
        for item in reader.rows():
            if isinstance(item, RowError):
                yield item.row, item
            else:
                row_number, cells = item
                yield row_number, check(row_number, cells, standards=std, employee=employees.get, now=now)

    load = BulkLoad(session, actor=actor, now=now, version_id=version.id or 0, progress=progress)
    result = load.run(items, source=source, sha256=sha256, position=stream.tell)
    return replace(result, ignored_columns=tuple(reader.ignored))
