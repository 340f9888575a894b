"""Requests per user and minute: reads and uploads counted apart, each at its own rate
(``API_READS_PER_MINUTE``, ``API_UPLOADS_PER_MINUTE``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import UserRateThrottle

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

if TYPE_CHECKING:  # not at run time: DRF loads this module while it loads its views
    from rest_framework.request import Request
    from rest_framework.views import APIView


class PerUserThrottle(UserRateThrottle):
    """Counted per user (per address for the anonymous, who are refused anyway); uploads in a
    bucket of their own, so that a client that reads much may still upload."""

    def __init__(self) -> None:
        """The scope, and so the rate, depends on the request (``allow_request``)."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = "api_read" if request.method in SAFE_METHODS else "api_upload"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str:
        per_minute: int = (
            settings.API_READS_PER_MINUTE
            if self.scope == "api_read"
            else settings.API_UPLOADS_PER_MINUTE
        )
        return f"{per_minute}/min"
