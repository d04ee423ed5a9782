"""What the audit trail records of each kind of record.

The same function produces the "after" of an audit event and, when the trail is
verified, the state of the row today, so a row edited behind the tracker's back
no longer matches its last audited state. Customer names and contacts are left
out on purpose: they can be purged after the retention period, and an
append-only trail must not hold them.

Every other stored field a report or screen reads is in its record's snapshot, or is
derived from audited ones and checked at read time (``integrity.verify_derived``);
``tests/storage/test_snapshot_coverage.py`` names the columns in no snapshot, and why. Fields added to a
snapshot later are held to what each event recorded: an event written before a field
was covered is compared on the fields it has (``integrity._matches``), and no key can
be taken out of an event on the chain without breaking it.
"""

from __future__ import annotations

from typing import Any, Iterable

from tracker.db.models import (
    Complaint,
    ComplaintReply,
    CorrectiveAction,
    Employee,
    FollowUp,
    HandbookChannel,
    HandbookLevel,
    HandbookRule,
    HandbookService,
    HandbookVersion,
    Signoff,
    SignoffRevocation,
)
from tracker.domain.handbook.model import rule_hash
from tracker.domain.timeutil import as_utc


def employee(row: Employee) -> dict[str, Any]:
    return {
        "number": row.number,
        "name": row.name,
        "team": row.team,
        "hire_date": row.hire_date,
        "active": bool(row.active),
        "revision": row.revision,
        "updated_by": row.updated_by,
    }


def version(row: HandbookVersion) -> dict[str, Any]:
    return {
        "id": row.id,
        "label": row.label,
        "content_hash": row.content_hash,
        "editorial": bool(row.editorial),
        "published_at": row.published_at,
        "published_on": row.published_on,
        "published_by": row.published_by,
        "look_back": row.look_back,
        "grace_period": row.grace_period,
    }


def published_version(
    row: HandbookVersion,
    rules: Iterable[HandbookRule],
    channels: Iterable[HandbookChannel],
    levels: Iterable[HandbookLevel],
    service: HandbookService | None = None,
) -> dict[str, Any]:
    """Everything a published version enforces, as the trail records it when it is published.

    Each rule's hash is computed from its stored title and text (not read from its ``hash``
    column), so editing a rule's words behind the tracker's back no longer matches; the
    channel targets, the ladder and the standards are in it too, because sign-offs,
    complaints and actions are checked against them. Versions published before these were
    recorded are attested once on upgrade (``audit/attest.py``). The service standards (opening
    hours, aims, guides) are in it as their stored text, for versions that have them.
    """
    rules = sorted(rules, key=lambda r: r.rule_id)
    extra = {"service": service.standards} if service is not None else {}
    return (
        version(row)
        | extra
        | {
            "rules": {r.rule_id: rule_hash(r.rule_id, r.title, r.text, r.citable) for r in rules},
            "rule_details": {r.rule_id: [r.page, r.tags, r.hash] for r in rules},
            "channels": {c.code: [c.name, c.target, c.target_seconds] for c in sorted(channels, key=lambda c: c.code)},
            "ladder": [
                [lv.step, lv.code, lv.name, lv.follow_up, bool(lv.is_final)]
                for lv in sorted(levels, key=lambda lv: lv.step)
            ],
        }
    )


def signoff(row: Signoff, employee_number: str, version_label: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "employee": employee_number,
        "version": version_label,
        "signed_on": row.signed_on,
        "method": row.method,
        "filing_ref": row.filing_ref,
        "printed_name": row.printed_name,
        "meaning": row.meaning,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at,
        "recorded_on": row.recorded_on,
    }


def revocation(row: SignoffRevocation) -> dict[str, Any]:
    return {
        "id": row.id,
        "signoff_id": row.signoff_id,
        "reason": row.reason,
        "revoked_by": row.revoked_by,
        "revoked_at": row.revoked_at,
    }


def complaint(row: Complaint, employee_number: str | None, rule_ids: list[str]) -> dict[str, Any]:
    return {
        "ref": row.ref,
        "received_at": row.received_at,
        "channel": row.channel,
        "target_seconds": row.target_seconds,
        "employee": employee_number,
        "rules": sorted(rule_ids),
        "summary": row.summary,
        "severity": row.severity,
        "urgent": bool(row.urgent),
        "status": row.status,
        "first_response_at": row.first_response_at,
        "resolution": row.resolution,
        "dismissal_reason": row.dismissal_reason,
        "revision": row.revision,
        "version_id": row.version_id,
        "closed_at": row.closed_at,
        "created_by": row.created_by,
        "contact_id": row.contact_id,  # a contact is never deleted, so its id names it for good
    }


