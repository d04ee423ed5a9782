"""The practice database: realistic, reproducible, and it passes its own audit."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest
from sqlmodel import func, select

from tests.conftest import read
from tracker.audit.chain import verify_chain
from tracker.audit.integrity import verify_records
from tracker.db.engine import make_engine
from tracker.db.models import Complaint, HandbookVersion
from tracker.db.raw import of_session
from tracker.demo import generate as demo
from tracker.domain.errors import InputError
from tracker.domain.timeutil import DateRange
from tracker.reporting.complaint_reports import first_response_attainment
from tracker.reporting.dashboard import load_dashboard
from tracker.reporting.pending import pending_signoffs

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def test_demo_data_is_realistic_and_verifies(engine, handbook) -> None:  # type: ignore[no-untyped-def]
    summary = demo.generate(engine, handbook, employees=120, complaints=3000, seed=7, now=NOW)
    assert (summary.employees, summary.versions, summary.complaints) == (120, 3, 3000)
    assert summary.signoffs > 100 and summary.actions >= 1
    with read(engine) as s:
        assert verify_chain(s).ok
        assert verify_records(s) == []
        labels = [v.label for v in s.exec(select(HandbookVersion).order_by(HandbookVersion.id)).all()]
        assert labels == ["2025.1", "2025.2", "2026.2"]
        pending = pending_signoffs(s, today=NOW.date())
        # Some employees have not signed the current version; some of those are still inside the grace period.
        assert pending.overdue and pending.in_grace
        assert any(p.last_signed == "2025.1" for p in pending.overdue), "outdated sign-offs exist"
        attainment = {
            row.channel: row
            for row in first_response_attainment(s, DateRange(NOW.date().replace(year=2025), NOW.date()), now=NOW)
        }
        # Most first responses are within target, a tail misses it.
        for channel in ("chat", "phone", "email", "social"):
            share = attainment[channel].attainment
            assert share is not None and 80 < share < 99
        board = load_dashboard(of_session(s), now=NOW)
        assert board.top_rules[0][0] in ("CON-01", "SPD-01")
        oldest = s.exec(select(func.min(Complaint.received_at))).one()
        assert (NOW - oldest).days >= 700


def test_same_seed_same_data(tmp_path, sqlite_template, handbook) -> None:  # type: ignore[no-untyped-def]
    results = []
    for name in ("a", "b"):
        shutil.copyfile(sqlite_template, tmp_path / f"{name}.db")
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        demo.generate(engine, handbook, employees=30, complaints=400, seed=3, now=NOW)
        with read(engine) as s:
            results.append(
                s.exec(
                    select(Complaint.ref, Complaint.received_at, Complaint.channel, Complaint.summary).order_by(
                        Complaint.id
                    )
                ).all()
            )
        engine.dispose()
    assert results[0] == results[1]


def test_the_demo_refuses_a_database_that_holds_records(engine, handbook) -> None:  # type: ignore[no-untyped-def]
    demo.generate(engine, handbook, employees=5, complaints=10, seed=1, now=NOW)
    with pytest.raises(InputError, match="already holds records"):
        demo.generate(engine, handbook, employees=5, complaints=10, seed=1, now=NOW)


def test_demo_contacts_are_in_the_past_and_open_with_the_customer(engine, handbook) -> None:  # type: ignore[no-untyped-def]
    from tracker.db.models import Contact, ContactMessage
    from tracker.domain.timeutil import as_utc
    from tracker.records.contacts.integrity import verify_contacts

    demo.generate(engine, handbook, employees=20, complaints=50, contacts=400, seed=3, now=NOW)
    with read(engine) as s:
        contacts = s.exec(select(Contact)).all()
        assert len(contacts) == 400
        assert max(as_utc(c.received_at) for c in contacts) <= NOW  # nothing arrives after "now"
        messages = s.exec(select(ContactMessage)).all()
        assert max(as_utc(m.at) for m in messages) <= NOW
        first: dict[int, ContactMessage] = {}
        for m in sorted(messages, key=lambda m: (m.contact_id, as_utc(m.at), m.id or 0)):
            first.setdefault(m.contact_id, m)
        written = [c for c in contacts if c.channel in ("chat", "email", "social")]
        assert written and all(first[c.id or 0].author == "customer" for c in written)
        assert verify_contacts(s) == []
