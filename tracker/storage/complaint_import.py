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

import ctypes
import hashlib
import multiprocessing
import os
import queue
import signal
import threading
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, BinaryIO, Callable, Iterable, Iterator

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
from tracker.domain.errors import RowError, RowErrors, TrackerError
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


def _utc_iso(value: datetime) -> str:
    """'2026-01-05T10:20:00.000000+00:00': the form audit events and digests use."""
    if value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    return value.isoformat(timespec="microseconds")


def _sqlite_text(iso: str) -> str:
    """The text SQLAlchemy stores for that UTC time on SQLite (tests read it back through the ORM)."""
    return iso[:10] + " " + iso[11:26]




@dataclass
class _Rows:
    complaints: list[tuple[object, ...]]
    rules: list[tuple[object, ...]]
    explicit_refs: list[tuple[int, str]]  # (row number, reference) to check against the database
    position: int | None = None  # bytes of the file read so far


Item = tuple[int, "ComplaintRecord | RowError"]  # (row number, a checked record or the row's error)


@dataclass
class _Plan:
    """What the producing side needs to turn records into rows (copied into the child)."""

    actor: str
    now: datetime
    version_id: int
    import_seq: int
    first_id: int
    counters: dict[int, int]
    sqlite: bool


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
        sqlite = self.sqlite
        now = _sqlite_text(_utc_iso(self.now)) if sqlite else self.now
        complaints: list[tuple[object, ...]] = []
        rules: list[tuple[object, ...]] = []
        explicit: list[tuple[int, str]] = []
        for row_number, ref, record in records:
            if record.ref is not None:
                explicit.append((row_number, ref))
            complaint_id = self.next_id
            self.next_id += 1
            first = record.first_response_at
            # One ISO text per time serves both the stored value and the digest line.
            received_iso = _utc_iso(record.received_at)
            first_iso = _utc_iso(first) if first else None
            closed = record.closed_at
            complaints.append((
                complaint_id, ref, _sqlite_text(received_iso) if sqlite else record.received_at, self.version_id,
                record.channel, record.target_seconds, record.customer_name, record.customer_contact,
                record.employee_id, record.summary, record.severity, record.urgent, record.status,
                (_sqlite_text(first_iso) if sqlite else first) if first_iso else None,
                int((first - record.received_at).total_seconds()) if first else None,
                record.resolution, record.dismissal_reason,
                (_sqlite_text(_utc_iso(closed)) if sqlite else closed) if closed else None,
                self.import_seq, now, self.actor, now, self.actor, 1,
            ))
            rules.extend((complaint_id, rule_id, self.version_id) for rule_id in record.rule_ids)
            late = first is not None and int((first - record.received_at).total_seconds()) > record.target_seconds
            self.counts.add(record.received_at, record.channel, record.rule_ids, late)
            line = snapshots.complaint_line_of(
                ref, received_iso, record.channel, record.target_seconds, record.employee_number,
                sorted(record.rule_ids), record.summary, record.severity, record.urgent, record.status, first_iso,
                record.resolution, record.dismissal_reason, 1,
            )
            self.digest.update(line.encode("utf-8"))
            self.digest.update(b"\n")
            self.first_ref = self.first_ref or ref
            self.last_ref = ref
        return _Rows(complaints, rules, explicit)



def _produce(items: Iterable[Item], plan: _Plan, send: Callable[[Any], None],
             position: Callable[[], int | None]) -> None:
    """Check references, build rows and send them in batches; then a summary.

    After the first bad row nothing more is built (the import will be refused),
    but every row is still checked so that every bad one is listed.
    """
    builder = _Builder(plan.actor, plan.now, plan.version_id, plan.import_seq, plan.first_id, dict(plan.counters),
                       plan.sqlite)
    errors: list[RowError] = []
    error_count = 0
    seen: dict[str, int] = {}
    pending: list[tuple[int, str, ComplaintRecord]] = []
    unchecked: list[tuple[int, str]] = []  # explicit references of rows that will not be inserted
    rows = 0

    def refuse(error: RowError) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_LISTED_ERRORS:
            errors.append(error)

    for row_number, item in items:
        rows += 1
        if isinstance(item, RowError):
            refuse(item)
            continue
        if item.ref is not None:
            if item.ref in seen:
                refuse(RowError(row_number, "reference", f"{item.ref} is already on row {seen[item.ref]}"))
                continue
            seen[item.ref] = row_number
        if error_count:
            if item.ref is not None:
                unchecked.append((row_number, item.ref))
            continue
        try:
            ref = builder.reference(item)
        except ValueError as exc:
            refuse(RowError(row_number, "reference", str(exc)))
            continue
        pending.append((row_number, ref, item))
        if len(pending) >= BATCH:
            batch = builder.rows(pending)
            batch.position = position()
            send(("batch", batch))
            pending = []
    if error_count:
        unchecked += [(row, record.ref) for row, _, record in pending if record.ref is not None]
        send(("refs", unchecked))
    elif pending:
        batch = builder.rows(pending)
        batch.position = position()
        send(("batch", batch))
    send(("end", {"errors": errors, "error_count": error_count, "rows": rows, "counters": builder.counters,
                  "counts": builder.counts, "digest": builder.digest.hexdigest(), "next_id": builder.next_id,
                  "first_ref": builder.first_ref, "last_ref": builder.last_ref}))


