"""The speed page's measures of one customer contact, with the derivation a supervisor can check.

* SPD-01 first response: the first message by a person, on the channel's clock, against its target.
* SPD-02 automatic replies and internal notes never count, neither as a first response nor as a reply.
* SPD-03 response time: each wait from a customer's message to the person's message that answers it,
  the wait running from the earliest message still unanswered, added up and divided by the replies.
* SPD-04 response time against the channel's aim and ceiling; SPD-06 handle time against a guide.

Every figure comes with its ``explanation``, one line per step, because a measure that decides
whether someone met a standard must be something a person can follow and dispute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

from tracker.domain import contact_words
from tracker.domain.business_time import ZERO, deadline, elapsed, weekly_open_time
from tracker.domain.handbook.model import CLOCK_OPEN, Channel
from tracker.domain.opening_hours import OpeningHours
from tracker.domain.periods import Period


class Author(StrEnum):
    """Who wrote a message; the stored words are ``contact_words``'."""

    CUSTOMER = contact_words.CUSTOMER
    PERSON = contact_words.PERSON  # one of our employees, writing to the customer
    AUTOMATIC = contact_words.AUTOMATIC  # auto-replies, triggers, bots
    NOTE = contact_words.NOTE  # an internal note the customer never sees


_ORDER = {author: rank for rank, author in enumerate(Author)}  # at the same instant, the customer wrote first

MET = contact_words.MET
MISSED = contact_words.MISSED
PENDING = contact_words.PENDING
NOT_MEASURED = contact_words.NOT_MEASURED
WITHIN_GUIDE = "within guide"
OVER_GUIDE = "over guide"


@dataclass(frozen=True)
class Message:
    at: datetime
    author: Author
    employee: str | None = None  # how to name the writer in the explanation


@dataclass(frozen=True)
class ContactFacts:
    """What an export says about a contact. ``reported_first_response`` is for exports that state a
    first-reply time but carry no messages; ``handle_time`` is a call's talk, hold and wrap-up."""

    received_at: datetime
    messages: tuple[Message, ...]
    reported_first_response: timedelta | None = None
    handle_time: timedelta | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class ContactMeasures:
    first_response_at: datetime | None
    first_response: timedelta | None
    first_response_state: str  # met, missed, pending or not measured
    gaps: tuple[timedelta, ...]
    response_time: timedelta | None
    within_aim: bool | None
    over_ceiling: bool | None
    handle_state: str | None  # within guide, over guide, or None when there is nothing to compare
    explanation: tuple[str, ...]
    first_response_due: datetime | None = None  # when an unanswered contact turns from pending to missed


@dataclass(frozen=True)
class Gap:
    """One wait SPD-03 counts: from the earliest unanswered customer message to the answer."""

    waiting_since: datetime
    answered_at: datetime
    length: timedelta


def reply_gaps(
    received_at: datetime, messages: Iterable[Message], hours: OpeningHours | None = None
) -> tuple[Gap, ...]:
    """SPD-03's waits. The arrival is the customer's first message; a person's message answers
    everything waiting and starts no wait; a customer's message while one already waits changes
    nothing (the wait runs from the first); a person's message with nothing waiting answers nothing,
    so it is no reply. Automatic messages and notes are not replies (SPD-02). ``hours`` is the clock
    the waits count (None: every hour). Messages before the arrival are no part of the contact:
    ``measure`` refuses them, older callers' data is read without them."""
    waiting: datetime | None = received_at
    gaps: list[Gap] = []
    for message in ordered(messages):
        if message.at < received_at:
            continue
        if message.author == Author.CUSTOMER and waiting is None:
            waiting = message.at
        elif message.author == Author.PERSON and waiting is not None:
            gaps.append(Gap(waiting, message.at, elapsed(waiting, message.at, hours)))
            waiting = None
    return tuple(gaps)


def ordered(messages: Iterable[Message]) -> list[Message]:
    """In time order; at one instant the customer's message comes first, so an answer sent the same
    second still answers it."""
    return sorted(messages, key=lambda m: (m.at, _ORDER[Author(m.author)]))


