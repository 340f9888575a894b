"""The anomaly worklist: a proxy of readings for its admin page (no table, no index: the
worklist reads the partial index reading_worklist_idx of migration 0008)."""

from django.db import migrations


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
    ]
