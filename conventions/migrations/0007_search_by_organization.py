"""On PostgreSQL, an organization's conventions with what a search by text reads and sorts
(``search_text``, ``end_date``, ``reference``) in one covering index: the search tests the
organization's 3,000 entries of the index without reading their rows (bench/FINDINGS.md,
F70). SQLite has no covering indexes: nothing is created there."""

from django.db import migrations

INDEX = "convention_search_by_organization"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON conventions_convention (organization_id) "
        "INCLUDE (search_text, end_date, reference, id)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0006_search_text"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
