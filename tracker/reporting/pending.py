"""The whole list of who still has to sign, for printing: each person with the rules
changed since their last sign-off.

Its rows are the pending list's own (``records.signoffs.queries.PendingRow``), with
``changed_rules`` filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel import Session, select

from tracker.db.models import HandbookVersion
from tracker.domain.errors import NoVersionPublished
from tracker.domain.handbook.diff import RuleChange
from tracker.domain.timeutil import today as local_today
from tracker.records.handbook.queries import changes_between, standards, version_in_force
from tracker.records.handbook.sql import material_version
from tracker.records.signoffs.queries import PendingRow, pending_page
from tracker.reporting.paging import every_page


@dataclass
class PendingReport:
    version: str
    material_version: str
    grace_period: str
    overdue: list[PendingRow] = field(default_factory=list)
    in_grace: list[PendingRow] = field(default_factory=list)


def pending_signoffs(
    session: Session, *, today: date | None = None, team: str | None = None, limit: int | None = None
) -> PendingReport:
    """The whole pending list for printing (the command line): every page of
    ``pending_page``, each person with the rules changed since their last sign-off."""
    today = today or local_today()
    in_force = version_in_force(session)
    material = material_version(session)
    if material is None:
        raise NoVersionPublished()
    report = PendingReport(in_force.label, material.label, str(standards(session, in_force).grace_period))
    versions = {v.label: v for v in session.exec(select(HandbookVersion)).all()}
    changes_cache: dict[str | None, tuple[RuleChange, ...]] = {}
    rows = every_page(
        lambda after, n: pending_page(session, team=team, after=after, limit=n, today=today),
        lambda row: row.cursor,
        limit=limit,
    )
    for row in rows:
        if row.last_signed not in changes_cache:
            changes_cache[row.last_signed] = tuple(
                changes_between(session, versions.get(row.last_signed or ""), in_force)
            )
        item = replace(row, changed_rules=changes_cache[row.last_signed])
        (report.overdue if item.overdue else report.in_grace).append(item)
    return report
