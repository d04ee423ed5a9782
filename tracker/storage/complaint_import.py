"""Complaint history from a help-desk export, applied all or nothing.

The file is streamed: rows are checked and inserted in batches inside one
write transaction, so memory stays flat for a million rows. If any row is bad,
every bad row is listed (row number, column, reason) and the transaction is
rolled back: nothing is applied. A successful import appends ONE audit event
naming the file's SHA-256, the row count and a digest of every imported
complaint, which ``tracker audit verify`` re-computes.

Checking rows is Python work and inserting them is database work, so a writer
thread inserts one batch while the next is being checked: the database
driver releases the interpreter lock while it works.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import BinaryIO, Callable

from sqlalchemy import func, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from tracker.domain.complaint_rows import (
    OPTIONAL,
    REFERENCE,
    REQUIRED,
    ComplaintRecord,
    check,
)
from tracker.domain.csvread import CsvStream
from tracker.domain.errors import RowError, RowErrors
from tracker.domain.timeutil import to_local, to_utc, utcnow
from tracker.storage import audit, snapshots
from tracker.storage.counters import Counts
from tracker.storage.handbook_versions import get_version, standards, version_in_force
from tracker.storage.models import Complaint, Counter, Employee
from tracker.storage.rawsql import of_session

BATCH = 5000
MAX_LISTED_ERRORS = 10_000

_COMPLAINT_COLUMNS = (
    "id", "ref", "received_at", "version_id", "channel", "target_seconds", "customer_name", "customer_contact",
    "employee_id", "summary", "severity", "urgent", "status", "first_response_at", "first_response_seconds",
    "resolution", "dismissal_reason", "closed_at", "import_seq", "created_at", "created_by", "updated_at",
    "updated_by", "revision",
)


@dataclass
class ComplaintImportResult:
    rows: int
    file_sha256: str
    first_ref: str | None = None
    last_ref: str | None = None
    audit_seq: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "file_sha256": self.file_sha256, "first_ref": self.first_ref,
                "last_ref": self.last_ref, "audit_seq": self.audit_seq}


def file_sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def refresh_statistics(connection: Connection) -> None:
    """Table statistics after a bulk load, so the query planner picks the
    index-backed plans (for example the partial index of open complaints)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")  # a sample: a fraction of a second at 1M rows
        connection.exec_driver_sql("ANALYZE")
    else:
        connection.exec_driver_sql("ANALYZE complaint")
        connection.exec_driver_sql("ANALYZE complaint_rule")


