"""Finding readings as support staff do: search the reading list, follow its links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect

from readings.services.importing import import_flow_file
from tests.functional.browser.conftest import Login, MakeUser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("imported_sample")]

MPAN = "1200023305967"  # the official sample's first meter point: meter F75A 00802
SAMPLE_FILE = "DTC5259515123502080915D0010.uff"


@pytest.fixture
def support(make_user: MakeUser) -> User:
    return make_user("support", "readings.view_reading", "readings.view_flowfile")


def search_readings(page: Page, text: str) -> Locator:
    """Type ``text`` into the reading list's search box as a person would; the result rows."""
    page.goto("/admin/readings/reading/")
    page.get_by_role("textbox", name="Search", exact=True).fill(text)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?q="))
    return page.locator("#result_list tbody tr")


def expect_the_sample_reading_only(rows: Locator) -> None:
    """``rows`` are one: the official sample's reading of meter F75A 00802 at ``MPAN``."""
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(MPAN)
    expect(rows.first).to_contain_text("F75A 00802")
    expect(rows.first).to_contain_text("56311.0")


def read_only_field(page: Page, label: str) -> Locator:
    """The value shown beside ``label`` on an object's page (a field, not a form input)."""
    field = page.locator("div.flex-container:not(.form-multiline)").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}:$"))
    )
    return field.locator(".readonly")


class TestSearchByMpanOrSerial:
    @pytest.mark.parametrize(
        "typed",
        [MPAN, "12 0002 3305 967", "F75A 00802", "f75a 00802"],
        ids=["mpan", "mpan-with-spaces", "serial-as-printed", "serial-lower"],
    )
    def test_an_mpan_or_a_serial_with_an_inner_space_typed_without_quotes_lists_its_readings(
        self, page: Page, log_in: Login, support: User, typed: str
    ) -> None:
        log_in(page, support)

        rows = search_readings(page, typed)

        expect_the_sample_reading_only(rows)


class TestFlowFileLink:
    def test_a_reading_links_to_the_file_it_came_in_with_its_header(
        self, page: Page, log_in: Login, support: User
    ) -> None:
        log_in(page, support)
        rows = search_readings(page, MPAN)

        rows.first.get_by_role("link", name=SAMPLE_FILE).click()

        expect(page).to_have_url(re.compile(r"/admin/readings/flowfile/\d+/change/$"))
        expect(page.get_by_role("heading", level=2, name="Header (ZHV)")).to_be_visible()
        for label, shown in {
            "File name": SAMPLE_FILE,
            "File identifier": "0000475656",
            "Flow version": "002",
            "Sender participant id": "UDMS",
            "Recipient participant id": "MRCY",
            "File created at": "02/03/2016 15:31",
            "Test data flag": "OPER",
            "Reading count": "13",
        }.items():
            expect(read_only_field(page, label)).to_have_text(shown)

    def test_the_flow_file_page_links_to_the_readings_it_brought(
        self, page: Page, log_in: Login, support: User, every_group_file: Path
    ) -> None:
        import_flow_file(source=every_group_file)  # 8 readings of another file
        log_in(page, support)
        rows = search_readings(page, MPAN)
        rows.first.get_by_role("link", name=SAMPLE_FILE).click()

        page.get_by_role("link", name="13 readings").click()

        expect(page).to_have_url(re.compile(r"/admin/readings/reading/\?flow_file__id__exact=\d+$"))
        rows = page.locator("#result_list tbody tr")
        expect(rows).to_have_count(13)
        expect(rows.get_by_role("link", name=SAMPLE_FILE)).to_have_count(13)
