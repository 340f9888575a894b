"""The reading list and the pages of meter points, meters, flow files and readings."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit
from readings.queries import LatestReadings
from tests.functional.admin_helpers import (
    bulk_flow_file,
    context_value,
    first_pk,
    import_files,
    inline_rows,
    list_filter,
    list_ordering,
    listed_rows,
)

pytestmark = pytest.mark.django_db

READINGS = reverse("admin:readings_reading_changelist")


@pytest.fixture
def files(official_sample: Path, every_group_file: Path) -> list[FlowFile]:
    return import_files(official_sample, every_group_file)


def listed(client: Client, **params: str) -> list[Reading]:
    response = client.get(READINGS, params)
    assert response.status_code == 200
    return listed_rows(response, Reading)


@pytest.mark.usefixtures("files")
class TestReadingSearch:
    def test_an_mpan_pasted_with_spaces_finds_its_readings(self, admin_client: Client) -> None:
        readings = listed(admin_client, q="12 0002 3305 967")

        assert [r.meter.meter_point.mpan for r in readings] == ["1200023305967"]

    def test_a_serial_with_an_inner_space_typed_without_quotes_finds_its_readings(
        self, admin_client: Client
    ) -> None:
        readings = listed(admin_client, q="F75A 00802")

        assert [r.meter.serial_number for r in readings] == ["F75A 00802"]

    def test_a_serial_in_lower_case_without_its_space_finds_the_same(
        self, admin_client: Client
    ) -> None:
        readings = listed(admin_client, q="  f75a00802 ")

        assert [r.meter.serial_number for r in readings] == ["F75A 00802"]

    def test_a_quoted_serial_finds_the_same(self, admin_client: Client) -> None:
        readings = listed(admin_client, q='"F75A 00802"')

        assert [r.meter.serial_number for r in readings] == ["F75A 00802"]

    @pytest.mark.parametrize("text", ["1200023", "F75A", "00802", "nonsense", "%", "120002330596"])
    def test_partial_or_nonsense_input_matches_nothing(
        self, admin_client: Client, text: str
    ) -> None:
        assert listed(admin_client, q=text) == []

    def test_the_page_says_what_can_be_searched(self, admin_client: Client) -> None:
        response = admin_client.get(READINGS)

        assert b"Search by MPAN" in response.content
        assert b"meter serial" in response.content

    def test_a_meter_point_is_found_by_mpan_or_by_serial(self, admin_client: Client) -> None:
        url = reverse("admin:readings_meterpoint_changelist")

        by_mpan = listed_rows(admin_client.get(url, {"q": "1200 0233 0596 7"}), MeterPoint)
        by_serial = listed_rows(admin_client.get(url, {"q": "f75a 00802"}), MeterPoint)

        assert [p.mpan for p in by_mpan] == ["1200023305967"]
        assert [p.mpan for p in by_serial] == ["1200023305967"]

    def test_a_meter_is_found_by_serial(self, admin_client: Client) -> None:
        url = reverse("admin:readings_meter_changelist")

        meters = listed_rows(admin_client.get(url, {"q": "k98a012345"}), Meter)

        assert [m.serial_number for m in meters] == ["K98A012345"]


@pytest.mark.usefixtures("files")
class TestReadingList:
    def test_each_row_links_to_its_meter_point_meter_and_flow_file(
        self, admin_client: Client
    ) -> None:
        reading = Reading.objects.select_related("meter__meter_point", "flow_file").get(
            meter__serial_number="F75A 00802"
        )

        content = admin_client.get(READINGS, {"q": "F75A 00802"}).content.decode()

        meter = reading.meter
        assert reverse("admin:readings_meterpoint_change", args=[meter.meter_point_id]) in content
        assert reverse("admin:readings_meter_change", args=[meter.pk]) in content
        assert reverse("admin:readings_flowfile_change", args=[reading.flow_file_id]) in content
        assert "DTC5259515123502080915D0010.uff" in content
        own_page = reverse("admin:readings_reading_change", args=[reading.pk])
        assert f'<a href="{own_page}?_changelist_filters=q%3DF75A%2B00802">' in content

    def test_codes_show_with_a_word_and_the_status_as_a_badge(self, admin_client: Client) -> None:
        content = admin_client.get(READINGS, {"q": "F75A 00802"}).content.decode()

        row = next(row for row in content.split("<tr") if ">56311.0<" in row)
        assert '<td class="field-type_word">D deemed</td>' in row
        assert '<span class="badge badge-status badge-status-live">live</span>' in row
        assert "<abbr" not in row  # no meaning hidden in a tooltip

    def test_the_readings_own_page_shows_the_codes_full_labels_and_the_flags(
        self, admin_client: Client
    ) -> None:
        reading = Reading.objects.get(value=Decimal("10230.0"))

        response = admin_client.get(reverse("admin:readings_reading_change", args=[reading.pk]))

        content = response.content.decode()
        assert reading.get_reading_type_display() in content
        assert reading.get_bsc_validation_status_display() in content
        assert reading.get_reading_method_display() in content
        assert reading.get_status_display() in content

    def test_readings_are_newest_first_with_a_unique_tie_breaker(
        self, admin_client: Client
    ) -> None:
        readings = listed(admin_client)

        keys = [(r.read_at, r.pk) for r in readings]
        assert keys == sorted(keys, reverse=True)
        assert len(readings) == 21

    def test_filters_narrow_the_list(self, admin_client: Client) -> None:
        assert {r.reading_type for r in listed(admin_client, reading_type__exact="D")} == {"D"}
        assert all(r.reading_flag is False for r in listed(admin_client, reading_flag__exact="0"))
        assert len(listed(admin_client, reading_method__exact="P")) == 6
        assert len(listed(admin_client, bsc_validation_status__exact="F")) == 2

    def test_the_date_drill_down_narrows_by_uk_day(self, admin_client: Client) -> None:
        in_2016 = listed(admin_client, read_date="2016")
        in_february = listed(admin_client, read_date="2016-02")
        on_the_22nd = listed(admin_client, read_date="2016-02-22")

        assert len(in_2016) == 13
        assert len(in_february) == 9
        assert {r.meter.meter_point.mpan for r in on_the_22nd} == {
            "1200023305967",
            "1900005260419",
            "1900005281720",
        }

    def test_the_date_drill_down_offers_months_of_a_chosen_year(self, admin_client: Client) -> None:
        content = admin_client.get(READINGS, {"read_date": "2016"}).content.decode()

        assert "?read_date=2016-02" in content
        assert "?read_date=2024" in content

    def test_the_flow_file_filter_lists_only_recent_files_and_filters_by_id(
        self, admin_client: Client, files: list[FlowFile]
    ) -> None:
        for number in range(15):
            bulk_flow_file(readings=1, meters=1, name=f"f{number}.uff", first_mpan=number * 10)

        response = admin_client.get(READINGS, {"flow_file__id__exact": str(files[0].pk)})

        spec = list_filter(response, "flow file")
        assert len(spec.lookup_choices) == 11  # the chosen file and the ten most recent
        readings = listed_rows(response, Reading)
        assert {r.flow_file_id for r in readings} == {files[0].pk}
        assert len(readings) == 13

    def test_one_files_readings_come_in_the_files_line_order_from_its_index(
        self, admin_client: Client, files: list[FlowFile]
    ) -> None:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(READINGS, {"flow_file__id__exact": str(files[1].pk)})

        lines = [r.line_number for r in listed_rows(response, Reading)]
        assert lines == sorted(lines)
        assert len(lines) == files[1].reading_count
        file_order = (
            'ORDER BY "readings_reading"."flow_file_id" ASC, "readings_reading"."line_number" ASC'
        )
        assert any(file_order in query["sql"] for query in queries)

    def test_one_files_readings_still_sort_by_date_on_request(
        self, admin_client: Client, files: list[FlowFile]
    ) -> None:
        response = admin_client.get(READINGS, {"flow_file__id__exact": str(files[1].pk), "o": "-1"})

        read_at = [r.read_at for r in listed_rows(response, Reading)]
        assert read_at == sorted(read_at, reverse=True)
        assert len(read_at) == files[1].reading_count

    def test_the_list_has_no_add_or_delete(self, admin_client: Client) -> None:
        content = admin_client.get(READINGS).content.decode()

        assert reverse("admin:readings_reading_add") not in content
        assert 'name="action"' not in content


@pytest.mark.usefixtures("files")
class TestImportedDataIsReadOnly:
    @pytest.mark.parametrize("model", [FlowFile, MeterPoint, Meter, Reading, SiteVisit])
    def test_nothing_can_be_added_or_changed(
        self, admin_client: Client, model: type[Model]
    ) -> None:
        pk = first_pk(model)
        name = model._meta.model_name

        add = admin_client.get(reverse(f"admin:readings_{name}_add"))
        change = admin_client.post(reverse(f"admin:readings_{name}_change", args=[pk]), {})
        page = admin_client.get(reverse(f"admin:readings_{name}_change", args=[pk]))

        assert add.status_code == 403
        assert change.status_code == 403
        assert b'name="_save"' not in page.content

    @pytest.mark.parametrize("model", [MeterPoint, Meter, Reading, SiteVisit])
    def test_nothing_but_a_flow_file_can_be_deleted(
        self, admin_client: Client, model: type[Model]
    ) -> None:
        pk = first_pk(model)
        name = model._meta.model_name

        response = admin_client.post(reverse(f"admin:readings_{name}_delete", args=[pk]))

        assert response.status_code == 403
        assert model._default_manager.filter(pk=pk).exists()


@pytest.mark.usefixtures("files")
class TestDetailPages:
    def test_a_meter_point_page_shows_its_meters_readings_and_chart(
        self, admin_client: Client
    ) -> None:
        point = MeterPoint.objects.get(mpan="1200012345679")

        response = admin_client.get(reverse("admin:readings_meterpoint_change", args=[point.pk]))

        content = response.content.decode()
        assert "K98A012345" in content
        assert 'id="meter-point-summary"' in content
        assert 'id="timeline"' in content
        assert 'id="latest-readings"' in content

    @pytest.mark.parametrize("page", ["meterpoint", "meter"])
    def test_the_link_to_all_the_readings_lists_exactly_them(
        self, admin_client: Client, page: str
    ) -> None:
        point = MeterPoint.objects.get(mpan="1200012345679")
        pk = point.pk if page == "meterpoint" else point.meters.get().pk
        content = admin_client.get(
            reverse(f"admin:readings_{page}_change", args=[pk])
        ).content.decode()

        found = re.search(r'<a href="([^"]*)" id="all-readings-link">', content)
        assert found is not None
        response = admin_client.get(html.unescape(found.group(1)))

        assert response.status_code == 200
        readings = listed_rows(response, Reading)
        assert {r.meter.meter_point_id for r in readings} == {point.pk}
        assert len(readings) == Reading.objects.filter(meter__meter_point=point).count() > 0

    def test_latest_readings_are_bounded_with_a_link_to_all_of_them(
        self, admin_client: Client
    ) -> None:
        flow_file = bulk_flow_file(readings=120, meters=1)
        meter = Meter.objects.get(readings__flow_file=flow_file, readings__line_number=2)

        point_page = admin_client.get(
            reverse("admin:readings_meterpoint_change", args=[meter.meter_point_id])
        )
        meter_page = admin_client.get(reverse("admin:readings_meter_change", args=[meter.pk]))

        assert len(context_value(point_page, "latest", LatestReadings).readings) == 50
        inline = inline_rows(meter_page, Reading)
        assert len(inline) == 50
        assert [reading.read_at for reading in inline] == sorted(
            (reading.read_at for reading in inline), reverse=True
        )
        for response in (point_page, meter_page):
            assert "See all 120 readings" in response.content.decode()
        all_readings = listed(admin_client, meter__id__exact=str(meter.pk))
        assert len(all_readings) == 50  # the first page of 120

    def test_a_flow_file_page_shows_header_trailer_counts_and_links_its_readings(
        self, admin_client: Client, files: list[FlowFile]
    ) -> None:
        flow_file = files[0]

        content = admin_client.get(
            reverse("admin:readings_flowfile_change", args=[flow_file.pk])
        ).content.decode()

        for text in ("0000475656", "UDMS", "MRCY", "Header (ZHV)", "Trailer (ZPT)", "13 readings"):
            assert text in content
        assert f"{READINGS}?flow_file__id__exact={flow_file.pk}" in content

    def test_a_flow_file_page_shows_its_flow_reference(
        self, admin_client: Client, files: list[FlowFile]
    ) -> None:
        flow_file = files[0]
        FlowFile.objects.filter(pk=flow_file.pk).update(flow_reference="D0XYZ")

        content = admin_client.get(
            reverse("admin:readings_flowfile_change", args=[flow_file.pk])
        ).content.decode()

        assert "Flow reference" in content
        assert "D0XYZ" in content

    def test_a_flow_file_page_lists_its_warnings_escaped(
        self, admin_client: Client, files: list[FlowFile]
    ) -> None:
        flow_file = files[0]
        flow_file.warnings = [{"line": 3, "field": "x", "reason": "<script>alert(1)</script>"}]
        flow_file.save()

        content = admin_client.get(
            reverse("admin:readings_flowfile_change", args=[flow_file.pk])
        ).content.decode()

        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert "<script>alert(1)" not in content


class TestTextFromFilesIsEscaped:
    def test_a_serial_and_site_visit_text_with_markup_are_shown_as_text(
        self, admin_client: Client, every_group_file: Path
    ) -> None:
        import_files(every_group_file)
        meter = Meter.objects.get(serial_number="K98A012345")
        Meter.objects.filter(pk=meter.pk).update(serial_number="<script>x")
        SiteVisit.objects.filter(group="029").update(
            additional_information="<script>alert(2)</script>"
        )
        reading = Reading.objects.filter(site_visits__isnull=False).first()
        assert reading is not None
        SiteVisit.objects.filter(reading=reading).update(additional_information="<b>bold</b>")

        pages = [
            admin_client.get(READINGS),
            admin_client.get(reverse("admin:readings_meter_change", args=[meter.pk])),
            admin_client.get(
                reverse("admin:readings_meterpoint_change", args=[meter.meter_point_id])
            ),
            admin_client.get(reverse("admin:readings_sitevisit_changelist")),
            admin_client.get(reverse("admin:readings_reading_change", args=[reading.pk])),
        ]

        for response in pages:
            content = response.content.decode()
            assert "<script>x" not in content
            assert "<script>alert(2)" not in content
            assert "<b>bold</b>" not in content
        assert "&lt;script&gt;x" in pages[0].content.decode()
        assert "&lt;b&gt;bold&lt;/b&gt;" in pages[4].content.decode()


class TestQueryCounts:
    """Page cost does not grow with the rows: the same bound with 13 or 2,000 readings."""

    @pytest.fixture
    def data(self, official_sample: Path, every_group_file: Path) -> FlowFile:
        import_files(official_sample, every_group_file)
        return bulk_flow_file(readings=2000, meters=40)

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"q": "12 0002 3305 967"},
            {"q": "b00001"},
            {"reading_type__exact": "R", "reading_flag__exact": "1"},
            {"read_date": "2024-01"},
            {"p": "3"},
        ],
        ids=["plain", "mpan", "serial", "filtered", "date", "page-3"],
    )
    def test_the_reading_list(
        self,
        admin_client: Client,
        data: FlowFile,
        params: dict[str, str],
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        params = {**params, "flow_file__id__exact": str(data.pk)} if "p" in params else params
        with django_assert_max_num_queries(12):
            response = admin_client.get(READINGS, params)

        assert response.status_code == 200

    def test_the_detail_pages(
        self,
        admin_client: Client,
        data: FlowFile,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        meter = Meter.objects.filter(readings__flow_file=data).order_by("pk").first()
        assert meter is not None
        reading = Reading.objects.filter(flow_file=data).order_by("pk").first()
        assert reading is not None
        urls = [
            reverse("admin:readings_meterpoint_change", args=[meter.meter_point_id]),
            reverse("admin:readings_meter_change", args=[meter.pk]),
            reverse("admin:readings_flowfile_change", args=[data.pk]),
            reverse("admin:readings_reading_change", args=[reading.pk]),
            reverse("admin:readings_flowfile_changelist"),
            reverse("admin:readings_meterpoint_changelist"),
            reverse("admin:readings_meter_changelist"),
            reverse("admin:index"),
        ]

        for url in urls:
            # A meter point's page adds its summary (6 queries), timeline (2) and chart (1).
            bound = 20 if url == urls[0] else 12
            with django_assert_max_num_queries(bound):
                response = admin_client.get(url)

            assert response.status_code == 200, url


@pytest.mark.usefixtures("files")
class TestSorting:
    @pytest.mark.parametrize("column", ["1", "4", "-4", "10", "99"])
    def test_only_the_read_time_column_sorts(self, admin_client: Client, column: str) -> None:
        response = admin_client.get(READINGS, {"o": column})

        assert response.status_code == 200
        assert list_ordering(response) == ("-read_at", "-id")

    def test_the_read_time_column_sorts_oldest_first(self, admin_client: Client) -> None:
        response = admin_client.get(READINGS, {"o": "0"})

        assert list_ordering(response)[0] == "read_at"


@pytest.mark.usefixtures("files")
class TestFileRowLists:
    @pytest.mark.parametrize("model", [FileMeter, SiteVisit])
    def test_newest_file_first_in_the_unique_indexs_order(
        self, admin_client: Client, model: type[FileMeter] | type[SiteVisit]
    ) -> None:
        url = reverse(f"admin:readings_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)

        rows = listed_rows(response, model)
        keys = [(row.flow_file_id, row.line_number) for row in rows]
        assert rows
        assert keys == sorted(keys, reverse=True)
        table = model._meta.db_table
        # The unique (file, line) index read backwards: no sort of the whole table.
        index_order = f'ORDER BY "{table}"."flow_file_id" DESC, "{table}"."line_number" DESC'
        assert any(index_order in query["sql"] for query in queries)
