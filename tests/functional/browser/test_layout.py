"""The admin on a laptop and a phone, in light and dark: nothing scrolls sideways, text is
readable (WCAG AA contrast, from the browser's computed styles)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from readings.models import Meter, MeterPoint
from readings.services.importing import import_flow_file
from tests.conftest import SAMPLES
from tests.functional.browser.conftest import Login

pytestmark = pytest.mark.browser

TWO_YEARS = SAMPLES / "DCAA_DEMO000024_two_years.uff"
EXCHANGED = "1900090033158"  # two meters, 26 readings
LIST_COLUMNS = ("read at", "MPAN", "serial", "register", "value", "type", "status", "flow file")

# Every element that scrolls sideways (the page itself included), as ``tag#id.class``: what a
# person would have to scroll to see a whole table or page.
SIDEWAYS = """
() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "");
  const found = [];
  const root = document.scrollingElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    found.push(`page: ${root.scrollWidth} px in ${root.clientWidth} px`);
  }
  for (const el of document.querySelectorAll("#content *")) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${name(el)}: ${el.scrollWidth} px in ${el.clientWidth} px`);
    }
  }
  return found;
}
"""

# The text colour of each visible element that holds text of its own, and the colour behind
# it (the first ancestor with an opaque background), with its size and weight.
COLOURS = """
(selector) => {
  const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const behind = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const [r, g, b, a = 1] = parse(getComputedStyle(node).backgroundColor);
      if (a > 0.5) { return [r, g, b]; }
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) { continue; }
    const style = getComputedStyle(el);
    const [r, g, b, a = 1] = parse(style.color);
    found.push({
      text: el.textContent.trim().slice(0, 40), fg: [r, g, b], alpha: a * Number(style.opacity),
      bg: behind(el), size: parseFloat(style.fontSize), weight: Number(style.fontWeight),
    });
  }
  return found;
}
"""
CHECKED = (
    "#site-name .site-tagline, #site-name a, #content h1, #content p, #content a, #content td,"
    " #content th, #content label, #content span, #changelist-filter li a"
)


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: list[float], bg: list[float]) -> float:
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def low_contrast(page: Page) -> list[str]:
    """Text below WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold)."""
    failing = []
    for item in page.evaluate(COLOURS, CHECKED):
        large = item["size"] >= 24 or (item["size"] >= 18.66 and item["weight"] >= 700)
        needed = 3.0 if large else 4.5
        ratio = contrast(item["fg"], item["bg"])
        if item["alpha"] < 0.99 or ratio < needed:
            failing.append(f"{item['text']!r}: {ratio:.2f}:1 (alpha {item['alpha']:.2f})")
    return failing


@pytest.fixture(autouse=True)
def two_years_of_readings(transactional_db: None) -> None:
    import_flow_file(source=TWO_YEARS)


@pytest.fixture
def pages(live_server: object) -> dict[str, str]:
    point = MeterPoint.objects.get(mpan=EXCHANGED)
    meter = Meter.objects.filter(meter_point=point).order_by("pk").first()
    assert meter is not None
    return {
        "index": "/admin/",
        "reading list": "/admin/readings/reading/",
        "reading list searched": f"/admin/readings/reading/?q={EXCHANGED}",
        "flow file list": "/admin/readings/flowfile/",
        "meter point list": "/admin/readings/meterpoint/",
        "meter list": "/admin/readings/meter/",
        "meter point page": f"/admin/readings/meterpoint/{point.pk}/change/",
        "meter page": f"/admin/readings/meter/{meter.pk}/change/",
    }


class TestLaptop:
    def test_the_reading_list_fits_1280_by_800_with_the_sidebar_open(
        self, page: Page, log_in: Login, support: User, pages: dict[str, str]
    ) -> None:
        page.set_viewport_size({"width": 1280, "height": 800})
        log_in(page, support)

        page.goto(pages["reading list searched"])

        expect(page.locator("#nav-sidebar")).to_be_visible()
        headers = [
            h.strip().lower() for h in page.locator("#result_list thead th").all_inner_texts()
        ]
        assert {c.lower() for c in LIST_COLUMNS} <= set(headers)
        assert page.evaluate(SIDEWAYS) == []

    @pytest.mark.parametrize("name", ["meter point page", "meter page"])
    def test_a_meter_points_and_a_meters_page_fit_1440(
        self, page: Page, log_in: Login, support: User, pages: dict[str, str], name: str
    ) -> None:
        page.set_viewport_size({"width": 1440, "height": 900})
        log_in(page, support)

        page.goto(pages[name])

        expect(page.locator("#nav-sidebar")).to_be_visible()
        assert page.evaluate(SIDEWAYS) == []


class TestPhone:
    @pytest.mark.parametrize(
        "name",
        [
            "index",
            "reading list",
            "reading list searched",
            "flow file list",
            "meter point list",
            "meter list",
            "meter point page",
        ],
    )
    def test_nothing_scrolls_sideways_at_390(
        self, page: Page, log_in: Login, support: User, pages: dict[str, str], name: str
    ) -> None:
        page.set_viewport_size({"width": 390, "height": 844})
        log_in(page, support)

        page.goto(pages[name])

        assert page.evaluate(SIDEWAYS) == []


class TestContrast:
    @pytest.mark.parametrize("scheme", ["light", "dark"])
    @pytest.mark.parametrize("name", ["index", "reading list searched"])
    def test_text_meets_aa_in_both_themes(
        self,
        page: Page,
        log_in: Login,
        support: User,
        pages: dict[str, str],
        scheme: str,
        name: str,
    ) -> None:
        page.emulate_media(color_scheme="dark" if scheme == "dark" else "light")
        log_in(page, support)

        page.goto(pages[name])

        expect(page.locator("#site-name .site-tagline")).to_be_visible()
        assert low_contrast(page) == []
