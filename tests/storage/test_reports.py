"""Reports supervisors print or export, and the employee file."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, local_zone, read, write
from tests.storage.conftest import add
from tracker.audit.integrity import verify_records
from tracker.db.raw import of_session
from tracker.domain.inputs import (
    ActionInput,
    CloseInput,
    ComplaintInput,
    FollowUpInput,
    OutcomeInput,
    ReplyInput,
    RevokeInput,
    SignoffInput,
    validate,
)
from tracker.domain.signing import meaning_of
from tracker.domain.timeutil import DateRange, as_utc, to_utc
from tracker.output.employee_file import employee_file_dict, employee_file_html, employee_file_markdown
from tracker.records.actions.commands import close_action, issue_action, record_follow_up
from tracker.records.complaints.commands import acknowledge, dismiss, investigate, log_complaint
from tracker.records.signoffs.commands import record_signoff, revoke_signoff
from tracker.reporting.complaint_reports import complaints_by_month, complaints_by_rule, first_response_attainment
from tracker.reporting.dashboard import load_dashboard
from tracker.reporting.employee_file import employee_file

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
WEEK = DateRange(date(2026, 11, 16), date(2026, 11, 23))


def log(engine: Engine, received: datetime, channel: str, rules: str = "", employee: str | None = None) -> str:
    data = validate(
        ComplaintInput,
        received_at=received,
        channel=channel,
        summary="A complaint",
        rule_ids=rules,
        employee_number=employee,
    )
    return write(engine, lambda s: log_complaint(data, session=s, actor=ACTOR, now=NOW)).ref


def answer(engine: Engine, ref: str, at: datetime) -> None:
    write(engine, lambda s: acknowledge(ref, ReplyInput(replied_at=at), session=s, actor=ACTOR, now=NOW))


def test_first_response_attainment_by_channel(published: Engine) -> None:
    base = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    answer(published, log(published, base, "chat"), base + timedelta(minutes=1))  # within 2 minutes
    answer(published, log(published, base, "chat"), base + timedelta(minutes=5))  # missed
    log(published, NOW - timedelta(minutes=10), "chat")  # unanswered, past target
    log(published, NOW - timedelta(minutes=1), "chat")  # unanswered, still inside
    answer(published, log(published, base, "email"), base + timedelta(hours=2))  # within 24 hours
    log(published, base - timedelta(days=30), "email")  # outside the period
    with read(published) as session:
        rows = {r.channel: r.as_dict() for r in first_response_attainment(session, WEEK, now=NOW)}
    assert set(rows) == {"chat", "counter", "email", "phone", "social"}
    assert rows["chat"] == {
        "channel": "chat",
        "name": "Live chat",
        "target_seconds": 120,
        "complaints": 4,
        "answered": 2,
        "within_target": 1,
        "missed": 2,
        "waiting": 1,
        "attainment_percent": 33.3,
        "mean_first_response_seconds": 180.0,
    }
    assert (rows["email"]["complaints"], rows["email"]["within_target"], rows["email"]["attainment_percent"]) == (
        1,
        1,
        100.0,
    )
    assert (rows["phone"]["complaints"], rows["phone"]["attainment_percent"]) == (0, None)


def test_complaints_by_rule_and_by_month(published: Engine) -> None:
    base = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    log(published, base, "chat", "CON-01, CON-04")
    log(published, base, "email", "CON-01")
    late = log(published, datetime(2026, 10, 15, 10, 0, tzinfo=timezone.utc), "chat", "SPD-01")
    answer(published, late, datetime(2026, 10, 15, 10, 10, tzinfo=timezone.utc))
    write(published, lambda s: investigate(late, session=s, actor=ACTOR, now=NOW))
    write(
        published, lambda s: dismiss(late, OutcomeInput(text="Customer withdrew it"), session=s, actor=ACTOR, now=NOW)
    )
    with read(published) as session:
        assert complaints_by_rule(session, WEEK) == [
            {"rule": "CON-01", "title": "Never argue with a customer", "complaints": 2},
            {"rule": "CON-04", "title": "Apologise for a bad experience", "complaints": 1},
        ]
        months = complaints_by_month(session, DateRange(date(2026, 10, 1), date(2026, 11, 30)), now=NOW)
    assert months == [
        {"month": "2026-10", "complaints": 1, "first_response_missed": 1, "dismissed": 1},
        # Neither November complaint was answered, and by NOW both targets (2 min, 24 h) had passed.
        {"month": "2026-11", "complaints": 2, "first_response_missed": 2, "dismissed": 0},
    ]


def test_a_dismissed_complaint_is_cited_nowhere_and_an_unanswered_late_one_is_missed_everywhere(
    published: Engine,
) -> None:
    """Issue 15: "Most-cited rules" counted dismissed complaints, and "Complaints by month" did
    not count an unanswered complaint past its target that the first-response report and the
    dashboard count as missed."""
    base = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    log(published, base, "chat", "CON-01")
    groundless = log(published, base, "email", "CON-04, CON-01")
    answer(published, groundless, base + timedelta(hours=1))
    write(published, lambda s: investigate(groundless, session=s, actor=ACTOR, now=NOW))
    write(published, lambda s: dismiss(groundless, OutcomeInput(text="Not our agent"), session=s, actor=ACTOR, now=NOW))
    with read(published) as session:
        assert complaints_by_rule(session, WEEK) == [
            {"rule": "CON-01", "title": "Never argue with a customer", "complaints": 1}
        ]
        board = load_dashboard(of_session(session), now=NOW)
        assert board.top_rules == [("CON-01", "Never argue with a customer", 1)]
        assert verify_records(session) == []  # the kept counts are what a recount finds
        [month] = complaints_by_month(session, WEEK, now=NOW)
        [chat] = [row for row in first_response_attainment(session, WEEK, now=NOW) if row.channel == "chat"]
    # The chat complaint was never answered and its 2-minute target passed days ago: missed, both ways.
    assert chat.missed == 1 and month["first_response_missed"] == 1
    assert month == {"month": "2026-11", "complaints": 2, "first_response_missed": 1, "dismissed": 1}


@pytest.fixture
def history(published: Engine) -> Engine:
    """One employee with a sign-off (revoked and re-signed), a complaint and a closed action."""
    add(published, "E-7", name="Ann <b>Lee</b> | Jr", hire_date="2020-01-01")
    today = date.today()
    first = write(
        published,
        lambda s: record_signoff(
            validate(SignoffInput, employee_number="E-7", signed_on=today, method="paper", filing_ref="cabinet 1"),
            session=s,
            actor=ACTOR,
        ),
    )
    write(
        published,
        lambda s: revoke_signoff(first.id, RevokeInput(reason="wrong version printed"), session=s, actor=ACTOR),
    )
    write(
        published,
        lambda s: record_signoff(
            validate(SignoffInput, employee_number="E-7", signed_on=today, method="terminal"), session=s, actor=ACTOR
        ),
    )
    now = datetime.now(timezone.utc)
    ref = write(
        published,
        lambda s: log_complaint(
            validate(
                ComplaintInput,
                received_at=now - timedelta(hours=1),
                channel="phone",
                summary="Argued on the phone",
                employee_number="E-7",
                rule_ids="CON-01",
                customer_name="Maria Secret",
            ),
            session=s,
            actor=ACTOR,
        ),
    ).ref
    action = write(
        published,
        lambda s: issue_action(
            validate(
                ActionInput,
                employee_number="E-7",
                expectations="Stay calm on calls",
                issued_on=today,
                complaint_refs=ref,
                rule_ids="CON-01",
            ),
            session=s,
            actor=ACTOR,
        ),
    )
    write(
        published,
        lambda s: record_follow_up(
            action.id,
            validate(FollowUpInput, held_on=today, outcome="improved", notes="Calm on three listened calls"),
            session=s,
            actor=ACTOR,
        ),
    )
    write(
        published,
        lambda s: close_action(
            action.id,
            validate(CloseInput, closed_on=today, effectiveness_check="No new complaints"),
            session=s,
            actor=ACTOR,
        ),
    )
    return published


def test_employee_file_holds_everything_in_date_order(history: Engine) -> None:
    with read(history) as session:
        record = employee_file(session, "E-7")
    kinds = [kind for _, kind, _ in record.timeline()]
    assert kinds == [
        "sign-off",
        "sign-off revoked",
        "sign-off",
        "complaint",
        "corrective action",
        "follow-up",
        "action closed",
    ]
    days = [day for day, _, _ in record.timeline()]
    assert days == sorted(days)
    texts = " ".join(t for _, _, t in record.timeline())
    assert "Signed handbook version 2026.2 (paper; filed: cabinet 1)." in texts
    assert f"“{meaning_of('2026.2')}”" in texts
    assert "revoked: wrong version printed" in texts
    assert "via Phone (CON-01): Argued on the phone" in texts
    assert "Expectations: Stay calm on calls." in texts
    assert "Effectiveness check: No new complaints" in texts


@pytest.fixture
def new_york() -> Iterator[None]:
    """Local time five hours behind UTC in November: 23:30 on the 20th is 04:30 UTC on the 21st."""
    with local_zone("America/New_York"):
        yield


def test_the_employee_file_dates_complaints_and_revocations_on_the_local_day(january: Engine, new_york: None) -> None:
    """The printed file and the employee's page date a time by the local calendar (they share one
    timeline): a complaint received, and a sign-off revoked, at 23:30 local time on 20 November
    are entries of 20 November, not of the UTC day (the 21st) they fall on."""
    add(january, "E-8")
    late = datetime(2026, 11, 20, 23, 30)  # local wall-clock time, as a supervisor types it
    signoff = write(
        january,
        lambda s: record_signoff(
            validate(SignoffInput, employee_number="E-8", signed_on="2026-11-20", method="terminal"),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
    )
    write(
        january,
        lambda s: revoke_signoff(
            signoff.id, RevokeInput(reason="signed the wrong version"), session=s, actor=ACTOR, now=to_utc(late)
        ),
    )
    ref = write(
        january,
        lambda s: log_complaint(
            validate(
                ComplaintInput,
                received_at="2026-11-20 23:30",
                channel="phone",
                summary="Hung up on a caller",
                employee_number="E-8",
            ),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
    ).ref
    with read(january) as session:
        record = employee_file(session, "E-8", now=NOW)
    assert as_utc(record.complaints[0].complaint.received_at).date() == date(2026, 11, 21), "stored in UTC"
    assert record.timeline() == [
        (date(2026, 11, 20), "sign-off", record.timeline()[0][2]),
        (date(2026, 11, 20), "sign-off revoked", "Sign-off of 2026.2 revoked: signed the wrong version"),
        (date(2026, 11, 20), "complaint", f"{ref} via Phone (no rule cited): Hung up on a caller — received"),
    ]
    assert f"| 2026-11-20 | complaint | {ref} via Phone" in employee_file_markdown(record)
    assert {"date": "2026-11-20", "kind": "complaint"}.items() <= employee_file_dict(record)["timeline"][2].items()


def test_employee_file_printouts(history: Engine) -> None:
    with read(history) as session:
        record = employee_file(session, "E-7")
    markdown = employee_file_markdown(record)
    # Escaped as Markdown: the name's tags stay text and its '|' cannot end a table cell.
    assert markdown.startswith("# Employee file: Ann &lt;b&gt;Lee&lt;/b&gt; \\| Jr (E-7)\n")
    table_rows = [line for line in markdown.splitlines() if line.startswith("| 2")]
    assert len(table_rows) == 7
    assert all(row.replace("\\|", "").count("|") == 4 for row in table_rows)  # no stray column from a "|"
    assert "2 sign-offs, 1 complaint, 1 corrective action." in markdown

    page = employee_file_html(record)
    assert "Ann &lt;b&gt;Lee&lt;/b&gt; | Jr" in page and "<b>Lee</b>" not in page
    assert "<script" not in page and "http" not in page  # prints the same anywhere, no outside requests
    assert page.count("<tr><td>") == 7

    data = employee_file_dict(record)
    assert [s["valid"] for s in data["signoffs"]] == [False, True]
    assert data["signoffs"][0]["revoked_reason"] == "wrong version printed"
    assert data["complaints"][0]["customer_name"] is None  # redacted in the personnel file
    assert data["actions"][0]["status"] == "closed"
    assert "Maria Secret" not in str(data)


def test_the_reports_screen_says_counts_in_words(history: Engine) -> None:
    """Issue 15: the app said "1 complaints" and "1 corrective actions" where the file said it right."""
    from tracker.ui.screens.reports.screen import _employee_file

    query = type("Q", (), {"employee_number": "E-7"})()
    with read(history) as session:
        summary = _employee_file(session, query).summary  # type: ignore[arg-type]
    assert summary.endswith("2 sign-offs, 1 complaint, 1 corrective action.")
