"""The batch writer stores each item exactly as parsed, through JSON, on either database."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from bench.generator import generate_flow_file
from readings.models import FileMeter, FlowFile, Meter, Reading, SiteVisit
from readings.services._cursor import fetch_column, open_cursor, text
from readings.services.importing import import_flow_file
from readings.services.importing._bulk import METER_POINTS, READINGS, TABLES, BatchWriter
from tests.parsing import parse_file

pytestmark = pytest.mark.django_db


class TestBatchStorage:
    def test_stores_each_reading_exactly_as_parsed(self, tmp_path: Path) -> None:
        made = generate_flow_file(tmp_path / "bench.uff", readings=1500, seed=9)
        parsed = parse_file(made.path)
        copied = READINGS.copied
        expected = {
            tuple(row[index] for index in copied.values())
            for row in (
                READINGS.parsed_row(group, meter, reading)
                for group in parsed.groups
                for meter in group.meters
                for reading in meter.readings
            )
        }

        import_flow_file(source=made.path, batch_size=400)
        stored = set(Reading.objects.values_list(*copied))

        assert len(stored) == len(parsed.readings)
        assert stored == expected

    def test_stores_text_that_needs_escaping_as_sent(self, tmp_path: Path) -> None:
        path = tmp_path / "escapes.uff"
        path.write_text(
            "ZHV|0000000001|D0010002|D|DCAA|X|SUPA|20240405093015||||OPER|\n"
            "026|1200012345679|V|\n"
            '027|01|back\\slash, \\N, a "quote", a comma, £5 and \\t|\n'
            "028|F12B 34567|R|\n"
            "030|01|20240403000000|34567.0|||T|P|\n"
            "033|03||\n"
            "ZPT|0000000001|5||1|20240405093016|\n",
            encoding="cp1252",
        )

        import_flow_file(source=path)

        visit = SiteVisit.objects.get(group="027")
        assert visit.additional_information == 'back\\slash, \\N, a "quote", a comma, £5 and \\t'
        assert Meter.objects.get().serial_number == "F12B 34567"
        assert FileMeter.objects.count() == 1
        assert SiteVisit.objects.get(group="033").reading == Reading.objects.get()
        assert Reading.objects.get().read_at == datetime(2024, 4, 2, 23, tzinfo=timezone.utc)
        assert Reading.objects.get().value == Decimal("34567.0")


class TestBatchStatementPlans:
    """Each id in a batch statement is looked up on an index, never by scanning a table: a
    planner left to choose a join order scanned the whole reading table once per batch."""

    def test_every_lookup_uses_an_index_on_a_loaded_database(self, tmp_path: Path) -> None:
        made = generate_flow_file(tmp_path / "load.uff", readings=3000, seed=5)
        import_flow_file(source=made.path)
        flow = FlowFile.objects.get()
        writer = BatchWriter(flow)
        statements = {  # every table's but the meter points', which looks nothing up
            table.model.__name__: (statement.sql, statement.parameters(flow.pk, "[]"))
            for table, statement in zip(TABLES, writer.statements, strict=True)
            if table is not METER_POINTS
        }
        with open_cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
            for name, (sql, params) in statements.items():
                if connection.vendor == "postgresql":
                    cursor.execute(f"EXPLAIN {sql}", params)
                    plan = "\n".join(fetch_column(cursor, 0, text))
                    assert "Seq Scan" not in plan, (name, plan)
                    assert "Join" not in plan, (name, plan)
                    assert "Index Scan" in plan or "Index Only Scan" in plan, (name, plan)
                else:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                    steps = fetch_column(cursor, 3, text)
                    scans = [step for step in steps if step.startswith("SCAN")]
                    assert scans == ["SCAN j VIRTUAL TABLE INDEX 1:"], (name, steps)
