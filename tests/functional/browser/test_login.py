"""Logging in to the admin through its login form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.functional.browser.conftest import MakeUser

pytestmark = pytest.mark.browser


class TestLogIn:
    def test_staff_log_in_with_the_form_and_reach_the_site_index(
        self, page: Page, make_user: MakeUser
    ) -> None:
        make_user("support", "readings.view_reading", password="correct horse battery")
        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))

        page.get_by_label("Username").fill("support")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Log in").click()

        expect(page).to_have_url(re.compile(r"/admin/$"))
        expect(page.get_by_role("banner")).to_contain_text("Welcome, support.")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    def test_a_wrong_password_is_refused_on_the_form(self, page: Page, make_user: MakeUser) -> None:
        make_user("support", "readings.view_reading", password="correct horse battery")
        page.goto("/admin/login/")

        page.get_by_label("Username").fill("support")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()

        expect(page.get_by_text("Please enter the correct username and password")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/admin/login/$"))
