from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0004_named_recipients_on_the_row"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="deadline", name="deadline_open_org_due"),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("handled_at__isnull", True)),
                fields=["organization", "due_date", "kind", "recipient_roles_text", "recipient_ids_text"],
                name="deadline_open_org_cover",
            ),
        ),
    ]
