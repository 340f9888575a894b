"""A meter point's summary (``queries.meter_point_summary``): meters and exchanges, each
register's latest counting reading, the last actual read, open anomalies, the last site visit;
a fixed number of queries. Run on SQLite and PostgreSQL alike (``DATABASE_URL``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pytest_django import DjangoAssertNumQueries

from readings import queries
from tests.factories import mpan
from tests.meaning_files import Read, import_groups, meter, uk

pytestmark = pytest.mark.django_db

MPAN = mpan(1)


def exchange() -> None:
    """Meter OLD read twice then removed (F); NEW installed (I), read, then deemed (D)."""
    import_groups(
        meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "150.0"), serial="OLD"),
        meter(Read("2024-03-01", "200.0"), serial="OLD", reading_type="F"),
        meter(
            Read("2024-03-01", "0.0"),
            Read("2024-03-01", "9.0", register="02"),
            serial="NEW",
            reading_type="I",
        ),
    )
    import_groups(
        meter(
            Read("2024-04-01", "50.0"),
            Read("2024-04-01", "5.0", register="02", flag="F"),
            serial="NEW",
            site_visit="Meter cupboard locked",
        ),
        meter(Read("2024-05-01", "80.0"), serial="NEW", reading_type="D"),
    )


def summary() -> queries.MeterPointSummary:
    found = queries.meter_point_summary(MPAN, today=date(2024, 5, 11))
    assert found is not None
    return found


class TestMeterPointSummary:
    def test_an_unknown_mpan_has_no_summary(self) -> None:
        assert queries.meter_point_summary(mpan(99)) is None

    def test_meters_show_install_removal_and_which_is_current(self) -> None:
        exchange()

        meters = {m.serial_number: m for m in summary().meters}

        assert meters["OLD"].installed_at is None
        assert meters["OLD"].removed_at == uk("2024-03-01")
        assert not meters["OLD"].is_current
        assert meters["NEW"].installed_at == uk("2024-03-01")
        assert meters["NEW"].removed_at is None
        assert meters["NEW"].is_current
        assert summary().current_meter == meters["NEW"]

    def test_a_meter_read_after_its_final_reading_is_not_removed(self) -> None:
        import_groups(meter(Read("2024-01-01", "10.0"), serial="A", reading_type="F"))
        import_groups(meter(Read("2024-02-01", "20.0"), serial="A"))

        (only,) = summary().meters

        assert only.removed_at is None
        assert only.is_current

    def test_each_register_shows_its_latest_counting_reading(self) -> None:
        exchange()

        registers = {(r.serial_number, r.register_id): r for r in summary().registers}

        assert set(registers) == {("NEW", "01"), ("NEW", "02"), ("OLD", "01")}
        latest = registers[("NEW", "01")]
        assert (latest.read_at, latest.value, latest.reading_type) == (
            uk("2024-05-01"),
            Decimal("80.0"),
            "D",
        )
        assert latest.reading_type_label.startswith("Deemed")
        assert registers[("OLD", "01")].value == Decimal("200.0")

    def test_a_withdrawn_reading_does_not_count_as_the_latest(self) -> None:
        import_groups(meter(Read("2024-01-01", "10.0"), Read("2024-02-01", "20.0")))
        import_groups(meter(Read("2024-02-01", "20.0"), reading_type="W"))

        (register,) = summary().registers

        assert register.value == Decimal("10.0")

    def test_the_last_actual_read_skips_deemed_readings_and_counts_days(self) -> None:
        exchange()

        actual = summary().last_actual_read

        assert actual is not None
        assert (actual.serial_number, actual.read_at) == ("NEW", uk("2024-04-01"))
        assert actual.reading_type == "R"
        assert actual.days_since == 40

    def test_open_anomalies_are_latest_readings_with_an_anomaly_or_suspect(self) -> None:
        exchange()
        import_groups(meter(Read("2024-06-01", "1.0", register="02"), serial="NEW"))

        open_ones = {(r.serial_number, r.register_id): r for r in summary().open_anomalies}

        assert set(open_ones) == {("NEW", "02")}
        assert open_ones[("NEW", "02")].anomaly == "negative"
        assert not open_ones[("NEW", "02")].suspect

    def test_a_suspect_latest_reading_is_open(self) -> None:
        exchange()

        open_ones = [(r.register_id, r.suspect) for r in summary().open_anomalies]

        assert open_ones == [("02", True)]

    def test_the_last_site_visit_has_its_text_and_file(self) -> None:
        exchange()

        visit = summary().last_site_visit

        assert visit is not None
        assert (visit.group, visit.check_code, visit.text) == ("029", "16", "Meter cupboard locked")
        assert visit.serial_number == "NEW"
        assert visit.file_name.endswith(".uff")

    def test_the_query_count_does_not_depend_on_the_data(
        self, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        exchange()
        with django_assert_num_queries(6):
            summary()
        for month in range(6, 13):
            import_groups(
                meter(Read(f"2024-{month:02d}-01", f"{month}00.0"), serial="NEW"),
                meter(Read(f"2024-{month:02d}-01", "1.0"), serial="OTHER", mpan_number=2),
            )

        with django_assert_num_queries(6):
            summary()
