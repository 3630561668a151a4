"""Searching conventions by a part of their title or reference (``icontains``) on PostgreSQL:
trigram indexes on the upper-cased columns that Django's ``UPPER(…) LIKE UPPER(…)`` reads,
so that a search finds its few matches among an organization's thousands of conventions
without reading each title. SQLite keeps scanning (no such index there)."""

from django.db import migrations

INDEXES = {
    "convention_title_trgm": "title",
    "convention_reference_trgm": "reference",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON conventions_convention USING gin (upper({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("conventions", "0003_live_conventions_by_end_date")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
