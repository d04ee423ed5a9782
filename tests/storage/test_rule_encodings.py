"""Each rule the tracker enforces in SQL agrees with its one definition, on generated data.

"Covered by a sign-off" (``records.signoffs.sql``) is read through the ORM lists,
the driver-level compliance figures, the pending lists and the employee's
standing, and the database's own trigger refuses a second valid sign-off of a
version exactly when one exists. The follow-up state of an action
(``domain.action_flow``) and its SQL twin (``records.actions.sql``) put the same
actions in the same state on every day. Both on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, read, write
from tests.domain.editing import edited_handbook
from tests.storage.conftest import add
from tracker.db.raw import of_session
from tracker.domain.action_flow import LISTS, FollowUpState, follow_up_state
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import RevokeInput, SignoffInput
from tracker.domain.periods import Period
from tracker.records.actions import sql as action_sql
from tracker.records.actions.queries import list_actions
from tracker.records.employees.queries import EmployeeFilter
from tracker.records.handbook.commands import publish
from tracker.records.handbook.sql import material_version
from tracker.records.signoffs import sql as signoff_sql
from tracker.records.signoffs.commands import record_signoff, revoke_signoff
from tracker.records.signoffs.queries import count_by_standing, employee_rows, pending_page, signoff_standing
from tracker.reporting.compliance import compliance_by_team
from tracker.reporting.paging import every_page

DAY = timedelta(days=1)
START = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


def _versions(engine: Engine, handbook: Handbook, tmp_path: Path, editorial: list[bool]) -> list[int]:
    """Publish the real handbook, then one edited copy per entry of ``editorial``, a week apart."""
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=START))
    for index, is_editorial in enumerate(editorial, start=2):
        label = f"2099.{index}"  # after the real handbook's label
        edits = [
            (
                "conduct.md",
                "Never argue with a customer {#CON-01}\n",
                "Never argue with a customer {#CON-01}\n\n" + "Stay calm. " * index + "\n",
            )
        ]
        copy = edited_handbook(tmp_path / label, label, edits)
        write(
            engine,
            lambda s, c=copy, e=is_editorial, i=index: publish(
                c, session=s, actor=ACTOR, editorial=e, now=START + (i - 1) * 7 * DAY
            ),
        )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT id FROM handbook_version ORDER BY id"))]


def _signoffs(engine: Engine, rng: random.Random, numbers: list[str], labels: list[str]) -> None:
    """Random sign-offs of random versions, some revoked, some re-signed after a revocation."""
    now = START + 60 * DAY
    for number in numbers:
        for label in rng.sample(labels, rng.randint(0, len(labels))):
            data = SignoffInput(
                employee_number=number, version_label=label, signed_on=(START + 30 * DAY).date(), method="terminal"
            )
            signoff = write(engine, lambda s, d=data: record_signoff(d, session=s, actor=ACTOR, now=now))
            if rng.random() < 0.3:
                write(
                    engine,
                    lambda s, i=signoff.id: revoke_signoff(
                        i, RevokeInput(reason="signed the wrong page"), session=s, actor=ACTOR, now=now
                    ),
                )
                if rng.random() < 0.5:
                    write(engine, lambda s, d=data: record_signoff(d, session=s, actor=ACTOR, now=now))


def _covered_in_python(engine: Engine, material_id: int) -> set[str]:
    """The definition, applied to the rows themselves: a valid sign-off of the material version or a later one."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT e.number, s.version_id, r.id FROM signoff s JOIN employee e ON e.id = s.employee_id "
                "LEFT JOIN signoff_revocation r ON r.signoff_id = s.id"
            )
        ).all()
    return {number for number, version_id, revoked in rows if revoked is None and version_id >= material_id}


