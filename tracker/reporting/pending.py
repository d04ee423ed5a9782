"""The whole list of who still has to sign, for printing: each person with the rules
changed since their last sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from tracker.db.models import HandbookVersion
from tracker.domain.errors import NoVersionPublished
from tracker.domain.handbook.diff import RuleChange
from tracker.domain.timeutil import today as local_today
from tracker.records.handbook.queries import changes_between, standards, version_in_force
from tracker.records.handbook.sql import material_version
from tracker.records.signoffs.queries import pending_page
from tracker.reporting.paging import every_page


@dataclass(frozen=True)
class PendingSignoff:
    number: str
    name: str
    team: str
    hire_date: date
    due: date
    overdue: bool
    last_signed: str | None
    changed_rules: list[RuleChange]

    def as_dict(self) -> dict[str, object]:
        return {
            "employee": self.number,
            "name": self.name,
            "team": self.team,
            "hire_date": self.hire_date.isoformat(),
            "due": self.due.isoformat(),
            "state": "overdue" if self.overdue else "in grace period",
            "last_signed_version": self.last_signed,
            "changed_rules": [{"rule": c.rule_id, "title": c.title, "change": c.change} for c in self.changed_rules],
        }


@dataclass
class PendingReport:
    version: str
    material_version: str
    grace_period: str
    overdue: list[PendingSignoff] = field(default_factory=list)
    in_grace: list[PendingSignoff] = field(default_factory=list)


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
    changes_cache: dict[str | None, list[RuleChange]] = {}
    rows = every_page(
        lambda after, n: pending_page(session, team=team, after=after, limit=n, today=today),
        lambda row: row.cursor,
        limit=limit,
    )
    for row in rows:
        if row.last_signed not in changes_cache:
            changes_cache[row.last_signed] = changes_between(session, versions.get(row.last_signed or ""), in_force)
        item = PendingSignoff(
            number=row.number,
            name=row.name,
            team=row.team,
            hire_date=row.hire_date,
            due=row.due,
            overdue=row.overdue,
            last_signed=row.last_signed,
            changed_rules=changes_cache[row.last_signed],
        )
        (report.overdue if item.overdue else report.in_grace).append(item)
    return report
