"""The envelope every DTC flow file comes in: the ZHV header and the ZPT trailer.

The flow passes in its reference (``D0010``) and the versions it supports; a file of another
flow, or in another envelope (``ZHD``), is refused by name.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime, timezone

from .issues import FieldError, IssueLog, StopParsing
from .items import char, mandatory, number, split_items, uk_datetime
from .lines import UTF8_BOM

OPERATIONAL_TEST_DATA_FLAG = "OPER"


def is_test_data(test_data_flag: str) -> bool:
    """True when a Test Data Flag (J1063) marks test traffic (anything but blank or OPER)."""
    return test_data_flag not in ("", OPERATIONAL_TEST_DATA_FLAG)


@dataclass(frozen=True, slots=True, kw_only=True)
class Header:
    """ZHV: the file header."""

    line_number: int
    file_identifier: str  # J1064
    flow_reference: str  # J0937, first five characters: "D0010"
    flow_version: str  # J0937, last three characters: "002"
    sender_role: str  # J0934
    sender_participant_id: str  # J0938
    recipient_role: str  # J0935
    recipient_participant_id: str  # J0939
    created_at: datetime  # J0280
    sending_application_id: str  # J1060, "for possible future use"
    receiving_application_id: str  # J1061
    broadcast: str  # J1062
    test_data_flag: str  # J1063, "OPER" for live data

    @property
    def is_test_data(self) -> bool:
        return is_test_data(self.test_data_flag)


@dataclass(frozen=True, slots=True, kw_only=True)
class Trailer:
    """ZPT: the file trailer."""

    line_number: int
    file_identifier: str  # J1064, equal to the header's
    total_group_count: int  # J1067
    checksum: str  # J1078, blank in every UFF file seen
    flow_count: int  # J1066, in practice one per top-level group
    completed_at: datetime | None  # J1065


def read_header(
    text: str, line_number: int, *, reference: str, versions: Set[str], log: IssueLog
) -> Header:
    """The ZHV header of a ``reference`` file, from its first line.

    Raises ``StopParsing`` when the file is not one (another envelope or another flow). A
    header with errors is noted in ``log`` and comes back as a placeholder, so that the rest
    of the file is still checked.
    """
    if text.startswith(UTF8_BOM):
        text = text[1:]
        log.warn(line_number, None, "a UTF-8 byte order mark before ZHV was ignored")
    fields = text.split("|")
    tag = fields[0]
    if tag != "ZHV":
        if tag in ("ZHD", "ZHF"):
            reason = f"unsupported file envelope '{tag}': {reference} files start with a ZHV header"
        else:
            shown = "|".join(fields)[:40]
            reason = f"expected a ZHV header as the first record, found '{shown}'"
        log.error(line_number, None, f"not a {reference} file: {reason}")
        raise StopParsing
    try:
        items = split_items(fields, 11, line_number, log)
        file_identifier = char(
            mandatory(items[0], "File Identifier (J1064)"),
            "File Identifier (J1064)",
            10,
            alphanumeric=True,
        )
        flow = mandatory(items[1], "Data Flow Reference and Version (J0937)")
        if flow[:5] != reference:
            log.error(
                line_number,
                "Data Flow Reference and Version (J0937)",
                f"this is a '{flow[:8]}' file, not a {reference}",
            )
            raise StopParsing
        if len(flow) != 8 or flow[5:] not in versions:
            supported = ", ".join(sorted(versions))
            raise FieldError(
                "Data Flow Reference and Version (J0937)",
                f"'{flow}': version {flow[5:] or '(none)'} of {reference} is not supported "
                f"(supported: {supported})",
            )
        header = Header(
            line_number=line_number,
            file_identifier=file_identifier,
            flow_reference=flow[:5],
            flow_version=flow[5:],
            sender_role=_role(items[2], "From Market Participant Role Code (J0934)"),
            sender_participant_id=_participant(
                items[3], "From Market Participant Id (J0938)", line_number, log
            ),
            recipient_role=_role(items[4], "To Market Participant Role Code (J0935)"),
            recipient_participant_id=_participant(
                items[5], "To Market Participant Id (J0939)", line_number, log
            ),
            created_at=uk_datetime(
                mandatory(items[6], "File Creation Timestamp (J0280)"),
                "File Creation Timestamp (J0280)",
                line_number,
                log,
            ),
            sending_application_id=char(items[7], "Sending Application Id (J1060)", 5),
            receiving_application_id=char(items[8], "Receiving Application Id (J1061)", 5),
            broadcast=char(items[9], "Broadcast (J1062)", 1),
            test_data_flag=char(items[10], "Test Data Flag (J1063)", 4, alphanumeric=True),
        )
    except FieldError as error:
        log.error(line_number, error.field, error.reason)
        return Header(
            line_number=line_number,
            file_identifier=fields[1] if len(fields) > 1 else "",
            flow_reference=reference,
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
    if header.test_data_flag == "":
        log.warn(line_number, "Test Data Flag (J1063)", "blank; treated as operational data")
    return header


def read_trailer(
    fields: list[str],
    line_number: int,
    *,
    header: Header,
    group_count: int,
    flow_count: int,
    flow_groups: str,
    log: IssueLog,
) -> Trailer:
    """The ZPT trailer, checked against the header and the ``group_count`` group lines and
    ``flow_count`` top-level (``flow_groups``) groups counted before it. A trailer with errors
    is noted in ``log`` and comes back as a placeholder."""
    try:
        items = split_items(fields, 5, line_number, log)
        file_identifier = mandatory(items[0], "File Identifier (J1064)")
        if file_identifier != header.file_identifier:
            raise FieldError(
                "File Identifier (J1064)",
                f"'{file_identifier}' does not match the header's '{header.file_identifier}'",
            )
        total = number(
            mandatory(items[1], "Total Group Count (J1067)"), "Total Group Count (J1067)", 10
        )
        if total != group_count % 10**10:
            raise FieldError(
                "Total Group Count (J1067)",
                f"says {total} groups but the file has {group_count}",
            )
        checksum = items[2]
        if checksum:
            number(checksum, "Checksum (J1078)", 10)
        stated_flow_count = number(
            mandatory(items[3], "Flow Count (J1066)"), "Flow Count (J1066)", 8
        )
        completed_at = None
        if items[4]:
            completed_at = uk_datetime(
                items[4], "File Completion Timestamp (J1065)", line_number, log
            )
    except FieldError as error:
        log.error(line_number, error.field, error.reason)
        return Trailer(
            line_number=line_number,
            file_identifier="",
            total_group_count=0,
            checksum="",
            flow_count=0,
            completed_at=None,
        )
    if stated_flow_count != flow_count:
        log.warn(
            line_number,
            "Flow Count (J1066)",
            f"says {stated_flow_count} but the file has {flow_count} {flow_groups} groups",
        )
    if completed_at is None:
        log.warn(line_number, "File Completion Timestamp (J1065)", "blank")
    elif completed_at < header.created_at:
        log.warn(
            line_number,
            "File Completion Timestamp (J1065)",
            "is earlier than the file creation timestamp",
        )
    return Trailer(
        line_number=line_number,
        file_identifier=file_identifier,
        total_group_count=total,
        checksum=checksum,
        flow_count=stated_flow_count,
        completed_at=completed_at,
    )


def _role(value: str, field: str) -> str:
    mandatory(value, field)
    if len(value) != 1 or not value.isascii() or not value.isalpha():
        raise FieldError(field, f"'{value}' is not a one-letter market role code")
    return value


def _participant(value: str, field: str, line_number: int, log: IssueLog) -> str:
    """A market participant id (MPID): up to four letters and digits. Market Domain Data
    assigns them in upper case (``UDMS``), and one sender is one MPID whatever the case it is
    written in: other case is read as upper case, with a warning."""
    mpid = char(mandatory(value, field), field, 4, alphanumeric=True)
    if mpid != mpid.upper():  # ASCII letters only: the upper case is as long
        log.warn(line_number, field, f"'{mpid}' read as '{mpid.upper()}': MPIDs are upper case")
    return mpid.upper()
