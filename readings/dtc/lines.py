"""A flow file's lines: read in chunks, held to a length, decoded as text.

Lines end in LF, CRLF or CR. They are decoded as UTF-8, falling back to Windows-1252; control
characters are errors. A file that starts as compressed data or UTF-16 is refused as such
before any decoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from .issues import IssueLog, StopParsing

MAX_LINE_LENGTH = 4096  # bytes; no DTC record comes near it (D0010's longest is about 220)
UTF8_BOM = "\ufeff"
_CHUNK_SIZE = 1 << 16
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BYTE = re.compile(rb"[\x00-\x1f\x7f]")
_UTF16 = (
    "the file is UTF-16 text (it starts with a UTF-16 byte order mark); "
    "{flow} files are UTF-8 or Windows-1252 text"
)
_COMPRESSED = (
    "the file is compressed ({kind}), not a {{flow}} text file: decompress it and import it"
)
_NOT_TEXT = (  # how files that are not text at all start: checked before decoding
    (b"\xff\xfe", _UTF16),
    (b"\xfe\xff", _UTF16),
    (b"\x1f\x8b", _COMPRESSED.format(kind="gzip")),
    (b"PK\x03\x04", _COMPRESSED.format(kind="zip")),
    (b"BZh", _COMPRESSED.format(kind="bzip2")),
    (b"\xfd7zXZ\x00", _COMPRESSED.format(kind="xz")),
    (b"7z\xbc\xaf\x27\x1c", _COMPRESSED.format(kind="7-Zip")),
)


class Lines:
    """(line number, line without its ending) of a binary stream, for every line ending.

    ``bytes_read`` tells how far into the stream it has got (for progress bars). A line longer
    than ``max_length`` bytes is an error that stops the reading: it is not a flow file.
    """

    def __init__(
        self, stream: BinaryIO, *, max_length: int, log: IssueLog, flow_reference: str
    ) -> None:
        self.bytes_read = 0
        self.max_length = max_length
        self._stream = stream
        self._log = log
        self._flow_reference = flow_reference

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        carry = b""
        line_number = 0
        limit = self.max_length
        while True:
            chunk = self._stream.read(_CHUNK_SIZE)
            if not chunk:
                break
            self.bytes_read += len(chunk)
            lines = (carry + chunk).splitlines(keepends=True)
            carry = lines.pop() if lines and not lines[-1].endswith(b"\n") else b""
            for line in lines:
                line_number += 1
                stripped = line.rstrip(b"\r\n")
                if len(stripped) > limit:
                    self._too_long(line_number)
                yield line_number, stripped
            if len(carry) > limit:
                self._too_long(line_number + 1)
        if carry:
            line_number += 1
            yield line_number, carry.rstrip(b"\r\n")

    def _too_long(self, line_number: int) -> None:
        self._log.error(
            line_number,
            None,
            f"line is longer than {self.max_length} bytes; not a {self._flow_reference} file",
        )
        raise StopParsing


def not_text(raw: bytes, flow_reference: str) -> str | None:
    """Why a file whose first line is ``raw`` is not text at all, or None."""
    for signature, reason in _NOT_TEXT:
        if raw.startswith(signature):
            return reason.format(flow=flow_reference)
    return None


def decode(raw: bytes, line_number: int, log: IssueLog) -> str | None:
    """The line as text, or None after noting why it is not text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as error:
            control = _CONTROL_BYTE.search(raw, 0, error.start)
            if control is not None:  # the first sign that this is not text
                column = len(raw[: control.start()].decode("cp1252", "replace")) + 1
                log.error(
                    line_number,
                    None,
                    f"control character 0x{raw[control.start()]:02x} at column {column}; "
                    "not a text file",
                )
                return None
            log.error(
                line_number,
                None,
                f"byte 0x{raw[error.start]:02x} at column {error.start + 1} is not text "
                "(expected UTF-8 or Windows-1252)",
            )
            return None
    match = _CONTROL_CHARACTER.search(text)
    if match:
        log.error(
            line_number,
            None,
            f"control character 0x{ord(match.group()):02x} at column {match.start() + 1}; "
            "not a text file",
        )
        return None
    return text
