"""What every admin of imported data shares: typed bases, read-only permissions, links."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Expression, Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from import_export import admin as import_export_admin

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin, TabularInline
    from import_export.admin import ExportMixin
else:
    # django-stubs and the import-export stubs make these generic; at run time they are not,
    # so these subclasses accept (and ignore) a type argument.
    class ModelAdmin(admin.ModelAdmin):
        def __class_getitem__(cls, _: object) -> type:
            return cls

    class TabularInline(admin.TabularInline):
        def __class_getitem__(cls, _: object) -> type:
            return cls

    class ExportMixin(import_export_admin.ExportMixin):
        def __class_getitem__(cls, _: object) -> type:
            return cls


__all__ = ["ExportMixin", "ImportedDataAdmin", "ModelAdmin", "TabularInline", "change_link"]

_M = TypeVar("_M", bound=Model)


def change_link(obj: Model, text: object) -> SafeString:
    """A link to ``obj``'s page on this site, with ``text`` escaped."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


class SortableByOnlyChangeList(ChangeList):
    """Sorts only by the columns in ``sortable_by``: Django otherwise honours ``?o=`` for any
    column, and sorting a large table by an unindexed column is slow."""

    def get_ordering_field(self, field_name: Callable[..., Any] | str) -> Expression | str | None:
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class ImportedDataAdmin(ModelAdmin[_M]):
    """Imported data is read-only: it changes only by importing or deleting a flow file."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are COUNTs over the whole table

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return SortableByOnlyChangeList

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False
