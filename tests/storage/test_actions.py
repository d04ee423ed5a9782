"""Corrective actions: the ladder from the handbook, follow-ups, and closing
only with an effectiveness check."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tests.conftest import ACTOR, read, write
from tests.storage.conftest import add, counts, refused
from tracker.audit import chain as audit
from tracker.domain.errors import ConflictError, InputError, NotFound
from tracker.domain.inputs import ActionInput, CloseInput, ComplaintInput, FollowUpInput, ResponseInput, validate
from tracker.records.actions.commands import close_action, issue_action, record_follow_up, record_response
from tracker.records.actions.queries import get_action, list_actions, suggest
from tracker.records.complaints.commands import log_complaint
from tracker.records.employees.commands import set_active

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)


def action_input(**changes: object) -> ActionInput:
    values: dict[str, object] = dict(
        employee_number="E-1", expectations="Stay calm and offer the supervisor", issued_on="2026-11-02"
    )
    return validate(ActionInput, **(values | changes))


def issue(engine: Engine, **changes: object):  # type: ignore[no-untyped-def]
    data = action_input(**changes)
    return write(engine, lambda s: issue_action(data, session=s, actor=ACTOR, now=NOW))


def follow_up(engine: Engine, action_id: int, **values: object):  # type: ignore[no-untyped-def]
    data = validate(FollowUpInput, **({"held_on": "2026-11-20", "outcome": "improved"} | values))
    return write(engine, lambda s: record_follow_up(action_id, data, session=s, actor=ACTOR, now=NOW))


@pytest.fixture
def staffed(published: Engine) -> Engine:
    add(published, "E-1", name="Ann Lee", hire_date="2020-01-01")
    add(published, "E-2", name="Bob Ray", hire_date="2020-01-01")
    return published


def test_issue_the_suggested_level_with_the_handbook_follow_up(staffed: Engine) -> None:
    with read(staffed) as session:
        suggestion = suggest(session, "E-1", today=TODAY)
    assert suggestion.level.code == "coaching"
    action = issue(staffed, rule_ids="CON-01")
    assert (action.level, action.step, action.follow_up_due, action.status) == (
        "coaching",
        1,
        date(2026, 12, 2),
        "open",
    )
    assert (action.suggested_level, action.issued_by) == ("coaching", ACTOR)
    with read(staffed) as session:
        v = get_action(session, action.id)
        assert (v.level_name, v.rule_ids, v.employee_number) == ("Coaching conversation", ["CON-01"], "E-1")
        [event] = audit.recent(session, entity="corrective_action")
        assert event.action == "action.issue"


def test_the_ladder_climbs_within_the_look_back_window(staffed: Engine) -> None:
    issue(staffed, issued_on="2024-12-01")  # lapsed by 2026-01-10 (12-month window)
    first = issue(staffed, issued_on="2026-01-10")
    assert first.level == "coaching"
    second = issue(staffed, issued_on="2026-03-10")
    assert (second.level, second.follow_up_due) == ("verbal", date(2026, 4, 9))
    third = issue(staffed, issued_on="2026-06-10")
    assert (third.level, third.follow_up_due) == ("written", date(2026, 8, 9))
    with read(staffed) as session:
        suggestion = suggest(session, "E-1", today=TODAY)
    assert suggestion.level.code == "final"
    assert "Written warning issued on 2026-06-10 is inside the 12 months look-back window" in suggestion.reason


def test_steps_count_across_rules_as_the_ladder_says(staffed: Engine) -> None:
    """Issue 10: the corrective-action page now says steps count across rules (ACT-01, and the
    ACT-02 example): coaching about call-backs, then an argument, is a verbal warning; and a
    high-severity complaint does not move the suggestion up by itself."""
    issue(staffed, issued_on="2026-06-10", rule_ids="CON-06")
    data = validate(
        ComplaintInput, received_at="2026-11-20 10:00", channel="chat", summary="Argued", employee_number="E-1",
        rule_ids="CON-01", severity="high",
    )  # fmt: skip
    write(staffed, lambda s: log_complaint(data, session=s, actor=ACTOR, now=NOW))
    with read(staffed) as session:
        suggestion = suggest(session, "E-1", today=TODAY)
    assert suggestion.level.code == "verbal"
    assert issue(staffed, issued_on="2026-11-20", rule_ids="CON-01").level == "verbal"


def test_skipping_steps_without_a_gross_misconduct_reason_is_refused(staffed: Engine) -> None:
    data = action_input(level="written")
    error = refused(staffed, lambda s: issue_action(data, session=s, actor=ACTOR, now=NOW), "gross_misconduct_reason")
    assert "Written warning skips the ladder (next step is Coaching conversation)" in error.reason
    action = issue(staffed, level="written", gross_misconduct_reason="Shouted abuse at a customer")
    assert (action.level, action.gross_misconduct_reason, action.suggested_level) == (
        "written",
        "Shouted abuse at a customer",
        "coaching",
    )


def test_dismissal_without_a_final_warning_needs_a_gross_misconduct_reason(staffed: Engine) -> None:
    issue(staffed, issued_on="2026-05-01", level="written", gross_misconduct_reason="Threatened a customer")
    data = action_input(level="dismissal")
    error = refused(staffed, lambda s: issue_action(data, session=s, actor=ACTOR, now=NOW), "gross_misconduct_reason")
    assert "Dismissal skips the ladder (next step is Final written warning)" in error.reason


def test_dismissal_takes_no_follow_up(staffed: Engine) -> None:
    issue(staffed, issued_on="2026-05-01", level="final", gross_misconduct_reason="Theft from the till")
    data = action_input(level="dismissal", follow_up_due="2026-12-01")
    error = refused(staffed, lambda s: issue_action(data, session=s, actor=ACTOR, now=NOW), "follow_up_due")
    assert error.reason == "Dismissal ends employment and takes no follow-up date"
    dismissal = issue(staffed, level="dismissal")
    assert (dismissal.follow_up_due, dismissal.is_final) == (None, True)
    data_fu = validate(FollowUpInput, held_on="2026-11-20", outcome="improved")
    error = refused(
        staffed, lambda s: record_follow_up(dismissal.id, data_fu, session=s, actor=ACTOR, now=NOW), "action"
    )
    assert "ended employment; it has no follow-ups" in error.reason


BAD_ACTIONS = [
    ({"employee_number": "E-404"}, "employee", NotFound, "no employee with number 'E-404'"),
    (
        {"level": "suspension"},
        "level",
        InputError,
        "'suspension' is not a ladder level (coaching, verbal, written, final, dismissal)",
    ),
    ({"issued_on": "2026-11-24"}, "issued_on", InputError, "2026-11-24 is in the future"),
    ({"issued_on": "2019-12-31"}, "issued_on", InputError, "2019-12-31 is before E-1 was hired (2020-01-01)"),
    ({"rule_ids": "CON-99"}, "rule_ids", InputError, "CON-99 is not a rule of handbook version 2026.2"),
    ({"complaint_refs": "C-2026-00404"}, "complaint", NotFound, "no complaint with reference 'C-2026-00404'"),
]


def test_bad_actions_are_refused(staffed: Engine) -> None:
    for changes, field, kind, reason in BAD_ACTIONS:
        data = action_input(**changes)
        error = refused(staffed, lambda s: issue_action(data, session=s, actor=ACTOR, now=NOW), field, error=kind)
        assert error.reason == reason


def test_an_inactive_employee_gets_no_action(staffed: Engine) -> None:
    write(staffed, lambda s: set_active("E-1", False, session=s, actor=ACTOR))
    data = action_input()
    assert refused(staffed, lambda s: issue_action(data, session=s, actor=ACTOR, now=NOW), "employee").reason == (
        "E-1 (Ann Lee) is inactive"
    )


def test_a_complaint_about_someone_else_cannot_be_attached(staffed: Engine) -> None:
    complaint = validate(
        ComplaintInput, received_at="2026-11-01 10:00", channel="email", summary="Ignored me", employee_number="E-2"
    )
    ref = write(staffed, lambda s: log_complaint(complaint, session=s, actor=ACTOR, now=NOW)).ref
    data = action_input(complaint_refs=ref)
    error = refused(staffed, lambda s: issue_action(data, session=s, actor=ACTOR, now=NOW), "complaint_refs")
    assert error.reason == f"{ref} is about another employee"
    action = issue(staffed, employee_number="E-2", complaint_refs=ref.lower())
    with read(staffed) as session:
        assert get_action(session, action.id).complaint_refs == [ref]


def test_follow_up_more_time_needs_a_date_and_moves_the_due_date(staffed: Engine) -> None:
    action = issue(staffed)
    with pytest.raises(InputError) as caught:
        validate(FollowUpInput, held_on="2026-11-20", outcome="more_time")
    assert caught.value.field == "new_due_date"
    # Skipping validation, the database still refuses the row, and nothing is written.
    before = counts(staffed)
    bypass = FollowUpInput.model_construct(
        held_on=date(2026, 11, 20), outcome="more_time", notes=None, new_due_date=None
    )
    with pytest.raises(IntegrityError, match="ck_follow_up_new_date_only_for_more_time"):
        write(staffed, lambda s: record_follow_up(action.id, bypass, session=s, actor=ACTOR, now=NOW))
    assert counts(staffed) == before
    follow_up(staffed, action.id, outcome="more_time", new_due_date="2026-12-20", notes="Needs more listen-ins")
    with read(staffed) as session:
        v = get_action(session, action.id)
    assert (v.action.follow_up_due, v.action.follow_up_done) == (date(2026, 12, 20), False)
    assert [(f.outcome, f.new_due_date) for f in v.follow_ups] == [("more_time", date(2026, 12, 20))]


def test_follow_up_dates_must_be_possible(staffed: Engine) -> None:
    action = issue(staffed)
    for held_on, reason in [
        ("2026-11-01", "2026-11-01 is before the action was issued (2026-11-02)"),
        ("2026-11-24", "2026-11-24 is in the future"),
    ]:
        data = validate(FollowUpInput, held_on=held_on, outcome="improved")
        error = refused(
            staffed, lambda s: record_follow_up(action.id, data, session=s, actor=ACTOR, now=NOW), "held_on"
        )
        assert error.reason == reason


def test_close_needs_an_effectiveness_check(staffed: Engine) -> None:
    action = issue(staffed)
    follow_up(staffed, action.id)
    with pytest.raises(InputError) as caught:
        validate(CloseInput, closed_on="2026-11-22", effectiveness_check="")
    assert caught.value.field == "effectiveness_check"
    before = counts(staffed)
    bypass = CloseInput.model_construct(closed_on=date(2026, 11, 22), effectiveness_check="  ")
    with pytest.raises(IntegrityError, match="ck_corrective_action_closed_has_effectiveness_check"):
        write(staffed, lambda s: close_action(action.id, bypass, session=s, actor=ACTOR, now=NOW))
    assert counts(staffed) == before
    check = validate(CloseInput, closed_on="2026-11-22", effectiveness_check="No complaints in three weeks of calls")
    write(staffed, lambda s: close_action(action.id, check, session=s, actor=ACTOR, now=NOW))
    with read(staffed) as session:
        v = get_action(session, action.id)
    assert (v.action.status, v.action.closed_on, v.action.effectiveness_check) == (
        "closed",
        date(2026, 11, 22),
        "No complaints in three weeks of calls",
    )
    again = validate(CloseInput, closed_on="2026-11-23", effectiveness_check="Still fine")
    error = refused(staffed, lambda s: close_action(action.id, again, session=s, actor=ACTOR, now=NOW), "action")
    assert error.reason == f"action {action.id} was already closed on 2026-11-22"
    refused(
        staffed,
        lambda s: record_follow_up(
            action.id,
            validate(FollowUpInput, held_on="2026-11-22", outcome="improved"),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
        "action",
    )


def test_close_dates_must_be_possible(staffed: Engine) -> None:
    action = issue(staffed)
    data = validate(CloseInput, closed_on="2026-11-01", effectiveness_check="Fine since")
    assert refused(
        staffed, lambda s: close_action(action.id, data, session=s, actor=ACTOR, now=NOW), "closed_on"
    ).reason == ("2026-11-01 is before the action was issued (2026-11-02)")


def test_the_employee_response_is_added_never_replaced(staffed: Engine) -> None:
    action = issue(staffed)
    for text in ("I was covering two queues", "I have asked for training"):
        data = validate(ResponseInput, text=text)
        write(staffed, lambda s: record_response(action.id, data, session=s, actor=ACTOR, now=NOW))
    with read(staffed) as session:
        response = get_action(session, action.id).action.employee_response
    assert response == "[2026-11-23] I was covering two queues\n\n[2026-11-23] I have asked for training"


def test_a_stale_revision_is_a_conflict(staffed: Engine) -> None:
    action = issue(staffed)
    write(
        staffed,
        lambda s: record_response(
            action.id, ResponseInput(text="first"), session=s, actor="first", expected_revision=1, now=NOW
        ),
    )
    before = counts(staffed)
    with pytest.raises(ConflictError, match=f"action {action.id} was changed by first"):
        write(
            staffed,
            lambda s: record_response(
                action.id, ResponseInput(text="second"), session=s, actor="second", expected_revision=1, now=NOW
            ),
        )
    assert counts(staffed) == before


def test_overdue_and_due_this_week(staffed: Engine) -> None:
    overdue = issue(staffed, issued_on="2026-10-01", follow_up_due="2026-11-20")
    due_friday = issue(staffed, employee_number="E-2", issued_on="2026-10-01", follow_up_due="2026-11-27")
    later = issue(staffed, employee_number="E-2", issued_on="2026-11-20", level="coaching")  # due 2026-12-20
    done = issue(staffed, issued_on="2026-11-01", level="coaching", follow_up_due="2026-11-22")
    follow_up(staffed, done.id, held_on="2026-11-22")
    with read(staffed) as session:
        ids = lambda state: [r.id for r in list_actions(session, state=state, today=TODAY)]  # noqa: E731
        assert ids("overdue") == [overdue.id]
        assert ids("due") == [overdue.id, due_friday.id]
        assert set(ids("open")) == {overdue.id, due_friday.id, later.id, done.id}
        with pytest.raises(InputError) as caught:
            list_actions(session, state="soon", today=TODAY)
        assert caught.value.field == "state"
