"""Fixtures shared by the functional tests."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.test import Client

from tests.functional.admin_helpers import logged_in

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor


@pytest.fixture
def importer(client: Client) -> Client:
    """A client logged in as staff who may see and upload flow files."""
    return logged_in(client, "importer", "readings.view_flowfile", "readings.import_flowfile")


ROLES_MIGRATION = "0006_roles"
# The migrations that make the roles or give them later permissions, in order.
ROLE_MIGRATIONS = (ROLES_MIGRATION, "0013_importattempt", "0014_anomaly_worklist")


def grant_roles() -> None:
    """The data steps of the roles' migrations, once more, on the database as it is (they
    change nothing where the roles are already there)."""
    loader = MigrationLoader(connection)
    # RunPython's code reads only the editor's connection.
    editor = cast("BaseDatabaseSchemaEditor", SimpleNamespace(connection=connection))
    for name in ROLE_MIGRATIONS:
        apps = loader.project_state(("readings", name)).apps
        for operation in loader.get_migration("readings", name).operations:
            if isinstance(operation, RunPython):
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
