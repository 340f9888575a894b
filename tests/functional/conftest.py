"""Fixtures shared by the functional tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.functional.admin_helpers import PASSWORD, staff_user


@pytest.fixture
def importer(client: Client) -> Client:
    """A client logged in as staff who may see and upload flow files."""
    staff_user("importer", "readings.view_flowfile", "readings.import_flowfile")
    client.login(username="importer", password=PASSWORD)
    return client
