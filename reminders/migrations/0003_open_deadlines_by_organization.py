from django.db import migrations, models
from django.utils import timezone

EVENT_KINDS = ("committee_meeting", "sitting", "recours_end")


def close_past_events(apps, schema_editor):
    """Events already past leave the open deadlines (as the daily run now does every day)."""
    Deadline = apps.get_model("reminders", "Deadline")
    Deadline.objects.filter(kind__in=EVENT_KINDS, handled_at__isnull=True, due_date__lt=timezone.localdate()).update(
        handled_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0002_reminder_indexes"),
    ]

    operations = [
        migrations.RunPython(close_past_events, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("handled_at__isnull", True)),
                fields=["organization", "due_date"],
                name="deadline_open_org_due",
            ),
        ),
    ]
