"""Fixtures shared by the functional tests."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.test import Client

from tests.functional.admin_helpers import logged_in


@pytest.fixture
def importer(client: Client) -> Client:
    """A client logged in as staff who may see and upload flow files."""
    return logged_in(client, "importer", "readings.view_flowfile", "readings.import_flowfile")


ROLES_MIGRATION = "0006_roles"


def grant_roles() -> None:
    """The roles migration's data step, once more, on the database as it is (it changes
    nothing where the roles are already there)."""
    operation = import_module(f"readings.migrations.{ROLES_MIGRATION}").Migration.operations[0]
    assert isinstance(operation, RunPython)
    apps = MigrationLoader(connection).project_state(("readings", ROLES_MIGRATION)).apps
    # RunPython's code reads only the editor's connection.
    editor = cast(Any, SimpleNamespace(connection=connection))
    operation.code(apps, editor)


@pytest.fixture
def roles(db: None) -> None:
    """The ready-made groups, as the migration makes them. A test that flushes the database
    (a transactional one) takes away what migrations stored, so tests of the roles make sure
    of them rather than rely on the order tests run in."""
    grant_roles()


@pytest.fixture(autouse=True)
def _fresh_api_throttle() -> None:
    """The API counts each user's requests in the cache: every test starts uncounted (a user
    of an earlier test may have had the same id)."""
    cache.clear()
