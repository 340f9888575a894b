"""Ready-made roles: groups of permissions, given by data migrations.

Not a migration itself (the loader skips modules whose name starts with ``_``): the migrations
that create the roles and those that later add a permission to one of them call ``grant``.
Migrations that ran depend on what it does, so change it only in ways that keep it doing that.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from typing import TYPE_CHECKING

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import Group, Permission

# A role: a group name and the permissions it gives, each as "app_label.codename".
Roles = Mapping[str, tuple[str, ...]]


def grant(roles: Roles) -> migrations.RunPython:
    """An operation that gives each group (made when missing) its permissions; reversed, it takes
    those permissions back and deletes a group left without any.

    Running it again changes nothing. The permissions are made first where they do not exist
    yet: Django makes them only after the last migration (``post_migrate``), so on a new
    database they are not there when a data migration runs. A permission that does not exist
    even then is a mistake in ``roles`` and stops the migration with its name.
    """

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        alias = schema_editor.connection.alias
        for app_label in sorted({name.split(".")[0] for names in roles.values() for name in names}):
            # The installed app's config passes create_permissions' check that the app has
            # models; the models, content types and permissions are then the migration's own.
            create_permissions(
                global_apps.get_app_config(app_label), verbosity=0, using=alias, apps=apps
            )
        # The migration state's auth models, typed as the installed ones: the fields used here
        # (a group's name and permissions, a permission's codename and app) are the same.
        group_model: type[Group] = apps.get_model("auth", "Group")
        for group_name, names in roles.items():
            permissions = _permissions(apps, alias, names)
            found = {
                f"{a}.{c}"
                for a, c in permissions.values_list("content_type__app_label", "codename")
            }
            missing = sorted(set(names) - found)
            if missing:
                raise LookupError(f"role {group_name!r}: no permission {', '.join(missing)}")
            group, _ = group_model._default_manager.using(alias).get_or_create(name=group_name)
            group.permissions.add(*permissions)

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        alias = schema_editor.connection.alias
        group_model: type[Group] = apps.get_model("auth", "Group")
        for group_name, names in roles.items():
            group = group_model._default_manager.using(alias).filter(name=group_name).first()
            if group is None:
                continue
            group.permissions.remove(*_permissions(apps, alias, names))
            if not group.permissions.exists():
                group.delete()

    return migrations.RunPython(forwards, backwards)


def _permissions(apps: StateApps, alias: str, names: tuple[str, ...]) -> QuerySet[Permission]:
    """The permissions of ``names`` ("app_label.codename") that exist."""
    permission_model: type[Permission] = apps.get_model("auth", "Permission")
    permissions = permission_model._default_manager.using(alias)
    if not names:
        return permissions.none()
    wanted = (
        Q(content_type__app_label=app_label, codename=codename)
        for app_label, codename in (name.split(".") for name in names)
    )
    return permissions.filter(reduce(Q.__or__, wanted))
