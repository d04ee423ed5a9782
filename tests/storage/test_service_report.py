"""``report service`` counts in the database (grouped by group, state, due and closing, then
classified by ``contact_words``); here every figure is checked against the contacts read one by
one and classified in Python, the plain reading of the speed page's definitions, for every
grouping, on SQLite and PostgreSQL, with weeks across New York's clock change."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.conftest import ACTOR, local_zone, read, write
from tests.storage.conftest import contact_batch
from tracker.db.models import Contact, Employee
from tracker.domain import contact_words as words
from tracker.domain.inputs import EmployeeInput
from tracker.domain.timeutil import DateRange, as_utc, to_local
from tracker.records.employees.commands import add_employee
from tracker.reporting.service import GROUPINGS, service_report

UTC = timezone.utc
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PERIOD = DateRange(date(2026, 2, 23), date(2026, 3, 20))  # New York's clocks went forward on 8 March
CHANNELS = ("chat", "counter", "email", "phone", "social")


@pytest.fixture(autouse=True)
def new_york() -> Iterator[None]:
    with local_zone("America/New_York"):
        yield


def _contacts(engine: Engine, count: int, seed: int) -> None:
    pick = random.Random(seed)

    def work(session: Session) -> None:
        for index, team in enumerate(("Chat", "Chat", "Phones", "Email desk")):
            add_employee(
                EmployeeInput(number=f"E-{index + 1}", name=f"Person {index + 1}", team=team, hire_date="2020-01-01"),
                session=session,
                actor=ACTOR,
            )
        session.flush()
        ids = [None] + list(session.exec(select(Employee.id)).all())
        version_id, import_id = contact_batch(session, NOW)
        start = datetime(2026, 2, 20, tzinfo=UTC)  # some before the period, some after it
        for index in range(count):
            received = start + timedelta(seconds=pick.randrange(0, 30 * 86400))
            state = pick.choice(words.FIRST_RESPONSE_STATES)
            answered = state in (words.MET, words.MISSED)
            handled = pick.random() < 0.3
            session.add(
                Contact(
                    source="test",
                    external_id=f"T-{index}",
                    channel=pick.choice(CHANNELS),
                    version_id=version_id,
                    received_at=received,
                    topic=pick.choice((None, "billing", "Delivery")),
                    employee_id=pick.choice(ids),
                    closed_at=received + timedelta(hours=3) if pick.random() < 0.4 else None,
                    first_response_state=state,
                    first_response_due=received + timedelta(hours=pick.choice((1, 24, 30 * 24)))
                    if state != words.NOT_MEASURED
                    else None,
                    first_response_seconds=pick.randrange(0, 20000) if answered else None,
                    reply_count=pick.randrange(0, 4),
                    reply_wait_seconds=pick.randrange(0, 5000),
                    over_ceiling=pick.choice((None, True, False)),
                    talk_seconds=pick.randrange(0, 900) if handled else None,
                    hold_seconds=pick.choice((None, 30)) if handled else None,
                    wrap_seconds=None,
                    content_hash="0" * 64,
                    import_id=import_id,
                )
            )

    write(engine, work)


def _by_hand(session: Session, by: str) -> dict[str, dict[str, Any]]:
    """Each contact of the period, one at a time: the speed page's definitions read plainly."""
    start, end = PERIOD.bounds
    people = {e.id: e for e in session.exec(select(Employee)).all()}
    groups: dict[str, dict[str, Any]] = {}
    for contact in session.exec(select(Contact)).all():
        received = as_utc(contact.received_at)
        if not start <= received < end:
            continue
        person = people.get(contact.employee_id)
        year, week, _ = to_local(received).isocalendar()
        key = {
            "team": person.team if person else "(no employee)",
            "employee": f"{person.number} {person.name}" if person else "(no employee)",
            "channel": contact.channel,
            "topic": contact.topic or "(no topic)",
            "week": f"{year}-W{week:02d}",
        }[by]
        for name in (key, "All contacts"):
            g = groups.setdefault(
                name, {"contacts": 0, "decided": 0, "met": 0, "times": [], "replies": 0, "wait": 0, "aim": 0,
                       "over": 0, "handled": 0, "handle": 0, "closed_unanswered": 0, "late": 0, "not_measured": 0}
            )  # fmt: skip
            state = contact.first_response_state
            past_due = contact.first_response_due is not None and as_utc(contact.first_response_due) < NOW
            g["contacts"] += 1
            g["decided"] += state in (words.MET, words.MISSED) or (state == words.PENDING and past_due)
            g["met"] += state == words.MET
            g["not_measured"] += state == words.NOT_MEASURED
            if contact.first_response_seconds is not None:
                g["times"].append(contact.first_response_seconds)
            if state == words.PENDING and contact.closed_at is not None:
                g["closed_unanswered"] += 1
            elif state == words.PENDING and past_due:
                g["late"] += 1
            g["replies"] += contact.reply_count
            g["wait"] += contact.reply_wait_seconds
            if contact.over_ceiling is not None:
                g["aim"] += 1
                g["over"] += contact.over_ceiling
            parts = [p for p in (contact.talk_seconds, contact.hold_seconds, contact.wrap_seconds) if p is not None]
            if parts:
                g["handled"] += 1
                g["handle"] += sum(parts)
    return groups


@pytest.mark.parametrize("by", GROUPINGS)
def test_every_figure_equals_the_contacts_counted_one_by_one(january: Engine, by: str) -> None:
    _contacts(january, 600, seed=GROUPINGS.index(by))
    with read(january) as session:
        report = service_report(session, by=by, period=PERIOD, now=NOW)
        expected = _by_hand(session, by)
    shown = {g.group: g for g in [*report.groups, report.baseline]}
    assert set(shown) == set(expected)
    assert report.baseline.contacts > 400
    for name, want in expected.items():
        got = shown[name]
        times = sorted(want["times"])
        assert (got.contacts, got.decided, got.met, got.not_measured) == (
            want["contacts"], want["decided"], want["met"], want["not_measured"]
        ), name  # fmt: skip
        assert got.timed == len(times), name
        assert got.median_first == (times[len(times) // 2] if times else None), name
        assert got.p90_first == (times[len(times) * 9 // 10] if times else None), name
        assert (got.replies, got.reply_wait, got.with_aim, got.over_ceiling) == (
            want["replies"], want["wait"], want["aim"], want["over"]
        ), name  # fmt: skip
        assert (got.handled, got.handle_seconds) == (want["handled"], want["handle"]), name
        assert (got.closed_unanswered, got.waiting_late) == (want["closed_unanswered"], want["late"]), name
