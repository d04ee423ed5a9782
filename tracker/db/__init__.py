"""Infrastructure: engines, the schema, migrations, raw driver access, backups."""
