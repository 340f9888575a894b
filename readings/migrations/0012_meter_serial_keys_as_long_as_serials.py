"""Serial search keys made again for serials with other than ASCII characters: before, ``ß``
gave ``SS``, a key of 20 characters for a serial of 10 (cut to 10 on PostgreSQL), which no
search could find. ASCII serials' keys are unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from readings.dtc.identifiers import serial_search_key

if TYPE_CHECKING:
    from readings.models import Meter

_BATCH = 1000


def make_keys_again(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The model as this migration's state has it, typed as the current one: the two fields
    # used here are the same in both.
    meter: type[Meter] = apps.get_model("readings", "Meter")
    # Outside space (0x20) to tilde (0x7e): serials hold no control characters.
    others = meter.objects.filter(serial_number__regex=r"[^ -~]").only(
        "serial_number", "serial_key"
    )
    changed: list[Meter] = []
    for row in others.order_by("pk").iterator(chunk_size=_BATCH):
        key = serial_search_key(row.serial_number)
        if row.serial_key != key:
            row.serial_key = key
            changed.append(row)
    meter.objects.bulk_update(changed, ["serial_key"], batch_size=_BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0011_flowfile_identifier_any_case"),
    ]

    operations = [
        migrations.RunPython(make_keys_again, migrations.RunPython.noop),
    ]
