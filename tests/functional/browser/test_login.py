"""Logging in to the admin through its login form."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.functional.browser.conftest import MakeUser

pytestmark = pytest.mark.browser


def submit_login(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


class TestLogIn:
    def test_staff_log_in_with_the_form_and_reach_the_site_index(
        self, page: Page, make_user: MakeUser
    ) -> None:
        make_user("support", "readings.view_reading", password="correct horse battery")
        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))

        submit_login(page, "support", "correct horse battery")

        expect(page).to_have_url(re.compile(r"/admin/$"))
        expect(page.get_by_role("banner")).to_contain_text("Welcome, support.")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    def test_a_wrong_password_is_refused_on_the_form(self, page: Page, make_user: MakeUser) -> None:
        make_user("support", "readings.view_reading", password="correct horse battery")
        page.goto("/admin/login/")

        submit_login(page, "support", "wrong")

        expect(page.get_by_text("Please enter the correct username and password")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/admin/login/$"))


@pytest.fixture
def throttle_on() -> Iterator[None]:
    """The login throttle, off elsewhere in the suite; a fast hasher for the many tries."""
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(AXES_ENABLED=True, PASSWORD_HASHERS=fast_hasher):
        yield


@pytest.mark.usefixtures("throttle_on")
class TestLoginThrottle:
    def test_the_form_still_logs_staff_in(self, page: Page, make_user: MakeUser) -> None:
        make_user("support", "readings.view_reading", password="correct horse battery")
        page.goto("/admin/login/")

        submit_login(page, "support", "correct horse battery")

        expect(page.get_by_role("banner")).to_contain_text("Welcome, support.")

    def test_the_eleventh_wrong_password_shows_the_lock_out_page(
        self, page: Page, make_user: MakeUser
    ) -> None:
        make_user("support", "readings.view_reading", password="correct horse battery")
        page.goto("/admin/login/")

        for attempt in range(11):
            submit_login(page, "support", f"wrong-{attempt}")

        expect(page.locator("#locked-out")).to_contain_text("Too many failed log-ins")
        expect(page.locator("#site-name")).to_contain_text("D0010 meter readings")
        page.get_by_role("link", name="Back to the log-in page").click()
        expect(page).to_have_url(re.compile(r"/admin/login/$"))
