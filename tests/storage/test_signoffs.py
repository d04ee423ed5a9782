"""Sign-offs: bound to the exact version signed, never edited, chased when due."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, read, write
from tests.domain.editing import CON01_EDIT, edited_handbook
from tests.storage.conftest import PUBLISHED_ON, add, counts, refused
from tracker.audit import chain as audit
from tracker.domain.errors import NotFound
from tracker.domain.inputs import RevokeInput, SignoffInput, validate
from tracker.domain.signing import meaning_of
from tracker.records.employees.commands import set_active
from tracker.records.handbook.commands import publish
from tracker.records.signoffs.commands import record_signoff, revoke_signoff
from tracker.records.signoffs.queries import get_signoff, signoffs_of
from tracker.reporting.compliance import compliance_report
from tracker.reporting.pending import pending_signoffs

NOW = datetime(2026, 2, 10, 12, 0, tzinfo=timezone.utc)
TODAY = date(2026, 2, 10)


def signoff_input(number: str = "E-1", signed_on: date = date(2026, 1, 20), **extra: object) -> SignoffInput:
    values: dict[str, object] = dict(
        employee_number=number, signed_on=signed_on, method="paper", filing_ref=f"personnel file {number}"
    )
    return validate(SignoffInput, **(values | extra))


def sign(engine: Engine, number: str = "E-1", signed_on: date = date(2026, 1, 20), **extra: object):  # type: ignore[no-untyped-def]
    data = signoff_input(number, signed_on, **extra)
    return write(engine, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW))


def test_record_stores_what_was_signed_and_its_meaning(january: Engine) -> None:
    add(january, "E-1", name="Ann Lee")
    signoff = sign(january, printed_name="Ann M. Lee")
    with read(january) as session:
        view = get_signoff(session, signoff.id)
        assert view.version_label == "2026.2"
        assert view.valid
        s = view.signoff
        assert (s.signed_on, s.method, s.filing_ref, s.printed_name) == (
            date(2026, 1, 20),
            "paper",
            "personnel file E-1",
            "Ann M. Lee",
        )
        assert s.meaning == meaning_of("2026.2")
        assert s.meaning.startswith("I have read the Service Standards Handbook in version 2026.2, and I will")
        assert "can lead to corrective action, up to and including dismissal." in s.meaning  # as the form says
        assert (s.recorded_by, s.recorded_on) == (ACTOR, TODAY)
        [event] = audit.recent(session, entity="signoff")
        assert (event.action, event.entity_key, event.actor) == ("signoff.record", str(signoff.id), ACTOR)


def test_printed_name_defaults_to_the_employee_name(january: Engine) -> None:
    add(january, "E-1", name="Ann Lee")
    assert sign(january, method="terminal", filing_ref=None).printed_name == "Ann Lee"


def test_a_date_in_the_future_is_refused(january: Engine) -> None:
    add(january, "E-1")
    data = signoff_input(signed_on=TODAY + timedelta(days=1))
    error = refused(january, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "signed_on")
    assert error.reason == "2026-02-11 is in the future; use the date written on the form"


def test_a_date_before_the_version_was_published_is_refused(january: Engine) -> None:
    add(january, "E-1")
    data = signoff_input(signed_on=PUBLISHED_ON - timedelta(days=1))
    error = refused(january, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "signed_on")
    assert error.reason == "2026-01-04 is before version 2026.2 was published (2026-01-05)"
    sign(january, signed_on=PUBLISHED_ON)  # the day of publication is fine


def test_a_date_before_the_employee_was_hired_is_refused(january: Engine) -> None:
    """Issue 15: a sign-off could be dated before the person worked here; it is signed as an
    employee, so the first day is the earliest."""
    add(january, "E-1", hire_date="2026-01-19")
    data = signoff_input(signed_on=date(2026, 1, 18))
    error = refused(january, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "signed_on")
    assert error.reason == "2026-01-18 is before E-1 was hired (2026-01-19)"
    sign(january, signed_on=date(2026, 1, 19))  # the first day is fine


def test_an_inactive_employee_cannot_sign(january: Engine) -> None:
    add(january, "E-1", name="Ann Lee")
    write(january, lambda s: set_active("E-1", False, session=s, actor=ACTOR))
    data = signoff_input()
    error = refused(january, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "employee")
    assert error.reason == "E-1 (Ann Lee) is inactive; only active employees sign"


def test_a_second_valid_sign_off_of_the_same_version_is_refused(january: Engine) -> None:
    add(january, "E-1")
    first = sign(january)
    data = signoff_input(signed_on=date(2026, 1, 21))
    error = refused(january, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "version")
    assert error.reason == (
        f"E-1 already has a valid sign-off of version 2026.2 (sign-off {first.id}, signed 2026-01-20); "
        "revoke it first to replace it"
    )


def test_unknown_employee_and_version_are_refused(january: Engine) -> None:
    data = signoff_input("E-404")
    refused(january, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "employee", error=NotFound)
    add(january, "E-1")
    data = signoff_input(version_label="1999.1")
    error = refused(january, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "version", error=NotFound)
    assert "no published handbook version '1999.1'" in error.reason


def test_nothing_to_sign_before_a_version_is_published(engine: Engine) -> None:
    add(engine, "E-1")
    data = signoff_input()
    error = refused(engine, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW), "handbook")
    assert "no handbook version is published yet" in error.reason


def _signoff_row(engine: Engine, signoff_id: int) -> tuple:
    with engine.connect() as connection:
        return tuple(connection.execute(text("SELECT * FROM signoff WHERE id = :id"), {"id": signoff_id}).one())


def test_revoke_is_a_new_record_and_the_sign_off_row_is_unchanged(january: Engine) -> None:
    add(january, "E-1")
    signoff = sign(january)
    row_before = _signoff_row(january, signoff.id)
    before = counts(january)
    revocation = write(
        january,
        lambda s: revoke_signoff(signoff.id, RevokeInput(reason="Signed the wrong form"), session=s, actor="auditor"),
    )
    after = counts(january)
    assert after["signoff_revocation"] == before["signoff_revocation"] + 1
    assert after["signoff"] == before["signoff"]
    assert after["audit_event"] == before["audit_event"] + 1
    assert _signoff_row(january, signoff.id) == row_before
    with read(january) as session:
        view = get_signoff(session, signoff.id)
        assert not view.valid
        assert view.revocation is not None
        assert (view.revocation.reason, view.revocation.revoked_by, view.revocation.signoff_id) == (
            "Signed the wrong form",
            "auditor",
            signoff.id,
        )
        assert revocation.id == view.revocation.id
    # Once revoked, the employee can sign the same version again.
    replacement = sign(january, signed_on=date(2026, 1, 22))
    with read(january) as session:
        assert [(v.signoff.id, v.valid) for v in signoffs_of(session, "E-1")] == [
            (signoff.id, False),
            (replacement.id, True),
        ]


def test_revoking_twice_or_an_unknown_sign_off_is_refused(january: Engine) -> None:
    add(january, "E-1")
    signoff = sign(january)
    write(january, lambda s: revoke_signoff(signoff.id, RevokeInput(reason="wrong form"), session=s, actor=ACTOR))
    error = refused(
        january, lambda s: revoke_signoff(signoff.id, RevokeInput(reason="again"), session=s, actor=ACTOR), "signoff"
    )
    assert f"sign-off {signoff.id} was already revoked by {ACTOR}: wrong form" == error.reason
    refused(
        january,
        lambda s: revoke_signoff(9999, RevokeInput(reason="typo"), session=s, actor=ACTOR),
        "signoff",
        error=NotFound,
    )


# --- who still has to sign ----------------------------------------------------------


def _pending(engine: Engine, today: date):  # type: ignore[no-untyped-def]
    with read(engine) as session:
        return pending_signoffs(session, today=today)


def test_pending_separates_new_hires_in_grace_from_overdue(january: Engine) -> None:
    add(january, "E-OLD", hire_date="2020-05-01")  # due 14 days after publication: 2026-01-19
    add(january, "E-NEW", hire_date="2026-02-01")  # hired after publication: due 2026-02-15
    add(january, "E-OK", hire_date="2020-05-01")
    sign(january, "E-OK")
    report = _pending(january, date(2026, 2, 10))
    assert (report.version, report.material_version, report.grace_period) == ("2026.2", "2026.2", "14 days")
    assert [(p.number, p.due, p.overdue) for p in report.overdue] == [("E-OLD", date(2026, 1, 19), True)]
    assert [(p.number, p.due, p.overdue) for p in report.in_grace] == [("E-NEW", date(2026, 2, 15), False)]
    # On the due date a new hire is still in grace; the day after, overdue.
    assert [p.number for p in _pending(january, date(2026, 2, 15)).in_grace] == ["E-NEW"]
    assert [p.number for p in _pending(january, date(2026, 2, 16)).overdue] == ["E-NEW", "E-OLD"]


def test_never_signed_employees_see_every_rule(january: Engine, handbook) -> None:  # type: ignore[no-untyped-def]
    add(january, "E-1")
    [item] = _pending(january, TODAY).overdue
    assert item.last_signed is None
    assert {c.rule_id for c in item.changed_rules} == set(handbook.rules)
    assert {c.change for c in item.changed_rules} == {"added"}


def test_inactive_and_revoked(january: Engine) -> None:
    add(january, "E-1")
    add(january, "E-2")
    signoff = sign(january, "E-1")
    write(january, lambda s: set_active("E-2", False, session=s, actor=ACTOR))
    assert _pending(january, TODAY).overdue == []
    write(january, lambda s: revoke_signoff(signoff.id, RevokeInput(reason="illegible"), session=s, actor=ACTOR))
    assert [p.number for p in _pending(january, TODAY).overdue] == ["E-1"]


def test_editorial_version_needs_no_new_sign_off_but_a_material_one_does(january: Engine, tmp_path: Path) -> None:
    add(january, "E-1", hire_date="2020-05-01")
    sign(january, "E-1")
    later = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    editorial = edited_handbook(
        tmp_path / "v2", "2026.3", [("conduct.md", "under any circumstances", "in any circumstances")]
    )
    write(january, lambda s: publish(editorial, session=s, actor=ACTOR, editorial=True, now=later))
    report = _pending(january, date(2026, 4, 1))
    assert (report.version, report.material_version) == ("2026.3", "2026.2")
    assert report.overdue == [] and report.in_grace == []

    material = edited_handbook(
        tmp_path / "v3",
        "2026.4",
        [
            ("conduct.md", "under any circumstances", "in any circumstances"),
            CON01_EDIT,
            ("speed.md", "| Social media | 60 minutes |", "| Social media | 30 minutes |"),
        ],
    )
    write(
        january,
        lambda s: publish(material, session=s, actor=ACTOR, now=datetime(2026, 4, 1, 12, 0, tzinfo=timezone.utc)),
    )
    report = _pending(january, date(2026, 4, 10))
    assert report.material_version == "2026.4"
    [item] = report.in_grace  # 14 days from 2026-04-01
    assert (item.number, item.due, item.last_signed) == ("E-1", date(2026, 4, 15), "2026.2")
    # Changed since the version they signed (2026.2): the editorial and the material change of CON-01, and SPD-01.
    assert [(c.rule_id, c.change) for c in item.changed_rules] == [("CON-01", "changed"), ("SPD-01", "changed")]
    assert [p.number for p in _pending(january, date(2026, 4, 16)).overdue] == ["E-1"]


def test_signing_the_editorial_version_covers_the_material_one(january: Engine, tmp_path: Path) -> None:
    add(january, "E-1", hire_date="2020-05-01")
    editorial = edited_handbook(
        tmp_path / "v2", "2026.3", [("conduct.md", "under any circumstances", "in any circumstances")]
    )
    write(january, lambda s: publish(editorial, session=s, actor=ACTOR, editorial=True, now=NOW))
    assert [p.number for p in _pending(january, TODAY).overdue] == ["E-1"]
    sign(january, "E-1", signed_on=TODAY)  # the version in force (2026.3)
    assert _pending(january, TODAY).overdue == []


def test_compliance_by_team(january: Engine) -> None:
    for number, team in [("E-1", "Desk"), ("E-2", "Desk"), ("E-3", "Phone")]:
        add(january, number, team=team)
    sign(january, "E-1")
    with read(january) as session:
        report = compliance_report(session)
    label, teams = report.version, report.teams
    assert label == "2026.2"
    assert [(t.team, t.active, t.signed, t.pending, t.percent) for t in teams] == [
        ("Desk", 2, 1, 1, 50.0),
        ("Phone", 1, 0, 1, 0.0),
    ]
