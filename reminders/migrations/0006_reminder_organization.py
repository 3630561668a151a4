"""Each reminder carries its deadline's organization: the unread badge counts a user's unread
reminders of the organizations they still belong to from one partial index, without joining
every reminder to its deadline."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def copy_organizations(apps, schema_editor):
    Reminder = apps.get_model("reminders", "Reminder")
    Deadline = apps.get_model("reminders", "Deadline")
    Reminder.objects.filter(organization__isnull=True).update(
        organization_id=Subquery(Deadline.objects.filter(pk=OuterRef("deadline_id")).values("organization_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
        ("reminders", "0005_open_deadlines_covering_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="organization",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="parties.organization",
                verbose_name="organisation",
            ),
        ),
        migrations.RunPython(copy_organizations, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reminder",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="parties.organization",
                verbose_name="organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=Q(read_at__isnull=True), fields=["recipient", "organization"], name="reminder_unread"
            ),
        ),
    ]
