"""What django-axes, the login throttle, is given by this project: its lock-out page in the
admin's style and the wording of its log lines (``AXES_LOCKOUT_CALLABLE`` and
``AXES_CLIENT_STR_CALLABLE`` in ``core/settings.py``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any]
) -> HttpResponse:
    """A 429 with the admin's header: how long the lock lasts and who can lift it sooner."""
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed log-ins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(
        request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


def describe_client(
    username: str | None,
    ip_address: str | None,
    user_agent: str,
    path_info: str | tuple[str, ...],  # axes passes a tuple from some of its callers
    request: HttpRequest,
) -> str:
    """``user name 'admin' from 192.0.2.1 at '/admin/login/'``, quoted so it cannot forge
    lines."""
    path = path_info[0] if isinstance(path_info, tuple) else path_info
    return f"user name {username!r} from {ip_address or 'an unknown address'} at {path!r}"
