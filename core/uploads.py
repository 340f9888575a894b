"""The first upload handler: counts the bytes of every file in a multipart body and stops the
request once they pass the body's limit (``core.middleware.body_limit``).

The middleware refuses a body whose ``Content-Length`` is over the limit before it is read, and
Django under WSGI reads no further than that length (and nothing of a body that declares
none). This is the second guard, while a body is parsed: should a request reach the parser
some other way, its files are still never spooled past the limit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

from core.middleware import body_limit


class BodyLimitUploadHandler(FileUploadHandler):
    limit = 0
    received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.limit = body_limit(self.request) if self.request is not None else 0
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            # A SuspiciousOperation: Django answers 400 and logs it (django.security), and
            # no file of the request reaches the view.
            raise RequestDataTooBig(
                f"Upload stopped after {self.received} bytes of files: more than the "
                f"{self.limit} accepted here."
            )
        return raw_data  # on to the next handler, which keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
