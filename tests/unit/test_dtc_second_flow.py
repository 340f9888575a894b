"""A second flow on the shared DTC reader, with nothing copied from D0010: two groups, their
records and handlers; the envelope, nesting, items and issues are ``readings.dtc``'s."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import pytest

from readings.dtc import FieldError, FlowReader, Group, Header, InvalidFlowFile, Trailer
from readings.dtc.items import mpan_core, number, split_items, uk_datetime


# -- the flow: under 60 lines -----------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    line_number: int
    register_id: str
    counted_at: datetime
    value: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    line_number: int
    mpan: str
    counts: tuple[Count, ...]


class CountsFlow(FlowReader[Point]):
    """Group 100, an MPAN core; under it, at least one group 101: register, time, count."""

    REFERENCE = "D9001"
    VERSIONS = frozenset({"001"})
    _point: Point | None = None

    def _groups(self) -> tuple[Group, ...]:
        return (
            Group("100", "meter point", self._on_100),
            Group("101", "count", self._on_101, parent="100", required=True),
        )

    def _on_100(self, fields: list[str], line_number: int) -> None:
        mpan = mpan_core(split_items(fields, 1, line_number, self._log)[0], "MPAN Core (J0003)")
        self._point = Point(line_number=line_number, mpan=mpan, counts=())

    def _on_101(self, fields: list[str], line_number: int) -> None:
        register_id, when, value = split_items(fields, 3, line_number, self._log)
        if register_id not in ("A", "B"):
            raise FieldError("Register", f"'{register_id}' is not A or B")
        count = Count(
            line_number=line_number,
            register_id=register_id,
            counted_at=uk_datetime(when, "Counted At", line_number, self._log),
            value=number(value, "Count", 5),
        )
        if self._point is not None:
            self._point = replace(self._point, counts=(*self._point.counts, count))

    def _end_group(self) -> Point | None:
        point, self._point = self._point, None
        return None if self._errors else point


# -- the tests --------------------------------------------------------------------------------
HEADER = "ZHV|0000000007|D9001001|D|DCAA|X|SUPA|20240405093015||||OPER|"


def read(*body: str, groups: int | None = None) -> list[Header | Point | Trailer]:
    total = len(body) if groups is None else groups
    lines = [HEADER, *body, f"ZPT|0000000007|{total}||1|20240405093020|"]
    return list(CountsFlow(io.BytesIO("\n".join(lines).encode()), file_name="counts.uff"))


class TestASecondFlowOnTheSharedReader:
    def test_a_valid_file_gives_the_header_its_groups_and_the_trailer(self) -> None:
        records = read("100|1200012345679|", "101|A|20240403000000|42|", "101|B|20240403000000|7|")

        header, point, trailer = records
        assert isinstance(header, Header)
        assert header.flow_reference == "D9001"
        assert point == Point(
            line_number=2,
            mpan="1200012345679",
            counts=(
                Count(
                    line_number=3,
                    register_id="A",
                    counted_at=datetime(2024, 4, 2, 23, tzinfo=timezone.utc),
                    value=42,
                ),
                Count(
                    line_number=4,
                    register_id="B",
                    counted_at=datetime(2024, 4, 2, 23, tzinfo=timezone.utc),
                    value=7,
                ),
            ),
        )
        assert isinstance(trailer, Trailer)
        assert trailer.total_group_count == 3

    def test_an_invalid_file_gives_every_issue_in_the_flows_own_words(self) -> None:
        with pytest.raises(InvalidFlowFile) as caught:
            read(
                "101|A|20240403000000|1|",
                "100|1200012345670|",
                "100|1200012345679|",
                "101|C|20240403000000|1|",
                "101|A|20240331013000|1|",
                "030|01|20240403000000|1.0|||T|N|",
            )

        assert [issue.brief for issue in caught.value.issues] == [
            "line 2, Group: 101 count outside any 100 meter point",
            (
                "line 3, MPAN Core (J0003): '1200012345670' fails the MPAN check digit "
                "(expected 9 as the last digit)"
            ),
            "line 3, Group: the 100 meter point has no 101 count",
            "line 5, Register: 'C' is not A or B",
            (
                "line 6, Counted At: '20240331013000' does not exist in UK local time "
                "(the clocks go forward that hour)"
            ),
            "line 7, Group: unknown group '030' (D9001 has groups 100 and 101)",
        ]

    def test_a_file_of_another_flow_is_refused_by_name(self) -> None:
        data = HEADER.replace("D9001001", "D0010002").encode() + b"\n"

        with pytest.raises(InvalidFlowFile) as caught:
            list(CountsFlow(io.BytesIO(data), file_name="other.uff"))

        assert caught.value.issues[0].reason == "this is a 'D0010002' file, not a D9001"
