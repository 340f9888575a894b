"""The reading list as a support agent's daily tool: UK dates, a date range, honest counts,
empty results that explain themselves, and an export for spreadsheets."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from readings.admin.filters import years_with_readings
from readings.admin.paginators import CappedCountPaginator
from readings.exports import ReadingResource
from readings.localtime import format_minute
from readings.models import FlowFile, Meter, Reading
from readings.wording import counted_up_to
from tests.conftest import SAMPLES
from tests.functional.admin_helpers import bulk_flow_file, import_files, listed_rows, logged_in

pytestmark = pytest.mark.django_db

READINGS = reverse("admin:readings_reading_changelist")
EXPORT = reverse("admin:readings_reading_export")
MPAN = "1200023305967"  # the official sample's first meter point, read on 22/02/2016


@pytest.fixture
def files(official_sample: Path, every_group_file: Path) -> list[FlowFile]:
    return import_files(official_sample, every_group_file)


@pytest.fixture
def exporter(client: Client) -> Client:
    return logged_in(client, "exporter", "readings.view_reading", "readings.export_reading")


def page(client: Client, **query: str) -> str:
    response = client.get(READINGS, query)
    assert response.status_code == 200
    return response.content.decode()


def messages_of(client: Client, **query: str) -> list[str]:
    response = client.get(READINGS, query)
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.usefixtures("files")
class TestUkDates:
    def test_the_list_and_a_readings_page_show_dates_as_day_month_year(
        self, admin_client: Client
    ) -> None:
        reading = Reading.objects.get(meter__meter_point__mpan=MPAN)

        listed = page(admin_client, q=MPAN)
        own = admin_client.get(reverse("admin:readings_reading_change", args=[reading.pk]))

        assert "22/02/2016 00:00" in listed
        assert "22/02/2016 00:00" in own.content.decode()
        assert "Feb. 22, 2016" not in listed
        assert "midnight" not in listed

    def test_the_drill_down_offers_only_years_that_hold_readings(
        self, admin_client: Client
    ) -> None:
        content = page(admin_client)

        assert years_with_readings() == [2024, 2016]
        assert "?read_date=2024" in content
        assert "?read_date=2016" in content
        assert "?read_date=2020" not in content

    def test_a_day_of_the_drill_down_is_written_as_a_uk_date(self, admin_client: Client) -> None:
        content = page(admin_client, read_date="2016-02")

        assert ">22/02/2016<" in content
        assert ">February 2016<" in content


@pytest.mark.usefixtures("files")
class TestReadAtRange:
    def test_a_range_of_uk_dates_lists_the_readings_of_those_days_both_included(
        self, admin_client: Client
    ) -> None:
        response = admin_client.get(READINGS, {"read_from": "22/02/2016", "read_to": "24/02/2016"})

        days = {r.read_at.date().isoformat() for r in listed_rows(response, Reading)}
        assert days == {"2016-02-22", "2016-02-24"}

    def test_a_range_to_the_last_day_there_is_has_no_end(self, admin_client: Client) -> None:
        response = admin_client.get(READINGS, {"read_from": "24/02/2016", "read_to": "31/12/9999"})

        assert response.status_code == 200
        days = {r.read_at.date().isoformat() for r in listed_rows(response, Reading)}
        assert "2016-02-24" in days
        assert "2016-02-22" not in days

    def test_the_presets_are_offered(self, admin_client: Client) -> None:
        content = page(admin_client)

        for preset in ("last 30 days", "this year", "last year"):
            assert f">{preset}</a>" in content

    @pytest.mark.parametrize(
        ("given", "said"),
        [
            ({"read_from": "31/02/2016"}, "Read at from '31/02/2016' is not a date"),
            ({"read_to": "soon"}, "Read at to 'soon' is not a date"),
            (
                {"read_from": "24/02/2016", "read_to": "22/02/2016"},
                "starts (24/02/2016) after it ends (22/02/2016)",
            ),
        ],
        ids=["no-such-day", "not-a-date", "backwards"],
    )
    def test_a_range_that_is_not_one_lists_nothing_and_says_why(
        self, admin_client: Client, given: dict[str, str], said: str
    ) -> None:
        response = admin_client.get(READINGS, given)

        assert listed_rows(response, Reading) == []
        told = [str(m) for m in get_messages(response.wsgi_request)]
        assert any(said in message for message in told), told


class TestHonestCounts:
    def test_past_the_cap_the_search_box_and_the_footer_say_the_same_and_offer_no_show_all(
        self, admin_client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        bulk_flow_file(readings=30, meters=1)
        monkeypatch.setattr(CappedCountPaginator, "cap", 20)

        content = page(admin_client, q="B00000")

        assert content.count("more than 20 readings") == 2
        assert "Show all" not in content
        assert "21 results" not in content

    def test_a_meters_page_counts_its_readings_only_up_to_the_cap(
        self, admin_client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        bulk_flow_file(readings=120, meters=1)
        monkeypatch.setattr("readings.admin.meters.COUNT_CAP", 100)
        meter = Meter.objects.get(serial_number="B00000")

        content = admin_client.get(reverse("admin:readings_meter_change", args=[meter.pk]))

        assert "See all readings (more than 100 readings)" in content.content.decode()

    def test_the_wording_has_thousands_separators(self) -> None:
        assert counted_up_to(10_001, 10_000, "reading") == "more than 10,000 readings"
        assert counted_up_to(1_234, 10_000, "reading") == "1,234 readings"
        assert counted_up_to(1, 10_000, "reading") == "1 reading"


@pytest.mark.usefixtures("files")
class TestEmptyResults:
    def test_a_mistyped_check_digit_suggests_the_mpan_held(self, admin_client: Client) -> None:
        content = page(admin_client, q="1200023305968")

        assert "1200023305968 fails the MPAN check digit — did you mean" in content
        assert f'href="{READINGS}?q={MPAN}" class="did-you-mean">{MPAN}</a>' in content

    def test_two_swapped_digits_suggest_the_mpan_held(self, admin_client: Client) -> None:
        content = page(admin_client, q="1200023309567")

        assert f'class="did-you-mean">{MPAN}</a>' in content

    def test_a_partial_serial_lists_serials_starting_with_it(self, admin_client: Client) -> None:
        content = page(admin_client, q="F75A")

        assert "No meter with that exact serial; serials starting with F75A:" in content
        assert 'class="serial-suggestion">F75A 00802</a>' in content

    def test_an_empty_month_says_when_the_latest_reading_was(self, admin_client: Client) -> None:
        latest = Reading.objects.get(meter__meter_point__mpan=MPAN)

        content = page(admin_client, q=MPAN, read_date="2026-02")

        assert f"No readings in February 2026 for MPAN {MPAN} — its latest is" in content
        assert f">{format_minute(latest.read_at)}</a>" in content

    def test_an_empty_list_offers_no_export(self, client: Client) -> None:
        exporter = logged_in(client, "exporter", "readings.view_reading", "readings.export_reading")

        assert 'class="export_link"' in page(exporter, q=MPAN)
        assert 'class="export_link"' not in page(exporter, q="1200023305968")

    def test_the_explanations_cost_a_few_queries(
        self, admin_client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        bulk_flow_file(readings=200, meters=50, serial_prefix="F75A")

        with django_assert_max_num_queries(12):
            page(admin_client, q="F75A")
        with django_assert_max_num_queries(12):
            page(admin_client, q="1200023305968")


@pytest.mark.usefixtures("files")
class TestSpreadsheetExport:
    def test_the_xlsx_file_has_typed_cells(self, exporter: Client) -> None:
        data = {"format": "1", "resource": "0"}
        for field in ReadingResource().get_export_order():
            data[f"readingresource_{field}"] = "on"

        response = exporter.post(f"{EXPORT}?q={MPAN}", data)

        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="readings-{MPAN}.xlsx"'
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        header = [cell.value for cell in sheet[1]]
        row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
        assert row["MPAN"] == MPAN
        assert row["register"] == "S"
        assert row["read at"] == datetime(2016, 2, 22, 0, 0)  # noqa: DTZ001 (UK wall-clock time: cells hold no zone)
        assert row["value"] == Decimal("56311.0") or row["value"] == 56311.0
        assert isinstance(row["value"], (int, float))
        assert row["line"] == 4

    def test_the_xlsx_files_advances_are_numbers(self, exporter: Client) -> None:
        import_files(SAMPLES / "DCAA_DEMO000024_two_years.uff")
        data = {"format": "1", "resource": "0"}
        for field in ReadingResource().get_export_order():
            data[f"readingresource_{field}"] = "on"

        response = exporter.post(f"{EXPORT}?q=1400077200517", data)

        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        header = [cell.value for cell in sheet[1]]
        rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(2)]
        latest = rows[0]  # newest first: the DY and NT reads of 06/12/2024 have advances
        assert (latest["advance"], latest["advance per day"]) == (95.6, 3.187)
        assert rows[-1]["advance"] is None  # the first reading of a chain: an empty cell

    def test_the_csv_file_name_carries_the_search_and_the_year(self, exporter: Client) -> None:
        data = {"format": "0", "resource": "0"}
        for field in ReadingResource().get_export_order():
            data[f"readingresource_{field}"] = "on"

        response = exporter.post(f"{EXPORT}?q={MPAN}&read_date=2016", data)

        expected = f'attachment; filename="readings-{MPAN}-2016.csv"'
        assert response["Content-Disposition"] == expected

    def test_the_export_page_says_how_many_readings_and_from_what(self, exporter: Client) -> None:
        reading = Reading.objects.get(meter__meter_point__mpan=MPAN)
        query = f"?q={MPAN}&reading_type__exact={reading.reading_type}"

        content = exporter.get(f"{EXPORT}{query}").content.decode()

        assert "The file will hold <strong>1 reading</strong>" in content
        assert f"search “{MPAN}”" in content
        assert f"type: {reading.get_reading_type_display()}" in content
