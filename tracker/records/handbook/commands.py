"""Published handbook versions: the exact text each sign-off refers to.

Publishing copies every rule (ID, title, text, hash), every channel target and
every ladder level into append-only tables. From then on records are checked
against that snapshot, never against the Markdown, so later edits to the files
cannot change what an old sign-off or complaint points at.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.db.models import HandbookChannel, HandbookLevel, HandbookRule, HandbookService, HandbookVersion
from tracker.domain.errors import InputError
from tracker.domain.handbook import service_record
from tracker.domain.handbook.model import Handbook
from tracker.domain.timeutil import local_date, utcnow
from tracker.records.handbook.queries import latest_version


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
    rows: list[HandbookRule | HandbookChannel | HandbookLevel] = []
    for rule in handbook.rules.values():
        rows.append(
            HandbookRule(
                version_id=version.id,
                rule_id=rule.id,
                title=rule.title,
                text=rule.text,
                hash=rule.hash,
                page=rule.page,
                tags=",".join(rule.tags),
                citable=rule.citable,
            )
        )
    for channel in handbook.channels.values():
        rows.append(
            HandbookChannel(
                version_id=version.id,
                code=channel.code,
                name=channel.name,
                target=str(channel.target),
                target_seconds=channel.target.seconds,
            )
        )
    for level in handbook.ladder:
        rows.append(
            HandbookLevel(
                version_id=version.id,
                code=level.code,
                step=level.step,
                name=level.name,
                follow_up=str(level.follow_up) if level.follow_up else None,
                is_final=level is handbook.ladder[-1],
            )
        )
    session.add_all(rows)
    session.flush()
    service = HandbookService(
        version_id=version.id,
        standards=service_record.to_json(handbook),
    )
    session.add(service)
    session.flush()
    after = snapshots.published_version(
        version,
        [r for r in rows if isinstance(r, HandbookRule)],
        [c for c in rows if isinstance(c, HandbookChannel)],
        [lv for lv in rows if isinstance(lv, HandbookLevel)],
        service,
    )
    audit.append(
        session, actor=actor, action="handbook.publish", entity="handbook_version", key=label, after=after, at=now
    )
    return version
