"""A convention's title and reference upper-cased once, by the database, for the searches by
a part of either (``Convention.search_text``); on PostgreSQL its trigram index replaces the
two of ``0004_search_trigram`` (on the expressions that searches no longer read)."""

import django.db.models.functions.text
from django.db import migrations, models

OLD_INDEXES = {"convention_title_trgm": "title", "convention_reference_trgm": "reference"}
INDEX = "convention_search_text_trgm"


def replace_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON conventions_convention USING gin (search_text gin_trgm_ops)"
    )


def restore_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    for name, column in OLD_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON conventions_convention USING gin (upper({column}::text) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0005_list_order_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="convention",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Concat(
                    django.db.models.functions.text.Upper("title"),
                    models.Value("\x1f"),
                    django.db.models.functions.text.Upper("reference"),
                ),
                output_field=models.TextField(),
                verbose_name="texte recherché",
            ),
        ),
        migrations.RunPython(replace_indexes, restore_indexes),
    ]
