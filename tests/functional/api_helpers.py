"""Users and clients for the REST API's tests: a token per user, permissions as the roles give."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

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


class Json:
    """A JSON value as the tests read it, typed: index it (``["results"][0]``), iterate, count
    and compare it with plain values (``== {"id": 1}``, ``== "live"``); ``.value`` is the
    plain value itself."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __getitem__(self, key: str | int) -> Json:
        if isinstance(self.value, dict) and isinstance(key, str):
            return Json(self.value[key])
        if isinstance(self.value, list) and isinstance(key, int):
            return Json(self.value[key])
        raise TypeError(f"{self.value!r} has no item {key!r}")

    def __iter__(self) -> Iterator[Json]:
        if isinstance(self.value, (dict, list)):
            return (Json(item) for item in self.value)
        raise TypeError(f"{self.value!r} is not a JSON object or array")

    def __contains__(self, item: object) -> bool:
        return isinstance(self.value, (dict, list, str)) and item in self.value

    def __len__(self) -> int:
        if isinstance(self.value, (dict, list, str)):
            return len(self.value)
        raise TypeError(f"{self.value!r} has no length")

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return self.value == (other.value if isinstance(other, Json) else other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return repr(self.value)

    @property
    def text(self) -> str:
        """The value, which must be a string."""
        assert isinstance(self.value, str), self.value
        return self.value

    @property
    def number(self) -> int:
        """The value, which must be a whole number."""
        assert isinstance(self.value, int), self.value
        return self.value


def body(response: TestResponse) -> Json:
    """The response's JSON body (after checking it is JSON)."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return Json(response.json())
