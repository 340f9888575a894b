"""Streaming parser of D0010 (Meter Readings, version 002) flow files.

Pure Python: no Django. It reads a binary stream line by line, validates every record against
the flow's definition (see the project README and the DTC), and yields typed records:
the ``Header`` first, then one ``MeterPointGroup`` per 026 line as soon as it is complete, then
the ``Trailer``. Memory use depends on the largest 026 group, not on the file's size.

Problems are collected rather than raised one at a time: once the first error is found no more
records are yielded, parsing goes on to find further errors (up to ``max_errors``), and then
``InvalidFlowFile`` is raised carrying all of them. Tolerated quirks become ``warnings``.

Date-times are UK local time (Europe/London) and come back aware, in UTC. On the autumn changeover
hour, which happens twice, a time is read as its first occurrence (BST) and a warning says so;
a time in the spring changeover hour, which never happens, is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import BinaryIO

from readings.dtc.identifiers import has_check_digit, mpan_check_digit
from readings.localtime import NonExistentTime, from_uk_wall_clock

from . import codes
from .records import (
    FlowIssue,
    FlowRecord,
    Header,
    MeterGroup,
    MeterPointGroup,
    RegisterReading,
    SiteVisit,
    Trailer,
    ValidationResult,
)

MAX_ERRORS = 50
MAX_WARNINGS = 100
MAX_LINE_LENGTH = 4096  # bytes; the longest valid D0010 record is about 220
_CHUNK_SIZE = 1 << 16

# [0-9], not \d: in Python \d also matches the digits of other scripts (fullwidth, Arabic-Indic
# and more), which int() and Decimal() would then read as numbers.
_DATETIME = re.compile(r"[0-9]{14}")
_READING_VALUE = re.compile(r"[0-9]{1,9}(?:\.[0-9])?")
_REGISTER_ID = re.compile(r"[A-Za-z0-9]{1,2}")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UTF8_BOM = "\ufeff"
_CONTROL_BYTE = re.compile(rb"[\x00-\x1f\x7f]")
_UTF16 = (
    "the file is UTF-16 text (it starts with a UTF-16 byte order mark); "
    "D0010 files are UTF-8 or Windows-1252 text"
)
_COMPRESSED = "the file is compressed ({}), not a D0010 text file: decompress it and import it"
_NOT_D0010_TEXT = (  # how files that are not text at all start: checked before decoding
    (b"\xff\xfe", _UTF16),
    (b"\xfe\xff", _UTF16),
    (b"\x1f\x8b", _COMPRESSED.format("gzip")),
    (b"PK\x03\x04", _COMPRESSED.format("zip")),
    (b"BZh", _COMPRESSED.format("bzip2")),
    (b"\xfd7zXZ\x00", _COMPRESSED.format("xz")),
    (b"7z\xbc\xaf\x27\x1c", _COMPRESSED.format("7-Zip")),
)
_LONG_QUOTED_VALUE = re.compile(r"'([^']{40})[^']{2,}'")
# Advice of the DTC that files do not always follow: reported once each, with their first lines.
_NOT_AT_MIDNIGHT = (
    "a reading dated at a time of day under a reading type other than S (Special): "
    "non-half-hourly readings are at 000000, half-hourly midnight ones at 235959"
)
_NO_SUSPECT_READING_UNDER_F = (
    "a 026 with BSC Validation Status F (failed) but no reading flagged F (suspect) under it"
)


class InvalidFlowFile(Exception):
    """A file that is not a valid D0010 flow. ``issues`` says where and why, line by line."""

    def __init__(self, file_name: str, issues: tuple[FlowIssue, ...], *, truncated: bool = False):
        self.file_name = file_name
        self.issues = issues
        self.truncated = truncated
        first = issues[0] if issues else None
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{first}{more}" if first else f"{file_name}: invalid D0010 file")


class _FieldError(Exception):
    """One item of one record is wrong; turned into a ``FlowIssue`` by the parser."""

    def __init__(self, field: str | None, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


class _StopParsing(Exception):
    """The file cannot be read any further in a meaningful way."""


# -- item parsers ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _uk_datetime(text: str, field: str) -> tuple[datetime, bool]:
    """``ccyymmddhhmmss`` in UK local time → (aware datetime, was it ambiguous)."""
    if not _DATETIME.fullmatch(text):
        raise _FieldError(field, f"'{text}' is not a date and time of the form CCYYMMDDHHMMSS")
    year = int(text[0:4])
    if not 1950 <= year <= 2199:
        raise _FieldError(field, f"'{text}': the year must be between 1950 and 2199")
    try:
        naive = datetime(  # noqa: DTZ001 - made aware on the next line, from UK local time
            year,
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
        )
    except ValueError:
        raise _FieldError(field, f"'{text}' is not a real calendar date and time") from None
    try:
        return from_uk_wall_clock(naive)
    except NonExistentTime:
        raise _FieldError(
            field,
            f"'{text}' does not exist in UK local time (the clocks go forward that hour)",
        ) from None


def _mandatory(value: str, field: str) -> str:
    if value == "":
        raise _FieldError(field, "is empty but mandatory")
    return value


def _code(value: str, field: str, valid: Mapping[str, str]) -> str:
    _mandatory(value, field)
    if value not in valid:
        raise _FieldError(field, f"'{value}' is not a valid code")
    return value


def _boolean(value: str, field: str) -> bool:
    flag = codes.BOOLEAN_CODES.get(value)
    if flag is None:
        raise _FieldError(field, f"'{value}' is not T or F")
    return flag


def _char(value: str, field: str, max_length: int, *, alphanumeric: bool = False) -> str:
    if len(value) > max_length:
        raise _FieldError(field, f"'{value}' is longer than {max_length} characters")
    if alphanumeric and value and not _ALPHANUMERIC.fullmatch(value):
        raise _FieldError(field, f"'{value}' must be letters and digits only")
    return value


def _number(value: str, field: str, max_digits: int) -> int:
    if not _DIGITS.fullmatch(value) or len(value) > max_digits:
        raise _FieldError(field, f"'{value}' is not a whole number of at most {max_digits} digits")
    return int(value)


# -- the parser -----------------------------------------------------------------------------


@dataclass(slots=True)
class _OpenReading:
    line_number: int
    register_id: str
    read_at: datetime
    value: Decimal
    md_reset_at: datetime | None
    md_reset_count: int | None
    reading_flag: bool | None
    reading_method: str
    validation: ValidationResult | None = None
    site_visits: list[SiteVisit] = field(default_factory=list)


@dataclass(slots=True)
class _OpenMeter:
    line_number: int
    serial_number: str
    reading_type: str
    site_visits: list[SiteVisit] = field(default_factory=list)
    readings: list[RegisterReading] = field(default_factory=list)


@dataclass(slots=True)
class _OpenMeterPoint:
    line_number: int
    mpan: str
    bsc_validation_status: str
    site_visits: list[SiteVisit] = field(default_factory=list)
    meters: list[MeterGroup] = field(default_factory=list)


class D0010Parser:
    """Iterate over a D0010 stream's records; see the module docstring.

    ``bytes_read`` tells how far into the stream the parser has got (for progress bars);
    ``warnings`` holds what was tolerated, and is complete once iteration has finished.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        file_name: str,
        max_errors: int = MAX_ERRORS,
        max_line_length: int = MAX_LINE_LENGTH,
    ) -> None:
        self.file_name = file_name
        self.bytes_read = 0
        self.warnings: list[FlowIssue] = []
        self.warnings_left_out = 0
        self._stream = stream
        self._max_errors = max_errors
        self._max_line_length = max_line_length
        self._errors: list[FlowIssue] = []
        self._truncated = False
        self._quirk_lines: dict[str, list[int]] = {}
        self._quirk_counts: dict[str, int] = {}
        self._header: Header | None = None
        self._trailer: Trailer | None = None
        self._meter_point: _OpenMeterPoint | None = None
        self._meter: _OpenMeter | None = None
        self._reading: _OpenReading | None = None
        self._structure_026 = False  # structure is tracked apart from records, so that it
        self._structure_028 = False  # goes on being checked after a record had errors
        self._structure_030 = False
        self._026_has_028 = True
        self._030_has_032 = False
        self._026_line = 0
        self._group_count = 0
        self._flow_count = 0
        self._handlers: dict[str, Callable[[list[str], int], MeterPointGroup | None]] = {
            "026": self._on_026,
            "027": self._on_site_visit,
            "028": self._on_028,
            "029": self._on_site_visit,
            "030": self._on_030,
            "032": self._on_032,
            "033": self._on_site_visit,
        }

    # -- public -----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[FlowRecord]:
        with suppress(_StopParsing):
            yield from self._records()
        if self._errors:
            raise InvalidFlowFile(self.file_name, tuple(self._errors), truncated=self._truncated)

    # -- reporting --------------------------------------------------------------------------

    def _error(self, line_number: int | None, field: str | None, reason: str) -> None:
        # A value quoted in the reason is cut short: a long line is not echoed back whole.
        reason = _LONG_QUOTED_VALUE.sub(r"'\1…'", reason)
        self._errors.append(
            FlowIssue(file_name=self.file_name, line_number=line_number, field=field, reason=reason)
        )
        if len(self._errors) >= self._max_errors:
            self._truncated = True
            self._errors.append(
                FlowIssue(
                    file_name=self.file_name,
                    line_number=None,
                    field=None,
                    reason=f"stopped after {self._max_errors} errors",
                )
            )
            raise _StopParsing

    def _warn(self, line_number: int | None, field: str | None, reason: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(
                FlowIssue(
                    file_name=self.file_name, line_number=line_number, field=field, reason=reason
                )
            )
        else:
            self.warnings_left_out += 1

    def _quirk(self, kind: str, line_number: int) -> None:
        """Note a tolerated quirk; reported once per kind, with its first lines, at the end."""
        first_lines = self._quirk_lines.setdefault(kind, [])
        if len(first_lines) < 3:
            first_lines.append(line_number)
        self._quirk_counts[kind] = self._quirk_counts.get(kind, 0) + 1

    # -- lines ------------------------------------------------------------------------------

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number, line without its ending), for LF, CRLF and CR endings alike."""
        carry = b""
        line_number = 0
        limit = self._max_line_length
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
                    self._line_too_long(line_number)
                yield line_number, stripped
            if len(carry) > limit:
                self._line_too_long(line_number + 1)
        if carry:
            line_number += 1
            yield line_number, carry.rstrip(b"\r\n")

    def _line_too_long(self, line_number: int) -> None:
        self._error(
            line_number,
            None,
            f"line is longer than {self._max_line_length} bytes; not a D0010 file",
        )
        raise _StopParsing

    def _decode(self, raw: bytes, line_number: int) -> str | None:
        if self._header is None:
            for signature, reason in _NOT_D0010_TEXT:
                if raw.startswith(signature):
                    self._error(line_number, None, reason)
                    return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError as error:
                control = _CONTROL_BYTE.search(raw, 0, error.start)
                if control is not None:  # the first sign that this is not text
                    column = len(raw[: control.start()].decode("cp1252", "replace")) + 1
                    self._error(
                        line_number,
                        None,
                        f"control character 0x{raw[control.start()]:02x} at column {column}; "
                        "not a text file",
                    )
                    return None
                self._error(
                    line_number,
                    None,
                    f"byte 0x{raw[error.start]:02x} at column {error.start + 1} is not text "
                    "(expected UTF-8 or Windows-1252)",
                )
                return None
        match = _CONTROL_CHARACTER.search(text)
        if match:
            self._error(
                line_number,
                None,
                f"control character 0x{ord(match.group()):02x} at column {match.start() + 1}; "
                "not a text file",
            )
            return None
        return text

    def _items(self, fields: list[str], count: int, line_number: int) -> list[str]:
        """The group's ``count`` items, tolerating a missing trailing ``|``, missing trailing
        optional items and extra blank fields after the last item (all reported as quirks)."""
        items = fields[1:]
        if len(items) == count + 1 and items[-1] == "":
            return items[:count]
        if len(items) > count:
            extra = items[count:]
            if any(value.strip() for value in extra):
                given = len(items) - (items[-1] == "")
                raise _FieldError(None, f"has {given} items where group {fields[0]} has {count}")
            self._quirk("extra blank fields after the last item", line_number)
            return items[:count]
        self._quirk("no trailing '|' or trailing optional items left out", line_number)
        return items + [""] * (count - len(items))

    # -- the record loop --------------------------------------------------------------------

    def _records(self) -> Iterator[FlowRecord]:
        blank_lines: list[int] = []
        for line_number, raw in self._lines():
            if not raw.strip():
                blank_lines.append(line_number)
                continue
            text = self._decode(raw, line_number)
            readable = text is not None
            if text is None:
                if self._header is None:
                    raise _StopParsing
                if (
                    self._trailer is not None
                    or raw.split(b"|", 1)[0].decode("latin-1") not in self._handlers
                ):
                    self._group_count += self._trailer is None  # a record all the same
                    continue
                # A group all the same: follow its place in the structure so that its
                # children are not reported as orphans, but do not report its items again.
                text = raw.decode("latin-1")
            if self._header is None and not self._errors:
                if text.startswith(_UTF8_BOM):
                    text = text[1:]
                    self._warn(line_number, None, "a UTF-8 byte order mark before ZHV was ignored")
                header = self._on_header(text.split("|"), line_number)
                if header is not None:
                    yield header
                continue
            if self._trailer is not None:
                self._error(line_number, None, "content after the ZPT trailer")
                continue
            fields = text.split("|")
            tag = fields[0]
            handler = self._handlers.get(tag)
            if tag != "ZPT":
                # Every record between ZHV and ZPT counts, known or not, so that one bad line
                # is not reported a second time as a wrong total.
                self._group_count += 1
            if handler is not None:
                try:
                    completed = handler(fields, line_number)
                except _FieldError as error:
                    if readable:
                        self._error(line_number, error.field, error.reason)
                    continue
                if completed is not None and not self._errors:
                    yield completed
            elif tag == "ZPT":
                completed = self._close_meter_point()
                if completed is not None and not self._errors:
                    yield completed
                self._on_trailer(fields, line_number)
            elif tag == "ZHV":
                self._error(line_number, None, "a second ZHV header inside the file")
            else:
                self._unknown_group(tag, line_number)
        self._finish(blank_lines)
        if self._trailer is not None and not self._errors:
            yield self._trailer

    def _unknown_group(self, tag: str, line_number: int) -> None:
        shown = tag if len(tag) <= 10 else tag[:10] + "…"
        if tag == "031":
            reason = "there is no group 031 in D0010"
        else:
            reason = (
                f"unknown group '{shown}' (D0010 has groups 026, 027, 028, 029, 030, 032 and 033)"
            )
        self._error(line_number, "Group", reason)

    def _finish(self, blank_lines: list[int]) -> None:
        if self._header is None:
            if not self._errors:
                self._error(None, None, "the file is empty")
            return
        if self._trailer is None:
            self._close_meter_point()
            self._error(None, None, "the file ends without a ZPT trailer")
            return
        inner_blank = [n for n in blank_lines if n < self._trailer.line_number]
        if inner_blank:
            self._warn(inner_blank[0], None, f"{len(inner_blank)} blank line(s) ignored")
        for kind, lines in self._quirk_lines.items():
            shown = ", ".join(str(n) for n in lines)
            left = self._quirk_counts[kind] - len(lines)
            more = f" and {left} more" if left else ""
            self._warn(lines[0], None, f"{kind} on line(s) {shown}{more}; tolerated")

    # -- envelope ---------------------------------------------------------------------------

    def _on_header(self, fields: list[str], line_number: int) -> Header | None:
        tag = fields[0]
        if tag != "ZHV":
            if tag in ("ZHD", "ZHF"):
                reason = f"unsupported file envelope '{tag}': D0010 files start with a ZHV header"
            else:
                shown = "|".join(fields)[:40]
                reason = f"expected a ZHV header as the first record, found '{shown}'"
            self._error(line_number, None, f"not a D0010 file: {reason}")
            raise _StopParsing
        try:
            items = self._items(fields, 11, line_number)
            file_identifier = _char(
                _mandatory(items[0], "File Identifier (J1064)"),
                "File Identifier (J1064)",
                10,
                alphanumeric=True,
            )
            flow = _mandatory(items[1], "Data Flow Reference and Version (J0937)")
            if flow[:5] != codes.FLOW_REFERENCE:
                self._error(
                    line_number,
                    "Data Flow Reference and Version (J0937)",
                    f"this is a '{flow[:8]}' file, not a D0010",
                )
                raise _StopParsing
            if len(flow) != 8 or flow[5:] not in codes.SUPPORTED_FLOW_VERSIONS:
                supported = ", ".join(sorted(codes.SUPPORTED_FLOW_VERSIONS))
                raise _FieldError(
                    "Data Flow Reference and Version (J0937)",
                    f"'{flow}': version {flow[5:] or '(none)'} of D0010 is not supported "
                    f"(supported: {supported})",
                )
            header = Header(
                line_number=line_number,
                file_identifier=file_identifier,
                flow_reference=flow[:5],
                flow_version=flow[5:],
                sender_role=self._role(items[2], "From Market Participant Role Code (J0934)"),
                sender_participant_id=self._participant(
                    items[3], "From Market Participant Id (J0938)"
                ),
                recipient_role=self._role(items[4], "To Market Participant Role Code (J0935)"),
                recipient_participant_id=self._participant(
                    items[5], "To Market Participant Id (J0939)"
                ),
                created_at=self._datetime(
                    _mandatory(items[6], "File Creation Timestamp (J0280)"),
                    "File Creation Timestamp (J0280)",
                    line_number,
                ),
                sending_application_id=_char(items[7], "Sending Application Id (J1060)", 5),
                receiving_application_id=_char(items[8], "Receiving Application Id (J1061)", 5),
                broadcast=_char(items[9], "Broadcast (J1062)", 1),
                test_data_flag=_char(items[10], "Test Data Flag (J1063)", 4, alphanumeric=True),
            )
        except _FieldError as error:
            self._error(line_number, error.field, error.reason)
            # Keep a placeholder so that the rest of the file is still checked.
            self._header = Header(
                line_number=line_number,
                file_identifier=fields[1] if len(fields) > 1 else "",
                flow_reference=codes.FLOW_REFERENCE,
                flow_version="",
                sender_role="",
                sender_participant_id="",
                recipient_role="",
                recipient_participant_id="",
                created_at=datetime.max.replace(tzinfo=timezone.utc),
                sending_application_id="",
                receiving_application_id="",
                broadcast="",
                test_data_flag="",
            )
            return None
        if header.test_data_flag == "":
            self._warn(line_number, "Test Data Flag (J1063)", "blank; treated as operational data")
        self._header = header
        return header

    @staticmethod
    def _role(value: str, field: str) -> str:
        _mandatory(value, field)
        if len(value) != 1 or not value.isascii() or not value.isalpha():
            raise _FieldError(field, f"'{value}' is not a one-letter market role code")
        return value

    @staticmethod
    def _participant(value: str, field: str) -> str:
        return _char(_mandatory(value, field), field, 4, alphanumeric=True)

    def _on_trailer(self, fields: list[str], line_number: int) -> None:
        header = self._header
        assert header is not None  # noqa: S101 - the record loop reads the header first
        try:
            items = self._items(fields, 5, line_number)
            file_identifier = _mandatory(items[0], "File Identifier (J1064)")
            if file_identifier != header.file_identifier:
                raise _FieldError(
                    "File Identifier (J1064)",
                    f"'{file_identifier}' does not match the header's '{header.file_identifier}'",
                )
            total = _number(
                _mandatory(items[1], "Total Group Count (J1067)"), "Total Group Count (J1067)", 10
            )
            if total != self._group_count % 10**10:
                raise _FieldError(
                    "Total Group Count (J1067)",
                    f"says {total} groups but the file has {self._group_count}",
                )
            checksum = items[2]
            if checksum:
                _number(checksum, "Checksum (J1078)", 10)
            flow_count = _number(
                _mandatory(items[3], "Flow Count (J1066)"), "Flow Count (J1066)", 8
            )
            completed_at = None
            if items[4]:
                completed_at = self._datetime(
                    items[4], "File Completion Timestamp (J1065)", line_number
                )
        except _FieldError as error:
            self._error(line_number, error.field, error.reason)
            self._trailer = Trailer(
                line_number=line_number,
                file_identifier="",
                total_group_count=0,
                checksum="",
                flow_count=0,
                completed_at=None,
            )
            return
        if flow_count != self._flow_count:
            self._warn(
                line_number,
                "Flow Count (J1066)",
                f"says {flow_count} but the file has {self._flow_count} 026 groups",
            )
        if completed_at is None:
            self._warn(line_number, "File Completion Timestamp (J1065)", "blank")
        elif completed_at < header.created_at:
            self._warn(
                line_number,
                "File Completion Timestamp (J1065)",
                "is earlier than the file creation timestamp",
            )
        self._trailer = Trailer(
            line_number=line_number,
            file_identifier=file_identifier,
            total_group_count=total,
            checksum=checksum,
            flow_count=flow_count,
            completed_at=completed_at,
        )

    def _datetime(self, text: str, field: str, line_number: int) -> datetime:
        value, ambiguous = _uk_datetime(text, field)
        if ambiguous:
            self._warn(
                line_number,
                field,
                f"'{text}' happens twice in UK local time (the clocks go back); "
                "read as the first, in British Summer Time",
            )
        return value

    # -- groups -----------------------------------------------------------------------------

    def _close_reading(self) -> None:
        reading = self._reading
        if reading is None:
            return
        self._reading = None
        if reading.reading_flag is False and reading.validation is None:
            self._warn(
                reading.line_number,
                "Meter Reading Flag (J0045)",
                "the reading is flagged suspect (F) but has no 032 validation result",
            )
        elif reading.reading_flag is not False and reading.validation is not None:
            self._warn(
                reading.validation.line_number,
                None,
                "032 validation result under a reading not flagged suspect (F)",
            )
        assert self._meter is not None  # noqa: S101 - a reading is only opened under a meter
        self._meter.readings.append(
            RegisterReading(
                line_number=reading.line_number,
                register_id=reading.register_id,
                read_at=reading.read_at,
                value=reading.value,
                md_reset_at=reading.md_reset_at,
                md_reset_count=reading.md_reset_count,
                reading_flag=reading.reading_flag,
                reading_method=reading.reading_method,
                validation=reading.validation,
                site_visits=tuple(reading.site_visits),
            )
        )

    def _close_meter(self) -> None:
        self._close_reading()
        meter = self._meter
        if meter is None:
            return
        self._meter = None
        assert self._meter_point is not None  # noqa: S101 - a meter is only opened under an 026
        self._meter_point.meters.append(
            MeterGroup(
                line_number=meter.line_number,
                serial_number=meter.serial_number,
                reading_type=meter.reading_type,
                site_visits=tuple(meter.site_visits),
                readings=tuple(meter.readings),
            )
        )

    def _close_meter_point(self) -> MeterPointGroup | None:
        if self._structure_026 and not self._026_has_028:
            self._error(self._026_line, "Group", "the 026 group has no 028 meter group")
        self._structure_026 = self._structure_028 = self._structure_030 = False
        if self._errors:
            self._meter_point = self._meter = self._reading = None
            return None
        self._close_meter()
        point = self._meter_point
        if point is None:
            return None
        self._meter_point = None
        if point.bsc_validation_status == "F" and not any(
            reading.reading_flag is False for meter in point.meters for reading in meter.readings
        ):
            self._quirk(_NO_SUSPECT_READING_UNDER_F, point.line_number)
        return MeterPointGroup(
            line_number=point.line_number,
            mpan=point.mpan,
            bsc_validation_status=point.bsc_validation_status,
            site_visits=tuple(point.site_visits),
            meters=tuple(point.meters),
        )

    def _on_026(self, fields: list[str], line_number: int) -> MeterPointGroup | None:
        completed = self._close_meter_point()
        self._structure_026 = True
        self._026_has_028 = False
        self._026_line = line_number
        self._flow_count += 1
        items = self._items(fields, 2, line_number)
        mpan = _mandatory(items[0], "MPAN Core (J0003)")
        if len(mpan) != 13 or not _DIGITS.fullmatch(mpan):
            raise _FieldError("MPAN Core (J0003)", f"'{mpan}' is not 13 digits")
        if has_check_digit(mpan) and mpan_check_digit(mpan[:12]) != int(mpan[12]):
            raise _FieldError(
                "MPAN Core (J0003)",
                f"'{mpan}' fails the MPAN check digit (expected {mpan_check_digit(mpan[:12])} "
                f"as the last digit)",
            )
        status = _code(items[1], "BSC Validation Status (J0022)", codes.BSC_VALIDATION_STATUSES)
        if not self._errors:
            self._meter_point = _OpenMeterPoint(line_number, mpan, status)
        return completed

    def _on_028(self, fields: list[str], line_number: int) -> None:
        if not self._structure_026:
            self._structure_028 = self._structure_030 = False
            raise _FieldError("Group", "028 meter group outside any 026 group")
        self._026_has_028 = True
        self._structure_028 = True
        self._structure_030 = False
        if not self._errors:
            self._close_meter()
        items = self._items(fields, 2, line_number)
        raw_serial = _mandatory(items[0], "Meter Id (Serial Number) (J0004)")
        serial = raw_serial.strip()
        if not serial:
            raise _FieldError("Meter Id (Serial Number) (J0004)", "is blank but mandatory")
        # Trimmed first: padding around a serial of 10 characters is not a longer serial.
        _char(serial, "Meter Id (Serial Number) (J0004)", 10)
        if serial != raw_serial:
            self._warn(
                line_number,
                "Meter Id (Serial Number) (J0004)",
                f"leading or trailing spaces around '{serial}' were removed",
            )
        reading_type = items[1]
        if reading_type in codes.READING_TYPES_NOT_IN_D0010:
            raise _FieldError(
                "Reading Type (J0171)",
                f"'{reading_type}' is only allowed in D0071 and D0300, not in D0010",
            )
        _code(reading_type, "Reading Type (J0171)", codes.READING_TYPES)
        if not self._errors:
            self._meter = _OpenMeter(line_number, serial, reading_type)

    def _on_030(self, fields: list[str], line_number: int) -> None:
        if not self._structure_028:
            self._structure_030 = False
            raise _FieldError("Group", "030 register reading outside any 028 meter group")
        self._structure_030 = True
        self._030_has_032 = False
        if not self._errors:
            self._close_reading()
        items = self._items(fields, 7, line_number)
        register_id = items[0]
        if not _REGISTER_ID.fullmatch(register_id):
            _mandatory(register_id, "Meter Register Id (J0010)")
            raise _FieldError(
                "Meter Register Id (J0010)", f"'{register_id}' is not 1 or 2 letters or digits"
            )
        read_at = self._datetime(
            _mandatory(items[1], "Reading Date & Time (J0016)"),
            "Reading Date & Time (J0016)",
            line_number,
        )
        value_text = items[2]
        if not _READING_VALUE.fullmatch(value_text):
            _mandatory(value_text, "Register Reading (J0040)")
            raise _FieldError(
                "Register Reading (J0040)",
                f"'{value_text}' is not a reading of up to 9 digits with at most one decimal place",
            )
        md_reset_at = (
            self._datetime(items[3], "MD Reset Date & Time (J0044)", line_number)
            if items[3]
            else None
        )
        md_reset_count = _number(items[4], "Number of MD Resets (J1013)", 3) if items[4] else None
        reading_flag = _boolean(items[5], "Meter Reading Flag (J0045)") if items[5] else None
        time_of_day = items[1][8:]
        if time_of_day != "000000" and time_of_day != "235959":
            meter = self._meter
            if meter is not None and meter.reading_type != "S":
                self._quirk(_NOT_AT_MIDNIGHT, line_number)
        method = items[6]
        if method != "N" and method != "P":
            _code(method, "Reading Method (J1888)", codes.READING_METHODS)
        header = self._header
        if header is not None and read_at > header.created_at:
            self._warn(
                line_number,
                "Reading Date & Time (J0016)",
                "the reading is dated after the file was created",
            )
        if not self._errors:
            self._reading = _OpenReading(
                line_number,
                register_id,
                read_at,
                Decimal(value_text),
                md_reset_at,
                md_reset_count,
                reading_flag,
                method,
            )

    def _on_032(self, fields: list[str], line_number: int) -> None:
        if not self._structure_030:
            raise _FieldError("Group", "032 validation result outside any 030 register reading")
        if self._030_has_032:
            raise _FieldError("Group", "a second 032 validation result for the same reading")
        self._030_has_032 = True
        items = self._items(fields, 2, line_number)
        reason = _code(items[0], "Meter Reading Reason Code (J0332)", codes.READING_REASON_CODES)
        status = _boolean(
            _mandatory(items[1], "Meter Reading Status (J0047)"), "Meter Reading Status (J0047)"
        )
        if self._reading is not None and not self._errors:
            self._reading.validation = ValidationResult(
                line_number=line_number, reason_code=reason, status=status
            )

    def _on_site_visit(self, fields: list[str], line_number: int) -> None:
        tag = fields[0]
        if tag == "027" and not self._structure_026:
            raise _FieldError("Group", "027 site visit outside any 026 group")
        if tag == "029" and not self._structure_028:
            raise _FieldError("Group", "029 site visit outside any 028 meter group")
        if tag == "033" and not self._structure_030:
            raise _FieldError("Group", "033 site visit outside any 030 register reading")
        items = self._items(fields, 2, line_number)
        check_code = _code(items[0], "Site Visit Check Code (J0024)", codes.SITE_VISIT_CHECK_CODES)
        information = _char(items[1], "Additional Information (J0012)", 200)
        if self._errors:
            return
        visit = SiteVisit(
            line_number=line_number,
            group=tag,
            check_code=check_code,
            additional_information=information,
        )
        if tag == "027" and self._meter_point is not None:
            self._meter_point.site_visits.append(visit)
        elif tag == "029" and self._meter is not None:
            self._meter.site_visits.append(visit)
        elif tag == "033" and self._reading is not None:
            self._reading.site_visits.append(visit)
