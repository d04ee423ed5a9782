"""Database triggers that keep records append-only and sign-offs honest.

They are the database's own guarantee (records that hold up: see ARCHITECTURE.md): a sign-off or an
audit event cannot be edited or deleted even by a program that bypasses the
tracker. Migrations create them; ``alembic check`` does not compare triggers,
so ``tests/storage`` asserts that they exist and refuse.
"""

from __future__ import annotations

APPEND_ONLY: tuple[str, ...] = (
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

_SIGNOFF_CHECKS_SQLITE = """
CREATE TRIGGER signoff_insert_checks BEFORE INSERT ON signoff
BEGIN
    SELECT RAISE(ABORT, 'employee: inactive employees cannot sign')
    WHERE (SELECT active FROM employee WHERE id = NEW.employee_id) = 0;
    SELECT RAISE(ABORT, 'signed_on: before the version was published')
    WHERE NEW.signed_on < (SELECT published_on FROM handbook_version WHERE id = NEW.version_id);
    SELECT RAISE(ABORT, 'version: the employee already has a valid sign-off for this version')
    WHERE EXISTS (
        SELECT 1 FROM signoff s
        WHERE s.employee_id = NEW.employee_id AND s.version_id = NEW.version_id
          AND NOT EXISTS (SELECT 1 FROM signoff_revocation r WHERE r.signoff_id = s.id)
    );
END
"""

_SIGNOFF_CHECKS_POSTGRES = """
CREATE OR REPLACE FUNCTION tracker_signoff_insert_checks() RETURNS trigger AS $$
BEGIN
    IF (SELECT NOT active FROM employee WHERE id = NEW.employee_id) THEN
        RAISE EXCEPTION 'employee: inactive employees cannot sign';
    END IF;
    IF NEW.signed_on < (SELECT published_on FROM handbook_version WHERE id = NEW.version_id) THEN
        RAISE EXCEPTION 'signed_on: before the version was published';
    END IF;
    IF EXISTS (
        SELECT 1 FROM signoff s
        WHERE s.employee_id = NEW.employee_id AND s.version_id = NEW.version_id
          AND NOT EXISTS (SELECT 1 FROM signoff_revocation r WHERE r.signoff_id = s.id)
    ) THEN
        RAISE EXCEPTION 'version: the employee already has a valid sign-off for this version';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""

_SIGNOFF_TRIGGER_POSTGRES = """
CREATE TRIGGER signoff_insert_checks BEFORE INSERT ON signoff
    FOR EACH ROW EXECUTE FUNCTION tracker_signoff_insert_checks()
"""

_POSTGRES_APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION tracker_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$ LANGUAGE plpgsql
"""


def create_statements(dialect: str) -> list[str]:
    statements: list[str] = []
    if dialect == "postgresql":
        statements.append(_POSTGRES_APPEND_ONLY_FUNCTION)
        for table in APPEND_ONLY:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tracker_append_only()"
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tracker_append_only()"
            )
        statements.append(_SIGNOFF_CHECKS_POSTGRES)
        statements.append(_SIGNOFF_TRIGGER_POSTGRES)
    else:
        for table in APPEND_ONLY:
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
                )
        statements.append(_SIGNOFF_CHECKS_SQLITE)
    return statements


def drop_statements(dialect: str) -> list[str]:
    statements: list[str] = []
    if dialect == "postgresql":
        # Tables added later use the same function: their triggers go first (absent ones are skipped).
        for table in ("handbook_service", "contact_import"):
            statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        for kind in ("no_delete", "no_truncate"):
            statements.append(f"DROP TRIGGER IF EXISTS {KEPT_CONTACTS}_{kind} ON {KEPT_CONTACTS}")
        for table in APPEND_ONLY:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        statements.append("DROP TRIGGER IF EXISTS signoff_insert_checks ON signoff")
        statements.append("DROP FUNCTION IF EXISTS tracker_signoff_insert_checks()")
        statements.append("DROP FUNCTION IF EXISTS tracker_append_only()")
    else:
        for table in APPEND_ONLY:
            for operation in ("update", "delete"):
                statements.append(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
        statements.append("DROP TRIGGER IF EXISTS signoff_insert_checks")
    return statements


# --- since migration 0003: the chain's order, and no replacing of kept rows ---------------

GENESIS = "0" * 64  # the previous hash of the first audit event

# The keys of each append-only table. SQLite's INSERT OR REPLACE (and an upsert) deletes a
# conflicting row without firing its DELETE trigger, so inserting a row whose key is taken is
# refused before SQLite gets that far.
APPEND_ONLY_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "audit_event": (("seq",), ("prev_hash",), ("hash",)),
    "signoff": (("id",),),
    "signoff_revocation": (("id",), ("signoff_id",)),
    "handbook_version": (("id",), ("label",)),
    "handbook_rule": (("version_id", "rule_id"),),
    "handbook_channel": (("version_id", "code"),),
    "handbook_level": (("version_id", "code"),),
    "complaint_reply": (("id",),),
    "follow_up": (("id",),),
}

