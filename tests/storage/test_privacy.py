"""Customers' contact details are purged after the retention period; the
complaint stays as evidence and the audit trail still verifies."""

from __future__ import annotations

from datetime import date

from tests.conftest import ACTOR, read, write
from tracker.audit.chain import recent, verify_chain
from tracker.audit.integrity import verify_records
from tracker.domain.inputs import ComplaintInput, OutcomeInput, ReplyInput
from tracker.records.complaints import commands as complaint_commands
from tracker.records.complaints import queries as complaint_queries
from tracker.records.complaints.retention import purge_contacts


def _complaint(engine, received: str, *, close: bool) -> str:  # type: ignore[no-untyped-def]
    data = ComplaintInput(
        received_at=received,
        channel="email",
        summary="Invoice was wrong",
        customer_name="Ann Customer",
        customer_contact="ann@example.com",
    )
    ref = write(engine, lambda s: complaint_commands.log_complaint(data, session=s, actor=ACTOR)).ref
    if close:
        write(
            engine,
            lambda s: complaint_commands.acknowledge(ref, ReplyInput(replied_at=received), session=s, actor=ACTOR),
        )
        write(engine, lambda s: complaint_commands.investigate(ref, session=s, actor=ACTOR))
        write(engine, lambda s: complaint_commands.resolve(ref, OutcomeInput(text="Corrected"), session=s, actor=ACTOR))
    return ref


def test_old_closed_complaints_lose_contacts_only(published) -> None:  # type: ignore[no-untyped-def]
    old_closed = _complaint(published, "2026-01-10 09:00", close=True)
    old_open = _complaint(published, "2026-01-11 09:00", close=False)
    recent_closed = _complaint(published, "2026-11-20 09:00", close=True)
    purged = write(published, lambda s: purge_contacts(s, received_before=date(2026, 6, 1), actor=ACTOR))
    assert purged == 1
    with read(published) as s:
        gone = complaint_queries.get_complaint_row(s, old_closed)
        assert (gone.customer_name, gone.customer_contact) == (None, None)
        assert gone.summary == "Invoice was wrong" and gone.resolution == "Corrected"
        assert complaint_queries.get_complaint_row(s, old_open).customer_contact == "ann@example.com"
        assert complaint_queries.get_complaint_row(s, recent_closed).customer_contact == "ann@example.com"
        (event,) = recent(s, entity="privacy")
        assert event.action == "complaint.purge-contacts" and '"complaints":1' in (event.after or "")
        assert verify_chain(s).ok
        assert verify_records(s) == []
        # The audit trail never held the contact.
        assert all("ann@example.com" not in (e.after or "") for e in recent(s, limit=500))
