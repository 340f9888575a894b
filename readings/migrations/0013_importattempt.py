"""Import attempts: a row for every try at importing a file, whatever came of it; the permission
to download a flow file's bytes. "Operations" may download flow files and see the attempts;
"Administrator" has every permission of the new model as well."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from readings.migrations._roles import grant

MODEL_PERMISSIONS = tuple(
    f"readings.{action}_importattempt" for action in ("add", "change", "delete", "view")
)


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0012_meter_serial_keys_as_long_as_serials"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="flowfile",
            options={
                "permissions": [
                    ("import_flowfile", "Can import D0010 files through the web"),
                    ("download_flowfile", "Can download flow files"),
                ]
            },
        ),
        migrations.CreateModel(
            name="ImportAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("command", "command line"),
                            ("upload", "admin upload"),
                            ("inbox", "inbox"),
                            ("api", "REST API"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "os_user",
                    models.CharField(
                        blank=True,
                        help_text="The user the importing process ran as.",
                        max_length=150,
                        verbose_name="OS user",
                    ),
                ),
                (
                    "host",
                    models.CharField(
                        blank=True,
                        help_text="The machine the importing process ran on.",
                        max_length=255,
                    ),
                ),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "file_name",
                    models.CharField(help_text="The name the file arrived with.", max_length=255),
                ),
                (
                    "size",
                    models.PositiveBigIntegerField(blank=True, help_text="In bytes.", null=True),
                ),
                (
                    "sha256",
                    models.CharField(
                        blank=True,
                        help_text="Empty when the file could not be read.",
                        max_length=64,
                        verbose_name="SHA-256",
                    ),
                ),
                ("dry_run", models.BooleanField(default=False)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("imported", "imported"),
                            ("valid", "valid (dry run)"),
                            ("skipped", "already imported"),
                            ("rejected", "not imported"),
                            ("unfinished", "did not finish"),
                        ],
                        default="unfinished",
                        max_length=10,
                    ),
                ),
                (
                    "refusal",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "—"),
                            ("invalid", "not a valid D0010 file"),
                            ("duplicate_identifier", "duplicate file identifier"),
                            ("test_data", "test data"),
                            ("unreadable", "unreadable"),
                            ("database", "database failure"),
                            ("storage", "bytes not kept"),
                            ("too_large", "too large to read"),
                            ("fault", "stopped or failed"),
                        ],
                        max_length=20,
                        verbose_name="why not imported",
                    ),
                ),
                (
                    "summary",
                    models.TextField(blank=True, help_text="What came of it, in one sentence."),
                ),
                ("meter_point_count", models.PositiveIntegerField(default=0)),
                ("meter_count", models.PositiveIntegerField(default=0)),
                ("reading_count", models.PositiveIntegerField(default=0)),
                ("site_visit_count", models.PositiveIntegerField(default=0)),
                (
                    "issues",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Every error or warning: line, item and reason.",
                    ),
                ),
                (
                    "issues_truncated",
                    models.BooleanField(
                        default=False, help_text="The file had more errors than the parser reports."
                    ),
                ),
                (
                    "retries",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Times the import's transaction was tried again after a conflict.",
                    ),
                ),
                (
                    "flow_file",
                    models.ForeignKey(
                        blank=True,
                        help_text="The flow file it made or matched.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="attempts",
                        to="readings.flowfile",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who uploaded the file (web and API attempts).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="import_attempts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["-started_at", "-id"], name="importattempt_started_idx"),
                    models.Index(fields=["file_name"], name="importattempt_name_idx"),
                    models.Index(fields=["sha256", "-started_at"], name="importattempt_sha256_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("source", "command"),
                            ("source", "upload"),
                            ("source", "inbox"),
                            ("source", "api"),
                            _connector="OR",
                        ),
                        name="importattempt_source_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("outcome", "imported"),
                            ("outcome", "valid"),
                            ("outcome", "skipped"),
                            ("outcome", "rejected"),
                            ("outcome", "unfinished"),
                            _connector="OR",
                        ),
                        name="importattempt_outcome_valid",
                    ),
                ],
            },
        ),
        grant(
            {
                "Operations": ("readings.download_flowfile", "readings.view_importattempt"),
                "Administrator": ("readings.download_flowfile", *MODEL_PERMISSIONS),
            }
        ),
    ]
