"""One row of a help-desk export, checked by the same rules as a complaint
logged by hand (the field rules of ``inputs.ComplaintInput`` and the handbook's
complaint flow), but without building a pydantic model per row: a history file
has a million rows, and the import must keep up with the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from tracker.domain import complaint_flow as flow
from tracker.domain.csvread import parse_bool
from tracker.domain.errors import InputError, RowError, shown
from tracker.domain.handbook.model import Standards
from tracker.domain.inputs import _clean_text, _rule_ids, _split_list, _typed_moment, choices
from tracker.domain.timeutil import not_in_future

REQUIRED = ("received_at", "channel", "summary")
OPTIONAL = (
    "reference",
    "employee_number",
    "rules",
    "severity",
    "urgent",
    "customer_name",
    "customer_contact",
    "first_response_at",
    "status",
    "resolution",
    "dismissal_reason",
    "closed_at",
)


@dataclass(frozen=True, slots=True)
class ComplaintRecord:
    """A checked row, ready to insert; ``employee_id`` already resolved."""

    ref: str | None
    received_at: datetime
    channel: str
    target_seconds: int
    summary: str
    employee_id: int | None
    employee_number: str | None
    rule_ids: tuple[str, ...]
    severity: str
    urgent: bool
    customer_name: str | None
    customer_contact: str | None
    first_response_at: datetime | None
    status: str
    resolution: str | None
    dismissal_reason: str | None
    closed_at: datetime | None


class _Bad(Exception):
    def __init__(self, column: str, reason: str):
        self.column = column
        self.reason = reason


def _text(
    cells: dict[str, str], column: str, *, required: bool = False, limit: int = 4000, single_line: bool = False
) -> str | None:
    raw = cells.get(column, "")
    try:
        value = _clean_text(raw)
    except ValueError as exc:
        raise _Bad(column, str(exc)) from None
    if not value:
        if required:
            raise _Bad(column, "is required")
        return None
    if len(value) > limit:
        raise _Bad(column, f"is longer than {limit} characters")
    if single_line and ("\n" in value or "\r" in value):
        raise _Bad(column, "must be a single line")
    return value


def _moment(cells: dict[str, str], column: str, now: datetime, *, required: bool = False) -> datetime | None:
    raw = cells.get(column, "").strip()
    if not raw:
        if required:
            raise _Bad(column, "is required")
        return None
    try:
        moment = _typed_moment(raw)  # its refusal quotes what was typed
    except ValueError as exc:
        raise _Bad(column, str(exc)) from None
    try:
        not_in_future(column, moment, now)
    except InputError as exc:
        raise _Bad(column, exc.reason) from None
    return moment


def check_row(
    cells: dict[str, str],
    *,
    standards: Standards,
    employee: Callable[[str], tuple[int, date] | None],
    now: datetime,
) -> ComplaintRecord:
    """Raise ``_Bad`` (via ``check``) or return the record; see ``check``."""
    received_at = _moment(cells, "received_at", now, required=True)
    assert received_at is not None
    channel = standards.channel_named(cells.get("channel", ""))  # a code, or a name the speed page lists
    if channel is None:
        raise _Bad(
            "channel",
            f"'{shown(cells.get('channel', ''))}' is not a channel of handbook {standards.label} "
            f"({', '.join(standards.channels)}), nor a name its speed page lists for one",
        )
    code = channel.code
    summary = _text(cells, "summary", required=True)
    assert summary is not None
    if len(summary) < 3:
        raise _Bad("summary", "needs at least 3 characters")
    number = (cells.get("employee_number") or "").strip().upper() or None
    resolved_id = None
    if number is not None:
        found = employee(number)
        if found is None:
            raise _Bad("employee_number", f"no employee with number '{number}'")
        resolved_id, hire_date = found
        problem = flow.before_hire_problem(received_at, number, hire_date)
        if problem:
            raise _Bad("received_at", problem)
    try:
        rules = _rule_ids(tuple(_split_list(cells.get("rules", ""))))
    except ValueError as exc:
        raise _Bad("rules", str(exc)) from None
    problem = standards.citation_problem(rules)
    if problem:
        raise _Bad("rules", problem)
    severity = (cells.get("severity") or "medium").strip().lower()
    if severity not in flow.SEVERITIES:
        raise _Bad("severity", f"'{shown(severity)}' is not one of {choices(flow.SEVERITIES)}")
    urgent_raw = cells.get("urgent", "").strip()
    urgent = parse_bool(urgent_raw) if urgent_raw else False
    if urgent is None:
        raise _Bad("urgent", f"'{shown(urgent_raw)}' must be yes or no")
    first = _moment(cells, "first_response_at", now)
    if first is not None and first < received_at:
        raise _Bad("first_response_at", "is before received_at")
    status = (cells.get("status") or "").strip().lower() or (flow.ACKNOWLEDGED if first else flow.RECEIVED)
    if status not in flow.STATUSES:
        raise _Bad("status", f"'{shown(status)}' is not one of {choices(flow.STATUSES)}")
    if status != flow.RECEIVED and first is None:
        raise _Bad("first_response_at", f"a complaint that is {status} needs its first response time")
    resolution = _text(cells, "resolution")
    dismissal = _text(cells, "dismissal_reason")
    if status == flow.RESOLVED and not resolution:
        raise _Bad("resolution", "a resolved complaint needs its resolution")
    if status == flow.DISMISSED and not dismissal:
        raise _Bad("dismissal_reason", "a dismissed complaint needs the reason")
    closed_at = _moment(cells, "closed_at", now)
    if closed_at is not None:
        if status not in flow.CLOSED_STATUSES:
            raise _Bad("closed_at", f"only a resolved or dismissed complaint has a closing time, not a {status} one")
        if closed_at < received_at:
            raise _Bad("closed_at", "is before received_at")
    ref = (cells.get("reference") or "").strip().upper() or None
    match = flow.REFERENCE.match(ref) if ref is not None else None
    if match is None:  # the help desk's own numbering (#4812): the complaint is given one of ours
        ref = None
    else:
        canonical = flow.reference(int(match.group(1)), int(match.group(2)))
        if ref != canonical:  # C-2026-000001 beside C-2026-00001 would be two complaints under one number
            raise _Bad("reference", f"'{shown(ref)}' is written {canonical} here (no extra leading zeros)")
    return ComplaintRecord(
        ref=ref,
        received_at=received_at,
        channel=code,
        target_seconds=channel.target.seconds,
        summary=summary,
        employee_id=resolved_id,
        employee_number=number,
        rule_ids=rules,
        severity=severity,
        urgent=urgent,
        customer_name=_text(cells, "customer_name", limit=200, single_line=True),
        customer_contact=_text(cells, "customer_contact", limit=200, single_line=True),
        first_response_at=first,
        status=status,
        resolution=resolution,
        dismissal_reason=dismissal,
        closed_at=closed_at,
    )


def check(
    row_number: int,
    cells: dict[str, str],
    *,
    standards: Standards,
    employee: Callable[[str], tuple[int, date] | None],
    now: datetime,
) -> ComplaintRecord | RowError:
    try:
        return check_row(cells, standards=standards, employee=employee, now=now)
    except _Bad as bad:
        return RowError(row_number, bad.column, bad.reason)
