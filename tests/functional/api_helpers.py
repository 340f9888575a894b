"""Users and clients for the REST API's tests: a token per user, permissions as the roles give."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.test import Client
from rest_framework.authtoken.models import Token

from tests.functional.admin_helpers import staff_user

if TYPE_CHECKING:
    # What the test client answers (a response with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

READ = ("readings.view_flowfile", "readings.view_reading", "readings.view_meterpoint")
IMPORT = (*READ, "readings.import_flowfile", "readings.view_importattempt")
API = "/api/v1/"


def token_client(username: str, *permissions: str) -> Client:
    """A client that sends a new user's token (the user has ``permissions``; no session)."""
    user = staff_user(username, *permissions)
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


def body(response: TestResponse) -> Any:
    """The response's JSON body (after checking it is JSON)."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()
