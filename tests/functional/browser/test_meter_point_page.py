"""A meter point's page: find an MPAN whose reading was withdrawn, see that reading set apart,
and the consumption charts of its registers, legible in the dark theme."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect

from readings.services.importing import import_flow_file
from tests.conftest import SAMPLES
from tests.functional.browser.conftest import Login

pytestmark = pytest.mark.browser

TWO_YEARS = SAMPLES / "DCAA_DEMO000024_two_years.uff"
EXCHANGED = "1900090033158"  # meter K88B12003 (19 readings) exchanged for K88B13100 (7)
WITHDRAWAL = (
    "ZHV|WDRAW00001|D0010002|D|DCAA|X|SUPA|20250101120000||||OPER|\n"
    f"026|{EXCHANGED}|V|\n"
    "028|K88B12003|W|\n"
    "030|TO|20230209000000|15300.0|||T|N|\n"
    "ZPT|WDRAW00001|3||1|20250101120001|\n"
)

# The relative luminance and contrast ratio of WCAG 2 (AA: 4.5 for text), in the page.
CONTRAST = """
([fg, bg]) => {
  const lum = (css) => {
    const [r, g, b] = css.match(/[0-9.]+/g).slice(0, 3).map(Number).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.fixture(autouse=True)
def two_years_with_a_withdrawal(transactional_db: None) -> None:
    import_flow_file(source=TWO_YEARS)
    import_flow_file(source=io.BytesIO(WITHDRAWAL.encode()), file_name="withdrawal.uff")


def computed(locator: Locator, prop: str) -> str:
    value = locator.evaluate(f"(e) => getComputedStyle(e).{prop}")
    assert isinstance(value, str)
    return value


class TestMeterPointPage:
    def test_a_withdrawn_reading_is_set_apart_and_the_consumption_is_charted(
        self, page: Page, log_in: Login, support: User
    ) -> None:
        log_in(page, support)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/admin/readings/reading/?status=withdrawn")

        page.locator("#result_list tbody tr").first.get_by_role("link", name=EXCHANGED).click()

        expect(page).to_have_url(re.compile(r"/admin/readings/meterpoint/\d+/change/$"))
        expect(page.locator("#meter-point-summary")).to_contain_text("current meter")
        withdrawn = page.locator("#latest-readings tr.status-withdrawn")
        expect(withdrawn).to_have_count(1)
        expect(withdrawn).to_contain_text("withdrawn by a later W")
        assert "line-through" in computed(withdrawn.locator("td").first, "textDecorationLine")
        chart = page.get_by_role("img", name="Consumption of K88B12003 register TO, kWh per day")
        expect(chart).to_be_visible()
        expect(chart.locator("rect.bar")).to_have_count(17)  # 19 readings, one withdrawn
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] <= 390
        no_sideways_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(no_sideways_scroll)

    def test_the_chart_text_is_legible_in_the_dark_theme(
        self, page: Page, log_in: Login, support: User
    ) -> None:
        page.emulate_media(color_scheme="dark")
        log_in(page, support)
        page.goto(f"/admin/readings/reading/?q={EXCHANGED}")
        page.locator("#result_list tbody tr").first.get_by_role("link", name=EXCHANGED).click()

        figure = page.locator("figure.consumption-chart").first
        tick = figure.locator("svg text.tick").first
        colours = [computed(tick, "fill"), computed(figure.locator("svg"), "backgroundColor")]

        assert page.evaluate(CONTRAST, colours) >= 4.5
        assert colours[1] not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
