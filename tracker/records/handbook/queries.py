"""Reading published handbook versions and the standards each one enforces."""

from __future__ import annotations

from sqlmodel import Session, col, select

from tracker.db.models import HandbookChannel, HandbookLevel, HandbookRule, HandbookService, HandbookVersion
from tracker.domain.errors import InputError, NotFound, NoVersionPublished
from tracker.domain.handbook import service_record
from tracker.domain.handbook.diff import RuleChange, diff_rules
from tracker.domain.handbook.model import Channel, Handbook, LadderLevel, Standards
from tracker.domain.periods import Period


def latest_version(session: Session) -> HandbookVersion | None:
    return session.exec(select(HandbookVersion).order_by(col(HandbookVersion.id).desc()).limit(1)).first()


def version_in_force(session: Session) -> HandbookVersion:
    version = latest_version(session)
    if version is None:
        raise NoVersionPublished()
    return version


def get_version(session: Session, label: str) -> HandbookVersion:
    version = session.exec(select(HandbookVersion).where(HandbookVersion.label == label.strip())).first()
    if version is None:
        raise NotFound("version", f"no published handbook version '{label}'")
    return version


def list_versions(session: Session) -> list[HandbookVersion]:
    return list(session.exec(select(HandbookVersion).order_by(col(HandbookVersion.id).desc())).all())


def rules_of(session: Session, version_id: int) -> list[HandbookRule]:
    return list(
        session.exec(
            select(HandbookRule).where(HandbookRule.version_id == version_id).order_by(col(HandbookRule.rule_id))
        ).all()
    )


def standards(session: Session, version: HandbookVersion) -> Standards:
    channels = session.exec(
        select(HandbookChannel).where(HandbookChannel.version_id == version.id).order_by(col(HandbookChannel.code))
    ).all()
    levels = session.exec(
        select(HandbookLevel).where(HandbookLevel.version_id == version.id).order_by(col(HandbookLevel.step))
    ).all()
    titles = session.exec(
        select(HandbookRule.rule_id, HandbookRule.title, HandbookRule.citable).where(
            HandbookRule.version_id == version.id
        )
    ).all()
    service = session.get(HandbookService, version.id)
    read = Standards(
        label=version.label,
        channels={c.code: Channel(c.code, c.name, Period.parse(c.target)) for c in channels},
        ladder=tuple(
            LadderLevel(level.step, level.name, level.code, Period.parse(level.follow_up) if level.follow_up else None)
            for level in levels
        ),
        look_back=Period.parse(version.look_back),
        grace_period=Period.parse(version.grace_period),
        rule_titles={rule_id: title for rule_id, title, _ in titles},
        not_citable=frozenset(rule_id for rule_id, _, citable in titles if not citable),
    )
    return service_record.with_service(read, service.standards if service is not None else None)


def _rule_map(session: Session, version: HandbookVersion) -> dict[str, tuple[str, str]]:
    return {rule.rule_id: (rule.title, rule.hash) for rule in rules_of(session, version.id or 0)}


def working_rule_map(handbook: Handbook) -> dict[str, tuple[str, str]]:
    return {rule.id: (rule.title, rule.hash) for rule in handbook.rules.values()}


def diff(
    session: Session, old_label: str | None, new_label: str | None, working: Handbook | None = None
) -> tuple[str, str, list[RuleChange]]:
    """Rules that changed between two versions; by default the last published
    version against the working handbook (what publishing would change)."""
    if old_label is None:
        old = version_in_force(session)
        old_name, old_map = old.label, _rule_map(session, old)
    else:
        old = get_version(session, old_label)
        old_name, old_map = old.label, _rule_map(session, old)
    if new_label is None:
        if working is None:
            raise InputError("handbook", "the working handbook could not be read")
        new_name, new_map = f"{working.label} (working copy)", working_rule_map(working)
    else:
        new = get_version(session, new_label)
        new_name, new_map = new.label, _rule_map(session, new)
    return old_name, new_name, diff_rules(old_map, new_map)


def changes_between(session: Session, old: HandbookVersion | None, new: HandbookVersion) -> list[RuleChange]:
    """What changed from the version an employee last signed to ``new`` (all rules if never signed)."""
    return diff_rules(_rule_map(session, old) if old else {}, _rule_map(session, new))


def drift_from_published(session: Session, working: Handbook) -> list[str] | None:
    """What the working handbook changed under a label that is already published (None when its
    label is not published yet): the site would show this text under the label employees signed."""
    version = session.exec(select(HandbookVersion).where(HandbookVersion.label == working.label)).first()
    if version is None:
        return None
    drift = [
        f"{change.rule_id} {change.change}"
        for change in diff_rules(_rule_map(session, version), working_rule_map(working))
    ]
    published = standards(session, version)
    ours = working.standards
    for name, theirs, mine in (
        ("the channels' targets, aims and guides", published.channels, ours.channels),
        ("the opening hours", published.hours, ours.hours),
        ("the new-hire period", published.new_hire_period, ours.new_hire_period),
        ("the corrective-action ladder", published.ladder, ours.ladder),
        ("the look-back window", published.look_back, ours.look_back),
        ("the sign-off grace period", published.grace_period, ours.grace_period),
    ):
        if theirs != mine:
            drift.append(f"{name} changed")
    return drift
