"""The forgery catalogue: every raw-SQL edit someone with the database file (SQLite) or a
login (PostgreSQL) would try, table by table. Each is refused by the database, or, once
the intruder has dropped every trigger, reported by ``audit verify`` naming the record.

The intruder works on their own connection, with none of the tracker's settings: a plain
``sqlite3`` connection (foreign keys off, recursive triggers off) or a plain PostgreSQL
session. ``python -m pytest tests/storage/test_forgery.py -v`` lists the catalogue.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.conftest import ACTOR, read
from tracker.audit import chain as audit
from tracker.audit.integrity import verify_records
from tracker.cli.audit import SCHEMA_ALTERED, schema_problems
from tracker.db import triggers
from tracker.db.engine import sqlite_path
from tracker.db.models import AuditEvent
from tracker.domain.errors import TrackerError
from tracker.maintenance.backup import recount


@dataclass(frozen=True)
class Attack:
    name: str
    sqlite: str
    postgres: str  # the same attack in PostgreSQL's words ("" where it is the same SQL)
    refusal: tuple[str, ...] = ("append-only", "audit_event")  # words one of which the refusal says

    def sql(self, dialect: str) -> str:
        return self.postgres or self.sqlite if dialect == "postgresql" else self.sqlite


def _replace(
    name: str, table: str, key: str, columns: str, forged: str, where: str, refusal: tuple[str, ...] = ("append-only",)
) -> Attack:
    """An INSERT OR REPLACE (SQLite) / an upsert (PostgreSQL) of a kept row, one column forged:
    ``forged`` selects the row's columns with the forged one written ``value AS column``."""
    column = forged.split(" AS ")[1].split(",")[0].strip()
    select = f"SELECT {forged} FROM {table} WHERE {where}"
    return Attack(
        name,
        f"INSERT OR REPLACE INTO {table} ({columns}) {select}",
        f"INSERT INTO {table} ({columns}) {select} ON CONFLICT ({key}) DO UPDATE SET {column} = excluded.{column}",
        refusal,
    )


COMPLAINT_COLUMNS = (
    "ref, received_at, version_id, channel, target_seconds, customer_name, customer_contact, employee_id, summary, "
    "severity, urgent, status, first_response_at, first_response_seconds, resolution, dismissal_reason, closed_at, "
    "import_seq, created_at, created_by, updated_at, updated_by, revision"
)
FORGED_COMPLAINT = COMPLAINT_COLUMNS.replace("ref,", "'C-2026-99999',", 1)
RULE_COLUMNS = "version_id, rule_id, title, text, hash, page, tags"
CHANNEL_COLUMNS = "version_id, code, name, target, target_seconds"
LEVEL_COLUMNS = "version_id, code, step, name, follow_up, is_final"
EVENT_COLUMNS = "seq, at, actor, action, entity, entity_key, before, after, prev_hash, hash"
SIGNOFF_COLUMNS = (
    "id, employee_id, version_id, signed_on, method, filing_ref, printed_name, meaning, recorded_by, "
    "recorded_at, recorded_on"
)

