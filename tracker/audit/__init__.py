"""The audit trail: the hash chain, what it records of each record, and the cross-check."""
