"""A realistic, reproducible practice database (``tracker demo``).

Same seed, same data: teams and hire dates, three published handbook versions
(the oldest with an email target of 48 hours and without CON-09, an editorial
one, the current one), sign-offs (some missing, some outdated, a few revoked),
two years of complaints across channels with first-response times that mostly
meet the target and a tail that misses it, rules cited mostly from a few, and
corrective actions that follow the ladder with follow-ups (some overdue).

Complaints go in through the same bulk path as ``tracker complaints import``
(one audit event per batch, covering every complaint in it); everything else
is written as the record-keeping functions write it, with one audit event per
record, so ``tracker audit verify`` passes on a demo database.

All of it is ONE write transaction, the check that the database is empty
included: interrupted or killed at any moment (Ctrl-C, a closed terminal,
SIGKILL, a power cut), the database is as it was, empty, and ``tracker demo``
fills it; never three handbook versions and half the employees that the next
run would refuse as "already holds records". The transaction is large (the
default demo writes about 60,000 rows), which SQLite and PostgreSQL both take
in their stride; readers keep seeing the empty database until it commits.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterator

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.db.engine import write
from tracker.db.models import Complaint, Employee, HandbookVersion, Signoff
from tracker.demo.contacts import add_contacts
from tracker.domain.complaint_rows import ComplaintRecord
from tracker.domain.errors import InputError
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import ActionInput, CloseInput, FollowUpInput, RevokeInput
from tracker.domain.periods import Period
from tracker.domain.signing import meaning_of
from tracker.domain.timeutil import local_date, utcnow
from tracker.records.actions.commands import close_action, issue_action, record_follow_up
from tracker.records.complaints.importing.bulk import BulkLoad
from tracker.records.handbook.commands import publish
from tracker.records.handbook.queries import rules_of, standards
from tracker.records.signoffs.commands import revoke_signoff

Progress = Callable[[str, int, int], None]  # (phase, done, total)

FIRST_NAMES = (
    "Ana",
    "Ben",
    "Chloe",
    "Dmitri",
    "Eva",
    "Farah",
    "Gustav",
    "Hana",
    "Ivan",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Nikolai",
    "Olga",
    "Pieter",
    "Quinn",
    "Rosa",
    "Sipho",
    "Tanja",
    "Uma",
    "Viktor",
    "Wen",
    "Xavier",
    "Yara",
    "Zanele",
    "Aino",
    "Bongani",
    "Carmen",
    "Dara",
    "Elif",
    "Femi",
    "Greta",
    "Hugo",
    "Ines",
    "Janis",
    "Karin",
    "Luca",
    "Mei",
    "Nadia",
    "Oskar",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomas",
    "Ulla",
    "Vera",
    "Willem",
    "Zofia",
)
LAST_NAMES = (
    "Silva",
    "Okafor",
    "Martin",
    "Petrov",
    "Berzina",
    "Nkosi",
    "van der Merwe",
    "Ivanova",
    "Kalnins",
    "Nguyen",
    "Kowalski",
    "Dimitrov",
    "Botha",
    "Lindqvist",
    "Haddad",
    "Rossi",
    "Novak",
    "Jansen",
    "Mokoena",
    "Ozols",
    "Garcia",
    "Smirnova",
    "Dlamini",
    "Fischer",
    "Papadopoulos",
    "Tanaka",
    "Osei",
    "Horvat",
    "Ahmed",
    "Brown",
)
TEAMS = ("Phones – early", "Phones – late", "Live chat", "Email desk", "Social media", "Counter")
CHANNEL_WEIGHTS = {"chat": 35, "phone": 30, "email": 25, "social": 10}
# Most complaints cite a few rules; the rest are spread thin.
RULE_WEIGHTS = {
    "CON-01": 18,
    "SPD-01": 16,
    "CON-05": 12,
    "CON-02": 10,
    "CON-06": 9,
    "CON-04": 7,
    "SPD-05": 5,
    "CON-08": 4,
    "CON-03": 3,
    "CON-07": 3,
    "VAL-02": 2,
    "VAL-03": 2,
    "SPD-02": 2,
    "CMP-02": 1,
}
SUMMARIES = (
    "Argued with the customer about a refund",
    "Did not greet the customer at the counter",
    "Took a personal call while serving a customer",
    "No apology after a failed delivery",
    "Complaint about a billing error was brushed off",
    "Promised call-back never came",
    "Case handed over without notes; customer had to repeat everything",
    "Outage report left unanswered",
    "Rude tone in an email reply",
    "Customer waited too long for a first answer",
    "Chat closed without an answer",
    "Wrong information about opening hours",
    "Ignored a customer in the queue",
    "Social post left unanswered",
)
RESOLUTIONS = (
    "Apologised and refunded",
    "Called back, explained and apologised",
    "Corrected the invoice",
    "Replacement sent; customer satisfied",
    "Explained the policy; customer accepted",
)
DISMISSALS = (
    "Call recording shows the agent was polite",
    "Duplicate of an earlier complaint",
    "Complaint concerned a partner company, passed on",
)

# Typical first-response time (median seconds) per channel, and the share that misses the target.
RESPONSE = {"chat": (45, 0.08), "phone": (50, 0.10), "social": (20 * 60, 0.12), "email": (5 * 3600, 0.07)}


@dataclass(frozen=True)
class DemoSummary:
    employees: int
    versions: int
    signoffs: int
    complaints: int
    actions: int
    contacts: int = 0

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def _older_handbook(current: Handbook) -> Handbook:
    """Version 2025.1 as it read before: email target 48 hours, no CON-09, a shorter CON-05."""
    rules = {rule_id: rule for rule_id, rule in current.rules.items() if rule_id != "CON-09"}
    if "CON-05" in rules:
        first_paragraph = rules["CON-05"].text.split("\n\n")[0]
        rules["CON-05"] = replace(rules["CON-05"], text=first_paragraph)
    if "SPD-01" in rules:
        rules["SPD-01"] = replace(rules["SPD-01"], text=rules["SPD-01"].text.replace("24 hours", "48 hours"))
    channels = dict(current.channels)
    if "email" in channels:
        channels["email"] = replace(channels["email"], target=Period(48, "hours"))
    return replace(current, label="2025.1", rules=rules, channels=channels)


def _editorial_handbook(older: Handbook) -> Handbook:
    rules = dict(older.rules)
    first = sorted(rules)[0]
    rules[first] = replace(
        rules[first], text=rules[first].text + "\n\n(Wording clarified; no change in what is expected.)"
    )
    return replace(older, label="2025.2", rules=rules)


def generate(
    engine: Engine,
    handbook: Handbook,
    *,
    employees: int = 1000,
    complaints: int = 50_000,
    contacts: int = 5_000,
    seed: int = 1,
    actor: str = "demo",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Fill an empty database, all or nothing (one transaction). Refuses one that already holds records."""
    now = now or utcnow()
    today = local_date(now)
    report = progress or (lambda phase, done, total: None)

    def fill(session: Session) -> DemoSummary:
        # Run again from the start if the write is retried (another writer held the lock): same seed, same data.
        rng = random.Random(seed)
        if (
            session.exec(select(Employee.id).limit(1)).first() is not None
            or session.exec(select(HandbookVersion.id).limit(1)).first() is not None
        ):
            raise InputError("database", "already holds records; the demo fills an empty database (use a new --db)")

        # Handbook versions: 2025.1 two years and a month ago, 2025.2 (editorial), the current handbook 40 days ago.
        older = _older_handbook(handbook)
        versions = [
            (older, now - timedelta(days=760), False),
            (_editorial_handbook(older), now - timedelta(days=380), True),
            (handbook, now - timedelta(days=40), False),
        ]
        published = [
            publish(book, session=session, actor=actor, editorial=editorial, now=when)
            for book, when, editorial in versions
        ]
        report("handbook versions", len(published), len(published))

        people = _employees(session, rng, employees, today, actor, now, report)
        signoff_count = _signoffs(session, rng, people, published, today, actor, now, report)
        complaint_count = _complaints(session, rng, people, published, complaints, actor, now, report)
        action_count = _actions(session, rng, people, today, actor, now, report)
        serving = [person.number for person in people if person.active]
        contact_count = add_contacts(session, rng, serving, contacts, list(handbook.channels), actor, now)
        report("contacts", contact_count, contacts)
        return DemoSummary(len(people), len(published), signoff_count, complaint_count, action_count, contact_count)

    return write(engine, fill)


