"""A 026 group larger than a part is stored exactly as a small one would be, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from readings.models import FileMeter, FlowFile, Reading, SiteVisit
from readings.services.importing import InvalidFile, import_flow_file
from tests.unit.test_large_groups import READINGS, large_group

pytestmark = pytest.mark.django_db


class TestImportingALargeGroup:
    def test_stores_every_reading_under_its_meter_and_each_028_once(self, tmp_path: Path) -> None:
        path = tmp_path / "large.uff"
        path.write_bytes(large_group())

        result = import_flow_file(source=path, batch_size=1000)

        assert result.reading_count == READINGS + 1
        assert FileMeter.objects.count() == 2
        assert Reading.objects.filter(meter__serial_number="K98A 12345").count() == READINGS
        assert SiteVisit.objects.count() == 3
        assert SiteVisit.objects.filter(group="033", reading__isnull=False).count() == 1

    def test_with_an_error_at_its_end_writes_nothing(self, tmp_path: Path) -> None:
        path = tmp_path / "large.uff"
        path.write_bytes(large_group(tail=("030|01|20240403000000|x|||T|P|",)))

        with pytest.raises(InvalidFile):
            import_flow_file(source=path, batch_size=1000)

        assert FlowFile.objects.count() == 0
        assert Reading.objects.count() == 0
