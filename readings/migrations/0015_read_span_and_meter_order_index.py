"""A meter's readings indexed in the lists' order, tie-breaker included (``-read_at, -id``), so
that a long history is read from the index rather than sorted; each flow file's first and last
reading times, stored at import and filled in here for the files already imported."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Max, Min

_BATCH = 1000


def fill_read_spans(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    flow_file = apps.get_model("readings", "FlowFile")
    reading = apps.get_model("readings", "Reading")
    spans = (
        reading.objects.order_by()
        .values("flow_file_id")
        .annotate(first=Min("read_at"), last=Max("read_at"))
    )
    changed = []
    for span in spans.iterator(chunk_size=_BATCH):
        changed.append(
            flow_file(
                pk=span["flow_file_id"], first_read_at=span["first"], last_read_at=span["last"]
            )
        )
    flow_file.objects.bulk_update(changed, ["first_read_at", "last_read_at"], batch_size=_BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0014_anomaly_worklist"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reading",
            index=models.Index(fields=["meter", "-read_at", "-id"], name="reading_meter_order_idx"),
        ),
        migrations.RemoveIndex(model_name="reading", name="reading_meter_read_at_idx"),
        migrations.AddField(
            model_name="flowfile",
            name="first_read_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first read at"),
        ),
        migrations.AddField(
            model_name="flowfile",
            name="last_read_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last read at"),
        ),
        migrations.RunPython(fill_read_spans, migrations.RunPython.noop, elidable=True),
    ]