def measure(
    facts: ContactFacts,
    channel: Channel,
    hours: OpeningHours | None,
    now: datetime,
    new_hire: bool = False,
    *,
    explain: bool = True,
) -> ContactMeasures:
    """The contact's measures by the speed page, as of ``now`` (which only decides whether an
    unanswered contact is still pending). ``hours`` are the handbook's opening hours: they are the
    clock only for a channel whose targets count opening hours, and name the zone times are shown in
    either way. A message before the contact arrived is the caller's error (an importer's row error).

    ``explain=False`` leaves the explanation empty: an import measures every contact of an export,
    and wording the times was most of the work (the figures are the same either way)."""
    view = _View(hours.zone if hours else None) if explain else _QUIET
    clock = hours if channel.clock == CLOCK_OPEN else None
    _check_order(facts, hours)
    messages = ordered(facts.messages)
    lines = [f"Arrived {view.moment(facts.received_at, with_date=True)} ({view.zone_words})"]
    if explain:
        lines += _message_lines(facts.received_at, messages, view)
    first = _first_response(facts, messages, channel, clock, now, view, hours)
    lines += first.lines
    gaps = tuple(gap.length for gap in reply_gaps(facts.received_at, messages, clock))
    response_time = sum(gaps, ZERO) / len(gaps) if gaps else None
    within_aim = _compare(response_time, channel.aim, lambda time, aim: time <= aim)
    over_ceiling = _compare(response_time, channel.ceiling, lambda time, ceiling: time > ceiling)
    lines.append(_response_time_line(facts, gaps, response_time, channel, within_aim, over_ceiling))
    handle_state, handle_line = _handle(facts.handle_time, channel, new_hire)
    if handle_line:
        lines.append(handle_line)
    if facts.closed_at is not None:
        lines.append(f"Closed {view.moment(facts.closed_at, with_date=True)}")
    return ContactMeasures(
        first_response_at=first.at,
        first_response=first.took,
        first_response_state=first.state,
        gaps=gaps,
        response_time=response_time,
        within_aim=within_aim,
        over_ceiling=over_ceiling,
        handle_state=handle_state,
        explanation=tuple(lines) if explain else (),
        first_response_due=first.due,
    )


