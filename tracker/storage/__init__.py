"""Records on disk: tables, migrations, the audit chain and the record-keeping functions."""