def _insert(table: str, columns: tuple[str, ...], marker: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"


def _sqlite_moment(value: datetime) -> str:
    """The text SQLAlchemy stores for a UTC datetime on SQLite (tests read it back through the ORM)."""
    if value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _same(value: datetime) -> datetime:
    return value


@dataclass
class _Rows:
    complaints: list[tuple[object, ...]]
    rules: list[tuple[object, ...]]
    explicit_refs: list[tuple[int, str]]  # (row number, reference) to check against the database


class _Writer:
    """Inserts batches with the driver's executemany on its own thread.

    At a million rows SQLAlchemy's per-parameter processing would cost more
    than the database work, so rows arrive as tuples in column order. The
    caller's thread must not use the connection until ``finish``.
    """

    def __init__(self, connection: Connection, sqlite: bool):
        marker = "?" if sqlite else "%s"
        self.connection = connection
        self.complaint_sql = _insert("complaint", _COMPLAINT_COLUMNS, marker)
        self.rule_sql = _insert("complaint_rule", ("complaint_id", "rule_id", "version_id"), marker)
        self.ref_sql = "SELECT ref FROM complaint WHERE ref IN ({})"
        self.marker = marker
        self.taken: list[RowError] = []
        self.failure: BaseException | None = None
        self.inserted = 0
        self.queue: queue.Queue[_Rows | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, name="complaint-import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            rows = self.queue.get()
            if rows is None:
                return
            if self.failure is not None:
                continue
            try:
                self._write(rows)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread in finish()
                self.failure = exc

    def _write(self, rows: _Rows) -> None:
        if rows.explicit_refs:
            refs = [ref for _, ref in rows.explicit_refs]
            found: set[str] = set()
            for start in range(0, len(refs), 900):
                chunk = refs[start : start + 900]
                sql = self.ref_sql.format(", ".join([self.marker] * len(chunk)))
                found.update(ref for (ref,) in self.connection.exec_driver_sql(sql, tuple(chunk)))
            self.taken.extend(RowError(row, "reference", f"{ref} already exists")
                              for row, ref in rows.explicit_refs if ref in found)
        if self.taken:
            return  # the import will be refused: stop inserting
        if rows.complaints:
            self.connection.exec_driver_sql(self.complaint_sql, rows.complaints)
        if rows.rules:
            self.connection.exec_driver_sql(self.rule_sql, rows.rules)
        self.inserted += len(rows.complaints)

    def put(self, rows: _Rows) -> None:
        self.queue.put(rows)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure


@dataclass
class _Builder:
    """Turns checked records into rows: references, ids, and the digest."""

    actor: str
    now: datetime
    version_id: int
    import_seq: int
    next_id: int
    counters: dict[int, int]
    sqlite: bool
    digest: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    counts: Counts = field(default_factory=Counts)
    _year: tuple[datetime, datetime, int] | None = None  # the local year last seen: [start, end) in UTC
    # Numbers handed out in this import, per year, as [first, last] runs (a few runs, however many rows).
    generated: dict[int, list[list[int]]] = field(default_factory=dict)
    first_ref: str | None = None
    last_ref: str | None = None

    def reference(self, record: ComplaintRecord) -> str:
        """The record's reference: its own, or the next number of its year.

        Raises ``ValueError`` when a file's own reference was already handed
        out to an earlier row of the same file that had none.
        """
        if record.ref is not None:
            match = REFERENCE.match(record.ref)
            assert match is not None
            year, number = int(match.group(1)), int(match.group(2))
            if any(first <= number <= last for first, last in self.generated.get(year, ())):
                raise ValueError(f"{record.ref} was already given to an earlier row without a reference")
            self.counters[year] = max(self.counters.get(year, 0), number)
            return record.ref
        year = self._local_year(record.received_at)
        number = self.counters.get(year, 0) + 1
        self.counters[year] = number
        runs = self.generated.setdefault(year, [])
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
        return f"C-{year}-{number:05d}"

    def _local_year(self, moment: datetime) -> int:
        """The local calendar year of a time; records come mostly in time order,
        so the last year's bounds answer almost every call without a time-zone lookup."""
        cached = self._year
        if cached is not None and cached[0] <= moment < cached[1]:
            return cached[2]
        year = to_local(moment).year
        self._year = (to_utc(datetime(year, 1, 1)), to_utc(datetime(year + 1, 1, 1)), year)
        return year

    def rows(self, records: list[tuple[int, str, ComplaintRecord]]) -> _Rows:
        moment = _sqlite_moment if self.sqlite else _same
        now = moment(self.now)
        complaints: list[tuple[object, ...]] = []
        rules: list[tuple[object, ...]] = []
        explicit: list[tuple[int, str]] = []
        for row_number, ref, record in records:
            if record.ref is not None:
                explicit.append((row_number, ref))
            complaint_id = self.next_id
            self.next_id += 1
            first = record.first_response_at
            complaints.append((
                complaint_id, ref, moment(record.received_at), self.version_id, record.channel, record.target_seconds,
                record.customer_name, record.customer_contact, record.employee_id, record.summary, record.severity,
                record.urgent, record.status, moment(first) if first else None,
                int((first - record.received_at).total_seconds()) if first else None,
                record.resolution, record.dismissal_reason, moment(record.closed_at) if record.closed_at else None,
                self.import_seq, now, self.actor, now, self.actor, 1,
            ))
            rules.extend((complaint_id, rule_id, self.version_id) for rule_id in record.rule_ids)
            late = first is not None and int((first - record.received_at).total_seconds()) > record.target_seconds
            self.counts.add(record.received_at, record.channel, record.rule_ids, late)
            line = snapshots.complaint_line_of(
                ref, record.received_at, record.channel, record.target_seconds, record.employee_number,
                sorted(record.rule_ids), record.summary, record.severity, record.urgent, record.status, first,
                record.resolution, record.dismissal_reason, 1,
            )
            self.digest.update(line.encode("utf-8"))
            self.digest.update(b"\n")
            self.first_ref = self.first_ref or ref
            self.last_ref = ref
        return _Rows(complaints, rules, explicit)


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
    ``tracker demo``. Records must already be checked (``complaint_rows.check``).
    """

    def __init__(self, session: Session, *, actor: str, now: datetime, version_id: int,
                 progress: Callable[[int], None] | None = None):
        self.session = session
        self.actor = actor
        self.now = now
        self.progress = progress
        self.counters = {
            int(name.removeprefix("complaint-")): value
            for name, value in session.exec(
                select(Counter.name, Counter.value).where(col(Counter.name).startswith("complaint-"))
            ).all()
        }
        head = audit.head(session)
        self.import_seq = (head.seq if head else 0) + 1
        self.first_id = (session.exec(select(func.max(Complaint.id))).one() or 0) + 1
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.connection = session.connection()
        if self.sqlite:
            # A large page cache while six indexes grow; the default 2 MB thrashes.
            self.connection.exec_driver_sql("PRAGMA cache_size = -262144")
        self.builder = _Builder(actor, now, version_id, self.import_seq, self.first_id, dict(self.counters), self.sqlite)
        self.writer = _Writer(self.connection, self.sqlite)
        self.pending: list[tuple[int, str, ComplaintRecord]] = []
        self.queued = 0
        self.finished = False

    def add(self, row_number: int, record: ComplaintRecord) -> RowError | None:
        """Queue a record; a reference clash within the file comes back as the row's error."""
        try:
            ref = self.builder.reference(record)
        except ValueError as exc:
            return RowError(row_number, "reference", str(exc))
        self.pending.append((row_number, ref, record))
        if len(self.pending) >= BATCH:
            self._send()
        return None

    def _send(self) -> None:
        if self.pending:
            self.writer.put(self.builder.rows(self.pending))
            self.queued += len(self.pending)
            self.pending = []
            if self.progress is not None:
                self.progress(self.queued)

    def stop(self) -> list[RowError]:
        """Wait for the writer; rows refused by the database (references already used)."""
        if not self.finished:
            self.finished = True
            self.writer.finish()
        return list(self.writer.taken)

    def commit(self, *, source: str, sha256: str) -> ComplaintImportResult:
        """Write what is pending, the counters and the one audit event covering the batch."""
        self._send()
        taken = self.stop()
        if taken:
            raise RowErrors(taken, max(self.queued, 1))
        inserted = self.writer.inserted
        if inserted == 0:
            raise RowErrors([RowError(2, "file", "has a header but no rows")], 1)
        session = self.session
        self.builder.counts.write(of_session(session))
        if self.sqlite:
            self.connection.exec_driver_sql("PRAGMA cache_size = -2000")
        refresh_statistics(self.connection)
        for year, value in self.builder.counters.items():
            if self.counters.get(year) != value:
                counter = session.get(Counter, f"complaint-{year}") or Counter(name=f"complaint-{year}", value=0)
                counter.value = value
                session.add(counter)
        if not self.sqlite:
            session.execute(text("SELECT setval(pg_get_serial_sequence('complaint', 'id'), :last)"),
                            {"last": self.builder.next_id - 1})
        event = audit.append(
            session, actor=self.actor, action="complaint.import", entity="complaint_import", key=str(self.import_seq),
            after={"file": source, "file_sha256": sha256, "rows": inserted, "first_id": self.first_id,
                   "last_id": self.builder.next_id - 1, "records_sha256": self.builder.digest.hexdigest()},
            at=self.now,
        )
        assert event.seq == self.import_seq, "another writer appended to the audit chain inside this transaction"
        if self.progress is not None:
            self.progress(inserted)
        return ComplaintImportResult(inserted, sha256, self.builder.first_ref, self.builder.last_ref, event.seq)


def import_complaints(
    stream: BinaryIO,
    *,
    session: Session,
    actor: str,
    source: str,
    sha256: str,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    version_label: str | None = None,
) -> ComplaintImportResult:
    """Apply a complaint history file in the caller's write transaction (all rows or none).

    Rows are checked against ``version_label`` (the handbook in force when the
    complaints arrived), by default the version in force now.
    """
    now = now or utcnow()
    reader = CsvStream(stream, required=REQUIRED, optional=OPTIONAL)
    if reader.header_errors:
        raise RowErrors(reader.header_errors, 1)
    version = get_version(session, version_label) if version_label else version_in_force(session)
    std = standards(session, version)
    employees = dict(session.exec(select(Employee.number, Employee.id)).all())
    load = BulkLoad(session, actor=actor, now=now, version_id=version.id or 0, progress=progress)
    errors: list[RowError] = []
    error_count = 0
    seen_refs: dict[str, int] = {}
    unchecked: list[tuple[int, str]] = []  # explicit references of rows that will not reach the writer

    def refuse(found: RowError) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_LISTED_ERRORS:
            errors.append(found)

    try:
        for item in reader.rows():
            if isinstance(item, RowError):
                refuse(item)
                continue
            row_number, cells = item
            result = check(row_number, cells, standards=std, employee_id=employees.get, now=now)
            if isinstance(result, RowError):
                refuse(result)
                continue
            if result.ref is not None:
                if result.ref in seen_refs:
                    refuse(RowError(row_number, "reference", f"{result.ref} is already on row {seen_refs[result.ref]}"))
                    continue
                seen_refs[result.ref] = row_number
            if error_count:
                if result.ref is not None:
                    unchecked.append((row_number, result.ref))
                continue  # keep checking to list every bad row; nothing more is inserted
            clash = load.add(row_number, result)
            if clash is not None:
                refuse(clash)
    except BaseException:
        load.stop()
        raise
    if error_count:
        for found in load.stop():
            refuse(found)
        unchecked += [(row, record.ref) for row, _, record in load.pending if record.ref is not None]
        for found in _taken(session, unchecked):
            refuse(found)
        errors.sort(key=lambda error: error.row)
        raise RowErrors(errors, max(reader.data_rows, 1))
    try:
        return load.commit(source=source, sha256=sha256)
    finally:
        load.stop()
