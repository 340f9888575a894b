"""The page shown when a permission is missing (``handler403``), in the admin's style.

Django's admin refuses without saying why (``raise PermissionDenied``), so the page works out
what the refused page needs from its URL name: the admin names a model's pages
``<app_label>_<model_name>_<view>`` (``readings_reading_changelist``), and ``ADMIN_VIEWS`` says
which permissions each kind of view needs. A reason given with the refusal is shown as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group
from django.db.models import Model
from django.db.models.options import Options
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

# For each kind of admin page of a model, the actions of the permissions it needs: "view" is
# ``<app_label>.view_<model_name>``. Pages not named here (adding, deleting: nobody or
# superusers only in this project) name no permission.
ADMIN_VIEWS: Mapping[str, tuple[str, ...]] = {
    "changelist": ("view",),
    "change": ("view",),
    "history": ("view",),
    "export": ("view", "export"),  # the reading list's CSV: readings.export_reading
    "upload": ("import",),  # uploading flow files: readings.import_flowfile
    "download": ("download",),  # a flow file's bytes: readings.download_flowfile
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Needed:
    """A permission the refused page needs and the user does not have."""

    name: str  # "readings.view_reading", as has_perm takes it
    label: str  # "Can view reading"
    groups: tuple[str, ...]  # the groups that give it


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 page: the reason given, what the page needs that the user lacks, the groups
    that give it, and a link home."""
    missing = [
        Needed(name=name, label=label, groups=_groups_giving(name))
        for name, label in needed_permissions(request)
        if not request.user.has_perm(name)
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Permission needed",
        "reason": str(exception),
        "missing": missing,
    }
    return render(request, "403.html", context, status=403)


def needed_permissions(request: HttpRequest) -> tuple[tuple[str, str], ...]:
    """The permissions (name and label) the admin page at the request's path needs; none when
    it is not a model's page named in ``ADMIN_VIEWS``."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ()
    if match.namespace != admin.site.name or not match.url_name:
        return ()
    prefix, _, view = match.url_name.rpartition("_")
    opts = _model_options().get(prefix)
    if opts is None:
        return ()
    labels = _permission_labels(opts)
    codenames = (get_permission_codename(action, opts) for action in ADMIN_VIEWS.get(view, ()))
    return tuple(
        (f"{opts.app_label}.{codename}", labels[codename])
        for codename in codenames
        if codename in labels
    )


def _model_options() -> dict[str, Options[Model]]:
    """Each installed model's options by the start of its admin URL names."""
    return {f"{m._meta.app_label}_{m._meta.model_name}": m._meta for m in apps.get_models()}


def _permission_labels(opts: Options[Model]) -> dict[str, str]:
    """A model's permissions, codename to label, as Django names them."""
    builtin = {
        get_permission_codename(action, opts): f"Can {action} {opts.verbose_name_raw}"
        for action in opts.default_permissions
    }
    return {**builtin, **dict(opts.permissions)}


def _groups_giving(name: str) -> tuple[str, ...]:
    app_label, codename = name.split(".")
    return tuple(
        Group.objects.filter(
            permissions__content_type__app_label=app_label, permissions__codename=codename
        )
        .order_by("name")
        .values_list("name", flat=True)
    )
