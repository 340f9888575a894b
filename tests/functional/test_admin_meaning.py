"""What readings mean, where staff see it: the reading list's status and anomaly filters, the
meter point page's summary, consumption chart and timeline, the meter page's chart, and the
anomaly worklist (ageing, sender filter, export)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from readings.localtime import as_uk
from readings.models import Meter, MeterPoint, Reading, WorklistEntry
from tests.factories import mpan
from tests.functional.admin_helpers import listed_rows, logged_in
from tests.functional.test_export import content, export_form_data
from tests.meaning_files import Read, import_groups, meter

pytestmark = pytest.mark.django_db

READINGS = reverse("admin:readings_reading_changelist")


@pytest.fixture
def withdrawn_and_fall() -> None:
    """M0001: 100, 150, then 90 withdrawn by a W; M0002 falls (negative anomaly)."""
    import_groups(
        meter(Read("2024-01-01", "100.0"), Read("2024-01-11", "150.0"), Read("2024-01-21", "90.0")),
        meter(Read("2024-01-01", "500.0"), Read("2024-02-01", "400.0"), serial="M0002"),
    )
    import_groups(meter(Read("2024-01-21", "90.0"), reading_type="W"))


def listed(client: Client, **params: str) -> list[tuple[str, str, str]]:
    response = client.get(READINGS, params)
    assert response.status_code == 200
    return sorted(
        (r.meter.serial_number, str(r.value), r.status) for r in listed_rows(response, Reading)
    )


@pytest.mark.usefixtures("withdrawn_and_fall")
class TestReadingListFilters:
    def test_the_status_filter_finds_withdrawn_readings_and_withdrawals(
        self, admin_client: Client
    ) -> None:
        assert listed(admin_client, status="withdrawn") == [("M0001", "90.0", "withdrawn")]
        assert listed(admin_client, status="withdrawal") == [("M0001", "90.0", "withdrawal")]
        assert len(listed(admin_client, status="live")) == 4

    def test_the_anomaly_filter_finds_a_fall_and_none(self, admin_client: Client) -> None:
        assert listed(admin_client, anomaly="negative") == [("M0002", "400.0", "live")]
        assert ("M0002", "400.0", "live") not in listed(admin_client, anomaly="none")
        assert len(listed(admin_client, anomaly="none")) == 5

    def test_an_unknown_value_lists_nothing(self, admin_client: Client) -> None:
        assert listed(admin_client, status="gone") == []

    def test_the_filters_offer_every_status_and_anomaly(self, admin_client: Client) -> None:
        page = admin_client.get(READINGS).content.decode()

        for choice in ("?status=withdrawn", "?status=superseded", "?anomaly=rollover"):
            assert f'href="{choice}"' in page, choice

    def test_the_list_shows_each_readings_advance_and_rate_beside_its_status(
        self, admin_client: Client
    ) -> None:
        page = admin_client.get(READINGS, {"q": "M0001"}).content.decode()

        assert '<span class="advance">+50.0 kWh, 5.000 a day</span>' in page
        assert "withdrawn</span>" in page


WORKLIST = reverse("admin:readings_worklistentry_changelist")
WORKLIST_EXPORT = reverse("admin:readings_worklistentry_export")


def days_ago(days: int) -> str:
    return (as_uk(timezone.now()).date() - timedelta(days=days)).isoformat()


@pytest.fixture
def worklist_files() -> None:
    """W1 fell 3 days ago; W2 suspect 20 days ago (sent by OTHR); W3 suspect, then validated;
    W4 ordinary; W5 fell 400 days ago."""
    import_groups(
        meter(Read(days_ago(40), "500.0"), Read(days_ago(3), "400.0"), serial="W1"),
        meter(Read(days_ago(50), "10.0"), Read(days_ago(30), "20.0", flag="F"), serial="W3"),
        meter(Read(days_ago(50), "10.0"), Read(days_ago(30), "20.0"), serial="W4"),
        meter(Read(days_ago(500), "900.0"), Read(days_ago(400), "100.0"), serial="W5"),
    )
    import_groups(
        meter(Read(days_ago(60), "1.0"), Read(days_ago(20), "2.0", flag="F"), serial="W2"),
        meter(Read(days_ago(10), "30.0"), serial="W3"),
        sender="OTHR",
    )


def worklist_rows(client: Client, **params: str) -> list[str]:
    response = client.get(WORKLIST, params)
    assert response.status_code == 200
    return sorted(r.meter.serial_number for r in listed_rows(response, WorklistEntry))


@pytest.mark.usefixtures("worklist_files")
class TestWorklist:
    def test_it_lists_registers_whose_latest_reading_is_odd_or_suspect(
        self, admin_client: Client
    ) -> None:
        assert worklist_rows(admin_client) == ["W1", "W2", "W5"]

    @pytest.mark.parametrize(
        ("age", "serials"),
        [("week", ["W1"]), ("month", ["W2"]), ("quarter", []), ("older", ["W5"])],
    )
    def test_the_age_filter_buckets_by_read_date(
        self, admin_client: Client, age: str, serials: list[str]
    ) -> None:
        assert worklist_rows(admin_client, age=age) == serials

    def test_each_row_says_its_age_and_why(self, admin_client: Client) -> None:
        page = admin_client.get(WORKLIST).content.decode()

        assert "under a week" in page
        assert "a week to a month" in page
        assert "over 6 months" in page
        assert "negative: the register fell" in page
        assert "suspect (flag F), no validated reading since" in page

    def test_the_sender_filter_offers_and_narrows_by_sender(self, admin_client: Client) -> None:
        page = admin_client.get(WORKLIST).content.decode()

        assert 'href="?sender=OTHR"' in page
        assert worklist_rows(admin_client, sender="OTHR") == ["W2"]
        assert worklist_rows(admin_client, sender="DCAA") == ["W1", "W5"]

    def test_it_exports_as_csv_with_the_reading_lists_columns(self, admin_client: Client) -> None:
        response = admin_client.post(f"{WORKLIST_EXPORT}?sender=DCAA", export_form_data())

        rows = list(csv.DictReader(io.StringIO(content(response).decode())))
        assert sorted((r["meter serial"], r["advance"], r["anomaly"]) for r in rows) == [
            ("W1", "-100.0", "negative"),
            ("W5", "-800.0", "negative"),
        ]

    def test_support_agents_see_it_and_others_do_not(self, client: Client) -> None:
        logged_in(client, "agent", "readings.view_reading")
        assert client.get(WORKLIST).status_code == 200
        client.logout()
        logged_in(client, "files-only", "readings.view_flowfile")
        assert client.get(WORKLIST).status_code == 403


def point_page(client: Client, number: int = 1) -> str:
    point = MeterPoint.objects.get(mpan=mpan(number))
    response = client.get(reverse("admin:readings_meterpoint_change", args=[point.pk]))
    assert response.status_code == 200
    return response.content.decode()


def chart_of(page: str, serial: str, register: str = "01") -> str:
    marker = f'<figure class="consumption-chart" data-serial="{serial}" data-register="{register}"'
    assert marker in page
    return page.split(marker)[1].split("</figure>")[0]


@pytest.fixture
def exchanged() -> None:
    """OLD read then removed (F); NEW installed (I) and read; a site visit; a withdrawn
    reading and a superseded one on NEW."""
    import_groups(
        meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "131.0"), serial="OLD"),
        meter(Read("2024-03-02", "200.0"), serial="OLD", reading_type="F"),
        meter(Read("2024-03-02", "0.0"), serial="NEW", reading_type="I"),
    )
    import_groups(
        meter(
            Read("2024-04-01", "30.0"),
            Read("2024-05-01", "77.0"),
            Read("2024-06-01", "90.0"),
            serial="NEW",
            site_visit="Meter cupboard locked",
        ),
    )
    import_groups(meter(Read("2024-06-01", "90.0"), serial="NEW", reading_type="W"))
    import_groups(meter(Read("2024-05-01", "60.0"), serial="NEW"))  # corrects 77.0


@pytest.mark.usefixtures("exchanged")
class TestMeterPointPage:
    def test_the_summary_comes_first_with_meters_latest_reads_and_the_site_visit(
        self, admin_client: Client
    ) -> None:
        page = point_page(admin_client)
        summary = page.split('id="meter-point-summary"')[1].split("</div>")[0]

        assert page.index('id="meter-point-summary"') < page.index('id="consumption-charts"')
        assert '<tr class="current-meter">' in summary
        assert "NEW" in summary.split('class="current-meter"')[1].split("</tr>")[0]
        assert "02/03/2024" in summary  # OLD removed, NEW installed
        assert "60.0" in summary.split('id="latest-per-register"')[1]  # the correction counts
        assert "Meter cupboard locked" in summary
        assert "day" in summary.split('id="last-actual-read"')[1].split("</dd>")[0]

    def test_the_chart_draws_advances_per_day_in_kwh_with_uk_dates(
        self, admin_client: Client
    ) -> None:
        chart = chart_of(point_page(admin_client), "NEW")

        assert "kWh per day" in chart
        assert 'class="gridline"' in chart
        assert "01/04/2024" in chart
        bars = re.findall(r'<rect class="bar[^"]*"[^>]*data-end="([0-9-]+)"', chart)
        # 0 → 30 → 60 counting; 77 superseded, 90 withdrawn: never drawn.
        assert bars == ["2024-04-01", "2024-05-01"]
        assert "77.0" not in chart
        assert "90.0" not in chart
        assert "30.0 kWh" in chart

    def test_the_chart_keeps_meters_apart_and_uses_no_inline_style(
        self, admin_client: Client
    ) -> None:
        page = point_page(admin_client)

        old = chart_of(page, "OLD")
        assert re.findall(r'data-end="([0-9-]+)"', old) == ["2024-02-01", "2024-03-02"]
        assert "style=" not in page.split('id="consumption-charts"')[1]
        assert 'fill="currentColor"' in old
        assert 'viewBox="0 0 640 240"' in old

    def test_the_timeline_lists_readings_exchanges_visits_and_files_newest_first(
        self, admin_client: Client
    ) -> None:
        timeline = point_page(admin_client).split('id="timeline"')[1].split("</table>")[0]
        rows = re.findall(r'<tr class="([^"]*)">\s*<td>([0-9/]+)', timeline)

        dates = [datetime.strptime(day, "%d/%m/%Y") for _, day in rows]  # noqa: DTZ007
        assert dates == sorted(dates, reverse=True)
        classes = [css for css, _ in rows]
        assert "timeline-withdrawal" in classes[0]
        assert any("status-withdrawn" in css and "not-counted" in css for css in classes)
        assert any("status-superseded" in css for css in classes)
        assert "timeline-installed" in classes
        assert "timeline-removed" in classes
        assert "timeline-site-visit" in classes
        assert "029 16" in timeline
        assert "Meter cupboard locked" in timeline
        assert ".uff</a>" in timeline

    def test_the_timeline_is_bounded_and_links_to_all(self, admin_client: Client) -> None:
        import_groups(
            meter(
                *(
                    Read(f"2025-{m:02d}-{d:02d}", f"{m}{d}0.0")
                    for m in range(1, 13)
                    for d in (1, 10, 20)
                ),
                serial="NEW",
            ),
            meter(*(Read(f"2026-{m:02d}-01", f"{m}0000.0") for m in range(1, 13)), serial="NEW"),
        )
        page = point_page(admin_client)
        timeline = page.split('id="timeline"')[1].split("</table>")[0]

        assert timeline.count("<tr class=") == 50
        assert 'id="timeline-all-readings"' in page
        assert f"/admin/readings/sitevisit/?q={mpan(1)}" in page

    def test_the_withdrawn_reading_is_set_apart_in_the_readings_table(
        self, admin_client: Client
    ) -> None:
        table = point_page(admin_client).split('id="latest-readings"')[1]

        assert '<tr class="status-withdrawn not-counted">' in table
        assert "withdrawn by a later W" in table

    def test_the_meter_page_has_its_chart(self, admin_client: Client) -> None:
        new = Meter.objects.get(serial_number="NEW")

        page = admin_client.get(reverse("admin:readings_meter_change", args=[new.pk]))

        chart = chart_of(page.content.decode(), "NEW")
        assert re.findall(r'data-end="([0-9-]+)"', chart) == ["2024-04-01", "2024-05-01"]


class TestQueryCounts:
    """The new pages cost the same number of queries however many readings there are."""

    def urls(self) -> list[str]:
        point = MeterPoint.objects.get(mpan=mpan(1))
        return [
            reverse("admin:readings_meterpoint_change", args=[point.pk]),
            f"{READINGS}?status=withdrawn",
            f"{READINGS}?anomaly=negative",
            WORKLIST,
            f"{WORKLIST}?age=older&sender=DCAA",
        ]

    def counts(self, client: Client) -> list[int]:
        counted: list[int] = []
        for url in self.urls():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counted.append(len(captured.captured_queries))
        return counted

    def test_they_do_not_grow_with_the_readings(self, admin_client: Client) -> None:
        import_groups(meter(Read("2024-01-01", "10.0"), Read("2024-02-01", "5.0")))
        import_groups(meter(Read("2024-02-01", "5.0"), reading_type="W"))
        # More readings than the page lists (so it counts them), and a few more after.
        import_groups(
            meter(
                *(
                    Read(f"2000-{m:02d}-{d:02d}", f"{m}{d}.0")
                    for m in range(1, 13)
                    for d in range(1, 6)
                ),
                serial="BASE",
            )
        )
        few = self.counts(admin_client)
        for year in range(2010, 2020):
            import_groups(
                *(
                    meter(
                        *(Read(f"{year}-{m:02d}-01", f"{m}0{n}.0") for m in range(1, 13)),
                        serial=f"S{n}",
                        mpan_number=n,
                    )
                    for n in range(1, 6)
                )
            )

        assert self.counts(admin_client) == few