_AUDIT_CHAIN_SQLITE = f"""
CREATE TRIGGER audit_event_on_the_chain BEFORE INSERT ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event: an event must follow the newest one (next seq, its hash as prev_hash)')
    WHERE NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_event)
       OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_event WHERE seq = NEW.seq - 1), '{GENESIS}');
END
"""

_AUDIT_CHAIN_POSTGRES = f"""
CREATE OR REPLACE FUNCTION tracker_audit_on_the_chain() RETURNS trigger AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_event)
       OR NEW.prev_hash IS DISTINCT FROM COALESCE((SELECT hash FROM audit_event WHERE seq = NEW.seq - 1), '{GENESIS}')
    THEN
        RAISE EXCEPTION 'audit_event: an event must follow the newest one (next seq, its hash as prev_hash)';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def _no_replace_sqlite(table: str, keys: tuple[tuple[str, ...], ...]) -> str:
    taken = " OR ".join(
        "EXISTS (SELECT 1 FROM {t} WHERE {cond})".format(t=table, cond=" AND ".join(f"{c} = NEW.{c}" for c in key))
        for key in keys
    )
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {taken} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with this key exists, REPLACE refused'); END"
    )


def chain_statements(dialect: str) -> list[str]:
    """The audit chain's order enforced by the database, and (SQLite) no INSERT OR REPLACE of kept rows.

    PostgreSQL needs no replace guard: ON CONFLICT DO UPDATE fires the UPDATE triggers,
    which refuse, and a plain insert with a taken key breaks the unique constraint.
    """
    if dialect == "postgresql":
        return [
            _AUDIT_CHAIN_POSTGRES,
            "CREATE TRIGGER audit_event_on_the_chain BEFORE INSERT ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION tracker_audit_on_the_chain()",
        ]
    return [_AUDIT_CHAIN_SQLITE] + [_no_replace_sqlite(table, keys) for table, keys in APPEND_ONLY_KEYS.items()]


def drop_chain_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS audit_event_on_the_chain ON audit_event",
            "DROP FUNCTION IF EXISTS tracker_audit_on_the_chain()",
        ]
    return ["DROP TRIGGER IF EXISTS audit_event_on_the_chain"] + [
        f"DROP TRIGGER IF EXISTS {table}_no_replace" for table in APPEND_ONLY_KEYS
    ]


# --- since migration 0004: the service standards and the contact imports ----------------

SERVICE_APPEND_ONLY_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "handbook_service": (("version_id",),),
    "contact_import": (("id",),),
}


# A contact is updated when a later export changes it, but never deleted: a missed contact taken
# out would raise every rate it counted in. (Its messages are replaced with it, so they may go.)
KEPT_CONTACTS = "contact"


def service_statements(dialect: str) -> list[str]:
    """The same append-only guarantee as the first tables' (no UPDATE, DELETE, TRUNCATE or
    REPLACE) for the tables migration 0004 adds, and no DELETE or TRUNCATE of contacts."""
    tables = SERVICE_APPEND_ONLY_KEYS
    if dialect == "postgresql":
        return [
            f"CREATE TRIGGER {KEPT_CONTACTS}_no_delete BEFORE DELETE ON {KEPT_CONTACTS} "
            "FOR EACH ROW EXECUTE FUNCTION tracker_append_only()",
            f"CREATE TRIGGER {KEPT_CONTACTS}_no_truncate BEFORE TRUNCATE ON {KEPT_CONTACTS} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_append_only()",
        ] + [
            statement
            for table in tables
            for statement in (
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tracker_append_only()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tracker_append_only()",
            )
        ]
    return (
        [
            f"CREATE TRIGGER {KEPT_CONTACTS}_no_delete BEFORE DELETE ON {KEPT_CONTACTS} "
            f"BEGIN SELECT RAISE(ABORT, '{KEPT_CONTACTS} rows are kept: DELETE refused'); END"
        ]
        + [
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            for table in tables
            for operation in ("UPDATE", "DELETE")
        ]
        + [_no_replace_sqlite(table, keys) for table, keys in tables.items()]
    )


def drop_service_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {KEPT_CONTACTS}_no_delete ON {KEPT_CONTACTS}",
            f"DROP TRIGGER IF EXISTS {KEPT_CONTACTS}_no_truncate ON {KEPT_CONTACTS}",
        ] + [
            f"DROP TRIGGER IF EXISTS {table}_{kind} ON {table}"
            for table in SERVICE_APPEND_ONLY_KEYS
            for kind in ("append_only", "no_truncate")
        ]
    return [f"DROP TRIGGER IF EXISTS {KEPT_CONTACTS}_no_delete"] + [
        f"DROP TRIGGER IF EXISTS {table}_{kind}"
        for table in SERVICE_APPEND_ONLY_KEYS
        for kind in ("no_update", "no_delete", "no_replace")
    ]