def format_duration(span: timedelta) -> str:
    """A span as people say it: '45 s', '7 min', '7 min 05 s', '1 h 05 min', '3 days 4 h'."""
    seconds = round(span.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours_of_day = divmod(hours, 24)
    if seconds < 60:
        text = f"{sec} s"
    elif hours == 0:
        text = f"{minutes} min" + (f" {sec:02d} s" if sec else "")
    elif hours < 48:
        text = f"{hours} h" + (f" {minutes:02d} min" if minutes else "")
    else:
        text = f"{days} days" + (f" {hours_of_day} h" if hours_of_day else "")
    return sign + text


class _View:
    """Times as a reader sees them: in the handbook's zone when it has one, else in UTC."""

    def __init__(self, zone: str | None) -> None:
        self.zone = ZoneInfo(zone) if zone else timezone.utc
        self.zone_words = f"times in {zone}" if zone else "times in UTC"

    def moment(self, at: datetime, with_date: bool = False) -> str:
        local = at.astimezone(self.zone)
        clock = f"{local:%H:%M:%S}" if local.second or local.microsecond else f"{local:%H:%M}"
        return f"{clock} ({local:%a} {local.day} {local:%b %Y})" if with_date else clock

    def day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()


class _Quiet(_View):
    """A view that words nothing, for a measure whose explanation nobody reads."""

    def __init__(self) -> None:
        self.zone = timezone.utc
        self.zone_words = ""

    def moment(self, at: datetime, with_date: bool = False) -> str:
        return ""


_QUIET = _Quiet()


def _check_order(facts: ContactFacts, hours: OpeningHours | None) -> None:
    for message in facts.messages:
        if message.at < facts.received_at:
            view = _View(hours.zone if hours else None)
            raise ValueError(
                f"a message at {view.moment(message.at, with_date=True)} is before the contact arrived at "
                f"{view.moment(facts.received_at, with_date=True)} ({view.zone_words})"
            )


def _message_lines(received_at: datetime, messages: list[Message], view: _View) -> list[str]:
    """One line per message, saying what SPD-01..03 make of it."""
    lines: list[str] = []
    waiting: datetime | None = received_at
    first_person = True
    shown_day = view.day(received_at)
    for message in messages:
        when = view.moment(message.at, with_date=view.day(message.at) != shown_day)
        shown_day = view.day(message.at)
        by = f" ({message.employee})" if message.employee else ""
        if message.author == Author.AUTOMATIC:
            lines.append(f"Automatic reply at {when} ignored (SPD-02)")
        elif message.author == Author.NOTE:
            lines.append(f"Internal note at {when} ignored (the customer never sees it)")
        elif message.author == Author.CUSTOMER:
            if message.at == received_at and waiting == received_at:
                continue  # the arrival itself
            if waiting is None:
                waiting = message.at
                lines.append(f"Customer wrote {when}: waiting for our answer")
            else:
                lines.append(f"Customer wrote again {when}: still waiting since {view.moment(waiting)}, no new wait")
        elif waiting is None:
            lines.append(f"Message by a person {when}{by} with nothing waiting: it answers nothing, no gap (SPD-03)")
        else:
            lines.append(f"{'First reply' if first_person else 'Reply'} by a person {when}{by}")
            first_person = False
            waiting = None
    if waiting is not None and not first_person:
        lines.append(f"Customer's message at {view.moment(waiting)} still waits for an answer: not counted yet")
    return lines


@dataclass(frozen=True)
class _First:
    at: datetime | None
    took: timedelta | None
    state: str
    due: datetime | None
    lines: list[str]


def _first_response(
    facts: ContactFacts,
    messages: list[Message],
    channel: Channel,
    clock: OpeningHours | None,
    now: datetime,
    view: _View,
    hours: OpeningHours | None,
) -> _First:
    target = channel.target.as_timedelta()
    heading = f"Target {channel.target}, {_clock_words(channel, hours)}"
    if not messages:
        return _reported_first_response(facts, channel.target)
    reply = next((m for m in messages if m.author == Author.PERSON), None)
    due = _due(facts.received_at, target, clock)
    if reply is not None:
        took = elapsed(facts.received_at, reply.at, clock)
        state = MET if took <= target else MISSED
        return _First(
            reply.at, took, state, due, [f"{heading}: took {format_duration(took)}, {_verdict(took, target)}"]
        )
    if due is None:
        line = f"{heading}: no reply by a person yet, and these opening hours never open: the clock does not run"
        return _First(None, None, PENDING, None, [line])
    when = view.moment(due, with_date=True)
    if now > due:
        return _First(None, None, MISSED, due, [f"{heading}: no reply by a person, due {when}: missed"])
    return _First(None, None, PENDING, due, [f"{heading}: no reply by a person yet, due {when}: pending"])


def _reported_first_response(facts: ContactFacts, period: Period) -> _First:
    """Ticket-level exports state a first-reply time and no messages: taken as stated, since the
    tracker cannot tell which hours the other system's clock counted."""
    reported = facts.reported_first_response
    if reported is None:
        return _First(None, None, NOT_MEASURED, None, ["No messages and no stated first-reply time: not measured"])
    target = period.as_timedelta()
    state = MET if reported <= target else MISSED
    lines = [
        f"No messages: the export states a first reply after {format_duration(reported)}, taken as stated "
        "(which hours the export's clock counted is not known)",
        f"Target {period}: {format_duration(reported)} by the export's figure, {_verdict(reported, target)}",
    ]
    return _First(None, reported, state, None, lines)


def _due(received_at: datetime, target: timedelta, clock: OpeningHours | None) -> datetime | None:
    if clock is not None and weekly_open_time(clock) == ZERO:
        return None
    return deadline(received_at, target, clock)


def _clock_words(channel: Channel, hours: OpeningHours | None) -> str:
    if channel.clock != CLOCK_OPEN:
        return "counting every hour of the calendar"
    if hours is None:
        return "counting every hour (this handbook version states no opening hours)"
    return "counting opening hours"


def _verdict(took: timedelta, target: timedelta) -> str:
    if took <= target:
        return "met" if took == target else f"met with {format_duration(target - took)} to spare"
    return f"missed by {format_duration(took - target)}"


def _compare(
    time: timedelta | None, standard: Period | None, test: Callable[[timedelta, timedelta], bool]
) -> bool | None:
    if time is None or standard is None:
        return None
    return test(time, standard.as_timedelta())


def _response_time_line(
    facts: ContactFacts,
    gaps: tuple[timedelta, ...],
    response_time: timedelta | None,
    channel: Channel,
    within_aim: bool | None,
    over_ceiling: bool | None,
) -> str:
    if not facts.messages:
        return "Response time not measured: the export has no messages (SPD-03)"
    if response_time is None:
        return "Response time: no reply by a person yet (SPD-03)"
    shown = ", ".join(format_duration(gap) for gap in gaps)
    line = f"Reply gaps: {shown} → response time {format_duration(response_time)} (SPD-03)"
    if channel.aim is None and channel.ceiling is None:
        return f"{line}; {channel.name} has no response-time aim or ceiling (SPD-04)"
    standards = ", ".join(
        f"{word} {period}" for word, period in (("aim", channel.aim), ("ceiling", channel.ceiling)) if period
    )
    return f"{line}; {standards}: {_standing(within_aim, over_ceiling)}"


def _standing(within_aim: bool | None, over_ceiling: bool | None) -> str:
    if over_ceiling:
        return "over the ceiling"
    if within_aim:
        return "within the aim"
    if within_aim is None:
        return "within the ceiling"
    return "over the aim" if over_ceiling is None else "over the aim, within the ceiling"


def _handle(handle_time: timedelta | None, channel: Channel, new_hire: bool) -> tuple[str | None, str | None]:
    """SPD-06 sets a guide, never a stopwatch target: the words say 'guide' so nobody reads it as one."""
    if handle_time is None:
        return None, None
    guide, whose = channel.handle_guide, "the guide"
    if new_hire and channel.new_hire_guide is not None:
        guide, whose = channel.new_hire_guide, "the new-hire guide"
    elif new_hire and guide is not None:
        whose = "the guide (the channel has no longer one for new hires)"
    took = format_duration(handle_time)
    if guide is None:
        return None, f"Handle time {took}; {channel.name} has no handle-time guide (SPD-06)"
    state = WITHIN_GUIDE if handle_time <= guide.as_timedelta() else OVER_GUIDE
    return state, f"Handle time {took} against {whose} of {guide}: {state} (a guide, not a target; SPD-06)"