@pytest.mark.parametrize("seed", [1, 2])
def test_every_encoding_of_a_covering_signoff_gives_the_same_employees(
    engine: Engine, handbook: Handbook, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    # Seed 1: the last version is editorial (covered by a sign-off of the one before it, or of it);
    # seed 2: the last is material.
    version_ids = _versions(engine, handbook, tmp_path, [False, True] if seed == 1 else [True, False])
    labels = [handbook.label] + [f"2099.{i}" for i in range(2, len(version_ids) + 1)]
    numbers = [f"E-{i}" for i in range(1, 41)]
    for number in numbers:
        add(engine, number, team=rng.choice(["Desk", "Phone", "Chat"]), hire_date="2025-06-01")
    _signoffs(engine, rng, numbers, labels)
    leavers = rng.sample(numbers, 5)
    with engine.begin() as connection:
        for number in leavers:
            connection.execute(text("UPDATE employee SET active = false WHERE number = :n"), {"n": number})
    active = set(numbers) - set(leavers)

    with read(engine) as session:
        material = material_version(session)
        assert material is not None
        expected = _covered_in_python(engine, material.id)
        assert 0 < len(expected & active) < len(active), "the generated data must have both kinds"
        everyone = EmployeeFilter(active=None)

        listed = {r.employee.number for r in employee_rows(session, everyone, signoff="signed", limit=1000)}
        assert listed == expected
        flags = {r.employee.number: r.signed_current for r in employee_rows(session, everyone, limit=1000)}
        assert {n for n, signed in flags.items() if signed} == expected
        assert count_by_standing(session, everyone, signoff="signed") == len(expected)
        assert count_by_standing(session, everyone, signoff="pending") == len(numbers) - len(expected)

        teams = compliance_by_team(of_session(session), material)
        assert sum(team.signed for team in teams) == len(expected & active)
        overdue, in_grace = signoff_sql.pending_split(
            of_session(session), material, Period(14, "days"), date(2026, 6, 1)
        )
        assert overdue + in_grace == len(active - expected)
        pending = {
            row.number
            for row in every_page(
                lambda after, n: pending_page(session, after=after, limit=n, today=date(2026, 6, 1)), lambda r: r.cursor
            )
        }
        assert pending == active - expected
        for number in numbers:
            assert signoff_standing(session, number).up_to_date == (number in expected), number

    # The trigger's "already has a valid sign-off of this version": refused exactly when one exists.
    with engine.connect() as connection:
        valid_pairs = {
            (number, version_id)
            for number, version_id in connection.execute(
                text(
                    "SELECT e.number, s.version_id FROM signoff s JOIN employee e ON e.id = s.employee_id "
                    f"WHERE {signoff_sql.valid('s')}"
                )
            )
        }
    for number in sorted(active)[:12]:
        for version_id in version_ids:
            with engine.connect() as connection:
                transaction = connection.begin()
                try:
                    connection.execute(
                        text(
                            "INSERT INTO signoff (employee_id, version_id, signed_on, method, printed_name, meaning, "
                            "recorded_by, recorded_at, recorded_on) SELECT id, :v, '2026-03-01', 'terminal', name, 'm', "
                            "'t', '2026-03-01 10:00:00', '2026-03-01' FROM employee WHERE number = :n"
                        ),
                        {"v": version_id, "n": number},
                    )
                    refused = False
                except Exception as exc:  # noqa: BLE001 - the driver's IntegrityError / OperationalError
                    assert "already has a valid sign-off" in str(exc)
                    refused = True
                finally:
                    transaction.rollback()
            assert refused == ((number, version_id) in valid_pairs), (number, version_id)


def _generated_actions(engine: Engine, rng: random.Random, count: int) -> None:
    """Actions in every state, written straight into the table (the rule reads rows, however they came)."""
    add(engine, "E-1")
    with engine.begin() as connection:
        employee_id = connection.execute(text("SELECT id FROM employee WHERE number = 'E-1'")).scalar_one()
        (version_id,) = connection.execute(text("SELECT MAX(id) FROM handbook_version")).one()
        levels = connection.execute(
            text("SELECT code, step, follow_up IS NULL FROM handbook_level WHERE version_id = :v ORDER BY step"),
            {"v": version_id},
        ).all()
        for _ in range(count):
            code, step, final = rng.choice(levels)
            issued = date(2026, 3, 1) + rng.randint(0, 60) * DAY
            due = None if final else issued + rng.randint(1, 70) * DAY
            closed = rng.random() < 0.25
            connection.execute(
                text(
                    "INSERT INTO corrective_action (employee_id, version_id, level, step, is_final, expectations, "
                    "issued_on, issued_by, follow_up_due, follow_up_done, suggested_level, suggestion_reason, status, "
                    "closed_on, effectiveness_check, created_at, updated_at, updated_by, revision) VALUES "
                    "(:e, :v, :code, :step, :final, 'Do better', :issued, 't', :due, :done, :code, 'r', :status, "
                    ":closed_on, :check, '2026-03-01 10:00:00', '2026-03-01 10:00:00', 't', 1)"
                ),
                {
                    "e": employee_id,
                    "v": version_id,
                    "code": code,
                    "step": step,
                    "final": bool(final),
                    "issued": issued,
                    "due": due,
                    "done": due is not None and rng.random() < 0.3,
                    "status": "closed" if closed else "open",
                    "closed_on": issued + DAY if closed else None,
                    "check": "No complaints since" if closed else None,
                },
            )


def test_the_follow_up_state_and_its_sql_twin_agree(published: Engine) -> None:
    rng = random.Random(7)
    _generated_actions(published, rng, 80)
    with published.connect() as connection:
        actions = connection.execute(
            text("SELECT id, status, follow_up_due, follow_up_done FROM corrective_action")
        ).all()
    # Days around the due dates, across week ends (Sunday / Monday) and month ends.
    days = sorted(
        {date(2026, 3, 1) + rng.randint(0, 140) * DAY for _ in range(10)}
        | {date(2026, 4, 5), date(2026, 4, 6), date(2026, 4, 30)}
    )
    with read(published) as session:
        raw = of_session(session)
        for day in days:
            python = {state: set() for state in FollowUpState}
            for action_id, status, due, done in actions:
                due = due if isinstance(due, date) or due is None else date.fromisoformat(str(due)[:10])
                python[follow_up_state(status, due, bool(done), day)].add(action_id)
            for state, predicate in action_sql.STATE.items():
                found = {
                    row[0]
                    for row in raw.rows(
                        f"SELECT id FROM corrective_action WHERE {predicate}", **action_sql.params(predicate, day)
                    )
                }
                assert found == python[state], (day, state)
            for name, states in LISTS.items():
                wanted = set().union(*(python[s] for s in states)) if states else {a[0] for a in actions}
                listed = {
                    row.id
                    for row in every_page(
                        lambda after, n, name=name: list_actions(session, state=name, today=day, after=after, limit=n),
                        lambda row: row,
                    )
                }
                assert listed == wanted, (day, name)
    exercised = {
        follow_up_state(s, d if isinstance(d, date) or d is None else date.fromisoformat(str(d)[:10]), bool(done), day)
        for _, s, d, done in actions
        for day in days
    }
    assert exercised == set(FollowUpState), "the generated actions cover every state"
