"""Which corrective-action step comes next, and when a step may be skipped."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.errors import InputError
from tracker.domain.handbook.model import Handbook
from tracker.domain.ladder import PriorAction, check_level_choice, suggest_next

TODAY = date(2026, 11, 23)


def prior(handbook: Handbook, code: str, issued_on: date) -> PriorAction:
    return PriorAction(code, handbook.standards.level(code).step, issued_on)


def suggest(handbook: Handbook, actions: list[PriorAction], today: date = TODAY):
    return suggest_next(handbook.ladder, handbook.look_back, actions, today)


def test_no_earlier_action_starts_at_coaching(handbook: Handbook) -> None:
    suggestion = suggest(handbook, [])
    assert suggestion.level.code == "coaching"
    assert suggestion.reason == "no corrective action in the last 12 months: start at step 1, Coaching conversation"


def test_next_step_is_one_above_the_most_recent(handbook: Handbook) -> None:
    suggestion = suggest(
        handbook, [prior(handbook, "coaching", date(2026, 3, 1)), prior(handbook, "verbal", date(2026, 6, 1))]
    )
    assert suggestion.level.code == "written"
    assert "Verbal warning issued on 2026-06-01 is inside the 12 months look-back window" in suggestion.reason
    assert "next is step 3, Written warning" in suggestion.reason
    assert len(suggestion.counted) == 2


def test_after_a_final_warning_comes_dismissal(handbook: Handbook) -> None:
    assert suggest(handbook, [prior(handbook, "final", date(2026, 10, 1))]).level.code == "dismissal"


def test_actions_outside_the_look_back_window_lapse(handbook: Handbook) -> None:
    # The handbook's example: a verbal warning fourteen months ago no longer counts.
    suggestion = suggest(handbook, [prior(handbook, "verbal", date(2025, 9, 23))])
    assert suggestion.level.code == "coaching"
    assert suggestion.counted == ()
    assert "(1 older action lapsed)" in suggestion.reason


def test_window_edge_is_exactly_twelve_calendar_months(handbook: Handbook) -> None:
    # Issued exactly 12 months ago: lapsed. One day later: still counts.
    assert suggest(handbook, [prior(handbook, "written", date(2025, 11, 23))]).level.code == "coaching"
    assert suggest(handbook, [prior(handbook, "written", date(2025, 11, 24))]).level.code == "final"


def test_only_counted_actions_decide_the_step(handbook: Handbook) -> None:
    actions = [prior(handbook, "final", date(2024, 1, 10)), prior(handbook, "coaching", date(2026, 5, 1))]
    suggestion = suggest(handbook, actions)
    assert suggestion.level.code == "verbal"
    assert [a.level_code for a in suggestion.counted] == ["coaching"]


def test_choosing_the_suggested_or_a_lower_level_needs_no_reason(handbook: Handbook) -> None:
    suggestion = suggest(handbook, [prior(handbook, "coaching", date(2026, 5, 1))])
    check_level_choice(suggestion, handbook.standards.level("verbal"), None)
    check_level_choice(suggestion, handbook.standards.level("coaching"), None)


@pytest.mark.parametrize("chosen", ["written", "final", "dismissal"])
def test_skipping_steps_needs_a_gross_misconduct_reason(handbook: Handbook, chosen: str) -> None:
    suggestion = suggest(handbook, [prior(handbook, "coaching", date(2026, 5, 1))])
    with pytest.raises(InputError) as caught:
        check_level_choice(suggestion, handbook.standards.level(chosen), None)
    assert caught.value.field == "gross_misconduct_reason"
    assert "skips the ladder (next step is Verbal warning)" in caught.value.reason
    check_level_choice(suggestion, handbook.standards.level(chosen), "Stole from the till")


def test_dismissal_after_a_final_warning_needs_no_reason(handbook: Handbook) -> None:
    suggestion = suggest(handbook, [prior(handbook, "final", date(2026, 8, 1))])
    check_level_choice(suggestion, handbook.standards.level("dismissal"), None)


def test_the_next_step_follows_the_most_recent_action_that_counts(handbook: Handbook) -> None:
    """ACT-01: one step above the most recent action, even if a higher one came before it."""
    actions = [prior(handbook, "written", date(2026, 3, 1)), prior(handbook, "coaching", date(2026, 6, 1))]
    suggestion = suggest(handbook, actions)
    assert suggestion.level.code == "verbal"
    assert "Coaching conversation issued on 2026-06-01" in suggestion.reason
