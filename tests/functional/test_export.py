"""The CSV export of the reading list: permission, columns, filters, escaping, size."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from readings.exports import ReadingResource
from readings.models import Meter, Reading
from tests.functional.admin_helpers import bulk_flow_file, import_files, logged_in
from tests.meaning_files import Read, import_groups, meter

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:readings_reading_export")
READINGS = reverse("admin:readings_reading_changelist")
COLUMNS = [
    "MPAN",
    "meter serial",
    "register",
    "read at",
    "value",
    "MD reset at",
    "MD resets",
    "reading type",
    "BSC validation status",
    "reading flag",
    "032 reason code",
    "032 status",
    "method",
    "flow file",
    "line",
    "status",
    "advance",
    "advance per day",
    "anomaly",
]


def export_form_data() -> dict[str, str]:
    """What the export page posts: CSV, the reading resource and every column."""
    data = {"format": "0", "resource": "0"}
    for field in ReadingResource().get_export_order():
        data[f"readingresource_{field}"] = "on"
    return data


def content(response: HttpResponseBase) -> bytes:
    """The body of a response the export page streams."""
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response)


def export(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.post(f"{EXPORT}{query}", export_form_data())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(content(response).decode())))


@pytest.fixture
def exporter(client: Client) -> Client:
    return logged_in(client, "exporter", "readings.view_reading", "readings.export_reading")


@pytest.fixture
def viewer(client: Client) -> Client:
    return logged_in(client, "viewer", "readings.view_reading")


@pytest.fixture
def files(official_sample: Path, every_group_file: Path) -> None:
    import_files(official_sample, every_group_file)


@pytest.mark.usefixtures("files")
class TestExportPermission:
    def test_without_the_permission_there_is_no_button_and_the_url_is_refused(
        self, viewer: Client
    ) -> None:
        page = viewer.get(READINGS)

        get = viewer.get(EXPORT)
        post = viewer.post(EXPORT, export_form_data())

        assert page.status_code == 200
        assert b"export_link" not in page.content
        assert get.status_code == 403
        assert post.status_code == 403

    def test_with_the_permission_the_button_keeps_the_search_and_the_export_works(
        self, exporter: Client
    ) -> None:
        page = exporter.get(READINGS, {"q": "F75A 00802"})

        rows = export(exporter, "?q=F75A+00802")

        assert f'href="{EXPORT}?q=F75A+00802"' in page.content.decode()
        assert len(rows) == 1

    def test_the_export_permission_without_view_permission_is_refused(self, client: Client) -> None:
        logged_in(client, "blind", "readings.export_reading")

        response = client.post(EXPORT, export_form_data())

        assert response.status_code == 403

    def test_anonymous_users_are_sent_to_log_in(self, client: Client) -> None:
        response = client.get(EXPORT)

        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


@pytest.mark.usefixtures("files")
class TestExportContent:
    def test_columns_and_values_use_codes_and_iso_times_with_the_uk_offset(
        self, exporter: Client
    ) -> None:
        rows = export(exporter, "?q=1200012345679")

        assert list(rows[0]) == COLUMNS
        assert rows[0] == {
            "MPAN": "1200012345679",
            "meter serial": "K98A012345",
            "register": "02",
            "read at": "2024-04-03T00:00:00+01:00",
            "value": "12345.0",
            "MD reset at": "",
            "MD resets": "",
            "reading type": "R",
            "BSC validation status": "V",
            "reading flag": "T",
            "032 reason code": "",
            "032 status": "",
            "method": "P",
            "flow file": "every_group.uff",
            "line": "8",
            "status": "live",
            "advance": "",
            "advance per day": "",
            "anomaly": "",
        }
        assert {row["read at"] for row in rows} >= {"2024-03-01T00:00:00+00:00"}

    def test_suspect_and_md_readings_carry_their_032_and_md_items(self, exporter: Client) -> None:
        rows = {row["register"]: row for row in export(exporter, "?q=1998765432107")}

        suspect, md = rows["01"], rows["04"]
        assert (suspect["reading flag"], suspect["032 reason code"], suspect["032 status"]) == (
            "F",
            "03",
            "F",
        )
        assert (suspect["line"], suspect["MD reset at"], suspect["MD resets"]) == ("11", "", "")
        assert (md["MD reset at"], md["MD resets"], md["032 status"]) == (
            "2024-04-02T14:30:00+01:00",
            "1",
            "",
        )

    def test_the_column_boxes_are_labelled_as_the_csv_header(self, exporter: Client) -> None:
        page = exporter.get(EXPORT).content.decode()

        for column in COLUMNS:
            assert f">{column}</label>" in page or f"> {column}</label>" in page, column
        assert "Mpan" not in page

    def test_the_export_holds_only_the_rows_searched_and_filtered(self, exporter: Client) -> None:
        everything = export(exporter)
        searched = export(exporter, "?q=12+0001+2345+679&reading_type__exact=W")
        suspect = export(exporter, "?reading_flag__exact=0")

        assert len(everything) == 21
        assert [(r["register"], r["reading type"]) for r in searched] == [("02", "W"), ("01", "W")]
        assert [r["meter serial"] for r in suspect] == ["F12B 34567"]

    def test_only_the_columns_ticked_in_the_form_are_exported(self, exporter: Client) -> None:
        data = export_form_data()
        for name in ReadingResource().get_export_order():
            if name not in ("mpan", "read_at"):
                del data[f"readingresource_{name}"]

        body = content(exporter.post(f"{EXPORT}?q=1200012345679", data))
        rows = list(csv.reader(io.StringIO(body.decode())))

        assert rows[0] == ["MPAN", "read at"]
        assert rows[1] == ["1200012345679", "2024-04-03T00:00:00+01:00"]
        assert body.endswith(b"\r\n")  # the spreadsheet dialect, as before

    def test_rows_come_in_the_lists_order_newest_reading_first(self, exporter: Client) -> None:
        rows = export(exporter)

        read_at = [row["read at"] for row in rows]
        assert read_at == sorted(read_at, reverse=True)

    def test_values_a_spreadsheet_would_run_as_formulas_are_escaped(self, exporter: Client) -> None:
        Meter.objects.filter(serial_number="K98A012345").update(serial_number="=cmd|'/C'")
        Meter.objects.filter(serial_number="F12B 34567").update(serial_number="+1+2")
        Meter.objects.filter(serial_number="L85A000017").update(serial_number="@SUM(A1)")

        rows = export(exporter)

        serials = {row["meter serial"] for row in rows}
        assert not any(serial[:1] in {"=", "+", "-", "@"} for serial in serials)
        assert {"'=cmd|'/C'", "'+1+2", "'@SUM(A1)"} <= serials

    def test_bad_filters_export_nothing_rather_than_fail(self, exporter: Client) -> None:
        response = exporter.get(EXPORT, {"read_at__gte": "notadate"})

        assert response.status_code == 200


class TestExportCost:
    def test_the_export_costs_a_fixed_number_of_queries(
        self, exporter: Client, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        bulk_flow_file(readings=3000, meters=30)

        with django_assert_max_num_queries(10):
            rows = export(exporter)

        assert len(rows) == 3000

    def test_rows_are_read_while_the_file_is_sent_not_before(self, exporter: Client) -> None:
        bulk_flow_file(readings=5000, meters=10)

        with CaptureQueriesContext(connection) as answering:
            response = exporter.post(EXPORT, export_form_data())
        with CaptureQueriesContext(connection) as sending:
            pieces = list(response)

        def reads_rows(query: dict[str, str]) -> bool:  # the list's date bounds read no rows
            return '"readings_reading"."value"' in query["sql"]

        assert not any(reads_rows(query) for query in answering)
        assert any(reads_rows(query) for query in sending)
        assert len(pieces) > 3  # about 64 KB each, not one piece for the whole file
        assert b"".join(pieces).count(b"\r\n") == 5001
        assert "Content-Length" not in response
        assert response["Content-Disposition"] == 'attachment; filename="readings.csv"'

    @pytest.mark.slow
    def test_an_export_of_100000_readings_works_without_posting_their_ids(
        self, exporter: Client
    ) -> None:
        bulk_flow_file(readings=100_000, meters=200)
        form = exporter.get(EXPORT).content.decode()

        rows = export(exporter)

        assert 'name="export_items"' not in form
        assert len(rows) == 100_000
        assert Reading.objects.count() == 100_000


class TestExportMeaning:
    def test_status_advance_and_anomaly_are_plain_values(self, exporter: Client) -> None:
        import_groups(
            meter(Read("2024-01-01", "100.0"), Read("2024-01-11", "150.0")),
            meter(Read("2024-01-21", "90.0")),
        )
        import_groups(meter(Read("2024-01-21", "90.0"), reading_type="W"))

        rows = sorted(
            (
                r["read at"][:10],
                r["value"],
                r["status"],
                r["advance"],
                r["advance per day"],
                r["anomaly"],
            )
            for r in export(exporter)
        )

        assert rows == [
            ("2024-01-01", "100.0", "live", "", "", ""),
            ("2024-01-11", "150.0", "live", "50.0", "5.000", ""),
            ("2024-01-21", "90.0", "withdrawal", "", "", ""),
            ("2024-01-21", "90.0", "withdrawn", "", "", ""),
        ]

    def test_a_fall_exports_a_negative_advance_and_its_anomaly(self, exporter: Client) -> None:
        import_groups(meter(Read("2024-01-01", "972169.0"), Read("2024-01-11", "56287.0")))

        rows = export(exporter, "?status=live&anomaly=negative")

        assert [(r["advance"], r["anomaly"]) for r in rows] == [("-915882.0", "negative")]