class _Producer:
    """Runs ``_produce`` in a forked child (or a thread) and hands its messages over."""

    def __init__(self, items: Callable[[], Iterable[Item]], plan: _Plan, position: Callable[[], int | None]):
        self.process: Any = None
        self.thread: threading.Thread | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
            self.process = multiprocessing.get_context("fork").Process(
                target=_child, args=(items, plan, sender, receiver, position, os.getpid()), daemon=True)
            self.process.start()
            sender.close()
            self.receive = receiver.recv
            self._receiver = receiver
        else:  # pragma: no cover - platforms without fork
            messages: queue.Queue[Any] = queue.Queue(maxsize=4)

            def run() -> None:
                try:
                    _produce(items(), plan, messages.put, position)
                except BaseException:  # noqa: BLE001 - reported to the consumer
                    messages.put(("failed", traceback.format_exc()))

            self.thread = threading.Thread(target=run, daemon=True)
            self.thread.start()
            self.receive = messages.get

    def close(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self._receiver.close()


def _child(items: Callable[[], Iterable[Item]], plan: _Plan, sender: Any, receiver: Any,
           position: Callable[[], int | None], parent: int) -> None:
    """The child's whole life: produce, report, leave without running any clean-up.

    It must not outlive a parent that was killed (SIGKILL skips every clean-up):
    it closes its copy of the pipe's reading end, so its next send fails once
    the parent is gone, and on Linux asks the kernel to kill it with the parent.
    """
    code = 0
    receiver.close()
    _die_with_parent(parent)
    try:
        _produce(items(), plan, sender.send, position)
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        try:
            sender.send(("failed", traceback.format_exc()))
        except BaseException:  # noqa: BLE001 - the parent is gone
            pass
        code = 1
    finally:
        os._exit(code)


def _die_with_parent(parent: int) -> None:
    """prctl(PR_SET_PDEATHSIG, SIGKILL), then make sure the parent did not die before it took effect."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG (Linux); elsewhere a failed send ends the child
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


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

    def __init__(self, session: Session, *, actor: str, now: datetime, version_id: int,
                 progress: Callable[[int, int | None], None] | None = None):
        self.session = session
        self.actor = actor
        self.now = now
        self.version_id = version_id
        self.progress = progress
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.connection = session.connection()

    def run(self, items: Callable[[], Iterable[Item]], *, source: str, sha256: str,
            position: Callable[[], int | None] = lambda: None) -> ComplaintImportResult:
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
        plan = _Plan(self.actor, self.now, self.version_id, import_seq, first_id, counters, self.sqlite)
        producer = _Producer(items, plan, position)
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
            session.execute(text("SELECT setval(pg_get_serial_sequence('complaint', 'id'), :last)"),
                            {"last": summary["next_id"] - 1})
        refresh_statistics(self.connection)
        event = audit.append(
            session, actor=self.actor, action="complaint.import", entity="complaint_import", key=str(import_seq),
            after={"file": source, "file_sha256": sha256, "rows": inserted, "first_id": first_id,
                   "last_id": summary["next_id"] - 1, "records_sha256": summary["digest"]},
            at=self.now,
        )
        assert event.seq == import_seq, "another writer appended to the audit chain inside this transaction"
        return ComplaintImportResult(inserted, sha256, summary["first_ref"], summary["last_ref"], event.seq)

    def _consume(self, producer: _Producer) -> tuple[dict[str, Any], int, list[RowError]]:
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
    if reader.header_errors:
        raise RowErrors(reader.header_errors, 1)
    version = get_version(session, version_label) if version_label else version_in_force(session)
    std = standards(session, version)
    employees = dict(session.exec(select(Employee.number, Employee.id)).all())

    def items() -> Iterator[Item]:
        for item in reader.rows():
            if isinstance(item, RowError):
                yield item.row, item
            else:
                row_number, cells = item
                yield row_number, check(row_number, cells, standards=std, employee_id=employees.get, now=now)

    load = BulkLoad(session, actor=actor, now=now, version_id=version.id or 0, progress=progress)
    return load.run(items, source=source, sha256=sha256, position=stream.tell)
