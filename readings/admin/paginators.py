"""Pagination that never counts a whole large table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

if TYPE_CHECKING:
    _PaginatorBase = Paginator[Any]
else:
    _PaginatorBase = Paginator  # generic in django-stubs only

COUNT_CAP = 10_000


class CappedCountPaginator(_PaginatorBase):
    """Counts at most ``COUNT_CAP + 1`` rows (a bounded query however large the table); past
    that the list says "more than 10,000" and pages stop at the cap."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = cast(QuerySet[Any], self.object_list)  # the admin always pages a QuerySet
        return rows.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
