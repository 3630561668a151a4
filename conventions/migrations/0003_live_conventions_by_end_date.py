from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0002_amendment_signatures"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="convention",
            index=models.Index(
                condition=models.Q(("status__in", ["signed", "active", "suspended", "termination_notified"])),
                fields=["organization", "end_date"],
                name="convention_live_org_end",
            ),
        ),
    ]
