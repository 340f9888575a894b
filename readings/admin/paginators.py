"""Pagination that never counts a whole large table."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from readings.queries import COUNTED_UP_TO
from readings.wording import counted_up_to

COUNT_CAP = COUNTED_UP_TO


class CappedCountPaginator(Paginator[Any]):
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

    def in_words(self, singular: str, plural: str) -> str:
        """``1,234 readings`` or ``more than 10,000 readings``: what every page says."""
        return counted_up_to(self.count, self.cap, singular, plural)
