"""Every refusal in JSON: ``{"detail": ...}``, with the status DRF gives it; a body found too
large while it is read is a 413, one with more files or fields than a request may send a 400,
and a path under ``/api/`` that names nothing a 404."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, JsonResponse
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, object]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):  # core.uploads stopped the body while it was read
        return Response({"detail": str(exc)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):  # e.g. TooManyFilesSent, TooManyFieldsSent
        # Logged where Django logs the ones it answers itself, then answered in JSON.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def not_found(request: HttpRequest, path: str) -> JsonResponse:
    """A path under ``/api/`` that no endpoint has."""
    return JsonResponse({"detail": "Not found: no such API path."}, status=404)
