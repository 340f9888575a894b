"""What readings mean, where staff see it: the reading list's status and anomaly filters, the
meter point page's summary, consumption chart and timeline, the meter page's chart, and the
anomaly worklist (ageing, sender filter, export)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from readings.localtime import as_uk
from readings.models import Reading, WorklistEntry
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
