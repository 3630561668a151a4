from collections import defaultdict

from django.db import migrations, models


def fill(apps, schema_editor):
    """Copy the named recipients of every deadline onto its row (",4,17,")."""
    Deadline = apps.get_model("reminders", "Deadline")
    through = Deadline.recipients.through
    by_deadline = defaultdict(set)
    for deadline_id, user_id in through.objects.values_list("deadline_id", "user_id").iterator(chunk_size=10_000):
        by_deadline[deadline_id].add(user_id)
    rows = []
    for deadline_id, users in by_deadline.items():
        rows.append(Deadline(pk=deadline_id, recipient_ids_text=f",{','.join(map(str, sorted(users)))},"))
        if len(rows) >= 5_000:
            Deadline.objects.bulk_update(rows, ["recipient_ids_text"])
            rows = []
    if rows:
        Deadline.objects.bulk_update(rows, ["recipient_ids_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0003_open_deadlines_by_organization"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="recipient_ids_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="destinataires nommés (recherche)"
            ),
        ),
        migrations.AddField(
            model_name="historicaldeadline",
            name="recipient_ids_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="destinataires nommés (recherche)"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
