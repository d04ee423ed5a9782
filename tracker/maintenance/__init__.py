"""Operations on the database as a whole that span records and the audit trail."""
