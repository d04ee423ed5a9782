"""Published handbook versions: the exact text each sign-off refers to.

Publishing copies every rule (ID, title, text, hash), every channel target and
every ladder level into append-only tables. From then on records are checked
against that snapshot, never against the Markdown, so later edits to the files
cannot change what an old sign-off or complaint points at.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from tracker.domain.errors import InputError, NotFound, NoVersionPublished
from tracker.domain.handbook import (
    Channel,
    Handbook,
    LadderLevel,
    RuleChange,
    Standards,
    diff_rules,
)
from tracker.domain.periods import Period
from tracker.domain.timeutil import local_date, utcnow
from tracker.storage import audit, snapshots
from tracker.storage.models import (
    HandbookChannel,
    HandbookLevel,
    HandbookRule,
    HandbookVersion,
)


def latest_version(session: Session) -> HandbookVersion | None:
    return session.exec(select(HandbookVersion).order_by(col(HandbookVersion.id).desc()).limit(1)).first()


def version_in_force(session: Session) -> HandbookVersion:
    version = latest_version(session)
    if version is None:
        raise NoVersionPublished()
    return version


def material_version(session: Session) -> HandbookVersion | None:
    """The latest version whose changes need re-signing (not editorial)."""
    return session.exec(
        select(HandbookVersion)
        .where(HandbookVersion.editorial == False)  # noqa: E712
        .order_by(col(HandbookVersion.id).desc())
        .limit(1)
    ).first()


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
        select(HandbookRule.rule_id, HandbookRule.title).where(HandbookRule.version_id == version.id)
    ).all()
    return Standards(
        label=version.label,
        channels={c.code: Channel(c.code, c.name, Period.parse(c.target)) for c in channels},
        ladder=tuple(
            LadderLevel(level.step, level.name, level.code, Period.parse(level.follow_up) if level.follow_up else None)
            for level in levels
        ),
        look_back=Period.parse(version.look_back),
        grace_period=Period.parse(version.grace_period),
        rule_titles={rule_id: title for rule_id, title in titles},
    )


def publish(
    handbook: Handbook,
    *,
    session: Session,
    actor: str,
    label: str | None = None,
    editorial: bool = False,
    now: datetime | None = None,
) -> HandbookVersion:
    label = (label or handbook.label).strip()
    if label != handbook.label:
        raise InputError(
            "label",
            f"the handbook pages say version {handbook.label} (extra.handbook_version in mkdocs.yml); "
            f"set it to {label} there first so employees read the version they sign",
        )
    if session.exec(select(HandbookVersion.id).where(HandbookVersion.label == label)).first() is not None:
        raise InputError("label", f"version {label} is already published; give the new version a new label")
    previous = latest_version(session)
    if previous is not None and previous.content_hash == handbook.content_hash:
        raise InputError("handbook", f"no rule changed since version {previous.label}; nothing to publish")
    if editorial and previous is None:
        raise InputError("editorial", "the first published version cannot be editorial: everyone must sign it")
    now = now or utcnow()
    version = HandbookVersion(
        label=label,
        content_hash=handbook.content_hash,
        editorial=editorial,
        published_at=now,
        published_on=local_date(now),
        published_by=actor,
        look_back=str(handbook.look_back),
        grace_period=str(handbook.grace_period),
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    for rule in handbook.rules.values():
        session.add(
            HandbookRule(
                version_id=version.id, rule_id=rule.id, title=rule.title, text=rule.text,
                hash=rule.hash, page=rule.page, tags=",".join(rule.tags),
            )
        )
    for channel in handbook.channels.values():
        session.add(
            HandbookChannel(
                version_id=version.id, code=channel.code, name=channel.name,
                target=str(channel.target), target_seconds=channel.target.seconds,
            )
        )
    for level in handbook.ladder:
        session.add(
            HandbookLevel(
                version_id=version.id, code=level.code, step=level.step, name=level.name,
                follow_up=str(level.follow_up) if level.follow_up else None,
                is_final=level is handbook.ladder[-1],
            )
        )
    session.flush()
    after = snapshots.version(version) | {"rules": {rule.id: rule.hash for rule in handbook.rules.values()}}
    audit.append(session, actor=actor, action="handbook.publish", entity="handbook_version", key=label, after=after, at=now)
    return version


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
