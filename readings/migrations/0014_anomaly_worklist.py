"""The anomaly worklist: a proxy of readings for its admin page (no table, no index: the
worklist reads the partial index reading_worklist_idx of migration 0008). Administrators get its model's permissions,
as they have every other; everyone else reaches it through ``view_reading``."""

from django.db import migrations

from readings.migrations._roles import grant


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0013_importattempt"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorklistEntry",
            fields=[],
            options={
                "verbose_name": "anomaly worklist entry",
                "verbose_name_plural": "anomaly worklist",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("readings.reading",),
        ),
        grant(
            {
                "Administrator": tuple(
                    f"readings.{action}_worklistentry"
                    for action in ("add", "change", "delete", "view")
                )
            }
        ),
    ]