@dataclass
class _Person:
    id: int
    number: str
    name: str
    hire_date: date
    active: bool


def _employees(
    session: Session, rng: random.Random, count: int, today: date, actor: str, now: datetime, report: Progress
) -> list[_Person]:
    rows: list[Employee] = []
    for index in range(count):
        # Most staff have been here for years; some joined in the last weeks (still in their grace period).
        days = rng.randint(0, 25) if rng.random() < 0.06 else int(rng.triangular(30, 8 * 365, 400))
        rows.append(
            Employee(
                number=f"E-{10001 + index}",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                team=rng.choice(TEAMS),
                hire_date=today - timedelta(days=days),
                active=rng.random() > 0.04,
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
                revision=1,
            )
        )

    session.add_all(rows)
    session.flush()
    for employee in rows:
        audit.append(
            session,
            actor=actor,
            action="employee.add",
            entity="employee",
            key=employee.number,
            after=snapshots.employee(employee),
            at=now,
        )
    people = [_Person(e.id or 0, e.number, e.name, e.hire_date, e.active) for e in rows]
    report("employees", len(people), count)
    return people


def _signoffs(
    session: Session,
    rng: random.Random,
    people: list[_Person],
    versions: list[HandbookVersion],
    today: date,
    actor: str,
    now: datetime,
    report: Progress,
) -> int:
    first, _, current = versions
    records: list[tuple[_Person, HandbookVersion, date, str]] = []
    revoke: list[int] = []
    for person in people:
        if not person.active:
            continue  # leavers' old sign-offs are not part of the practice data (the database refuses them now)
        # Version 2025.1: almost everyone employed then signed it.
        if person.hire_date <= first.published_on + timedelta(days=300) and rng.random() < 0.95:
            start = max(person.hire_date, first.published_on)
            records.append(
                (
                    person,
                    first,
                    min(start + timedelta(days=rng.randint(0, 20)), today),
                    rng.choice(("paper", "terminal")),
                )
            )
        if not person.active:
            continue
        # The current version: most signed within the grace period, some late, some not yet.
        start = max(person.hire_date, current.published_on)
        chance = 0.55 if person.hire_date > today - timedelta(days=20) else 0.86
        if rng.random() < chance:
            signed = start + timedelta(days=int(rng.expovariate(1 / 6)))
            if signed <= today:
                records.append((person, current, signed, rng.choice(("paper", "paper", "terminal"))))
                if rng.random() < 0.004:
                    revoke.append(len(records) - 1)

    rows = [
        # Recorded by the supervisor a day or two after the form was signed (never in the future).
        Signoff(
            employee_id=p.id,
            version_id=v.id or 0,
            signed_on=d,
            method=m,
            filing_ref=f"Personnel file {p.number}" if m == "paper" else None,
            printed_name=p.name,
            meaning=meaning_of(v.label),
            recorded_by=actor,
            recorded_at=min(
                now,
                datetime.combine(d, datetime.min.time(), tzinfo=timezone.utc)
                + timedelta(days=d.toordinal() % 3, hours=9 + d.toordinal() % 8),
            ),
            recorded_on=min(today, d + timedelta(days=d.toordinal() % 3)),
        )
        for p, v, d, m in records
    ]
    session.add_all(rows)
    session.flush()
    for (person, version, _, _), row in zip(records, rows):
        audit.append(
            session,
            actor=actor,
            action="signoff.record",
            entity="signoff",
            key=str(row.id),
            after=snapshots.signoff(row, person.number, version.label),
            at=now,
        )
    for index in revoke:
        reason = RevokeInput(reason="Signed an out-of-date printout; asked to sign the current form again")
        revoke_signoff(rows[index].id or 0, reason, session=session, actor=actor, now=now)

    count = len(rows)
    report("sign-offs", count, count)
    return count


