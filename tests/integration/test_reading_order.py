"""The reading list's order served by an index, and each flow file's span of readings."""

from __future__ import annotations

from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from readings.models import FlowFile, Meter, Reading
from readings.services.importing import import_flow_file

pytestmark = pytest.mark.django_db

SPAN_MIGRATION = "readings.migrations.0015_read_span_and_meter_order_index"


class TestMeterOrderIndex:
    @pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
    def test_a_meters_readings_newest_first_are_read_from_the_index_without_sorting(
        self, official_sample: Path
    ) -> None:
        import_flow_file(source=official_sample)
        meter = Meter.objects.order_by("pk").first()
        assert meter is not None
        readings = Reading.objects.filter(meter=meter).order_by("-read_at", "-id")[:50]
        sql, params = readings.query.sql_with_params()

        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())

        assert "reading_meter_order_idx" in plan
        assert "TEMP B-TREE" not in plan


class TestReadSpan:
    def test_an_import_keeps_the_first_and_last_reading_times_of_the_file(
        self, official_sample: Path
    ) -> None:
        import_flow_file(source=official_sample)

        flow_file = FlowFile.objects.get()
        times = Reading.objects.filter(flow_file=flow_file).values_list("read_at", flat=True)
        assert flow_file.first_read_at == min(times)
        assert flow_file.last_read_at == max(times)

    def test_the_migration_fills_in_the_span_of_files_imported_before(
        self, official_sample: Path, every_group_file: Path
    ) -> None:
        for source in (official_sample, every_group_file):
            import_flow_file(source=source)
        expected = {flow_file.pk: flow_file for flow_file in FlowFile.objects.all()}
        FlowFile.objects.update(
            first_read_at=None, last_read_at=datetime(2000, 1, 1, tzinfo=timezone.utc)
        )

        import_module(SPAN_MIGRATION).fill_read_spans(apps, None)

        for pk, before in expected.items():
            after = FlowFile.objects.get(pk=pk)
            assert (after.first_read_at, after.last_read_at) == (
                before.first_read_at,
                before.last_read_at,
            )
            assert after.first_read_at is not None
