"""French full-text search index on PostgreSQL only (SQLite falls back to icontains)."""

from django.db import migrations

INDEX = "deliberation_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON deliberations_deliberation USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("deliberations", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
