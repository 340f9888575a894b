"""File identifiers unique per sender whatever the case of either (README, Decisions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps.registry import Apps
from django.core.management import CommandError
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models.functions import Upper

from readings.wording import printable

if TYPE_CHECKING:
    from readings.models import FlowFile


def refuse_identifiers_that_differ_only_in_case(
    apps: Apps, schema_editor: BaseDatabaseSchemaEditor
) -> None:
    """Stop, naming them, if files stored before would break the new constraint: they must be
    looked at (and one of each deleted) by a person, not chosen between here."""
    # The model as this migration's state has it, typed as the current one: the fields used
    # here are the same in both.
    flow_file: type[FlowFile] = apps.get_model("readings", "FlowFile")
    keyed = flow_file.objects.annotate(
        sender_key=Upper("sender_participant_id"), identifier_key=Upper("file_identifier")
    )
    clashes = (
        keyed.values("sender_key", "identifier_key")
        .annotate(files=models.Count("pk"))
        .filter(files__gt=1)
        .order_by("sender_key", "identifier_key")
    )
    found: list[str] = []
    for clash in clashes[:20]:
        files = (
            keyed.filter(sender_key=clash["sender_key"], identifier_key=clash["identifier_key"])
            .order_by("pk")
            .values_list("pk", "file_name")
        )
        named = " and ".join(f"#{pk} ({printable(name)})" for pk, name in files)
        found.append(
            f"sender {clash['sender_key']}, file identifier {clash['identifier_key']}: "
            f"flow files {named}"
        )
    if found:
        raise CommandError(
            "File identifiers are now unique per sender whatever their case, and these flow "
            "files differ only in case: " + "; ".join(found) + ". Delete the ones that should "
            "not have been imported (Flow files in the admin) and migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0008_reading_meaning"),
    ]

    operations = [
        migrations.RunPython(
            refuse_identifiers_that_differ_only_in_case, migrations.RunPython.noop
        ),
        migrations.RemoveConstraint(
            model_name="flowfile",
            name="flowfile_unique_identifier_per_sender",
        ),
        migrations.AddConstraint(
            model_name="flowfile",
            constraint=models.UniqueConstraint(
                Upper("sender_participant_id"),
                Upper("file_identifier"),
                name="flowfile_unique_identifier_per_sender_any_case",
                violation_error_message="This sender has already sent a file with this identifier.",
            ),
        ),
    ]