# Append-only tables: the database refuses, whoever asks.
REFUSED: tuple[Attack, ...] = (
    Attack("audit_event: UPDATE", "UPDATE audit_event SET after = '{}' WHERE seq = 3", ""),
    Attack("audit_event: DELETE", "DELETE FROM audit_event WHERE seq = (SELECT MAX(seq) FROM audit_event)", ""),
    _replace(
        "audit_event: REPLACE / upsert",
        "audit_event",
        "seq",
        EVENT_COLUMNS,
        "seq, at, actor, action, entity, entity_key, before, '{}' AS after, prev_hash, hash",
        "seq = 3",
        ("append-only", "audit_event"),
    ),
    Attack(
        "audit_event: shadow row (seq 0)",
        "INSERT INTO audit_event (" + EVENT_COLUMNS + ") SELECT 0, at, actor, action, entity, entity_key, before, "
        "after, 'x' || substr(prev_hash, 2), 'y' || substr(hash, 2) FROM audit_event WHERE seq = 3",
        "",
    ),
    Attack(
        "audit_event: duplicate row",
        "INSERT INTO audit_event (" + EVENT_COLUMNS + ") SELECT (SELECT MAX(seq) FROM audit_event) + 1, at, actor, "
        "action, entity, entity_key, before, after, prev_hash, 'z' || substr(hash, 2) FROM audit_event WHERE seq = 3",
        "",
    ),
    Attack("signoff: UPDATE", "UPDATE signoff SET signed_on = '2020-01-01' WHERE id = 1", ""),
    Attack("signoff: DELETE", "DELETE FROM signoff WHERE id = 1", ""),
    _replace(
        "signoff: REPLACE / upsert",
        "signoff",
        "id",
        SIGNOFF_COLUMNS,
        "id, employee_id, version_id, signed_on, 'paper' AS method, 'forged', printed_name, meaning, recorded_by, "
        "recorded_at, recorded_on",
        "id = 1",
        ("append-only", "already has a valid sign-off"),  # the sign-off check fires first on PostgreSQL
    ),
    Attack("signoff_revocation: DELETE", "DELETE FROM signoff_revocation", ""),
    _replace(
        "signoff_revocation: REPLACE / upsert",
        "signoff_revocation",
        "id",
        "id, signoff_id, reason, revoked_by, revoked_at",
        "id, signoff_id, 'no reason' AS reason, revoked_by, revoked_at",
        "id = 1",
    ),
    Attack("handbook_version: UPDATE", "UPDATE handbook_version SET grace_period = '999 days'", ""),
    _replace(
        "handbook_version: REPLACE / upsert",
        "handbook_version",
        "id",
        "id, label, content_hash, editorial, published_at, published_on, published_by, look_back, grace_period",
        "id, label, content_hash, editorial, published_at, published_on, published_by, look_back, "
        "'999 days' AS grace_period",
        "id = 1",
    ),
    Attack(
        "handbook_rule: UPDATE",
        "UPDATE handbook_rule SET text = 'Arguing with a customer is permitted.' WHERE rule_id = 'CON-01'",
        "",
    ),
    _replace(
        "handbook_rule: REPLACE / upsert",
        "handbook_rule",
        "version_id, rule_id",
        RULE_COLUMNS,
        "version_id, rule_id, title, 'Arguing with a customer is permitted.' AS text, hash, page, tags",
        "rule_id = 'CON-01'",
    ),
    _replace(
        "handbook_channel: REPLACE / upsert",
        "handbook_channel",
        "version_id, code",
        CHANNEL_COLUMNS,
        "version_id, code, name, target, 2592000 AS target_seconds",
        "code = 'email'",
    ),
    _replace(
        "handbook_level: REPLACE / upsert",
        "handbook_level",
        "version_id, code",
        LEVEL_COLUMNS,
        "version_id, code, 1 AS step, name, follow_up, is_final",
        "code = 'dismissal'",
    ),
    Attack("complaint_reply: DELETE", "DELETE FROM complaint_reply WHERE id = 2", ""),
    _replace(
        "complaint_reply: REPLACE / upsert",
        "complaint_reply",
        "id",
        "id, complaint_id, replied_at, automatic, note, recorded_by, recorded_at",
        "id, complaint_id, replied_at, automatic, 'forged' AS note, recorded_by, recorded_at",
        "id = 2",
    ),
    Attack("handbook_service: UPDATE", "UPDATE handbook_service SET standards = '{}'", ""),
    Attack("handbook_service: DELETE", "DELETE FROM handbook_service", ""),
    _replace(
        "handbook_service: REPLACE / upsert",
        "handbook_service",
        "version_id",
        "version_id, standards",
        "version_id, '{}' AS standards",
        "version_id = 1",
    ),
    Attack("follow_up: UPDATE", "UPDATE follow_up SET outcome = 'not_improved'", ""),
    _replace(
        "follow_up: REPLACE / upsert",
        "follow_up",
        "id",
        "id, action_id, held_on, outcome, notes, new_due_date, recorded_by, recorded_at",
        "id, action_id, held_on, outcome, 'forged' AS notes, new_due_date, recorded_by, recorded_at",
        "id = 1",
    ),
)


