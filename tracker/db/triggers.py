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
