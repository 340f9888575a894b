"""A 026 group too large to hold whole comes in parts: every reading once, in file order, the
028s and site visits each in one part, and the group's checks kept."""

from __future__ import annotations

import io

import pytest

from readings.d0010 import D0010Parser
from readings.d0010.parser import PART_READINGS
from readings.d0010.records import MeterPointGroup
from readings.dtc import InvalidFlowFile
from tests.parsing import parse_stream
from tests.unit.test_parser import flow

READINGS = 2 * PART_READINGS + 3


def large_group(status: str = "V", flag: str = "T", tail: tuple[str, ...] = ()) -> bytes:
    body = [f"026|1200012345679|{status}|", "027|01||", "028|K98A 12345|R|", "029|02||"]
    for number in range(READINGS):
        body.append(f"030|{number % 100:02d}|20240403000000|{number}.0|||{flag}|P|")
        if number == PART_READINGS + 1:
            body.append("033|03||")
    body += ["028|K98A 99999|R|", "030|01|20240403000000|1.0|||T|P|", *tail]
    return flow(*body)


def parts_of(data: bytes) -> list[MeterPointGroup]:
    return list(parse_stream(io.BytesIO(data), file_name="large.uff").groups)


class TestALargeGroup:
    def test_comes_in_parts_with_every_reading_once_in_file_order(self) -> None:
        parts = parts_of(large_group())

        readings = [r for part in parts for meter in part.meters for r in meter.readings]
        assert len(parts) == 3
        assert [part.continued for part in parts] == [False, True, True]
        assert len(readings) == READINGS + 1
        assert [r.line_number for r in readings] == sorted(r.line_number for r in readings)
        assert {part.line_number for part in parts} == {2}

    def test_gives_each_028_and_site_visit_in_one_part_only(self) -> None:
        parts = parts_of(large_group())

        first_028s = [m.line_number for part in parts for m in part.meters if not m.continued]
        assert first_028s == [4, READINGS + 7]
        assert sum(len(part.site_visits) for part in parts) == 1
        assert sum(len(m.site_visits) for part in parts for m in part.meters) == 1
        visits = [
            v for part in parts for m in part.meters for r in m.readings for v in r.site_visits
        ]
        assert len(visits) == 1

    def test_keeps_the_groups_own_check_across_its_parts(self) -> None:
        parser = D0010Parser(io.BytesIO(large_group(status="F")), file_name="large.uff")
        list(parser)

        assert any("no reading flagged F" in issue.reason for issue in parser.warnings)

    def test_with_an_error_at_its_end_still_raises(self) -> None:
        with pytest.raises(InvalidFlowFile):
            parts_of(large_group(tail=("030|01|20240403000000|x|||T|P|",)))
