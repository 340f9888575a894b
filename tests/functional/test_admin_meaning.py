"""What readings mean, where staff see it: the reading list's status and anomaly filters, the
meter point page's summary, consumption chart and timeline, the meter page's chart, and the
anomaly worklist (ageing, sender filter, export)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from readings.models import Reading
from tests.functional.admin_helpers import listed_rows
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
