"""Downloading a flow file's kept bytes, from the flow-file and the attempt pages."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from readings.services.raw_files import RawFileCorrupt, RawFileMissing, is_kept, verified_copy

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts, _FieldsetSpec

logger = logging.getLogger("readings.raw_files")

DOWNLOAD_PERMISSION = "readings.download_flowfile"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str, sha256: str) -> str:
    """A name for the download that no browser or shell reads as more than a name: ASCII
    letters, digits, dots, dashes and underscores, never starting with a dot."""
    cleaned = _UNSAFE.sub("_", name).strip("._")[:100]
    return cleaned or f"{sha256[:12]}.uff"


def download(request: HttpRequest, *, sha256: str, file_name: str, back: str) -> HttpResponseBase:
    """The bytes kept under ``sha256`` as an attachment, once their digest is checked.

    403 without the download permission, 404 when no bytes are kept (purged); bytes whose
    digest no longer matches are not served: back to the page ``back`` with the reason.
    """
    if not request.user.has_perm(DOWNLOAD_PERMISSION):
        raise PermissionDenied(
            "Downloading flow files needs the permission 'Can download flow files'."
        )
    try:
        copy = verified_copy(sha256)
    except RawFileMissing as error:
        raise Http404(str(error)) from error
    except RawFileCorrupt as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    logger.info("downloaded sha256=%s user=%r", sha256, request.user.get_username())
    return FileResponse(
        copy,
        as_attachment=True,
        filename=safe_file_name(file_name, sha256),
        content_type="application/octet-stream",
    )


def download_link(url_name: str, pk: int, sha256: str) -> SafeString | str:
    """A link to the download, or why there is none."""
    if not is_kept(sha256):
        return "not kept (purged, or never stored)"
    return format_html(
        '<a class="flow-file-download" href="{}">Download the file</a>',
        reverse(url_name, args=[pk]),
    )


def with_download(fieldsets: _FieldsetSpec, request: HttpRequest, *, at: int) -> _FieldsetSpec:
    """``fieldsets`` with a "Download" one (its field ``download_link``) at index ``at``, for
    those who may download."""
    if not request.user.has_perm(DOWNLOAD_PERMISSION):
        return fieldsets
    download_set: tuple[str, _FieldOpts] = ("Download", {"fields": ("download_link",)})
    return [*fieldsets[:at], download_set, *fieldsets[at:]]
