"""Uploading D0010 files through the admin: one message per file, as the command reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from readings.models import FlowFile
from tests.conftest import OFFICIAL_SAMPLE
from tests.functional.browser.conftest import Login, MakeUser

pytestmark = pytest.mark.browser


KEEP_THE_PAGE = """() => document.getElementById("upload-form").addEventListener(
  "submit", (event) => event.preventDefault())"""


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    """The official sample with the check digit of two MPANs (lines 2 and 5) broken."""
    text = OFFICIAL_SAMPLE.read_text()
    path = tmp_path / "broken.uff"
    path.write_text(
        text.replace("026|1200023305967|", "026|1200023305968|").replace(
            "026|1900001059816|", "026|1900001059817|"
        )
    )
    return path


@pytest.fixture
def importer(page: Page, log_in: Login, make_user: MakeUser) -> None:
    """The browser's page, logged in with the permission to import."""
    log_in(page, make_user("importer", "readings.view_flowfile", "readings.import_flowfile"))


@pytest.mark.usefixtures("importer")
class TestUpload:
    def test_a_good_and_a_bad_file_each_get_their_outcome(self, page: Page, bad_file: Path) -> None:
        page.goto("/admin/readings/flowfile/")
        page.get_by_role("link", name="Upload D0010 files").click()

        page.get_by_label("D0010 files").set_input_files([OFFICIAL_SAMPLE, bad_file])
        page.get_by_role("button", name="Upload and import").click()

        messages = page.locator("ul.messagelist")
        imported = messages.locator("li.success")
        expect(imported).to_have_count(1)
        expect(imported).to_have_text(
            re.compile(
                rf"^{re.escape(OFFICIAL_SAMPLE.name)}: imported as flow file #\d+: "
                r"11 meter points, 11 meters, 13 readings, 0 site visits\. See attempt \d+\.\s*$"
            )
        )
        rejected = messages.locator("li.error")
        expect(rejected).to_have_count(1)
        expect(rejected).to_contain_text(re.compile(r"^broken\.uff: not imported", re.IGNORECASE))
        expect(rejected).to_contain_text("line 2, MPAN Core (J0003): '1200023305968' fails")
        expect(rejected).to_contain_text("line 5, MPAN Core (J0003): '1900001059817' fails")
        assert list(FlowFile.objects.values_list("file_name", flat=True)) == [OFFICIAL_SAMPLE.name]

    def test_the_same_file_again_is_reported_as_already_imported(self, page: Page) -> None:
        page.goto("/admin/readings/flowfile/upload/")
        page.get_by_label("D0010 files").set_input_files(OFFICIAL_SAMPLE)
        page.get_by_role("button", name="Upload and import").click()
        expect(page.locator("ul.messagelist li.success")).to_have_count(1)

        page.get_by_label("D0010 files").set_input_files(OFFICIAL_SAMPLE)
        page.get_by_role("button", name="Upload and import").click()

        skipped = page.locator("ul.messagelist li.warning")
        expect(skipped).to_contain_text(f"{OFFICIAL_SAMPLE.name}: already imported as")
        expect(page.locator("ul.messagelist li.success")).to_have_count(0)
        assert FlowFile.objects.count() == 1

    def test_a_message_names_the_file_exactly_as_uploaded(self, page: Page, bad_file: Path) -> None:
        page.goto("/admin/readings/flowfile/upload/")

        page.get_by_label("D0010 files").set_input_files(bad_file)
        page.get_by_role("button", name="Upload and import").click()

        rejected = page.locator("ul.messagelist li.error")
        expect(rejected).to_contain_text("not imported")
        assert rejected.inner_text().startswith("broken.uff: ")

    def test_the_button_is_disabled_and_says_importing_once_the_form_is_sent(
        self, page: Page
    ) -> None:
        page.goto("/admin/readings/flowfile/upload/")
        page.get_by_label("D0010 files").set_input_files(OFFICIAL_SAMPLE)
        # The page stays as it is the moment the form goes, for as long as the test looks: the
        # browser is kept from leaving it (the page's own script runs all the same).
        page.evaluate(KEEP_THE_PAGE)

        page.get_by_role("button", name="Upload and import").click()

        button = page.locator("#upload-submit")
        expect(button).to_be_disabled()
        expect(button).to_have_value("Importing…")
        expect(page.locator("#upload-busy")).to_be_visible()
        assert FlowFile.objects.count() == 0  # nothing sent: the busy state came first


class TestUploadPermission:
    def test_without_the_import_permission_there_is_no_upload_link(
        self, page: Page, log_in: Login, make_user: MakeUser
    ) -> None:
        user = make_user("viewer", "readings.view_flowfile")
        log_in(page, user)

        page.goto("/admin/readings/flowfile/")

        expect(page.get_by_role("heading", name="Select flow file to view")).to_be_visible()
        expect(page.get_by_role("link", name="Upload D0010 files")).to_have_count(0)
