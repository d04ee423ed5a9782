"""Speed measures exactly as the speed-standards page defines them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tracker.domain.sla import (
    Reply,
    first_response,
    first_response_seconds,
    response_time_seconds,
    target_missed,
)

RECEIVED = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def at(minutes: float, automatic: bool = False) -> Reply:
    return Reply(RECEIVED + timedelta(minutes=minutes), automatic)


def test_handbook_worked_example_20_3_10_gives_11_minutes() -> None:
    # Replies after 20, then 3, then 10 minutes: (20 + 3 + 10) / 3 = 11 minutes.
    replies = [at(20), at(23), at(33)]
    assert response_time_seconds(RECEIVED, replies) == 11 * 60


def test_response_time_ignores_reply_order_and_automatic_replies() -> None:
    replies = [at(33), at(0.1, automatic=True), at(20), at(21, automatic=True), at(23)]
    assert response_time_seconds(RECEIVED, replies) == 11 * 60


def test_no_response_time_before_a_person_replies() -> None:
    assert response_time_seconds(RECEIVED, []) is None
    assert response_time_seconds(RECEIVED, [at(1, automatic=True)]) is None


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
