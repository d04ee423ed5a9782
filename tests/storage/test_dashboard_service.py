"""The dashboard's speed figures, on SQLite and PostgreSQL: first-response attainment by channel this
week and last, and of all contacts per week for twelve weeks, read on the driver's own connection;
checked against contacts counted by hand and against the service report for the same weeks (the
same rule: answered, or unanswered past the due time; too few to judge below the smallest sample).
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta, timezone
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.conftest import local_zone, read, write
from tests.storage.conftest import contact_batch
from tracker.db.models import Contact
from tracker.db.raw import of_session
from tracker.domain import contact_words as words
from tracker.domain.timeutil import DateRange, local_midnight
from tracker.reporting.dashboard import Attainment, SpeedFigures, load_speed
from tracker.reporting.service import service_report

UTC = timezone.utc
# Wednesday 11 March 2026, noon UTC: this week began on Monday the 9th, last week on the 2nd.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
THIS_MONDAY = date(2026, 3, 9)
LAST_MONDAY = date(2026, 3, 2)
CHANNELS = ("chat", "counter", "email", "phone", "social")

# (channel, received, state, due) as a contact is stored after its measures are derived.
Row = tuple[str, datetime, str, datetime | None]


@pytest.fixture(autouse=True)
def utc_clock() -> Iterator[None]:
    """Local days are UTC days here unless a test says otherwise."""
    with local_zone("UTC"):
        yield


def store(engine: Engine, rows: list[Row]) -> None:
    """Contacts with their stored measures, as an import writes them, against the version in force."""

    def work(session: Session) -> None:
        version_id, import_id = contact_batch(session, NOW)
        start = len(session.exec(select(Contact.id)).all())
        for index, (channel, received, state, due) in enumerate(rows, start=start):
            session.add(
                Contact(
                    source="test",
                    external_id=f"T-{index}",
                    channel=channel,
                    version_id=version_id,
                    received_at=received,
                    first_response_state=state,
                    first_response_due=due,
                    first_response_seconds=60 if state in (words.MET, words.MISSED) else None,
                    content_hash="0" * 64,
                    import_id=import_id,
                )
            )

    write(engine, work)


def some(channel: str, received: datetime, state: str, count: int, *, due: datetime | None = None) -> list[Row]:
    return [(channel, received + timedelta(minutes=i), state, due) for i in range(count)]


def board_of(engine: Engine, now: datetime = NOW) -> SpeedFigures:
    with read(engine) as session:
        return load_speed(of_session(session), now=now)


def channel(board: SpeedFigures, code: str) -> tuple[Attainment, Attainment]:
    (row,) = [row for row in board.by_channel if row.code == code]
    return row.this_week, row.last_week


def figures(attained: Attainment) -> tuple[int, int, float | None]:
    percent = attained.percent
    return attained.sample, attained.met, round(percent, 2) if percent is not None else None


def week(monday: date) -> DateRange:
    return DateRange(monday, monday + timedelta(days=6))


def test_no_contacts_is_an_empty_state(january: Engine) -> None:
    board = board_of(january)
    assert not board.contacts_imported
    assert board.by_channel == [] and board.weekly == []


def test_figures_are_the_hand_counted_ones(january: Engine) -> None:
    this_week = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    last_week = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    store(
        january,
        # Chat this week: 18 met, 3 missed, 2 unanswered past their due time (missed by now), 1
        # unanswered with time left (not yet judged), 2 not measured: 18 of 23.
        some("chat", this_week, words.MET, 18)
        + some("chat", this_week, words.MISSED, 3)
        + some("chat", this_week, words.PENDING, 2, due=NOW - timedelta(minutes=1))
        + some("chat", NOW - timedelta(minutes=1), words.PENDING, 1, due=NOW + timedelta(minutes=1))
        + some("chat", this_week, words.NOT_MEASURED, 2)
        # Chat last week: 10 of 12, too few to judge.
        + some("chat", last_week, words.MET, 10)
        + some("chat", last_week, words.MISSED, 2)
        # Email: 5 of 5 this week (too few); 20 of 25 last week, one of them at Monday's first moment.
        + some("email", this_week, words.MET, 5)
        + some("email", datetime(2026, 3, 2, tzinfo=UTC), words.MET, 20)
        + some("email", last_week, words.MISSED, 5)
        # The last moment before last week, and before the twelve weeks: not in these figures.
        + some("email", datetime(2026, 3, 1, 23, 59, tzinfo=UTC), words.MET, 1)
        + some("phone", datetime(2025, 12, 21, 23, 59, tzinfo=UTC), words.MISSED, 1),
    )
    board = board_of(january)
    assert board.contacts_imported and board.smallest_sample == 20
    assert [row.code for row in board.by_channel] == list(CHANNELS)
    chat_now, chat_before = channel(board, "chat")
    assert figures(chat_now) == (23, 18, round(100 * 18 / 23, 2))
    assert figures(chat_before) == (12, 10, None)
    email_now, email_before = channel(board, "email")
    assert figures(email_now) == (5, 5, None)
    assert figures(email_before) == (25, 20, 80.0)
    assert [figures(f) for f in channel(board, "phone")] == [(0, 0, None), (0, 0, None)]
    # All contacts per week, twelve weeks to this one: this week 23 of 28, last week 30 of 37 plus
    # the one of the Sunday before; nothing in the nine weeks before that (gaps), one before them.
    assert [monday for monday, _ in board.weekly] == [THIS_MONDAY - timedelta(weeks=11 - i) for i in range(12)]
    assert [figures(f) for _, f in board.weekly] == [(0, 0, None)] * 9 + [
        (1, 1, None),
        (37, 30, round(100 * 30 / 37, 2)),
        (28, 23, round(100 * 23 / 28, 2)),
    ]
    agrees_with_service_report(january, board)


def agrees_with_service_report(engine: Engine, board: SpeedFigures, now: datetime = NOW) -> None:
    """The card's and the trend's figures are the service report's for the same weeks."""
    with read(engine) as session:
        for monday, index in ((board.week_start, 0), (board.week_start - timedelta(weeks=1), 1)):
            report = service_report(session, by="channel", period=week(monday), now=now)
            assert report.smallest_sample == board.smallest_sample
            groups = {group.group: group for group in report.groups}
            for row in board.by_channel:
                mine = (row.this_week, row.last_week)[index]
                theirs = groups.get(row.code)
                expected = (
                    (theirs.decided, theirs.met, theirs.attainment(report.smallest_sample)) if theirs else (0, 0, None)
                )
                assert (mine.sample, mine.met, mine.percent) == expected, (monday, row.code)
        first = board.weekly[0][0]
        report = service_report(
            session, by="week", period=DateRange(first, board.week_start + timedelta(days=6)), now=now
        )
        groups = {group.group: group for group in report.groups}
        for monday, mine in board.weekly:
            year, number, _ = monday.isocalendar()
            theirs = groups.get(f"{year}-W{number:02d}")
            expected = (
                (theirs.decided, theirs.met, theirs.attainment(report.smallest_sample)) if theirs else (0, 0, None)
            )
            assert (mine.sample, mine.met, mine.percent) == expected, monday
            alone = service_report(session, by="channel", period=week(monday), now=now).baseline
            assert (mine.sample, mine.met) == (alone.decided, alone.met), monday


