"""The migration that adds what readings mean works it out for the readings already stored."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from readings.meaning_choices import ReadingStatus
from readings.models import Reading
from tests.meaning_files import Group, Read, import_groups, meter
from tests.migration_states import migrate_to_latest, parent_of

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = ("id", "status", "advance", "advance_per_day", "anomaly", "is_latest")


def _meaning_migration(executor: MigrationExecutor) -> tuple[str, str]:
    (key,) = (
        key
        for key in executor.loader.disk_migrations
        if key[0] == "readings" and key[1].endswith("_reading_meaning")
    )
    return key


class TestTheMeaningMigration:
    def test_works_out_the_meaning_of_the_readings_stored_before_it(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "99999.0")))
        import_groups(
            meter(Read("2024-02-01", "99990.0"), Read("2024-03-01", "40.0")),
            Group(reads=(Read("2024-01-01", "100.0"),), reading_type="W"),
        )
        imported = list(Reading.objects.order_by("id").values_list(*COLUMNS))
        executor = MigrationExecutor(connection)
        migration = _meaning_migration(executor)
        before = parent_of(executor, migration)

        executor.migrate([before])
        migrate_to_latest()

        assert list(Reading.objects.order_by("id").values_list(*COLUMNS)) == imported
        assert {status for _, status, *_ in imported} == {
            ReadingStatus.LIVE,
            ReadingStatus.SUPERSEDED,
            ReadingStatus.WITHDRAWN,
            ReadingStatus.WITHDRAWAL,
        }
