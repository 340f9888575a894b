"""Taking the test database to a migration and back, with the models as each state has them,
typed (the stubs leave the loader's graph and ``apps.get_model`` untyped)."""

from __future__ import annotations

from typing import TypeVar

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.graph import MigrationGraph, Node
from django.db.migrations.state import StateApps
from django.db.models import Model

_M = TypeVar("_M", bound=Model)

Target = list[tuple[str, str]]


def graph_of(executor: MigrationExecutor) -> MigrationGraph:
    """The executor's migration graph."""
    graph: MigrationGraph = executor.loader.graph
    return graph


def parent_of(executor: MigrationExecutor, key: tuple[str, str]) -> tuple[str, str]:
    """The one migration that ``key`` comes after."""
    parents: set[Node] = graph_of(executor).node_map[key].parents
    (parent,) = parents
    return parent.key


def migrate_to_latest() -> None:
    """Apply every migration, with an executor that sees what was applied before."""
    executor = MigrationExecutor(connection)
    executor.migrate(graph_of(executor).leaf_nodes())


def migrated(executor: MigrationExecutor, target: Target) -> StateApps:
    """Migrate to ``target``; the models as they are there."""
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def model_in(apps: StateApps, model: type[_M]) -> type[_M]:
    """``model`` as ``apps`` has it, typed as the current one: the fields a test uses must be
    the same in both."""
    historical: type[_M] = apps.get_model(model._meta.app_label, model.__name__)
    return historical
