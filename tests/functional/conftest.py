"""Fixtures shared by the functional tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.functional.admin_helpers import logged_in


@pytest.fixture
def importer(client: Client) -> Client:
    """A client logged in as staff who may see and upload flow files."""
    return logged_in(client, "importer", "readings.view_flowfile", "readings.import_flowfile")
