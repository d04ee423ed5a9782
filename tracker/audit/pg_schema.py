"""The tracker's own schema objects on PostgreSQL against what its migrations create.

A forgery starts by switching a guard off: dropping a trigger, disabling it (``ALTER TABLE …
DISABLE TRIGGER``), rewriting the function it calls to ``RETURN NEW``, or dropping a CHECK or
foreign key. ``audit verify`` compares each with the tracker's own definitions, so none of these
goes unreported. (On SQLite the whole schema's SQL is compared instead:
``maintenance/backup.live_schema_differences``.) A constraint is compared by name: one dropped
and re-added under its name with a weaker condition is not seen here, but the records it let in
still have to pass the audit chain.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session, SQLModel

from tracker.db import triggers

_TRIGGER = re.compile(
    r"CREATE TRIGGER (\w+) (BEFORE|AFTER) (.+?) ON (?:\w+\.)?(\w+) FOR EACH (ROW|STATEMENT) "
    r"EXECUTE FUNCTION (?:\w+\.)?(\w+)\(\)"
)
_FUNCTION = re.compile(r"CREATE OR REPLACE FUNCTION (\w+)\(\) RETURNS trigger AS \$\$(.*?)\$\$", re.DOTALL)


class Trigger(NamedTuple):
    name: str
    table: str
    timing: str
    events: frozenset[str]
    level: str
    function: str


def _trigger(definition: str) -> Trigger | None:
    match = _TRIGGER.fullmatch(" ".join(definition.split()))
    if match is None:
        return None
    name, timing, events, table, level, function = match.groups()
    return Trigger(name, table, timing, frozenset(events.split(" OR ")), level, function)


def _statements() -> list[str]:
    return (
        triggers.create_statements("postgresql")
        + triggers.chain_statements("postgresql")
        + triggers.service_statements("postgresql")
    )


def expected_triggers() -> dict[str, Trigger]:
    """Every trigger the tracker's migrations create on PostgreSQL, by name."""
    parsed = [_trigger(statement) for statement in _statements() if statement.lstrip().startswith("CREATE TRIGGER")]
    return {trigger.name: trigger for trigger in parsed if trigger is not None}


def expected_functions() -> dict[str, str]:
    """The body of every trigger function the tracker creates, by name."""
    return {m.group(1): m.group(2) for statement in _statements() for m in _FUNCTION.finditer(statement)}


def expected_constraints() -> set[str]:
    """The name of every constraint the tables' models declare (the migrations use the same names)."""
    import tracker.db.models  # noqa: F401  (the models register their tables)

    return {str(c.name) for table in SQLModel.metadata.tables.values() for c in table.constraints}


def differences(session: Session) -> list[str]:
    """What differs between the live schema's guards and the tracker's, one line each."""
    problems: list[str] = []
    expected = expected_triggers()
    live: dict[str, tuple[str, str, str]] = {
        str(name): (str(table), str(enabled), str(definition))
        for name, table, enabled, definition in session.execute(
            text(
                "SELECT t.tgname, c.relname, t.tgenabled, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
            )
        ).all()
    }
    for name, trigger in sorted(expected.items()):
        if name not in live:
            problems.append(f"trigger {name} on {trigger.table} is missing")
            continue
        table, enabled, definition = live[name]
        if _trigger(definition) != trigger:
            problems.append(f"trigger {name} on {table} is not defined as the tracker defines it")
        if enabled == "D":
            problems.append(f"trigger {name} on {table} is disabled")
    problems += [
        f"trigger {name} on {live[name][0]} is not the tracker's" for name in sorted(set(live) - set(expected))
    ]
    bodies = {
        str(name): str(body)
        for name, body in session.execute(
            text(
                "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname = ANY(:names)"
            ),
            {"names": sorted(expected_functions())},
        ).all()
    }
    for name, body in sorted(expected_functions().items()):
        if name not in bodies:
            problems.append(f"function {name} is missing")
        elif bodies[name] != body:
            problems.append(f"function {name} was rewritten: its body is not the tracker's")
    constraints = {
        str(name)
        for (name,) in session.execute(
            text("SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace")
        ).all()
    }
    problems += [f"constraint {name} is missing" for name in sorted(expected_constraints() - constraints)]
    return problems