COMPLAINT_FIELDS = (
    "ref",
    "received_at",
    "channel",
    "target_seconds",
    "employee",
    "rules",
    "summary",
    "severity",
    "urgent",
    "status",
    "first_response_at",
    "resolution",
    "dismissal_reason",
    "revision",
)


_NONE = "\x00"


def _moment_text(value: Any) -> str:
    if value is None:
        return _NONE
    if isinstance(value, str):
        return value
    return as_utc(value).isoformat(timespec="microseconds")


def complaint_line_of(
    ref: str,
    received_at: Any,
    channel: str,
    target_seconds: int,
    employee: str | None,
    rules: Any,
    summary: str,
    severity: str,
    urgent: bool,
    status: str,
    first_response_at: Any,
    resolution: str | None,
    dismissal_reason: str | None,
    revision: int,
) -> str:
    """A complaint as one line, for the digest that covers a bulk import.

    Times may be datetimes or the ISO text an audit event's JSON holds: both
    give the same line. Called once per imported row, so written out by hand.
    """
    return "\x1f".join(
        (
            ref,
            _moment_text(received_at),
            channel,
            str(target_seconds),
            employee if employee is not None else _NONE,
            ",".join(rules),
            summary,
            severity,
            "1" if urgent else "0",
            status,
            _moment_text(first_response_at),
            resolution if resolution is not None else _NONE,
            dismissal_reason if dismissal_reason is not None else _NONE,
            str(revision),
        )
    )


# The digest an import records, by format. Format 1 (imports before 2026-12) covers
# COMPLAINT_FIELDS; format 2 adds the version a complaint is judged by, when it was
# closed, who logged it and the contact it came from, so that no field a report reads escapes
# the digest.
IMPORT_DIGEST_FORMAT = 2
IMPORT_DIGEST_FORMATS = (1, 2)


def complaint_line_tail(version_id: int, closed_at: Any, created_by: str, contact_id: int | None) -> str:
    """What format 2 appends to ``complaint_line_of``'s line (after a separator)."""
    contact = str(contact_id) if contact_id is not None else _NONE
    return "\x1f".join((str(version_id), _moment_text(closed_at), created_by, contact))


def complaint_line(snapshot: dict[str, Any], digest_format: int = IMPORT_DIGEST_FORMAT) -> str:
    """A complaint's digest line, in the import's format, for a snapshot dict
    (as built by ``complaint`` or read back from JSON)."""
    line = complaint_line_of(*(snapshot[name] for name in COMPLAINT_FIELDS))
    if digest_format == 1:
        return line
    tail = complaint_line_tail(
        snapshot["version_id"], snapshot["closed_at"], snapshot["created_by"], snapshot.get("contact_id")
    )
    return line + "\x1f" + tail


def reply(row: ComplaintReply, ref: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "complaint": ref,
        "replied_at": row.replied_at,
        "automatic": bool(row.automatic),
        "note": row.note,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at,
    }


def action(
    row: CorrectiveAction, employee_number: str, complaint_refs: list[str], rule_ids: list[str]
) -> dict[str, Any]:
    return {
        "id": row.id,
        "employee": employee_number,
        "level": row.level,
        "step": row.step,
        "expectations": row.expectations,
        "issued_on": row.issued_on,
        "follow_up_due": row.follow_up_due,
        "follow_up_done": bool(row.follow_up_done),
        "gross_misconduct_reason": row.gross_misconduct_reason,
        "suggested_level": row.suggested_level,
        "complaints": sorted(complaint_refs),
        "rules": sorted(rule_ids),
        "employee_response": row.employee_response,
        "status": row.status,
        "closed_on": row.closed_on,
        "effectiveness_check": row.effectiveness_check,
        "revision": row.revision,
        "version_id": row.version_id,
        "is_final": bool(row.is_final),
        "issued_by": row.issued_by,
        "suggestion_reason": row.suggestion_reason,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }


def follow_up(row: FollowUp) -> dict[str, Any]:
    return {
        "id": row.id,
        "action_id": row.action_id,
        "held_on": row.held_on,
        "outcome": row.outcome,
        "notes": row.notes,
        "new_due_date": row.new_due_date,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at,
    }
