"""Server errors: logged with their traceback, never with what the request carried."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.functional.failing_urls")]

SECRETS = ("hunter2-password", "session-key-abc", "Bearer token-xyz", "query-token-123")


@pytest.fixture
def error_log() -> Iterator[io.StringIO]:
    """What the ``errors`` handler that ``LOGGING`` gives ``django.request`` writes."""
    handlers = [
        handler
        for handler in logging.getLogger("django.request").handlers
        if isinstance(handler, logging.StreamHandler) and handler.name == "errors"
    ]
    assert handlers, "django.request has no 'errors' handler"
    stream = io.StringIO()
    previous = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(previous)


def fail(client: Client) -> int:
    client.cookies["sessionid"] = "session-key-abc"
    response = client.post(
        "/fail/?token=query-token-123",
        {"username": "admin", "password": "hunter2-password"},
        headers={"authorization": "Bearer token-xyz"},
        REMOTE_ADDR="192.0.2.7",
    )
    return response.status_code


class TestServerErrorLog:
    def test_a_server_error_is_logged_with_its_traceback_and_request_line(
        self, error_log: io.StringIO
    ) -> None:
        status = fail(Client(raise_request_exception=False))

        log = error_log.getvalue()
        assert status == 500
        first, *traceback = log.splitlines()
        assert first.endswith(
            "ERROR django.request: Internal Server Error: /fail/ (POST /fail/ from 192.0.2.7)"
        )
        assert traceback[0] == "Traceback (most recent call last):"
        assert traceback[-1] == "tests.functional.failing_urls.Boom: the view failed"

    def test_leaves_out_the_body_cookies_headers_and_query(self, error_log: io.StringIO) -> None:
        fail(Client(raise_request_exception=False))

        log = error_log.getvalue()
        assert "Boom" in log
        for secret in SECRETS:
            assert secret not in log