def intruder(engine: Engine) -> Callable[[str], None]:
    """Run SQL as someone bypassing the tracker: their own connection, their own settings."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))

    def run(sql: str) -> None:
        if path is not None:
            connection = sqlite3.connect(path, isolation_level=None)
            try:
                connection.execute("PRAGMA ignore_check_constraints = ON")  # the intruder's own pragma
                connection.execute(sql)
            finally:
                connection.close()
        else:
            with engine.begin() as session:
                session.exec_driver_sql(sql)

    return run


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    tables = (
        "audit_event",
        "signoff",
        "signoff_revocation",
        "handbook_version",
        "handbook_rule",
        "handbook_channel",
        "handbook_level",
        "complaint_reply",
        "follow_up",
    )
    with engine.connect() as connection:
        return {t: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))] for t in tables}


@pytest.mark.parametrize("attack", REFUSED, ids=lambda a: a.name)
def test_the_database_refuses(worked: Engine, attack: Attack) -> None:
    before = snapshot(worked)
    with pytest.raises(Exception) as caught:
        intruder(worked)(attack.sql(worked.dialect.name))
    assert any(word in str(caught.value) for word in attack.refusal), caught.value
    assert snapshot(worked) == before, "a refused attack changed nothing"
    with read(worked) as session:
        assert audit.verify_chain(session).ok and verify_records(session) == []


def drop_triggers(engine: Engine) -> None:
    with engine.begin() as connection:
        dialect = engine.dialect.name
        for statement in (
            triggers.drop_chain_statements(dialect)
            + triggers.drop_statements(dialect)
            + triggers.drop_service_statements(dialect)
        ):
            connection.exec_driver_sql(statement)


@dataclass(frozen=True)
class Forgery:
    name: str
    sql: tuple[str, ...]
    reported: str  # what verify says (a part of the message)
    kept_head: bool = False  # needs the head kept outside the database (--expect-head)
    postgres_first: tuple[str, ...] = ()  # what else the intruder must drop on PostgreSQL (SQLite ignores CHECKs)


# With every trigger dropped: the trail or the cross-check reports each forgery.
REPORTED: tuple[Forgery, ...] = (
    Forgery(
        "shadow audit row (seq 0) and a forged complaint",
        (
            f"INSERT INTO complaint ({COMPLAINT_COLUMNS}) SELECT {FORGED_COMPLAINT} FROM complaint",
            "UPDATE complaint_day SET received = received + 1",
            "INSERT INTO audit_event (" + EVENT_COLUMNS + ") SELECT 0, at, actor, action, entity, 'C-2026-99999', "
            "before, after, 'x' || substr(prev_hash, 2), 'y' || substr(hash, 2) FROM audit_event "
            "WHERE entity = 'complaint' AND action = 'complaint.log'",
        ),
        "is not on the chain",
        postgres_first=("ALTER TABLE audit_event DROP CONSTRAINT ck_audit_event_seq_positive",),
    ),
    Forgery(
        "handbook_rule: text rewritten",
        ("UPDATE handbook_rule SET text = 'Arguing with a customer is permitted.' WHERE rule_id = 'CON-01'",),
        "handbook version 2026.2 differs",
    ),
    Forgery(
        "handbook_rule: text and its hash column rewritten",
        ("UPDATE handbook_rule SET text = 'Arguing is permitted.', hash = 'f' WHERE rule_id = 'CON-01'",),
        "handbook version 2026.2 differs",
    ),
    Forgery(
        "handbook_service: a chat's clock switched to the calendar",
        (
            'UPDATE handbook_service SET standards = replace(standards, \'"clock":"opening hours"\', \'"clock":"calendar"\')',
        ),
        "handbook version 2026.2 differs",
    ),
    Forgery(
        "handbook_channel: email target 30 days",
        ("UPDATE handbook_channel SET target_seconds = 2592000, target = '30 days' WHERE code = 'email'",),
        "handbook version 2026.2 differs",
    ),
    Forgery(
        "handbook_level: a follow-up period stretched",
        ("UPDATE handbook_level SET follow_up = '99 months' WHERE code = 'verbal'",),
        "handbook version 2026.2 differs",
    ),
    Forgery(
        "handbook_version: grace period",
        ("UPDATE handbook_version SET grace_period = '999 days'",),
        "handbook version 2026.2 differs",
    ),
    Forgery(
        "signoff: date rewritten", ("UPDATE signoff SET signed_on = '2020-01-01' WHERE id = 1",), "sign-off 1 differs"
    ),
    Forgery("signoff: deleted", ("DELETE FROM signoff WHERE id = 2",), "sign-off 2 is in the audit trail but missing"),
    Forgery(
        "signoff_revocation: deleted",
        ("DELETE FROM signoff_revocation",),
        "sign-off revocation 1 is in the audit trail",
    ),
    Forgery(
        "complaint: summary rewritten",
        ("UPDATE complaint SET summary = 'Nothing happened'",),
        "differs from its last audited",
    ),
    Forgery(
        "complaint: first-response time rewritten",
        ("UPDATE complaint SET first_response_seconds = 1",),
        "stored first-response time no longer follows",
    ),
    Forgery("complaint_rule: a cited rule removed", ("DELETE FROM complaint_rule",), "differs from its last audited"),
    Forgery(
        "complaint_reply: deleted",
        ("DELETE FROM complaint_reply WHERE id = 2",),
        "complaint reply 2 is in the audit trail",
    ),
    Forgery(
        "corrective_action: expectations rewritten",
        ("UPDATE corrective_action SET expectations = 'None set'",),
        "corrective action 1 differs",
    ),
    Forgery("action_rule: a breached rule removed", ("DELETE FROM action_rule",), "corrective action 1 differs"),
    Forgery(
        "follow_up: outcome rewritten",
        ("UPDATE follow_up SET outcome = 'more_time', new_due_date = '2099-01-01'",),
        "follow-up 1 differs",
    ),
    Forgery(
        "employee: team rewritten",
        ("UPDATE employee SET team = 'Night shift' WHERE number = 'E-2'",),
        "employee E-2 differs",
    ),
    Forgery(
        "employee: inserted",
        (
            "INSERT INTO employee (number, name, team, hire_date, active, created_at, created_by, "
            "updated_at, updated_by, revision) VALUES ('E-99', 'Ghost', 'Desk', '2024-01-01', TRUE, "
            "'2026-01-01 00:00:00', 'sql', '2026-01-01 00:00:00', 'sql', 1)",
        ),
        "employee E-99 has no audit event",
    ),
    # The fields a report or screen reads, covered by the snapshot since (tests/storage/test_snapshot_coverage.py).
    Forgery(
        "employee: who changed it last",
        ("UPDATE employee SET updated_by = 'mallory' WHERE number = 'E-2'",),
        "employee E-2 differs",
    ),
    Forgery(
        "handbook_version: who published it",
        ("UPDATE handbook_version SET published_by = 'mallory'",),
        "handbook version 2026.2 differs",
    ),
    Forgery(
        "signoff: who recorded it", ("UPDATE signoff SET recorded_by = 'mallory' WHERE id = 1",), "sign-off 1 differs"
    ),
    Forgery(
        "signoff: the day it was recorded",
        ("UPDATE signoff SET recorded_on = '2099-01-01' WHERE id = 1",),
        "sign-off 1 differs",
    ),
    Forgery(
        "signoff_revocation: who revoked it",
        ("UPDATE signoff_revocation SET revoked_by = 'mallory'",),
        "sign-off revocation 1 differs",
    ),
    Forgery(
        "complaint: the handbook version it is judged by",
        ("UPDATE complaint SET version_id = version_id + 1",),
        "differs from its last audited",
        postgres_first=(
            "ALTER TABLE complaint DROP CONSTRAINT fk_complaint_version_id_channel_handbook_channel",
            "ALTER TABLE complaint DROP CONSTRAINT fk_complaint_version_id_handbook_version",
        ),
    ),
    Forgery(
        "complaint: when it was closed",
        ("UPDATE complaint SET closed_at = '2020-01-01 00:00:00'",),
        "differs from its last audited",
    ),
    Forgery(
        "complaint: who logged it", ("UPDATE complaint SET created_by = 'mallory'",), "differs from its last audited"
    ),
    Forgery(
        "complaint: pointed at another contact",
        ("UPDATE complaint SET contact_id = 1",),
        "differs from its last audited",
        postgres_first=("ALTER TABLE complaint DROP CONSTRAINT fk_complaint_contact_id_contact",),
    ),
    Forgery(
        "complaint_reply: who recorded it",
        ("UPDATE complaint_reply SET recorded_by = 'mallory' WHERE id = 2",),
        "complaint reply 2 differs",
    ),
    Forgery(
        "complaint_reply: when it was recorded",
        ("UPDATE complaint_reply SET recorded_at = '2020-01-01 00:00:00' WHERE id = 2",),
        "complaint reply 2 differs",
    ),
    Forgery(
        "corrective_action: the handbook version it was issued under",
        ("UPDATE corrective_action SET version_id = version_id + 1",),
        "corrective action 1 differs",
        postgres_first=(
            "ALTER TABLE corrective_action DROP CONSTRAINT fk_corrective_action_version_id_level_handbook_level",
            "ALTER TABLE corrective_action DROP CONSTRAINT fk_corrective_action_version_id_handbook_version",
        ),
    ),
    Forgery(
        "corrective_action: final step or not",
        ("UPDATE corrective_action SET is_final = NOT is_final",),
        "corrective action 1 differs",
    ),
    Forgery(
        "corrective_action: who issued it",
        ("UPDATE corrective_action SET issued_by = 'mallory'",),
        "corrective action 1 differs",
    ),
    Forgery(
        "corrective_action: the suggestion's reason",
        ("UPDATE corrective_action SET suggestion_reason = 'The ladder said so'",),
        "corrective action 1 differs",
    ),
    Forgery(
        "corrective_action: who changed it last, and when",
        ("UPDATE corrective_action SET updated_by = 'mallory', updated_at = '2020-01-01 00:00:00'",),
        "corrective action 1 differs",
    ),
    Forgery(
        "follow_up: who recorded it",
        ("UPDATE follow_up SET recorded_by = 'mallory'",),
        "follow-up 1 differs",
    ),
    Forgery(
        "follow_up: when it was recorded",
        ("UPDATE follow_up SET recorded_at = '2020-01-01 00:00:00'",),
        "follow-up 1 differs",
    ),
    Forgery(
        "complaint_day: counters rewritten", ("UPDATE complaint_day SET received = received + 5",), "complaint counters"
    ),
    Forgery(
        "complaint_day: late count rewritten",
        ("UPDATE complaint_day SET received = received + 2, late = late + 2",),
        "complaint counters",
    ),
    Forgery(
        "rule_day: counters rewritten", ("UPDATE rule_day SET complaints = complaints + 3",), "rule counters differ"
    ),
    Forgery(
        "counter: the complaint reference counter lowered",
        ("UPDATE counter SET value = value - 1 WHERE name = 'complaint-2026'",),
        "below the highest reference issued (C-2026-",
    ),
    Forgery(
        "counter: the complaint reference counter deleted",
        ("DELETE FROM counter WHERE name = 'complaint-2026'",),
        "complaint reference counter complaint-2026: missing",
    ),
    Forgery("complaint_day: a day's counter deleted", ("DELETE FROM complaint_day",), "complaint counters"),
    Forgery("audit_event: an event deleted", ("DELETE FROM audit_event WHERE seq = 7",), "event 7 is missing"),
    Forgery(
        "audit_event: an event edited",
        ("UPDATE audit_event SET actor = 'someone else' WHERE seq = 5",),
        "event 5 (",
    ),
    Forgery(
        "audit_event: the newest events removed",
        ("DELETE FROM audit_event WHERE seq >= (SELECT MAX(seq) - 1 FROM audit_event)",),
        "events were removed",
        kept_head=True,
    ),
)


def rewrite_chain(engine: Engine) -> None:
    """The whole chain recomputed after an edit: consistent, so only a head kept outside can tell."""
    with read(engine) as session:
        events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all())
    with Session(engine) as session:
        session.execute(text("DELETE FROM audit_event"))
        prev = triggers.GENESIS
        for old in events:
            after = old.after
            if old.entity == "complaint" and after:
                after = audit.canonical(json.loads(after) | {"summary": "rewritten"})
            event = AuditEvent(
                seq=old.seq,
                at=old.at,
                actor=old.actor,
                action=old.action,
                entity=old.entity,
                entity_key=old.entity_key,
                before=old.before,
                after=after,
                prev_hash=prev,
                hash="",
            )
            event.hash = audit.hash_of(event)
            session.add(event)
            session.flush()
            prev = event.hash
        session.execute(text("UPDATE complaint SET summary = 'rewritten'"))
        session.commit()


def findings(engine: Engine, kept: tuple[int, str] | None = None) -> list[str]:
    with read(engine) as session:
        chain = audit.verify_chain(session, kept)
        found = [] if chain.ok else [chain.problem or ""]
        return found + (verify_records(session) if chain.ok else [])


@pytest.mark.parametrize("forgery", REPORTED, ids=lambda f: f.name)
def test_verify_reports_a_forgery_once_the_triggers_are_gone(worked: Engine, forgery: Forgery) -> None:
    with read(worked) as session:
        event = audit.head(session)
        assert event is not None
        kept = (event.seq, event.hash)
    drop_triggers(worked)
    for statement in (forgery.postgres_first if worked.dialect.name == "postgresql" else ()) + forgery.sql:
        intruder(worked)(statement)
    found = findings(worked, kept if forgery.kept_head else None)
    assert any(forgery.reported in problem for problem in found), found


def test_verify_names_every_trigger_dropped(worked: Engine) -> None:
    """``tracker audit verify`` compares the database's own schema with the tracker's: on SQLite every
    table, index and trigger; on PostgreSQL the tracker's triggers on its tables (pg_trigger)."""
    with read(worked) as session:
        assert schema_problems(session) == []
    drop_triggers(worked)
    with read(worked) as session:
        problems = schema_problems(session)
    name = "audit_event_no_delete" if worked.dialect.name == "sqlite" else "audit_event_append_only on audit_event"
    assert f"schema: trigger {name} is missing: the database was altered outside the tracker" in problems, problems
    assert any("audit_event_on_the_chain" in problem for problem in problems), problems
    assert any("signoff_insert_checks" in problem for problem in problems), problems


