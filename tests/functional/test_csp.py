"""The Content-Security-Policy: on every page, and every page keeps to it (no inline script,
event handler or style). The browser journeys check the same in Chromium."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from readings.models import FlowFile, Meter, MeterPoint
from tests.functional.admin_helpers import import_files

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' refuses: inline scripts, handlers, styles."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append(f"<script> without src: {attrs}")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"<{tag} {name}=...>" for name in names if name.startswith("on")]
        if "style" in names:
            self.found.append(f"<{tag} style=...>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def pages(official_sample: Path, every_group_file: Path) -> list[str]:
    import_files(official_sample, every_group_file)
    meter_point = MeterPoint.objects.order_by("pk").first()
    meter = Meter.objects.order_by("pk").first()
    flow_file = FlowFile.objects.order_by("pk").first()
    assert meter_point is not None
    assert meter is not None
    assert flow_file is not None
    readings = reverse("admin:readings_reading_changelist")
    return [
        reverse("admin:index"),
        readings,
        f"{readings}?q=12",
        reverse("admin:readings_reading_export"),
        reverse("admin:readings_meterpoint_change", args=[meter_point.pk]),
        reverse("admin:readings_meter_change", args=[meter.pk]),
        reverse("admin:readings_flowfile_changelist"),
        reverse("admin:readings_flowfile_upload"),
        reverse("admin:readings_flowfile_delete", args=[flow_file.pk]),
        reverse("admin:auth_user_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:password_change"),
    ]


class TestContentSecurityPolicy:
    def test_every_response_carries_a_policy_without_unsafe_inline(self, client: Client) -> None:
        response = client.get(reverse("admin:login"))

        policy = dict(
            directive.strip().split(" ", 1)
            for directive in response["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]

    def test_the_login_page_has_no_inline_code(self, client: Client) -> None:
        response = client.get(reverse("admin:login"))

        assert inline_code(response.content.decode()) == []

    def test_the_admins_pages_have_no_inline_code(self, client: Client, pages: list[str]) -> None:
        client.force_login(User.objects.create_superuser("root"))

        for page in pages:
            response = client.get(page)

            assert response.status_code == 200, page
            assert inline_code(response.content.decode()) == [], page
