"""Taking readings away as CSV: the reading list as searched, downloaded and opened."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from readings.services.importing import import_flow_file
from tests.conftest import OFFICIAL_SAMPLE, SAMPLES
from tests.functional.browser.conftest import Login, MakeUser
from tests.functional.test_export import COLUMNS

pytestmark = pytest.mark.browser

TWO_YEARS = SAMPLES / "DCAA_DEMO000024_two_years.uff"
SERIAL = "E10K 40021"  # 24 monthly readings of register 01, winter and summer
HEADER = COLUMNS  # the columns the export is required to have


@pytest.fixture(autouse=True)
def readings(transactional_db: None) -> None:
    import_flow_file(source=OFFICIAL_SAMPLE)
    import_flow_file(source=TWO_YEARS)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == HEADER
        return list(reader)


def search_as_exporter(page: Page, log_in: Login, make_user: MakeUser) -> None:
    """Log in with the export permission and search the reading list for ``SERIAL``."""
    log_in(page, make_user("exporter", "readings.view_reading", "readings.export_reading"))
    page.goto("/admin/readings/reading/")
    page.get_by_role("textbox", name="Search", exact=True).fill(SERIAL)
    page.get_by_role("button", name="Search", exact=True).click()


class TestExport:
    def test_the_searched_list_downloads_as_csv_with_its_rows_only(
        self, page: Page, log_in: Login, make_user: MakeUser, tmp_path: Path
    ) -> None:
        search_as_exporter(page, log_in, make_user)
        expect(page.locator("#result_list tbody tr")).to_have_count(24)

        page.get_by_role("link", name="Export").click()
        expect(page).to_have_url(re.compile(r"/admin/readings/reading/export/\?q="))
        with page.expect_download() as started:
            page.get_by_role("button", name="Submit").click()
        download = started.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)

        assert saved.suffix == ".csv"
        rows = read_csv(saved)
        assert len(rows) == 24
        assert {(row["MPAN"], row["meter serial"], row["register"]) for row in rows} == {
            ("1200044100233", SERIAL, "01")
        }
        assert {row["flow file"] for row in rows} == {TWO_YEARS.name}
        assert all(datetime.fromisoformat(row["read at"]).utcoffset() is not None for row in rows)
        summer = next(row for row in rows if row["read at"].startswith("2023-06-05"))
        assert summer == {
            "MPAN": "1200044100233",
            "meter serial": SERIAL,
            "register": "01",
            "read at": "2023-06-05T00:00:00+01:00",
            "value": "24053.0",
            "MD reset at": "",
            "MD resets": "",
            "reading type": "C",
            "BSC validation status": "V",
            "reading flag": "T",
            "032 reason code": "",
            "032 status": "",
            "method": "N",
            "flow file": TWO_YEARS.name,
            "line": "90",
            "status": "live",
            "advance": "243.0",
            "advance per day": "7.839",
            "anomaly": "",
        }
        winter = next(row for row in rows if row["read at"].startswith("2024-01-05"))
        assert winter["read at"] == "2024-01-05T00:00:00+00:00"
        assert winter["value"] == "26026.0"

    def test_a_filter_chosen_in_the_sidebar_also_narrows_the_csv(
        self, page: Page, log_in: Login, make_user: MakeUser, tmp_path: Path
    ) -> None:
        search_as_exporter(page, log_in, make_user)
        page.get_by_role("link", name="C: Customer own read", exact=True).click()
        expect(page.locator("#result_list tbody tr")).to_have_count(8)

        page.get_by_role("link", name="Export").click()
        with page.expect_download() as started:
            page.get_by_role("button", name="Submit").click()
        saved = tmp_path / "filtered.csv"
        started.value.save_as(saved)

        rows = read_csv(saved)
        assert len(rows) == 8
        assert {(row["meter serial"], row["reading type"]) for row in rows} == {(SERIAL, "C")}

    def test_select_all_unticks_and_ticks_every_column(
        self, page: Page, log_in: Login, make_user: MakeUser
    ) -> None:
        search_as_exporter(page, log_in, make_user)
        page.get_by_role("link", name="Export").click()
        columns = page.locator(
            ".selectable-field-export-row input[type=checkbox]:not(.select-toggle)"
        )
        expect(columns).to_have_count(len(HEADER))

        page.get_by_label("Select all").uncheck()
        unticked = [columns.nth(n).is_checked() for n in range(len(HEADER))]
        page.get_by_label("Select all").check()
        ticked = [columns.nth(n).is_checked() for n in range(len(HEADER))]

        assert unticked == [False] * len(HEADER)
        assert ticked == [True] * len(HEADER)


class TestExportPermission:
    def test_without_the_export_permission_there_is_no_export_button(
        self, page: Page, log_in: Login, make_user: MakeUser
    ) -> None:
        user = make_user("viewer", "readings.view_reading")
        log_in(page, user)

        page.goto("/admin/readings/reading/")

        expect(page.locator("#result_list tbody tr").first).to_be_visible()
        expect(page.get_by_role("link", name="Export")).to_have_count(0)
