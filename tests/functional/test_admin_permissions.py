"""Who may see what: anonymous users, staff without or with view permission, superusers;
and deleting a flow file, which only superusers may do, through the deleting service."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading
from readings.services.importing import import_flow_file
from tests.factories import flow_file, mpan
from tests.functional.admin_helpers import PASSWORD, import_files, listed_rows, logged_in

pytestmark = pytest.mark.django_db

READINGS = reverse("admin:readings_reading_changelist")


def imported(content: bytes, name: str) -> FlowFile:
    result = import_flow_file(source=io.BytesIO(content), file_name=name)
    return FlowFile.objects.get(pk=result.flow_file_id or 0)


@pytest.fixture
def sample(official_sample: Path) -> FlowFile:
    return import_files(official_sample)[0]


class TestAccess:
    @pytest.mark.parametrize(
        "url",
        [
            reverse("admin:index"),
            READINGS,
            reverse("admin:readings_meterpoint_changelist"),
            reverse("admin:readings_flowfile_upload"),
            reverse("admin:readings_reading_export"),
        ],
    )
    def test_anonymous_users_are_sent_to_log_in(self, client: Client, url: str) -> None:
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_staff_without_view_permission_cannot_see_readings(
        self, client: Client, sample: FlowFile
    ) -> None:
        logged_in(client, "nobody")
        point = MeterPoint.objects.order_by("pk").first()
        assert point is not None

        index = client.get(reverse("admin:index"))
        listing = client.get(READINGS)
        page = client.get(reverse("admin:readings_meterpoint_change", args=[point.pk]))

        assert index.status_code == 200
        assert READINGS.encode() not in index.content
        assert listing.status_code == 403
        assert page.status_code == 403

    def test_a_non_staff_user_cannot_log_in_to_the_site(self, client: Client) -> None:
        User.objects.create_user("customer", password=PASSWORD)
        client.login(username="customer", password=PASSWORD)

        response = client.get(READINGS)

        assert response.status_code == 302

    def test_staff_with_view_permission_see_readings_but_no_export_or_upload(
        self, client: Client, sample: FlowFile
    ) -> None:
        logged_in(client, "viewer", "readings.view_reading", "readings.view_flowfile")

        listing = client.get(READINGS)
        files = client.get(reverse("admin:readings_flowfile_changelist"))

        assert listing.status_code == 200
        assert len(listed_rows(listing, Reading)) == 13
        assert b"export_link" not in listing.content
        assert b"upload-flow-files" not in files.content
        assert client.get(reverse("admin:readings_reading_export")).status_code == 403
        assert client.get(reverse("admin:readings_flowfile_upload")).status_code == 403

    def test_users_and_groups_are_administered_here(self, admin_client: Client) -> None:
        index = admin_client.get(reverse("admin:index")).content.decode()

        assert reverse("admin:auth_user_changelist") in index
        assert reverse("admin:auth_group_changelist") in index


class TestDeletingAFlowFile:
    @pytest.fixture
    def shared(self) -> tuple[FlowFile, FlowFile]:
        """Two files sharing a meter point: the first has MPANs 1 and 2, the second 2 and 3."""
        first = imported(flow_file(readings=4, file_identifier="GEN0000001"), "first.uff")
        second = imported(
            flow_file(readings=4, file_identifier="GEN0000002", first_mpan=2), "second.uff"
        )
        return first, second

    def test_staff_other_than_superusers_cannot_delete_even_with_the_permission(
        self, client: Client, shared: tuple[FlowFile, FlowFile]
    ) -> None:
        logged_in(client, "deleter", "readings.view_flowfile", "readings.delete_flowfile")
        first, _ = shared
        url = reverse("admin:readings_flowfile_delete", args=[first.pk])

        page = client.get(reverse("admin:readings_flowfile_change", args=[first.pk]))

        assert url.encode() not in page.content
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
        assert FlowFile.objects.filter(pk=first.pk).exists()

    def test_a_superuser_sees_what_will_go_before_confirming(
        self, admin_client: Client, shared: tuple[FlowFile, FlowFile]
    ) -> None:
        first, _ = shared
        url = reverse("admin:readings_flowfile_delete", args=[first.pk])

        page = admin_client.get(reverse("admin:readings_flowfile_change", args=[first.pk]))
        confirmation = admin_client.get(url).content.decode()

        assert url in page.content.decode()
        assert '<span class="count" id="delete-readings">4</span> readings' in confirmation
        assert '<span class="count" id="delete-meter-groups">2</span>' in confirmation
        assert '<span class="count" id="delete-meters">1</span> meter and' in confirmation
        assert (
            '<span class="count" id="delete-meter-points">1</span> meter point that' in confirmation
        )
        assert FlowFile.objects.filter(pk=first.pk).exists()

    def test_confirming_removes_exactly_what_only_that_file_brought(
        self, admin_client: Client, shared: tuple[FlowFile, FlowFile]
    ) -> None:
        first, second = shared

        response = admin_client.post(
            reverse("admin:readings_flowfile_delete", args=[first.pk]), follow=True
        )

        assert response.status_code == 200
        assert "Deleted first.uff" in response.content.decode()
        assert list(FlowFile.objects.all()) == [second]
        assert Reading.objects.count() == 4
        assert FileMeter.objects.count() == 2
        assert sorted(MeterPoint.objects.values_list("mpan", flat=True)) == [mpan(2), mpan(3)]
        assert Meter.objects.count() == 2

    def test_there_is_no_bulk_delete_action(
        self, admin_client: Client, shared: tuple[FlowFile, FlowFile]
    ) -> None:
        response = admin_client.post(
            reverse("admin:readings_flowfile_changelist"),
            {"action": "delete_selected", "_selected_action": [f.pk for f in shared]},
        )

        assert b'value="delete_selected"' not in response.content
        assert FlowFile.objects.count() == 2


class TestReadingsOnOtherPages:
    def test_a_meter_point_page_shows_readings_only_to_those_who_may_view_them(
        self, client: Client, sample: FlowFile
    ) -> None:
        logged_in(client, "points", "readings.view_meterpoint", "readings.view_meter")
        point = MeterPoint.objects.get(mpan="1200023305967")

        page = client.get(reverse("admin:readings_meterpoint_change", args=[point.pk]))

        assert page.status_code == 200
        assert b"F75A 00802" in page.content
        assert b'id="latest-readings"' not in page.content
        assert b'id="consumption-charts"' not in page.content
        assert b'id="meter-point-summary"' not in page.content