@dataclass(frozen=True)
class Weakening:
    """A guard switched off rather than dropped, in each backend's words, and what verify says."""

    name: str
    sqlite: tuple[tuple[str, ...], str]
    postgres: tuple[tuple[str, ...], str]


_SIGNOFF_NO_UPDATE = "DROP TRIGGER signoff_no_update"
GUARDS_WEAKENED: tuple[Weakening, ...] = (
    Weakening(
        "switched off",
        (
            (
                _SIGNOFF_NO_UPDATE,
                "CREATE TRIGGER signoff_no_update BEFORE UPDATE ON signoff WHEN 0 BEGIN SELECT 1; END",
            ),
            "trigger signoff_no_update was changed",
        ),
        (
            ("ALTER TABLE signoff DISABLE TRIGGER signoff_append_only",),
            "trigger signoff_append_only on signoff is disabled",
        ),
    ),
    Weakening(
        "made to do nothing",
        (
            (
                "DROP TRIGGER signoff_no_delete",
                "CREATE TRIGGER signoff_no_delete BEFORE DELETE ON signoff BEGIN SELECT 1; END",
            ),
            "trigger signoff_no_delete was changed",
        ),
        (
            (
                "CREATE OR REPLACE FUNCTION tracker_append_only() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
                "LANGUAGE plpgsql",
            ),
            "function tracker_append_only was rewritten",
        ),
    ),
    Weakening(
        "narrowed to fewer operations",
        (
            (
                _SIGNOFF_NO_UPDATE,
                "CREATE TRIGGER signoff_no_update BEFORE UPDATE OF signed_on ON signoff "
                "BEGIN SELECT RAISE(ABORT, 'signoff is append-only: UPDATE refused'); END",
            ),
            "trigger signoff_no_update was changed",
        ),
        (
            (
                "DROP TRIGGER signoff_append_only ON signoff",
                "CREATE TRIGGER signoff_append_only BEFORE DELETE ON signoff FOR EACH ROW "
                "EXECUTE FUNCTION tracker_append_only()",
            ),
            "trigger signoff_append_only on signoff is not defined as the tracker defines it",
        ),
    ),
    Weakening(
        "the schema's own record falsified",
        (("UPDATE alembic_version SET version_num = 'ffffffffffff'",), "schema revision 'ffffffffffff' is not one"),
        (
            ("ALTER TABLE audit_event DROP CONSTRAINT ck_audit_event_seq_positive",),
            "constraint ck_audit_event_seq_positive is missing",
        ),
    ),
)


