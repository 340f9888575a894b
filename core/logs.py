"""How log lines are written: for a record about a request, only what is safe to keep.

Django passes the request with each ``django.request`` and ``django.security`` record. This
formatter adds its method, path and client address to the line and nothing else: never its
body, form data, cookies, query string or headers (``Authorization`` among them), which may
hold passwords, session keys and readings. The traceback of a server error follows the line,
as Python's formatter writes it.

Each record is one line: what is not printable in it (a line break or an escape sequence in a
file name, a user name or a path) is shown escaped (``readings.wording.printable``), so that no
text from outside can write lines that look like the log's own.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest

from core.clients import client_address
from readings.wording import printable


def describe_request(request: HttpRequest) -> str:
    """``GET /admin/ from 192.0.2.1``: what a log may say of a request."""
    client = client_address(request) or "an unknown address"
    return f"{request.method} {request.path} from {client}"


class RequestSafeFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            line = f"{line} ({describe_request(request)})"
        return printable(line)
