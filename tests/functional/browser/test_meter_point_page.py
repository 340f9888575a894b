"""A meter point's page: its meters, latest readings and the chart of its readings."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from readings.services.importing import import_flow_file
from tests.conftest import SAMPLES
from tests.functional.browser.conftest import Login, MakeUser

pytestmark = pytest.mark.browser

TWO_YEARS = SAMPLES / "DCAA_DEMO000024_two_years.uff"
EXCHANGED = "1900090033158"  # meter K88B12003 (19 readings) exchanged for K88B13100 (7)


@pytest.fixture
def support(make_user: MakeUser) -> User:
    return make_user(
        "support",
        "readings.view_reading",
        "readings.view_meterpoint",
        "readings.view_meter",
    )


@pytest.fixture(autouse=True)
def two_years_of_readings(transactional_db: None) -> None:
    import_flow_file(source=TWO_YEARS)


class TestMeterPointChart:
    def test_the_mpan_link_of_a_reading_opens_a_chart_with_a_line_per_meter(
        self, page: Page, log_in: Login, support: User
    ) -> None:
        log_in(page, support)
        page.goto(f"/admin/readings/reading/?q={EXCHANGED}")

        page.locator("#result_list tbody tr").first.get_by_role("link", name=EXCHANGED).click()

        expect(page).to_have_url(re.compile(r"/admin/readings/meterpoint/\d+/change/$"))
        chart = page.get_by_role("img", name="Register readings over time")
        expect(chart).to_be_visible()
        expect(chart.locator("polyline")).to_have_count(2)
        expect(chart.locator("circle")).to_have_count(26)
        expect(chart).to_contain_text("K88B12003 register TO (19 readings)")
        expect(chart).to_contain_text("K88B13100 register TO (7 readings)")