def _cumulative(weights: dict[str, int]) -> tuple[list[str], list[float]]:
    return list(weights), list(itertools.accumulate(weights.values()))


def complaint_records(
    rng: random.Random,
    people: list[_Person],
    start: datetime,
    end: datetime,
    count: int,
    rules: list[str],
    targets: dict[str, int],
    now: datetime,
) -> Iterator[ComplaintRecord]:
    """``count`` complaints received between ``start`` and ``end``, oldest first.

    A generator: records are made (in the bulk loader's child process) while it inserts
    the previous batch.
    """
    # A few employees draw many complaints (a long tail), most draw few. Cumulative
    # weights make each draw a binary search instead of a pass over every employee.
    people_weights = list(itertools.accumulate(rng.paretovariate(1.6) for _ in people))
    channels, channel_weights = _cumulative(CHANNEL_WEIGHTS)
    cited, cited_weights = _cumulative({rule: weight for rule, weight in RULE_WEIGHTS.items() if rule in rules})
    severities, severity_weights = _cumulative({"low": 3, "medium": 6, "high": 1})
    span = (end - start).total_seconds()
    moments = []
    for _ in range(count):
        received = start + timedelta(seconds=int(rng.random() * span))
        if received.weekday() >= 5 and rng.random() < 0.5:  # quieter weekends
            received -= timedelta(days=2)
        moments.append(max(received, start))
    moments.sort()
    for received in moments:
        channel = rng.choices(channels, cum_weights=channel_weights)[0]
        median, miss_share = RESPONSE[channel]
        target = targets[channel]
        if rng.random() < miss_share:
            seconds = target * rng.uniform(1.05, 4.0)
        else:
            seconds = min(rng.lognormvariate(0, 0.6) * median, target * 0.98)
        first: datetime | None = received + timedelta(seconds=int(seconds) + 1)
        if first is not None and first > now:
            first, status = None, "received"
        elif (now - received).days > 30:
            status = "resolved" if rng.random() < 0.86 else "dismissed"
        else:
            status = rng.choice(("acknowledged", "investigating", "resolved", "resolved"))
        person = rng.choices(people, cum_weights=people_weights)[0] if rng.random() < 0.85 else None
        draw = rng.random()
        picked = [] if draw < 0.15 else [rng.choices(cited, cum_weights=cited_weights)[0]]
        if draw > 0.85:
            picked.append(rng.choices(cited, cum_weights=cited_weights)[0])
        yield ComplaintRecord(
            ref=None,
            received_at=received,
            channel=channel,
            target_seconds=target,
            summary=rng.choice(SUMMARIES),
            employee_id=person.id if person else None,
            employee_number=person.number if person else None,
            rule_ids=tuple(dict.fromkeys(picked)),
            severity=rng.choices(severities, cum_weights=severity_weights)[0],
            urgent=rng.random() < 0.02,
            customer_name=None,
            customer_contact=None,
            first_response_at=first,
            status=status,
            resolution=rng.choice(RESOLUTIONS) if status == "resolved" else None,
            dismissal_reason=rng.choice(DISMISSALS) if status == "dismissed" else None,
            closed_at=None,
        )


