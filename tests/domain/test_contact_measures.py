"""One contact's measures by the speed page (SPD-01 to SPD-04, SPD-06), computed by hand."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.business_time import deadline
from tracker.domain.contact_measures import (
    MET,
    MISSED,
    NOT_MEASURED,
    OVER_GUIDE,
    PENDING,
    WITHIN_GUIDE,
    Author,
    ContactFacts,
    Message,
    format_duration,
    measure,
    reply_gaps,
)
from tracker.domain.handbook.model import CLOCK_CALENDAR, CLOCK_OPEN, Channel
from tracker.domain.opening_hours import OpeningHours
from tracker.domain.periods import Period

LONDON = ZoneInfo("Europe/London")
HOURS = OpeningHours(
    "Europe/London",
    (((time(8), time(20)),),) * 5 + (((time(9), time(17)),), ()),
    frozenset({date(2026, 4, 3), date(2026, 4, 6)}),
)
CHAT = Channel(
    "chat",
    "Live chat",
    Period(2, "minutes"),
    CLOCK_OPEN,
    aim=Period(2, "minutes"),
    ceiling=Period(5, "minutes"),
    handle_guide=Period(10, "minutes"),
    new_hire_guide=Period(18, "minutes"),
)
SOCIAL = Channel(
    "social",
    "Social media",
    Period(60, "minutes"),
    CLOCK_OPEN,
    aim=Period(30, "minutes"),
    ceiling=Period(60, "minutes"),
)
EMAIL = Channel(
    "email",
    "Email and web form",
    Period(24, "hours"),
    CLOCK_CALENDAR,
    aim=Period(4, "hours"),
    ceiling=Period(24, "hours"),
)
PHONE = Channel(
    "phone",
    "Phone",
    Period(2, "minutes"),
    CLOCK_OPEN,
    handle_guide=Period(8, "minutes"),
    new_hire_guide=Period(15, "minutes"),
)
COUNTER = Channel("counter", "At the counter", Period(1, "minutes"), CLOCK_OPEN)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON).astimezone(timezone.utc)


TUESDAY = local(2026, 3, 3, 10)  # Tue 3 March 2026, 10:00 in London (= UTC in winter)


def after(minutes: float) -> datetime:
    return TUESDAY + timedelta(minutes=minutes)


def person(minutes: float, employee: str | None = None) -> Message:
    return Message(after(minutes), Author.PERSON, employee)


def customer(minutes: float) -> Message:
    return Message(after(minutes), Author.CUSTOMER)


def automatic(minutes: float) -> Message:
    return Message(after(minutes), Author.AUTOMATIC)


def note(minutes: float) -> Message:
    return Message(after(minutes), Author.NOTE)


def contact(*messages: Message, received_at: datetime = TUESDAY, **facts: object) -> ContactFacts:
    return ContactFacts(received_at, tuple(messages), **facts)  # type: ignore[arg-type]


def mins(n: float) -> timedelta:
    return timedelta(minutes=n)


LATER = TUESDAY + timedelta(days=30)


# --- SPD-03: reply gaps --------------------------------------------------------------------------


def test_handbook_worked_example_waits_of_20_3_and_10_minutes_give_11() -> None:
    facts = contact(person(20), customer(30), person(33), customer(40), person(50))
    result = measure(facts, EMAIL, HOURS, now=LATER)
    assert result.gaps == (mins(20), mins(3), mins(10))
    assert result.response_time == mins(11)
    assert any("20 min, 3 min, 10 min → response time 11 min (SPD-03)" in line for line in result.explanation)


def test_a_second_reply_with_nothing_waiting_answers_nothing() -> None:
    # Our replies at 10:03 and 10:10, the customer silent after arriving: one wait of 3 minutes.
    # (Measuring between our own replies gave (3 + 7) / 2 = 5 minutes: the defect fixed here.)
    result = measure(contact(person(3), person(10)), EMAIL, HOURS, now=LATER)
    assert result.gaps == (mins(3),)
    assert result.response_time == timedelta(seconds=180)
    assert any("answers nothing" in line for line in result.explanation)


def test_a_customer_writing_twice_before_our_answer_waits_from_the_first_message() -> None:
    facts = contact(customer(0), customer(5), person(12), received_at=TUESDAY)
    result = measure(facts, EMAIL, HOURS, now=LATER)
    assert result.gaps == (mins(12),)
    assert any("Customer wrote again 10:05" in line for line in result.explanation)


def test_a_customer_writing_twice_mid_conversation_adds_no_gap() -> None:
    facts = contact(person(4), customer(10), customer(15), customer(16), person(20))
    assert measure(facts, EMAIL, HOURS, now=LATER).gaps == (mins(4), mins(10))


def test_automatic_replies_and_notes_answer_nothing() -> None:
    facts = contact(automatic(0), note(1), person(6), customer(10), automatic(10), note(11), person(14))
    assert measure(facts, EMAIL, HOURS, now=LATER).gaps == (mins(6), mins(4))


def test_a_last_customer_message_still_waiting_is_not_counted_yet() -> None:
    result = measure(contact(person(5), customer(8)), EMAIL, HOURS, now=LATER)
    assert result.gaps == (mins(5),)
    assert any("still waits for an answer" in line for line in result.explanation)


def test_no_response_time_before_a_person_replies() -> None:
    result = measure(contact(automatic(0), note(3)), EMAIL, HOURS, now=LATER)
    assert result.gaps == ()
    assert result.response_time is None
    assert result.within_aim is None and result.over_ceiling is None


def test_gaps_count_the_channels_clock() -> None:
    # Chat counts opening hours: the customer writes at 19:58 on Friday, answered at 09:01 Saturday.
    friday = local(2026, 1, 9, 19, 50)
    facts = ContactFacts(
        friday,
        (
            Message(friday + mins(1), Author.PERSON),
            Message(local(2026, 1, 9, 19, 58), Author.CUSTOMER),
            Message(local(2026, 1, 10, 9, 1), Author.PERSON),
        ),
    )
    assert measure(facts, CHAT, HOURS, now=LATER).gaps == (mins(1), mins(3))
    assert measure(facts, EMAIL, HOURS, now=LATER).gaps == (mins(1), timedelta(hours=13, minutes=3))


def test_messages_are_read_in_time_order_whatever_order_they_come_in() -> None:
    facts = contact(person(50), customer(40), person(33), customer(30), person(20))
    assert measure(facts, EMAIL, HOURS, now=LATER).response_time == mins(11)


def test_an_answer_in_the_same_second_answers_the_customer() -> None:
    facts = contact(person(5), person(9), customer(9))
    assert measure(facts, EMAIL, HOURS, now=LATER).gaps == (mins(5), timedelta(0))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.sampled_from(list(Author))), max_size=12))
def test_never_more_gaps_than_replies_by_a_person_and_every_gap_starts_at_a_customers_message(
    writes: list[tuple[int, Author]],
) -> None:
    messages = [Message(after(m), author) for m, author in writes]
    gaps = reply_gaps(TUESDAY, messages)
    assert len(gaps) <= sum(1 for m in messages if m.author == Author.PERSON)
    customer_times = {TUESDAY} | {m.at for m in messages if m.author == Author.CUSTOMER}
    assert all(gap.waiting_since in customer_times and gap.answered_at >= gap.waiting_since for gap in gaps)
    assert [g.answered_at for g in gaps] == sorted(g.answered_at for g in gaps)


# --- SPD-01 / SPD-02: first response -------------------------------------------------------------


def test_an_automatic_reply_first_is_not_the_first_response() -> None:
    facts = contact(automatic(0), person(7, "Ana Silva"))
    result = measure(facts, CHAT, HOURS, now=LATER)
    assert result.first_response_at == after(7)
    assert result.first_response == mins(7)
    assert result.first_response_state == MISSED
    assert "Automatic reply at 10:00 ignored (SPD-02)" in result.explanation
    assert "First reply by a person 10:07 (Ana Silva)" in result.explanation
    assert "Target 2 minutes, counting opening hours: took 7 min, missed by 5 min" in result.explanation


def test_an_internal_note_first_is_not_the_first_response() -> None:
    result = measure(contact(note(0.5), person(1.5)), CHAT, HOURS, now=LATER)
    assert result.first_response == timedelta(seconds=90)
    assert result.first_response_state == MET
    assert "Internal note at 10:00:30 ignored (the customer never sees it)" in result.explanation


def test_the_target_is_met_at_exactly_the_target() -> None:
    assert measure(contact(person(2)), CHAT, HOURS, now=LATER).first_response_state == MET
    assert measure(contact(person(2.05)), CHAT, HOURS, now=LATER).first_response_state == MISSED


def test_a_reply_across_midnight_counts_opening_hours_only() -> None:
    # Social media (60 minutes, opening hours): a message at 19:55 on Tuesday, answered 08:10 Wednesday.
    received = local(2026, 3, 3, 19, 55)
    facts = ContactFacts(received, (Message(local(2026, 3, 4, 8, 10), Author.PERSON),))
    result = measure(facts, SOCIAL, HOURS, now=LATER)
    assert result.first_response == mins(15)
    assert result.first_response_state == MET
    assert any(line.startswith("First reply by a person 08:10 (Wed 4 Mar 2026)") for line in result.explanation)


def test_a_reply_across_a_weekend_counts_saturdays_hours() -> None:
    # Friday 19:55 to Monday 08:10: 5 minutes, Saturday's 8 hours, 10 minutes.
    received = local(2026, 1, 9, 19, 55)
    facts = ContactFacts(received, (Message(local(2026, 1, 12, 8, 10), Author.PERSON),))
    result = measure(facts, SOCIAL, HOURS, now=LATER)
    assert result.first_response == timedelta(hours=8, minutes=15)
    assert "Target 60 minutes, counting opening hours: took 8 h 15 min, missed by 7 h 15 min" in result.explanation


def test_a_reply_across_a_holiday() -> None:
    # Thursday 2 April 19:58, Good Friday closed, answered Saturday 09:03: 2 + 3 minutes.
    received = local(2026, 4, 2, 19, 58)
    facts = ContactFacts(received, (Message(local(2026, 4, 4, 9, 3), Author.PERSON),))
    assert measure(facts, SOCIAL, HOURS, now=LATER).first_response == mins(5)


def test_calendar_channels_count_every_real_hour_over_the_clock_changes() -> None:
    # An email at 22:00 the night before the clocks go forward, answered 22:30 the next evening:
    # 23 h 30 min passed (the day had 23 hours), within the 24 hours.
    spring = ContactFacts(local(2026, 3, 28, 22), (Message(local(2026, 3, 29, 22, 30), Author.PERSON),))
    result = measure(spring, EMAIL, HOURS, now=LATER)
    assert result.first_response == timedelta(hours=23, minutes=30)
    assert result.first_response_state == MET
    # The night before they go back, 22:00 to 22:00 is 25 hours: missed by an hour.
    autumn = ContactFacts(local(2026, 10, 24, 22), (Message(local(2026, 10, 25, 22), Author.PERSON),))
    result = measure(autumn, EMAIL, HOURS, now=LATER + timedelta(days=300))
    assert result.first_response == timedelta(hours=25)
    assert "Target 24 hours, counting every hour of the calendar: took 25 h, missed by 1 h" in result.explanation


def test_opening_hours_channels_keep_the_wall_clock_on_clock_change_days() -> None:
    every_day = OpeningHours("Europe/London", (((time(8), time(20)),),) * 7)
    for day in (date(2026, 3, 28), date(2026, 10, 24)):
        received = local(day.year, day.month, day.day, 19)
        answered = local(day.year, day.month, day.day + 1, 9)
        facts = ContactFacts(received, (Message(answered, Author.PERSON),))
        assert measure(facts, SOCIAL, every_day, now=LATER + timedelta(days=300)).first_response == mins(120)


def test_unanswered_is_pending_until_the_deadline_passes_then_missed() -> None:
    facts = contact(automatic(0))
    due = after(2)
    pending = measure(facts, CHAT, HOURS, now=due)
    assert pending.first_response_state == PENDING
    assert pending.first_response_due == due
    assert pending.first_response_at is None and pending.first_response is None
    missed = measure(facts, CHAT, HOURS, now=due + timedelta(seconds=1))
    assert missed.first_response_state == MISSED
    assert any("no reply by a person, due 10:02 (Tue 3 Mar 2026): missed" in line for line in missed.explanation)


def test_unanswered_overnight_stays_pending_while_closed() -> None:
    received = local(2026, 1, 9, 19, 59, 30)
    facts = ContactFacts(received, (Message(received, Author.AUTOMATIC),))
    overnight = measure(facts, CHAT, HOURS, now=local(2026, 1, 10, 8, 59))
    assert overnight.first_response_state == PENDING
    assert overnight.first_response_due == local(2026, 1, 10, 9, 1, 30)
    assert measure(facts, CHAT, HOURS, now=local(2026, 1, 10, 9, 2)).first_response_state == MISSED


def test_the_due_time_is_the_deadline_in_the_channels_clock() -> None:
    received = local(2026, 1, 9, 19, 30)
    facts = ContactFacts(received, (Message(received, Author.AUTOMATIC),))
    assert measure(facts, SOCIAL, HOURS, now=received).first_response_due == deadline(received, mins(60), HOURS)
    assert measure(facts, EMAIL, HOURS, now=received).first_response_due == received + timedelta(hours=24)


def test_opening_hours_that_never_open_leave_an_unanswered_contact_pending() -> None:
    never = OpeningHours("Europe/London", ((),) * 7)
    result = measure(contact(automatic(0)), CHAT, never, now=LATER)
    assert result.first_response_state == PENDING
    assert result.first_response_due is None
    assert any("never open" in line for line in result.explanation)


def test_an_opening_hours_channel_without_stated_hours_counts_every_hour() -> None:
    result = measure(contact(person(7)), CHAT, None, now=LATER)
    assert result.first_response == mins(7)
    assert any("states no opening hours" in line for line in result.explanation)


# --- contacts without messages --------------------------------------------------------------------


def test_a_call_with_a_handle_time_and_no_messages() -> None:
    call = contact(handle_time=mins(9))
    result = measure(call, PHONE, HOURS, now=LATER)
    assert result.first_response_state == NOT_MEASURED
    assert result.first_response is None and result.response_time is None
    assert result.handle_state == OVER_GUIDE
    assert "Handle time 9 min against the guide of 8 minutes: over guide (a guide, not a target; SPD-06)" in (
        result.explanation
    )
    new_hire = measure(call, PHONE, HOURS, now=LATER, new_hire=True)
    assert new_hire.handle_state == WITHIN_GUIDE
    assert any("the new-hire guide of 15 minutes: within guide" in line for line in new_hire.explanation)


def test_the_handle_guide_is_met_at_exactly_the_guide_and_absent_guides_give_nothing() -> None:
    assert measure(contact(handle_time=mins(8)), PHONE, HOURS, now=LATER).handle_state == WITHIN_GUIDE
    no_guide = measure(contact(handle_time=mins(8)), COUNTER, HOURS, now=LATER)
    assert no_guide.handle_state is None
    assert any("no handle-time guide" in line for line in no_guide.explanation)
    assert measure(contact(), PHONE, HOURS, now=LATER).handle_state is None


def test_a_new_hire_on_a_channel_without_a_longer_guide_is_compared_with_the_guide() -> None:
    only_guide = Channel(
        "counter", "At the counter", Period(1, "minutes"), CLOCK_OPEN, handle_guide=Period(6, "minutes")
    )
    result = measure(contact(handle_time=mins(7)), only_guide, HOURS, now=LATER, new_hire=True)
    assert result.handle_state == OVER_GUIDE


def test_a_ticket_level_export_with_only_a_stated_first_reply_time() -> None:
    ticket = contact(reported_first_response=timedelta(hours=3))
    result = measure(ticket, EMAIL, HOURS, now=LATER)
    assert result.first_response == timedelta(hours=3)
    assert result.first_response_state == MET
    assert result.first_response_at is None
    assert result.gaps == () and result.response_time is None
    assert any("export states a first reply after 3 h" in line and "not known" in line for line in result.explanation)
    assert "Response time not measured: the export has no messages (SPD-03)" in result.explanation
    late = measure(contact(reported_first_response=timedelta(hours=30)), EMAIL, HOURS, now=LATER)
    assert late.first_response_state == MISSED


def test_no_messages_and_no_stated_time_is_not_measured() -> None:
    result = measure(contact(), CHAT, HOURS, now=LATER)
    assert result.first_response_state == NOT_MEASURED
    assert result.first_response_due is None


# --- SPD-04: aim and ceiling ---------------------------------------------------------------------


def test_response_time_within_the_aim() -> None:
    result = measure(contact(person(1), customer(3), person(4)), CHAT, HOURS, now=LATER)
    assert (result.within_aim, result.over_ceiling) == (True, False)
    assert any(line.endswith("aim 2 minutes, ceiling 5 minutes: within the aim") for line in result.explanation)


def test_response_time_over_the_aim_within_the_ceiling() -> None:
    result = measure(contact(person(7), customer(8), person(11)), CHAT, HOURS, now=LATER)
    assert result.response_time == mins(5)
    assert (result.within_aim, result.over_ceiling) == (False, False)
    assert (
        "Reply gaps: 7 min, 3 min → response time 5 min (SPD-03); aim 2 minutes, ceiling 5 minutes: over the aim, within the ceiling"
        in (result.explanation)
    )


def test_response_time_over_the_ceiling() -> None:
    result = measure(contact(person(7), customer(8), person(13)), CHAT, HOURS, now=LATER)
    assert result.response_time == mins(6)
    assert (result.within_aim, result.over_ceiling) == (False, True)


def test_a_live_channel_has_no_aim_or_ceiling() -> None:
    result = measure(contact(person(1)), PHONE, HOURS, now=LATER)
    assert (result.within_aim, result.over_ceiling) == (None, None)
    assert any("Phone has no response-time aim or ceiling (SPD-04)" in line for line in result.explanation)


# --- explanation and errors ----------------------------------------------------------------------


def test_the_explanation_reads_step_by_step_in_the_handbooks_zone() -> None:
    summer = local(2026, 7, 7, 10)  # 09:00 UTC
    facts = ContactFacts(
        summer,
        (
            Message(summer, Author.AUTOMATIC),
            Message(summer + mins(2), Author.NOTE),
            Message(summer + mins(7), Author.PERSON, "Ana Silva"),
        ),
    )
    assert measure(facts, CHAT, HOURS, now=LATER + timedelta(days=200)).explanation[:4] == (
        "Arrived 10:00 (Tue 7 Jul 2026) (times in Europe/London)",
        "Automatic reply at 10:00 ignored (SPD-02)",
        "Internal note at 10:02 ignored (the customer never sees it)",
        "First reply by a person 10:07 (Ana Silva)",
    )


def test_without_opening_hours_times_are_shown_in_utc() -> None:
    summer = local(2026, 7, 7, 10)
    result = measure(ContactFacts(summer, (Message(summer + mins(3), Author.PERSON),)), EMAIL, None, now=LATER)
    assert result.explanation[0] == "Arrived 09:00 (Tue 7 Jul 2026) (times in UTC)"


def test_a_closed_contact_says_when() -> None:
    result = measure(contact(person(3), closed_at=after(60)), EMAIL, HOURS, now=LATER)
    assert result.explanation[-1] == "Closed 11:00 (Tue 3 Mar 2026)"


def test_a_message_before_the_contact_arrived_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"a message at 09:59 \(Tue 3 Mar 2026\) is before the contact arrived at 10:00"
    ):
        measure(contact(person(-1)), CHAT, HOURS, now=LATER)


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(seconds=45), "45 s"),
        (timedelta(minutes=7), "7 min"),
        (timedelta(minutes=7, seconds=5), "7 min 05 s"),
        (timedelta(hours=1, minutes=5), "1 h 05 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(hours=47, minutes=59), "47 h 59 min"),
        (timedelta(days=3, hours=4, minutes=10), "3 days 4 h"),
        (timedelta(days=2), "2 days"),
        (-timedelta(minutes=5), "-5 min"),
    ],
)
def test_durations_read_as_people_say_them(span: timedelta, words: str) -> None:
    assert format_duration(span) == words


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3000), st.sampled_from(list(Author))), max_size=10),
    st.sampled_from([CHAT, EMAIL, PHONE, COUNTER, SOCIAL]),
    st.integers(0, 5000),
)
def test_an_import_measure_without_its_explanation_gives_the_same_figures(
    writes: list[tuple[int, Author]], channel: Channel, later: int
) -> None:
    """The import measures with ``explain=False`` (no wording, for speed): every figure it stores
    must be the one ``contacts show`` explains."""
    facts = contact(*(Message(after(m), author) for m, author in writes))
    now = TUESDAY + timedelta(minutes=later)
    worded = measure(facts, channel, HOURS, now=now)
    quiet = measure(facts, channel, HOURS, now=now, explain=False)
    assert quiet.explanation == () and worded.explanation
    assert dataclasses.replace(worded, explanation=()) == quiet
