"""The benchmark's generator writes files the project's parser accepts, using every group."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.generator import generate_flow_file, mpan_for
from bench.reference import reading_rows
from readings.dtc.identifiers import is_valid_mpan_core
from tests.parsing import parse_file


class TestGenerateFlowFile:
    def test_writes_a_valid_file_of_exactly_the_readings_asked_for(self, tmp_path: Path) -> None:
        path = tmp_path / "bench.uff"

        made = generate_flow_file(path, readings=3000, seed=7)
        parsed = parse_file(path)

        assert len(parsed.readings) == made.readings == 3000
        assert len(parsed.groups) == made.meter_points
        assert parsed.trailer.total_group_count == made.groups
        assert parsed.trailer.flow_count == made.meter_points
        assert parsed.warnings == ()

    def test_uses_every_group_and_the_cases_the_import_must_handle(self, tmp_path: Path) -> None:
        path = tmp_path / "bench.uff"

        generate_flow_file(path, readings=3000, seed=7)
        tags = Counter(line.split("|")[0] for line in path.read_text().splitlines())
        meters = [meter for group in parse_file(path).groups for meter in group.meters]
        readings = parse_file(path).readings

        assert {"026", "027", "028", "029", "030", "032", "033"} <= set(tags)
        assert any(" " in meter.serial_number.strip() for meter in meters)
        assert {"F", "I", "R", "S"} <= {meter.reading_type for meter in meters}
        assert any(r.md_reset_at is not None and r.md_reset_count for r in readings)
        assert any(r.reading_flag is False and r.validation is not None for r in readings)
        assert any(len(group.meters) > 1 for group in parse_file(path).groups)

    def test_a_second_file_is_about_the_same_meter_points(self, tmp_path: Path) -> None:
        first = generate_flow_file(tmp_path / "first.uff", readings=500, seed=3)
        second = generate_flow_file(tmp_path / "second.uff", readings=500, seed=3, file_number=2)

        first_meters = {
            (g.mpan, m.serial_number) for g in parse_file(first.path).groups for m in g.meters
        }
        second_meters = {
            (g.mpan, m.serial_number) for g in parse_file(second.path).groups for m in g.meters
        }

        assert first_meters == second_meters
        assert first.path.read_bytes() != second.path.read_bytes()

    def test_file_number_0_is_about_the_same_meters_and_dated_before_the_first(
        self, tmp_path: Path
    ) -> None:
        first = parse_file(generate_flow_file(tmp_path / "1.uff", readings=500, seed=3).path)
        older = parse_file(
            generate_flow_file(tmp_path / "0.uff", readings=500, seed=3, file_number=0).path
        )

        assert {(g.mpan, m.serial_number) for g in older.groups for m in g.meters} == {
            (g.mpan, m.serial_number) for g in first.groups for m in g.meters
        }
        assert max(r.read_at for r in older.readings) < min(r.read_at for r in first.readings)
        assert older.warnings == ()

    def test_mpans_have_valid_check_digits_and_are_distinct(self) -> None:
        mpans = [mpan_for(5, index) for index in range(2000)]

        assert all(is_valid_mpan_core(mpan) for mpan in mpans)
        assert len(set(mpans)) == len(mpans)


class TestReadingRows:
    def test_gives_one_row_per_reading_with_its_meter_point_and_meter(self, tmp_path: Path) -> None:
        made = generate_flow_file(tmp_path / "bench.uff", readings=200, seed=2)
        parsed = parse_file(made.path)
        expected = [
            (group.mpan, meter.serial_number, reading.register_id)
            for group in parsed.groups
            for meter in group.meters
            for reading in meter.readings
        ]

        rows = [(row[0], row[2], row[4]) for row in reading_rows(made.path)]

        assert rows == expected
