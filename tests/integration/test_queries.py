"""The read queries shared by admin pages: search keys, latest readings, chart series."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytest_django import DjangoAssertNumQueries

from readings import queries
from readings.models import Meter, MeterPoint, Reading
from readings.services.importing import import_flow_file
from tests.functional.admin_helpers import bulk_flow_file


class TestSearchKey:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("12 0002 3305 967", queries.SearchKey(mpan="1200023305967")),
            (" 1200023305967\t", queries.SearchKey(mpan="1200023305967")),
            ("F75A 00802", queries.SearchKey(serial_key="F75A00802")),
            ("'f75a  00802'", queries.SearchKey(serial_key="F75A00802")),
            ('"36933604"', queries.SearchKey(serial_key="36933604")),
            ("12\u00a00002\u00a03305\u00a0967", queries.SearchKey(mpan="1200023305967")),
            ("F75A\u202f00802\u200b", queries.SearchKey(serial_key="F75A00802")),
            ("\ufeff\u00a0'F75A 00802'\u3000", queries.SearchKey(serial_key="F75A00802")),
            ("\u00a0\u200b", None),
            ("x" * 11, queries.SearchKey()),
            ("1" * 14, queries.SearchKey()),
            ("a\x00b", queries.SearchKey()),
            ("", None),
            ('  ""  ', None),
        ],
    )
    def test_pasted_text_becomes_an_mpan_a_serial_key_or_nothing(
        self, text: str, expected: queries.SearchKey | None
    ) -> None:
        assert queries.search_key(text) == expected


@pytest.mark.django_db
class TestReadQueries:
    @pytest.fixture(autouse=True)
    def files(self, official_sample: Path, every_group_file: Path) -> None:
        import_flow_file(source=official_sample)
        import_flow_file(source=every_group_file)

    def test_searches_match_mpans_and_serials_exactly(self) -> None:
        by_mpan = queries.search(Reading.objects.all(), "1200 0123 4567 9")
        by_serial = queries.search(Meter.objects.all(), "f12b34567")
        points = queries.search(MeterPoint.objects.all(), "L85A 28596")
        nothing = queries.search(Reading.objects.all(), "L85A")

        assert by_mpan.count() == 4
        assert [m.serial_number for m in by_serial] == ["F12B 34567"]
        assert [p.mpan for p in points] == ["1200033197420"]
        assert not nothing.exists()

    def test_latest_readings_are_newest_first_bounded_and_counted(
        self, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        point = MeterPoint.objects.get(mpan="1200012345679")

        with django_assert_max_num_queries(2):
            latest = queries.latest_readings(queries.readings_of_meter_point(point), limit=3)
            serials = [r.meter.serial_number for r in latest.readings]
            files = [r.flow_file.file_name for r in latest.readings]

        assert latest.total == 4
        assert latest.more
        assert [r.register_id for r in latest.readings] == ["02", "01", "02"]
        assert serials == ["K98A012345"] * 3
        assert files == ["every_group.uff"] * 3

    def test_a_long_history_is_counted_only_up_to_the_cap(self) -> None:
        point = MeterPoint.objects.get(mpan="1200012345679")
        readings = queries.readings_of_meter_point(point)

        capped = queries.latest_readings(readings, limit=1, count_cap=2)
        exact = queries.latest_readings(readings, limit=1, count_cap=4)

        assert (capped.total, capped.total_in_words) == (3, "more than 2")
        assert (exact.total, exact.total_in_words) == (4, "4")

    def test_few_readings_need_no_count(
        self, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        meter = Meter.objects.get(serial_number="F75A 00802")

        with django_assert_num_queries(1):
            latest = queries.latest_readings(queries.readings_of_meter(meter))

        assert latest.total == 1
        assert not latest.more

    def test_consumption_series_hold_the_newest_periods_up_to_the_limit(self) -> None:
        bulk_flow_file(readings=30, meters=1, first_mpan=5)
        point = MeterPoint.objects.get(meters__readings__line_number=2, meters__serial_key="B00000")
        Reading.objects.filter(meter__meter_point=point).update(advance=Decimal(1))

        (series,) = queries.consumption_series(queries.readings_of_meter_point(point), limit=10)

        ends = [period.end for period in series.periods]
        assert len(ends) == 9  # ten readings: nine periods between them
        assert ends == sorted(ends)
        assert series.periods[0].start < ends[0]
