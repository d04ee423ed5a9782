"""The checking side of a bulk import: rows checked and turned into database rows in a
forked child process (or a thread), sent in batches to the inserting side.

The child only reads and computes; it never touches the database, and it leaves
with ``os._exit`` so nothing it inherited is closed or flushed.
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
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable

from tracker.audit import snapshots
from tracker.db.counters import Counts
from tracker.domain import complaint_flow as flow
from tracker.domain.complaint_flow import REFERENCE, reference
from tracker.domain.complaint_rows import ComplaintRecord
from tracker.domain.errors import RowError
from tracker.domain.timeutil import local_midnight, to_local

BATCH = 5000


MAX_LISTED_ERRORS = 10_000


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
class Plan:
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
        return reference(year, number)

    def _local_year(self, moment: datetime) -> int:
        """The local calendar year of a time; records come mostly in time order,
        so the last year's bounds answer almost every call without a time-zone lookup."""
        cached = self._year
        if cached is not None and cached[0] <= moment < cached[1]:
            return cached[2]
        year = to_local(moment).year
        self._year = (local_midnight(date(year, 1, 1)), local_midnight(date(year + 1, 1, 1)), year)
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
            complaints.append(
                (
                    complaint_id,
                    ref,
                    _sqlite_text(received_iso) if sqlite else record.received_at,
                    self.version_id,
                    record.channel,
                    record.target_seconds,
                    record.customer_name,
                    record.customer_contact,
                    record.employee_id,
                    record.summary,
                    record.severity,
                    record.urgent,
                    record.status,
                    (_sqlite_text(first_iso) if sqlite else first) if first_iso else None,
                    int((first - record.received_at).total_seconds()) if first else None,
                    record.resolution,
                    record.dismissal_reason,
                    (_sqlite_text(_utc_iso(closed)) if sqlite else closed) if closed else None,
                    self.import_seq,
                    now,
                    self.actor,
                    now,
                    self.actor,
                    1,
                )
            )
            rules.extend((complaint_id, rule_id, self.version_id) for rule_id in record.rule_ids)
            late = first is not None and int((first - record.received_at).total_seconds()) > record.target_seconds
            cited = () if record.status == flow.DISMISSED else record.rule_ids  # a dismissed one breached none
            self.counts.add(record.received_at, record.channel, cited, late)
            line = snapshots.complaint_line_of(
                ref,
                received_iso,
                record.channel,
                record.target_seconds,
                record.employee_number,
                sorted(record.rule_ids),
                record.summary,
                record.severity,
                record.urgent,
                record.status,
                first_iso,
                record.resolution,
                record.dismissal_reason,
                1,
            )
            line += "\x1f" + snapshots.complaint_line_tail(
                self.version_id, _utc_iso(closed) if closed else None, self.actor, None
            )
            self.digest.update(line.encode("utf-8"))
            self.digest.update(b"\n")
            self.first_ref = self.first_ref or ref
            self.last_ref = ref
        return _Rows(complaints, rules, explicit)


def _produce(
    items: Iterable[Item], plan: Plan, send: Callable[[Any], None], position: Callable[[], int | None]
) -> None:
    """Check references, build rows and send them in batches; then a summary.

    After the first bad row nothing more is built (the import will be refused),
    but every row is still checked so that every bad one is listed.
    """
    builder = _Builder(
        plan.actor, plan.now, plan.version_id, plan.import_seq, plan.first_id, dict(plan.counters), plan.sqlite
    )
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
    send(
        (
            "end",
            {
                "errors": errors,
                "error_count": error_count,
                "rows": rows,
                "counters": builder.counters,
                "counts": builder.counts,
                "digest": builder.digest.hexdigest(),
                "next_id": builder.next_id,
                "first_ref": builder.first_ref,
                "last_ref": builder.last_ref,
            },
        )
    )


class Producer:
    """Runs ``_produce`` in a forked child (or a thread) and hands its messages over."""

    def __init__(self, items: Callable[[], Iterable[Item]], plan: Plan, position: Callable[[], int | None]):
        self.process: Any = None
        self.thread: threading.Thread | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
            self.process = multiprocessing.get_context("fork").Process(
                target=_child, args=(items, plan, sender, receiver, position, os.getpid()), daemon=True
            )
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


def _child(
    items: Callable[[], Iterable[Item]],
    plan: Plan,
    sender: Any,
    receiver: Any,
    position: Callable[[], int | None],
    parent: int,
) -> None:
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
