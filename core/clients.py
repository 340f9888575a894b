"""Who sent a request: the client's address, through the reverse proxies that are trusted.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the address it received
the request from to ``X-Forwarded-For``, the client is the entry that many places from the
right: what the outermost trusted proxy saw. Entries further left were written by the client
and are never believed. With no trusted proxy (development, or a server facing the network
itself), it is ``REMOTE_ADDR``. Used by the login throttle (django-axes) and the logs.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = header.split(",")
    if len(forwarded) < proxies:  # not through every trusted proxy
        return remote
    candidate = forwarded[-proxies].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
