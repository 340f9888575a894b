"""The project's admin site: what support staff see at /admin/."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])

# No value a list of this site searches is longer than 255 characters: a file name, a user's
# e-mail address (254), an access attempt's user agent or path; an MPAN with its spaces is
# about 16 characters, a serial 10. A longer search is not a value anyone looks up, and costs
# the database: SQLite refuses a LIKE pattern over 50,000 bytes ("LIKE or GLOB pattern too
# complex"), and every word of a search is compared with every column searched.
SEARCH_MAX_LENGTH = 300


class FlowAdminSite(admin.AdminSite):
    site_header = "D0010 meter readings"
    site_title = "D0010 meter readings"
    index_title = "Find meter readings by MPAN or meter serial, and the files they came in"

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every view of the site, as Django wraps it; every model's list (this project's
        and the other apps', such as users and django-axes' records) with its search held to
        ``SEARCH_MAX_LENGTH``."""
        if getattr(view, "__name__", None) == "changelist_view":
            view = _search_held_to_length(view)
        return super().admin_view(view, cacheable)


def _search_held_to_length(view: _View) -> _View:
    """``view``, answering a search longer than ``SEARCH_MAX_LENGTH`` (spaces around it not
    counted) with its list unsearched, and a message that says why."""

    def searched(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        length = len(request.GET.get(SEARCH_VAR, "").strip())
        if length > SEARCH_MAX_LENGTH:
            messages.error(
                request,
                f"The search was not run: it is {length:,} characters long, and nothing these "
                f"lists search (an MPAN, a meter serial, a file name, a user name) is longer "
                f"than {SEARCH_MAX_LENGTH}. The list below is not searched.",
            )
            rest = request.GET.copy()
            rest.pop(SEARCH_VAR)
            request.GET = QueryDict(rest.urlencode())
        return view(request, *args, **kwargs)

    return cast(_View, update_wrapper(searched, view))
