"""Request bodies: refused from their size before they are read, and never read on the upload
page for a user who may not upload. Each test counts the bytes the server read."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, HttpResponseBase
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core import middleware
from readings.admin import flow_files
from readings.models import FlowFile
from tests.functional.admin_helpers import PASSWORD, staff_user

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:readings_flowfile_upload")
LOGIN = reverse("admin:login")
MB = 1024 * 1024


class CountingInput:
    """A request body of ``size`` bytes, made as it is read; ``read_bytes`` says how much was."""

    def __init__(self, size: int, head: bytes = b"") -> None:
        self.size = size
        self.head = head
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        left = self.size - self.read_bytes
        count = left if size is None or size < 0 else min(size, left)
        head = self.head[self.read_bytes : self.read_bytes + count]
        self.read_bytes += count
        return head + b"x" * (count - len(head))

    def readline(self, size: int | None = -1) -> bytes:
        return self.read(size)


def post(client: Client, path: str, body: CountingInput, **headers: str) -> HttpResponseBase:
    """POST ``body`` as a multipart form, its length declared, through every middleware."""
    environ: dict[str, Any] = {
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(body.size),
        "wsgi.input": body,
        **headers,
    }
    return client.generic("POST", path, **environ)


@pytest.fixture
def csrf_client() -> Client:
    """A client that, as a browser would, holds a CSRF cookie from the login page."""
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


class TestOversizedBodies:
    def test_an_anonymous_upload_over_the_limit_is_refused_unread(self, client: Client) -> None:
        body = CountingInput(300 * MB)

        response = post(client, UPLOAD, body)

        assert response.status_code == 413
        assert body.read_bytes == 0

    def test_a_permitted_upload_over_the_limit_is_refused_unread(self, importer: Client) -> None:
        body = CountingInput(settings.D0010_UPLOAD_MAX_BYTES + 2 * MB)

        response = post(importer, UPLOAD, body)

        assert response.status_code == 413
        assert body.read_bytes == 0
        assert isinstance(response, HttpResponse)
        assert "nothing of it was read" in response.content.decode()
        assert FlowFile.objects.count() == 0

    def test_any_other_page_takes_no_more_than_a_form(self, csrf_client: Client) -> None:
        body = CountingInput(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

        response = post(csrf_client, LOGIN, body)

        assert response.status_code == 413
        assert body.read_bytes == 0

    def test_the_refusal_is_logged_with_the_request_line(
        self, client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        post(client, UPLOAD, CountingInput(300 * MB))

        (record,) = [r for r in caplog.records if r.name == "core.security"]
        assert record.getMessage() == (
            f"Refused a request body of {300 * MB} bytes, more than the "
            f"{settings.D0010_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
            "accepted there"
        )


class TestUploadBodiesOfWhoMayNotUpload:
    def test_an_anonymous_upload_is_sent_to_log_in_unread(self, csrf_client: Client) -> None:
        body = CountingInput(10 * MB)

        response = post(csrf_client, UPLOAD, body)

        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
        assert body.read_bytes == 0

    def test_staff_without_the_permission_get_403_unread(self, csrf_client: Client) -> None:
        staff_user("viewer", "readings.view_flowfile")
        csrf_client.login(username="viewer", password=PASSWORD)
        body = CountingInput(10 * MB)

        response = post(csrf_client, UPLOAD, body)

        assert response.status_code == 403
        assert body.read_bytes == 0

    def test_a_permitted_upload_within_the_limit_is_read(self, importer: Client) -> None:
        form = encode_multipart(BOUNDARY, {"files": []})
        body = CountingInput(len(form), head=form)

        response = post(importer, UPLOAD, body)

        assert response.status_code == 302
        assert body.read_bytes == len(form)

    def test_the_middleware_guards_the_views_own_permission(self) -> None:
        assert middleware.UPLOAD_PERMISSION == flow_files.IMPORT_PERMISSION


class TestCountingUploadHandler:
    def test_stops_files_past_the_limit_whatever_the_declared_length(self) -> None:
        files = {"files": [_file(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)]}
        request = RequestFactory().post("/admin/", files)  # no middleware: the handler alone

        with pytest.raises(RequestDataTooBig, match="Upload stopped after"):
            request.POST  # noqa: B018  # parsing is what is tested

    def test_lets_files_within_the_limit_through(self) -> None:
        request = RequestFactory().post(UPLOAD, {"files": [_file(2 * MB)]})

        (received,) = request.FILES.getlist("files")
        assert received.size == 2 * MB


def _file(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.uff", b"x" * size)


API_UPLOAD = reverse("api:flow-file-list")


class TestApiUploadBodies:
    def test_over_the_limit_are_refused_unread_in_json(self) -> None:
        user = staff_user("importer", "readings.import_flowfile")
        body = CountingInput(settings.D0010_UPLOAD_MAX_BYTES + 2 * MB)

        response = post(Client(), API_UPLOAD, body, HTTP_AUTHORIZATION=f"Token {token(user)}")

        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        assert body.read_bytes == 0

    def test_of_a_token_without_the_permission_are_refused_unread(self) -> None:
        user = staff_user("viewer", "readings.view_flowfile")
        body = CountingInput(10 * MB)

        response = post(Client(), API_UPLOAD, body, HTTP_AUTHORIZATION=f"Token {token(user)}")

        assert response.status_code == 403
        assert body.read_bytes == 0

    def test_of_a_session_without_the_permission_are_refused_unread(
        self, csrf_client: Client
    ) -> None:
        staff_user("viewer", "readings.view_flowfile")
        csrf_client.login(username="viewer", password=PASSWORD)
        body = CountingInput(10 * MB)

        response = post(
            csrf_client,
            API_UPLOAD,
            body,
            HTTP_X_CSRFTOKEN=csrf_client.cookies[settings.CSRF_COOKIE_NAME].value,
        )

        assert response.status_code == 403
        assert response["Content-Type"] == "application/json"
        assert body.read_bytes == 0

    def test_of_the_anonymous_are_refused_unread(self, csrf_client: Client) -> None:
        body = CountingInput(10 * MB)

        response = post(csrf_client, API_UPLOAD, body)

        assert response.status_code == 401
        assert body.read_bytes == 0


def token(user: User) -> str:
    key: str = Token.objects.get_or_create(user=user)[0].key
    return key
