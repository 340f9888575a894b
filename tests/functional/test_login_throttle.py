"""Failed log-ins: throttled and locked out per user name and per client address (django-axes)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from tests.functional.admin_helpers import PASSWORD, staff_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
ATTACKER = "203.0.113.9"
COLLEAGUE = "192.0.2.20"


@pytest.fixture(autouse=True)
def throttle_on() -> Iterator[None]:
    """The throttle, which the rest of the suite leaves off (see tests/conftest.py); a fast
    password hasher, since these tests log in hundreds of times."""
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(AXES_ENABLED=True, PASSWORD_HASHERS=fast_hasher):
        yield


@pytest.fixture
def users() -> None:
    staff_user("admin")
    staff_user("colleague")


@dataclass(frozen=True)
class Answer:
    status_code: int
    content: bytes
    logged_in: bool


def log_in(username: str, password: str, address: str = ATTACKER) -> Answer:
    """One log-in through the admin's form, as a browser at ``address`` sends it."""
    client = Client()
    response = client.post(
        LOGIN,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )
    return Answer(response.status_code, response.content, "_auth_user_id" in client.session)


def wrong_passwords(username: str, times: int, address: str = ATTACKER) -> list[int]:
    return [log_in(username, f"wrong-{n}", address).status_code for n in range(times)]


class TestLockOut:
    def test_the_eleventh_wrong_password_locks_the_user_name(self, users: None) -> None:
        first_ten = wrong_passwords("admin", 10)

        eleventh = log_in("admin", "wrong-11")

        assert first_ten == [200] * 10  # the form again, "enter a correct username and password"
        assert eleventh.status_code == 429
        assert b"Too many failed log-ins" in eleventh.content

    def test_ten_wrong_passwords_still_let_the_right_one_in(self, users: None) -> None:
        wrong_passwords("admin", 10)

        right = log_in("admin", PASSWORD)

        assert right.status_code == 302
        assert right.logged_in

    def test_a_locked_user_names_right_password_is_refused_from_any_address(
        self, users: None
    ) -> None:
        wrong_passwords("admin", 11)

        right = log_in("admin", PASSWORD, address=COLLEAGUE)

        assert right.status_code == 429
        assert not right.logged_in

    def test_another_user_elsewhere_is_unaffected(self, users: None) -> None:
        wrong_passwords("admin", 11)

        other = log_in("colleague", PASSWORD, address=COLLEAGUE)

        assert other.status_code == 302
        assert other.logged_in

    def test_an_address_guessing_at_many_names_is_locked_for_every_name(self, users: None) -> None:
        statuses = [log_in(f"guess-{n}", "wrong").status_code for n in range(11)]

        right = log_in("colleague", PASSWORD)

        assert statuses[-1] == 429
        assert right.status_code == 429
        assert not right.logged_in

    def test_changing_address_does_not_escape_the_user_name_lock(self, users: None) -> None:
        statuses = [
            log_in("admin", "wrong", address=f"198.51.100.{n}").status_code for n in range(11)
        ]

        assert statuses == [200] * 10 + [429]

    def test_the_lock_lifts_after_the_cool_off(self, users: None) -> None:
        wrong_passwords("admin", 11)
        AccessAttempt.objects.update(
            attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
        )

        right = log_in("admin", PASSWORD)

        assert right.status_code == 302


class TestBehindTheProxy:
    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_the_forwarded_client_is_locked_not_the_proxy(self, users: None) -> None:
        proxy = "10.0.0.2"

        def through_proxy(username: str, password: str, client: str) -> int:
            response = Client().post(
                LOGIN,
                {"username": username, "password": password},
                REMOTE_ADDR=proxy,
                HTTP_X_FORWARDED_FOR=f"1.1.1.1, {client}",  # the left entry is the client's own
            )
            return response.status_code

        statuses = [through_proxy(f"guess-{n}", "wrong", ATTACKER) for n in range(11)]
        colleague = through_proxy("colleague", PASSWORD, COLLEAGUE)

        assert statuses[-1] == 429
        assert colleague == 302
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


class TestLockOutRecords:
    def test_failures_and_the_lock_out_are_logged_with_name_and_address(
        self, users: None, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="axes")

        wrong_passwords("admin", 11)

        lines = [record.getMessage() for record in caplog.records if record.name.startswith("axes")]
        client = f"user name 'admin' from {ATTACKER} at '{LOGIN}'"
        assert f"AXES: New login failure by {client}. Created new record in the database." in lines
        assert f"AXES: Locking out {client} after repeated login failures." in lines

    def test_the_records_are_in_the_admin_for_superusers(self, users: None, client: Client) -> None:
        wrong_passwords("admin", 11)
        client.force_login(User.objects.create_superuser("root", password=PASSWORD))

        attempts = client.get(reverse("admin:axes_accessattempt_changelist"))
        failures = client.get(reverse("admin:axes_accessfailurelog_changelist"))

        assert attempts.status_code == 200
        assert ATTACKER.encode() in attempts.content
        assert failures.status_code == 200
        assert AccessFailureLog.objects.filter(username="admin").count() == 11

    def test_the_lock_out_page_is_in_the_admins_style(self, users: None) -> None:
        wrong_passwords("admin", 10)

        page = log_in("admin", "wrong").content.decode()

        assert '<div id="site-name"><a href="/admin/">D0010 meter readings</a>' in page
        assert "11 wrong passwords for one user name, or from one address" in page
        assert "30 minutes" in page
        assert f'href="{LOGIN}"' in page
