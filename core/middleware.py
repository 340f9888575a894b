"""Request bodies: refused by their declared size before anything reads them, and never read
on the upload page for a user who may not upload.

Django reads a POST body the first time anything asks for ``request.POST``: for every POST
that is ``CsrfViewMiddleware.process_view``, which runs after the ``__call__`` of every
middleware and before the view. A multipart body is parsed then, its files spooled to the
temporary folder. So the checks here run in ``__call__``, where the body is still unread:

- ``RequestSizeLimitMiddleware``: a ``Content-Length`` over the limit (``body_limit``) is
  answered 413 at once, for anyone, signed in or not (in JSON under ``/api/``).
- ``UploadPermissionMiddleware``: on the upload page, a visitor who is not signed in as staff
  is sent to log in, and staff without the import permission get the 403 page, as the view
  itself would answer, but before the CSRF check could read what they sent. The page is
  rendered here, not raised: Django calls ``handler403`` wrapped in ``requires_csrf_token``,
  whose CSRF check reads the POST body. The same for an upload to the API by a session
  (the API's CSRF check reads the body too); one with a token is refused by the API itself,
  before it reads the body.

A body sent without a ``Content-Length`` (chunked) is never read by Django under WSGI. While a
body is parsed, ``core.uploads.BodyLimitUploadHandler`` counts its files against the same
limit, as a second guard. Under ASGI, Django reads the whole body before any middleware runs:
there, only the reverse proxy's limit protects the disk (README, Security).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve, reverse
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from core.views import permission_denied
from readings.models import AttemptSource
from readings.services.importing import record_too_large

logger = logging.getLogger("core.security")

# The upload page and its permission (``readings/admin/flow_files.py``, ``IMPORT_PERMISSION``).
UPLOAD_URL_NAME = "admin:readings_flowfile_upload"
UPLOAD_PERMISSION = "readings.import_flowfile"
# The API's flow files, to which a file is uploaded (``readings/api/urls.py``); the API's paths.
API_UPLOAD_URL_NAME = "api:flow-file-list"
API_PREFIX = "/api/"

Handler = Callable[[HttpRequest], HttpResponseBase]


def _view_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    return match.view_name


def is_upload(request: HttpRequest) -> bool:
    """The admin's upload page."""
    return _view_name(request) == UPLOAD_URL_NAME


def takes_files(request: HttpRequest) -> bool:
    """A page that takes D0010 files: the admin's upload page or the API's flow files."""
    return _view_name(request) in {UPLOAD_URL_NAME, API_UPLOAD_URL_NAME}


def is_api(request: HttpRequest) -> bool:
    """A request to the REST API (or its schema and docs): answered in JSON."""
    return request.path_info.startswith(API_PREFIX)


def body_limit(request: HttpRequest) -> int:
    """The most bytes the request's body may have.

    On the upload page and the API's flow files: ``D0010_UPLOAD_MAX_BYTES`` of files, however
    many they are, and the form around them (``DATA_UPLOAD_MAX_MEMORY_SIZE``). Anywhere else,
    where no view takes a file: the form alone.
    """
    form: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.D0010_UPLOAD_MAX_BYTES + form if takes_files(request) else form


def declared_length(request: HttpRequest) -> int:
    """The body's ``Content-Length``; 0 when missing or not a number (Django then reads none)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        length, limit = declared_length(request), body_limit(request)
        if length <= limit:
            return self.get_response(request)
        logger.warning(
            "Refused a request body of %d bytes, more than the %d accepted there",
            length,
            limit,
            extra={"request": request, "status_code": 413},
        )
        detail = (
            f"This request is {filesizeformat(length)}, more than the {filesizeformat(limit)} "
            "accepted here: nothing of it was read."
        )
        if is_api(request):
            body: dict[str, object] = {"detail": detail, "limit_bytes": limit}
            if takes_files(request):
                body["attempt_id"] = _too_large_attempt(request, length, detail)
            return JsonResponse(body, status=413)
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")


class UploadPermissionMiddleware:
    """Placed after ``AuthenticationMiddleware``, which gives the request its user."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_upload(request):
            if not admin.site.has_permission(request):  # an active staff user, as admin_view
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not request.user.has_perm(UPLOAD_PERMISSION):
                return permission_denied(request, PermissionDenied())
        elif _api_upload_refused(request):
            # The API's session check of the CSRF token would read the body (a token's would
            # not): refused first, in the API's words.
            return JsonResponse({"detail": API_PERMISSION_DENIED}, status=403)
        return self.get_response(request)


API_PERMISSION_DENIED = "You do not have permission to perform this action."
UNREAD_NAME = "(not read: too large)"  # an unread upload's name is in the body it did not read


def _too_large_attempt(request: HttpRequest, length: int, detail: str) -> int | None:
    """An API upload refused unread, put on record as an import attempt when its token names
    a user who may import (an anonymous or unauthorised caller leaves no row to write)."""
    try:  # the API's own token check (it reads only the Authorization header)
        found = TokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return None
    if found is None or not found[0].has_perm(UPLOAD_PERMISSION):
        return None
    user = cast(User, found[0])  # a token always names a user
    return record_too_large(
        UNREAD_NAME, size=length, summary=detail, via=AttemptSource.API, user=user
    )


def _api_upload_refused(request: HttpRequest) -> bool:
    """An upload to the API by a signed-in session (no token) without the import permission."""
    return (
        request.method == "POST"
        and "HTTP_AUTHORIZATION" not in request.META
        and request.user.is_authenticated
        and not request.user.has_perm(UPLOAD_PERMISSION)
        and _view_name(request) == API_UPLOAD_URL_NAME
    )