def _complaints(
    session: Session,
    rng: random.Random,
    people: list[_Person],
    versions: list[HandbookVersion],
    total: int,
    actor: str,
    now: datetime,
    report: Progress,
) -> int:
    """Two years of complaints, each period checked against the version in force
    then, written in batches of 100,000 through the bulk import path."""
    start = now - timedelta(days=730)
    current = versions[2]
    first_share = round(total * (current.published_at - start).total_seconds() / (now - start).total_seconds())
    periods = [
        (versions[0], start, current.published_at, first_share),
        (current, current.published_at, now, total - first_share),
    ]
    done = 0
    for version, begin, end, count in periods:
        rules = [rule.rule_id for rule in rules_of(session, version.id or 0) if rule.citable]
        targets = {code: channel.target.seconds for code, channel in standards(session, version).channels.items()}
        slices = max(1, -(-count // 100_000))
        for index in range(slices):
            size = count // slices + (1 if index < count % slices else 0)
            if size == 0:
                continue
            slice_start, slice_end = (
                begin + (end - begin) * index / slices,
                begin + (end - begin) * (index + 1) / slices,
            )

            slice_rng = random.Random(rng.getrandbits(64))  # drawn here: the records are made in a child process

            def items(
                slice_rng: random.Random = slice_rng,
                slice_start: datetime = slice_start,
                slice_end: datetime = slice_end,
                size: int = size,
            ) -> Iterator[tuple[int, ComplaintRecord]]:
                records = complaint_records(slice_rng, people, slice_start, slice_end, size, rules, targets, now)
                return enumerate(records, start=1)

            bulk = BulkLoad(session, actor=actor, now=now, version_id=version.id or 0)
            done += bulk.run(items, source=f"demo data for {version.label}", sha256="0" * 64).rows
            report("complaints", done, total)
    return done


def _actions(
    session: Session,
    rng: random.Random,
    people: list[_Person],
    today: date,
    actor: str,
    now: datetime,
    report: Progress,
) -> int:
    """Corrective actions for the employees with the most complaints, climbing the ladder."""
    ranked = session.exec(
        select(col(Complaint.employee_id), func.count())
        .where(col(Complaint.employee_id).is_not(None), col(Complaint.received_at) >= now - timedelta(days=300))
        .group_by(col(Complaint.employee_id))
        .order_by(func.count().desc(), col(Complaint.employee_id))
        .limit(max(3, len(people) // 40))
    ).all()
    by_id = {p.id: p for p in people}
    count = 0
    for employee_id, _ in ranked:
        person = by_id.get(employee_id or 0)
        if person is None or not person.active:
            continue
        issued = today - timedelta(days=rng.randint(20, 280))
        if issued < person.hire_date:
            continue
        for _step in range(rng.choice((1, 1, 1, 2, 2, 3))):
            data = ActionInput(
                employee_number=person.number,
                expectations="Follow CON-01 and SPD-01: no arguing, "
                "answer within the channel target; review calls weekly with the team lead",
                issued_on=issued,
                rule_ids=("CON-01",),
            )
            try:
                with session.begin_nested():  # a refused step (the ladder says no) leaves nothing of itself
                    action = issue_action(data, session=session, actor=actor, now=now, today=issued)
            except InputError:
                break
            count += 1
            if action.follow_up_due is None or action.follow_up_due > today:
                break  # not due yet: stays open
            if rng.random() < 0.25:
                break  # follow-up overdue: left open on purpose
            held = action.follow_up_due
            improved = rng.random() < 0.6
            follow_up = FollowUpInput(
                held_on=held,
                outcome="improved" if improved else "not_improved",
                notes="Reviewed five calls together" if improved else "Two more complaints since",
            )
            record_follow_up(action.id or 0, follow_up, session=session, actor=actor, now=now)
            if improved:
                closing = CloseInput(
                    closed_on=held, effectiveness_check="No complaint citing these rules since; call reviews fine"
                )
                close_action(action.id or 0, closing, session=session, actor=actor, now=now)
                break
            issued = held + timedelta(days=1)
            if issued > today:
                break
            # Not improved: the action is closed as not effective, and the next step is issued.
            closing = CloseInput(
                closed_on=held,
                effectiveness_check="Not effective: complaints continued; escalated to the next step of the ladder",
            )
            close_action(action.id or 0, closing, session=session, actor=actor, now=now)
    report("corrective actions", count, count)
    return count
