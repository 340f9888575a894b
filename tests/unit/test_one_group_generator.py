"""The benchmark's one-group file: one valid 026 group of exactly the readings asked for."""

from __future__ import annotations

from pathlib import Path

from bench.generator import generate_one_group_file
from readings.d0010.parser import PART_READINGS
from tests.parsing import parse_file


class TestOneGroupFile:
    def test_is_one_valid_026_group_of_the_readings_asked_for(self, tmp_path: Path) -> None:
        readings = 3 * PART_READINGS + 1

        made = generate_one_group_file(tmp_path / "one.uff", readings=readings)
        parsed = parse_file(made.path)

        assert {part.mpan for part in parsed.groups} == {parsed.groups[0].mpan}
        assert len(parsed.readings) == readings
        assert parsed.trailer.total_group_count == made.groups
        assert parsed.warnings == ()
