"""What every admin of imported data shares: read-only bases, ids from addresses, links."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.db.models import Expression, Model, QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from readings import queries
from readings.models import Reading, SiteVisit
from readings.wording import counted_up_to

from .paginators import CappedCountPaginator

__all__ = [
    "FlowFileColumn",
    "ImportedDataAdmin",
    "ReadOnlyInline",
    "SearchedByMpanOrSerial",
    "boolean_icon",
    "change_link",
    "change_url",
    "primary_key",
]

_M = TypeVar("_M", bound=Model)
_Parent = TypeVar("_Parent", bound=Model)


SEARCH_HELP = (
    "Search by MPAN (13 digits, spaces allowed: 12 0002 3305 967) or by meter serial (any case, "
    "spaces ignored: F75A 00802). Matches are exact."
)
_PK = "0000pk0000"  # stands for the primary key in a reversed URL
_KEY_DIGITS = 18  # more digits than this do not fit a 64-bit key


def primary_key(text: str | None) -> int | None:
    """The primary key that ``text`` (from an address or a query string) names, or None for
    anything else: signs, spaces, other digits than ASCII ones, or too many of them."""
    if text and text.isascii() and text.isdigit() and len(text) <= _KEY_DIGITS:
        return int(text)
    return None


def change_link(obj: Model, text: object) -> SafeString:
    """A link to ``obj``'s page on this site, with ``text`` escaped.

    A list page shows hundreds of these: the URL is reversed once per model (and URL
    configuration) and the primary key (an integer in this project) put in its place.
    """
    return format_html('<a href="{}">{}</a>', change_url(obj), text)


def change_url(obj: Model) -> str:
    """The URL of ``obj``'s change page, without a ``reverse()`` per object."""
    opts = obj._meta
    url = _change_url(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    return url.replace(_PK, quote(str(obj.pk)))


@lru_cache(maxsize=64)
def _change_url(name: str, urlconf: str, script_prefix: str) -> str:
    """The change page's URL with ``_PK`` for the key (the cache key holds what it depends on)."""
    return reverse(name, urlconf=urlconf, args=[_PK])


def boolean_icon(value: bool | None) -> SafeString:
    """The admin's yes / no / unknown icon, as Django's lists show a BooleanField, made once
    per value rather than once per cell (``static()`` costs a URL join each time)."""
    return _boolean_icon(value, settings.STATIC_URL)


@lru_cache(maxsize=8)
def _boolean_icon(value: bool | None, static_url: str | None) -> SafeString:
    name = {True: "yes", False: "no", None: "unknown"}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), value)


class SortableByOnlyChangeList(ChangeList):
    """Sorts only by the columns in ``sortable_by``: Django otherwise honours ``?o=`` for any
    column, and sorting a large table by an unindexed column is slow."""

    def get_ordering_field(self, field_name: Callable[..., Any] | str) -> Expression | str | None:
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def url_for_result(self, result: Model) -> str:
        """The row's link, as Django makes it but without a ``reverse()`` for every row."""
        return change_url(result)

    @property
    def count_in_words(self) -> str:
        """How many rows the list holds, as the search box and the footer both say it:
        ``1,234 readings``, or ``more than 10,000 readings`` from a capped count."""
        singular, plural = str(self.opts.verbose_name), str(self.opts.verbose_name_plural)
        if isinstance(self.paginator, CappedCountPaginator):
            return self.paginator.in_words(singular, plural)
        return counted_up_to(self.result_count, self.result_count, singular, plural)

    @property
    def count_is_capped(self) -> bool:
        return isinstance(self.paginator, CappedCountPaginator) and self.paginator.capped

    @property
    def capped_note(self) -> str:
        """Why a capped list's pages stop: said in its footer."""
        if not isinstance(self.paginator, CappedCountPaginator) or not self.paginator.capped:
            return ""
        return f"only the first {self.paginator.cap:,} are paged: narrow the search or filters"


class ImportedDataAdmin(admin.ModelAdmin[_M]):
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


class SearchedByMpanOrSerial(ImportedDataAdmin[_M]):
    """Found by the MPAN or meter serial staff paste (``queries.search``), exactly: the
    ``search_fields`` of these admins only show the search box."""

    search_help_text = SEARCH_HELP

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[_M], search_term: str
    ) -> tuple[QuerySet[_M], bool]:
        return queries.search(queryset, search_term), False


class ReadOnlyInline(admin.TabularInline[_M, _Parent]):
    """Imported rows on their parent's page: shown, never added, changed or deleted there."""

    extra = 0
    can_delete = False
    show_change_link = False

    # ``obj`` is the parent here, a child in the base class: ``Model`` accepts both.
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class FlowFileColumn:
    """The link to the flow file a row came in, for the lists and pages that show it."""

    @admin.display(description="flow file")
    def flow_file_link(self, obj: Reading | SiteVisit) -> SafeString:
        return change_link(obj.flow_file, obj.flow_file.file_name)