def generated(seed: int, now: datetime) -> list[Row]:
    """Contacts over fourteen weeks to ``now`` in every state, some still waiting with their due
    time just passed or not yet, some at a week's first and last moments."""
    pick = random.Random(seed)
    rows: list[Row] = []
    for _ in range(600):
        received = now - timedelta(seconds=pick.randrange(14 * 7 * 24 * 3600))
        state = pick.choice(words.FIRST_RESPONSE_STATES)
        due = received + timedelta(minutes=pick.choice((2, 60, 24 * 60))) if state != words.NOT_MEASURED else None
        if state == words.PENDING and pick.random() < 0.2:
            due = None
        rows.append((pick.choice(CHANNELS), received, state, due))
    for weeks_back in range(3):
        monday = local_midnight(THIS_MONDAY - timedelta(weeks=weeks_back))
        rows += [("chat", monday, words.MET, None), ("chat", monday - timedelta(microseconds=1), words.MISSED, None)]
    return rows


def test_figures_equal_the_service_reports_on_generated_contacts(january: Engine) -> None:
    store(january, generated(11, NOW))
    board = board_of(january)
    assert sum(f.sample for _, f in board.weekly) > 300
    agrees_with_service_report(january, board)


def test_weeks_follow_the_local_calendar_across_a_clock_change(
    january: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New York's clocks went forward on Sunday 8 March 2026: Monday began at 04:00 UTC, and a
    contact at 03:30 UTC on the 9th was Sunday evening's, last week's."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    store(
        january,
        some("chat", datetime(2026, 3, 9, 3, 30, tzinfo=UTC), words.MET, 20)
        + some("chat", datetime(2026, 3, 9, 4, 0, tzinfo=UTC), words.MISSED, 20)
        + generated(5, NOW),
    )
    board = board_of(january)
    assert board.week_start == THIS_MONDAY
    agrees_with_service_report(january, board)
    with read(january) as session:
        report = service_report(session, by="channel", period=week(LAST_MONDAY), now=NOW)
    assert {g.group: g.met for g in report.groups}["chat"] == channel(board, "chat")[1].met
    assert channel(board, "chat")[1].met >= 20
