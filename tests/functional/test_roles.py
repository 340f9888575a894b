"""The ready-made roles: groups a data migration makes, and what a member of each may reach."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from readings.models import FlowFile, MeterPoint
from tests.functional.admin_helpers import PASSWORD, import_files, staff_user
from tests.functional.conftest import ROLES_MIGRATION, grant_roles

pytestmark = pytest.mark.usefixtures("roles")

MODELS = ("flowfile", "meterpoint", "meter", "filemeter", "reading", "sitevisit")
VIEW_EVERYTHING = {f"readings.view_{model}" for model in MODELS}
SUPPORT_AGENT = {*VIEW_EVERYTHING, "readings.export_reading"}
OPERATIONS = {*SUPPORT_AGENT, "readings.import_flowfile"}  # as the roles' migration made it
# and as later migrations added to it: downloading flow files, seeing the import attempts
OPERATIONS_NOW = {*OPERATIONS, "readings.download_flowfile", "readings.view_importattempt"}
USERS_AND_GROUPS = {
    "auth.view_user",
    "auth.change_user",
    "auth.add_user",
    "auth.view_group",
    "auth.change_group",
    "auth.add_group",
}

EXPORT = reverse("admin:readings_reading_export")
UPLOAD = reverse("admin:readings_flowfile_upload")
USERS = reverse("admin:auth_user_changelist")
GROUPS = reverse("admin:auth_group_changelist")


def permissions_of(group_name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=group_name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def every_permission_of(app_label: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for codename in Permission.objects.filter(content_type__app_label=app_label).values_list(
            "codename", flat=True
        )
    }


def member_of(client: Client, group_name: str) -> Client:
    staff_user("member").groups.add(Group.objects.get(name=group_name))
    client.login(username="member", password=PASSWORD)
    return client


def changelists() -> list[str]:
    return [reverse(f"admin:readings_{model}_changelist") for model in MODELS]


@pytest.fixture
def latest_schema_afterwards(transactional_db: None) -> Iterator[None]:
    """A test that migrates the database back; the latest migrations again afterwards."""
    yield
    call_command("migrate", verbosity=0)


@pytest.fixture
def sample(official_sample: Path) -> FlowFile:
    return import_files(official_sample)[0]


@pytest.mark.django_db
class TestGroups:
    def test_support_agents_view_everything_and_export(self) -> None:
        assert permissions_of("Support agent") == SUPPORT_AGENT

    def test_operations_may_also_upload_download_and_see_the_attempts(self) -> None:
        assert permissions_of("Operations") == OPERATIONS_NOW

    def test_administrators_have_every_permission_of_the_app_and_manage_users(self) -> None:
        assert permissions_of("Administrator") == every_permission_of("readings") | USERS_AND_GROUPS


@pytest.mark.django_db
class TestWhatEachRoleReaches:
    def test_a_support_agent_sees_every_list_and_page_and_exports(
        self, client: Client, sample: FlowFile
    ) -> None:
        member_of(client, "Support agent")
        point = MeterPoint.objects.get(mpan="1200023305967")

        pages = [*changelists(), reverse("admin:readings_meterpoint_change", args=[point.pk])]

        assert [client.get(page).status_code for page in pages] == [200] * len(pages)
        assert client.get(EXPORT).status_code == 200
        assert b'id="latest-readings"' in client.get(pages[-1]).content

    def test_a_support_agent_neither_uploads_nor_manages_users(self, client: Client) -> None:
        member_of(client, "Support agent")

        assert client.get(UPLOAD).status_code == 403
        assert client.get(USERS).status_code == 403
        assert client.get(GROUPS).status_code == 403

    def test_operations_upload_and_export_but_do_not_manage_users(
        self, client: Client, sample: FlowFile
    ) -> None:
        member_of(client, "Operations")

        assert client.get(UPLOAD).status_code == 200
        assert client.get(EXPORT).status_code == 200
        assert client.get(reverse("admin:readings_reading_changelist")).status_code == 200
        assert client.get(USERS).status_code == 403

    def test_an_administrator_manages_users_and_groups(
        self, client: Client, sample: FlowFile
    ) -> None:
        member_of(client, "Administrator")

        assert client.get(USERS).status_code == 200
        assert client.get(GROUPS).status_code == 200
        assert client.get(reverse("admin:auth_user_add")).status_code == 200
        assert client.get(UPLOAD).status_code == 200
        assert client.get(EXPORT).status_code == 200

    def test_an_administrator_still_cannot_delete_a_flow_file(
        self, client: Client, sample: FlowFile
    ) -> None:
        member_of(client, "Administrator")

        response = client.post(
            reverse("admin:readings_flowfile_delete", args=[sample.pk]), {"post": "yes"}
        )

        assert response.status_code == 403
        assert FlowFile.objects.filter(pk=sample.pk).exists()


@pytest.mark.django_db
class TestTheMigration:
    def test_running_it_again_changes_nothing(self) -> None:
        before = {name: permissions_of(name) for name in ("Support agent", "Operations")}

        grant_roles()

        assert Group.objects.filter(name="Support agent").count() == 1
        assert {name: permissions_of(name) for name in before} == before

    def test_a_group_of_that_name_keeps_what_it_had_besides(self) -> None:
        group = Group.objects.get(name="Support agent")
        group.permissions.remove(Permission.objects.get(codename="export_reading"))
        group.permissions.add(Permission.objects.get(codename="view_user"))

        grant_roles()

        assert permissions_of("Support agent") == {*SUPPORT_AGENT, "auth.view_user"}


@pytest.mark.usefixtures("latest_schema_afterwards")
class TestReversingTheMigration:
    def test_it_removes_the_groups_and_applying_it_again_brings_them_back(self) -> None:
        call_command("migrate", "readings", "0005", verbosity=0)
        gone = Group.objects.filter(name__in=["Support agent", "Operations", "Administrator"])
        assert not gone.exists()

        call_command("migrate", "readings", ROLES_MIGRATION, verbosity=0)

        assert permissions_of("Support agent") == SUPPORT_AGENT
        assert permissions_of("Operations") == OPERATIONS

    def test_a_group_with_permissions_of_its_own_is_kept_without_the_roles(self) -> None:
        Group.objects.get(name="Operations").permissions.add(
            Permission.objects.get(codename="view_user")
        )

        call_command("migrate", "readings", "0005", verbosity=0)

        assert permissions_of("Operations") == {"auth.view_user"}
        assert not Group.objects.filter(name="Support agent").exists()
        call_command("migrate", "readings", verbosity=0)
