"""Speed measures of a logged complaint, by the speed-standards page's definitions.

A complaint knows when the customer's message arrived and our replies, nothing the customer wrote
after: the handbook's worked example (waits of 20, 3 and 10 minutes giving 11) needs the customer's
messages and is tested in ``test_contact_measures``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tracker.domain.sla import (
    Reply,
    first_response,
    first_response_seconds,
    response_time_seconds,
    target_missed,
)

RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def at(minutes: float, automatic: bool = False) -> Reply:
    return Reply(RECEIVED + timedelta(minutes=minutes), automatic)


def test_response_time_is_the_wait_for_our_answer_not_the_time_between_our_replies() -> None:
    # Replies at 10:03 and 10:10 to a complaint received at 10:00, the customer not writing again:
    # the customer waited once, 3 minutes. (Between our replies it would be (3 + 7) / 2 = 5 minutes.)
    assert response_time_seconds(RECEIVED, [at(3), at(10)]) == 180


def test_replies_after_20_3_and_10_minutes_answer_only_the_arrival() -> None:
    # The worked example's replies without the customer's messages between them: one wait, the first.
    replies = [at(20), at(23), at(33)]
    assert response_time_seconds(RECEIVED, replies) == 20 * 60
    assert response_time_seconds(RECEIVED, replies) == first_response_seconds(RECEIVED, replies)


def test_response_time_ignores_reply_order_and_automatic_replies() -> None:
    replies = [at(33), at(0.1, automatic=True), at(20), at(21, automatic=True), at(23)]
    assert response_time_seconds(RECEIVED, replies) == 20 * 60


def test_no_response_time_before_a_person_replies() -> None:
    assert response_time_seconds(RECEIVED, []) is None
    assert response_time_seconds(RECEIVED, [at(1, automatic=True)]) is None


def test_a_reply_recorded_before_the_complaint_arrived_answers_nothing() -> None:
    assert response_time_seconds(RECEIVED, [at(-5), at(4)]) == 4 * 60


def test_automatic_reply_is_never_the_first_response() -> None:
    replies = [at(0.5, automatic=True), at(45)]
    assert first_response(replies) == RECEIVED + timedelta(minutes=45)
    assert first_response_seconds(RECEIVED, replies) == 45 * 60
    assert first_response([at(0.5, automatic=True)]) is None
    assert first_response_seconds(RECEIVED, [at(0.5, automatic=True)]) is None


def test_first_response_is_the_earliest_human_reply() -> None:
    assert first_response([at(30), at(5), at(10)]) == RECEIVED + timedelta(minutes=5)


def test_target_missed_when_the_first_response_came_late() -> None:
    chat = 120
    assert not target_missed(RECEIVED, RECEIVED + timedelta(seconds=120), chat, now=RECEIVED + timedelta(days=1))
    assert target_missed(RECEIVED, RECEIVED + timedelta(seconds=121), chat, now=RECEIVED + timedelta(days=1))


def test_target_missed_when_unanswered_past_the_target() -> None:
    chat = 120
    assert not target_missed(RECEIVED, None, chat, now=RECEIVED + timedelta(seconds=119))
    assert target_missed(RECEIVED, None, chat, now=RECEIVED + timedelta(seconds=121))
