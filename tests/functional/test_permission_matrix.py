"""Who may do what, page by page and action by action."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit
from tests.functional.admin_helpers import first_pk, import_files, logged_in, model_label

pytestmark = pytest.mark.django_db

MODELS: tuple[type[Model], ...] = (FlowFile, MeterPoint, Meter, FileMeter, Reading, SiteVisit)


@pytest.fixture(autouse=True)
def data(official_sample: Path, every_group_file: Path) -> None:
    import_files(official_sample, every_group_file)


def url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:readings_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=model_label)
class TestPagesOfEachModel:
    def test_anonymous_users_are_sent_to_log_in(self, client: Client, model: type[Model]) -> None:
        for address in (url(model, "changelist"), url(model, "change", first_pk(model))):
            response = client.get(address)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))

    def test_staff_without_the_view_permission_are_refused(
        self, client: Client, model: type[Model]
    ) -> None:
        logged_in(client, "someone")

        assert client.get(url(model, "changelist")).status_code == 403
        assert client.get(url(model, "change", first_pk(model))).status_code == 403

    def test_the_view_permission_shows_list_and_page_read_only(
        self, client: Client, model: type[Model]
    ) -> None:
        logged_in(client, "someone", f"readings.view_{model._meta.model_name}")

        listing = client.get(url(model, "changelist"))
        page = client.get(url(model, "change", first_pk(model)))

        assert (listing.status_code, page.status_code) == (200, 200)
        assert b'name="_save"' not in page.content

    def test_nobody_adds_or_changes_imported_data(self, client: Client, model: type[Model]) -> None:
        name = model._meta.model_name
        logged_in(
            client,
            "someone",
            f"readings.view_{name}",
            f"readings.add_{name}",
            f"readings.change_{name}",
        )
        pk = first_pk(model)

        assert client.get(url(model, "add")).status_code == 403
        assert client.post(url(model, "change", pk), {}).status_code == 403

    def test_only_superusers_delete_and_only_flow_files(
        self, client: Client, model: type[Model]
    ) -> None:
        name = model._meta.model_name
        logged_in(client, "someone", f"readings.view_{name}", f"readings.delete_{name}")
        pk = first_pk(model)

        assert client.post(url(model, "delete", pk), {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=pk).exists()


class TestActions:
    EXPORT = reverse("admin:readings_reading_export")
    UPLOAD = reverse("admin:readings_flowfile_upload")

    @pytest.mark.parametrize(
        ("permissions", "status"),
        [
            ((), 403),
            (("readings.view_reading",), 403),
            (("readings.export_reading",), 403),
            (("readings.view_reading", "readings.export_reading"), 200),
        ],
    )
    def test_export_needs_view_and_export_permissions(
        self, client: Client, permissions: tuple[str, ...], status: int
    ) -> None:
        logged_in(client, "someone", *permissions)

        assert client.get(self.EXPORT).status_code == status

    @pytest.mark.parametrize(
        ("permissions", "status"),
        [
            ((), 403),
            (("readings.view_flowfile",), 403),
            (("readings.view_flowfile", "readings.add_flowfile"), 403),
            (("readings.view_flowfile", "readings.import_flowfile"), 200),
        ],
    )
    def test_upload_needs_the_import_permission(
        self, client: Client, permissions: tuple[str, ...], status: int
    ) -> None:
        logged_in(client, "someone", *permissions)

        assert client.get(self.UPLOAD).status_code == status
        if status == 403:
            assert client.post(self.UPLOAD, {}).status_code == 403

    def test_a_superuser_may_delete_a_flow_file(self, client: Client) -> None:
        logged_in(client, "someone", superuser=True)
        pk = first_pk(FlowFile)

        response = client.post(url(FlowFile, "delete", pk), {"post": "yes"})

        assert response.status_code == 302
        assert not FlowFile.objects.filter(pk=pk).exists()