@pytest.mark.parametrize("weakening", GUARDS_WEAKENED, ids=lambda w: w.name)
def test_verify_names_a_guard_weakened_rather_than_dropped(worked: Engine, weakening: Weakening) -> None:
    statements, reported = weakening.postgres if worked.dialect.name == "postgresql" else weakening.sqlite
    for statement in statements:
        intruder(worked)(statement)
    with read(worked) as session:
        problems = schema_problems(session)
    assert any(reported in problem and SCHEMA_ALTERED in problem for problem in problems), problems


def test_a_consistent_rewrite_of_the_whole_chain_is_caught_by_the_kept_head(worked: Engine) -> None:
    with read(worked) as session:
        event = audit.head(session)
        assert event is not None
        kept = (event.seq, event.hash)
    drop_triggers(worked)
    rewrite_chain(worked)
    assert findings(worked) == [], "rewritten consistently, the chain alone cannot tell"
    assert any("the chain was rewritten" in problem for problem in findings(worked, kept))


FORGED_REF = "C-2026-99999"


def _shadow_event_for_a_forged_complaint(engine: Engine) -> None:
    """Triggers dropped, a complaint inserted and, beside the chain (seq 0), an audit row whose
    'after' is exactly the forged complaint's state: the record check alone would find it audited."""
    drop_triggers(engine)
    run = intruder(engine)
    if engine.dialect.name == "postgresql":
        run("ALTER TABLE audit_event DROP CONSTRAINT ck_audit_event_seq_positive")
    run(
        "INSERT INTO audit_event (" + EVENT_COLUMNS + ") SELECT 0, at, actor, action, entity, "
        f"'{FORGED_REF}', before, replace(replace(after, '\"ref\":\"' || entity_key || '\"', "
        f'\'"ref":"{FORGED_REF}"\'), \'"rules":["CON-06"]\', \'"rules":[]\'), '
        "'x' || substr(prev_hash, 2), 'y' || substr(hash, 2) FROM audit_event "
        "WHERE seq = (SELECT MAX(seq) FROM audit_event WHERE entity = 'complaint')"
    )
    run(f"INSERT INTO complaint ({COMPLAINT_COLUMNS}) SELECT {FORGED_COMPLAINT} FROM complaint")


def test_an_audit_row_beside_the_chain_vouches_for_no_record(worked: Engine) -> None:
    _shadow_event_for_a_forged_complaint(worked)
    with read(worked) as session:
        problems = verify_records(session, counters=False)
    assert any(f"complaint {FORGED_REF} has no audit event" in problem for problem in problems), problems


def test_recount_refuses_to_launder_a_record_vouched_for_beside_the_chain(worked: Engine) -> None:
    _shadow_event_for_a_forged_complaint(worked)
    before = snapshot(worked)
    with pytest.raises(TrackerError, match="recount refused") as caught:
        recount(worked, actor=ACTOR)
    assert FORGED_REF in str(caught.value) or "not on the chain" in str(caught.value), caught.value
    assert snapshot(worked) == before, "a refused recount wrote nothing"
