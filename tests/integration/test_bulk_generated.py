"""A benchmark file imports whole: every reading, meter and site visit the generator wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generator import generate_flow_file
from readings.models import FileMeter, Meter, MeterPoint, Reading, SiteVisit
from readings.services.importing import import_flow_file
from tests.parsing import parse_file

pytestmark = pytest.mark.django_db


class TestImportGeneratedFile:
    def test_stores_every_item_in_several_batches(self, tmp_path: Path) -> None:
        made = generate_flow_file(tmp_path / "bench.uff", readings=2000, seed=11)
        parsed = parse_file(made.path)
        visits = sum(
            len(g.site_visits)
            + sum(
                len(m.site_visits) + sum(len(r.site_visits) for r in m.readings) for m in g.meters
            )
            for g in parsed.groups
        )

        result = import_flow_file(source=made.path, batch_size=300)

        assert result.reading_count == Reading.objects.count() == 2000
        assert MeterPoint.objects.count() == len({g.mpan for g in parsed.groups})
        assert Meter.objects.count() == len(
            {(g.mpan, m.serial_number) for g in parsed.groups for m in g.meters}
        )
        assert FileMeter.objects.count() == sum(len(g.meters) for g in parsed.groups)
        assert SiteVisit.objects.count() == visits
        assert not SiteVisit.objects.filter(group="033", reading__isnull=True).exists()
        assert Reading.objects.exclude(validation_reason_code="").count() == sum(
            r.validation is not None for r in parsed.readings
        )

    def test_a_second_file_about_the_same_meter_points_adds_no_meters(self, tmp_path: Path) -> None:
        first = generate_flow_file(tmp_path / "first.uff", readings=800, seed=4)
        second = generate_flow_file(tmp_path / "second.uff", readings=800, seed=4, file_number=2)
        import_flow_file(source=first.path, batch_size=250)
        meters = Meter.objects.count()

        import_flow_file(source=second.path, batch_size=250)

        assert Meter.objects.count() == meters
        assert Reading.objects.count() == 1600
