"""The flow file's own row: created from the header once it passes the checks against what is
stored, and finished with the trailer and the counts when the last batch is written."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Upper

from readings.dtc import FlowIssue, Header, Trailer
from readings.models import FileMeter, FlowFile
from readings.wording import printable

from ._outcomes import DuplicateFileIdentifier, FlowFileAlreadyImported, NotOperationalData


def imported_before(sha256: str) -> FlowFile | None:
    """The flow file stored with these bytes, if any."""
    return FlowFile.objects.filter(sha256=sha256).first()


def start(header: Header, *, name: str, sha256: str, size: int, allow_test_data: bool) -> FlowFile:
    """Check the header against what is stored, and create the file's row.

    Raises:
        NotOperationalData: the header marks test data and ``allow_test_data`` is false.
        FlowFileAlreadyImported: the same bytes were committed since the check before parsing.
        DuplicateFileIdentifier: another file from the sender has the same file identifier.
    """
    if header.is_test_data and not allow_test_data:
        raise NotOperationalData(name, header.test_data_flag)
    clash = _identifier_clash(header)
    if clash is not None:
        if clash.sha256 == sha256:  # the same bytes, committed since the check before parsing
            raise FlowFileAlreadyImported(name, clash)
        raise _duplicate_identifier(name, header, clash)
    flow_file = FlowFile(
        file_name=name[:255],
        sha256=sha256,
        size_bytes=size,
        file_identifier=header.file_identifier,
        flow_reference=header.flow_reference,
        flow_version=header.flow_version,
        sender_role=header.sender_role,
        sender_participant_id=header.sender_participant_id,
        recipient_role=header.recipient_role,
        recipient_participant_id=header.recipient_participant_id,
        file_created_at=header.created_at,
        sending_application_id=header.sending_application_id,
        receiving_application_id=header.receiving_application_id,
        broadcast=header.broadcast,
        test_data_flag=header.test_data_flag,
    )
    try:
        with transaction.atomic():
            flow_file.save(force_insert=True)
    except IntegrityError:
        # Another import of the same bytes, or of the same identifier, committed first.
        existing = imported_before(sha256)
        if existing is not None:
            raise FlowFileAlreadyImported(name, existing) from None
        clash = _identifier_clash(header)
        if clash is not None:
            raise _duplicate_identifier(name, header, clash) from None
        raise
    return flow_file


def finish(
    flow_file: FlowFile,
    trailer: Trailer,
    *,
    reading_count: int,
    site_visit_count: int,
    warnings: tuple[FlowIssue, ...],
    first_read_at: datetime | None = None,
    last_read_at: datetime | None = None,
) -> None:
    """Store the trailer, what the batches wrote (counts, the readings' span) and the
    warnings on the file's row."""
    counts = FileMeter.objects.filter(flow_file=flow_file).aggregate(
        meters=Count("meter", distinct=True),
        meter_points=Count("meter__meter_point", distinct=True),
    )
    flow_file.total_group_count = trailer.total_group_count
    flow_file.checksum = trailer.checksum
    flow_file.flow_count = trailer.flow_count
    flow_file.file_completed_at = trailer.completed_at
    flow_file.meter_point_count = counts["meter_points"]
    flow_file.meter_count = counts["meters"]
    flow_file.reading_count = reading_count
    flow_file.site_visit_count = site_visit_count
    flow_file.first_read_at = first_read_at
    flow_file.last_read_at = last_read_at
    flow_file.set_warning_issues(warnings)
    flow_file.save(
        update_fields=[
            "total_group_count",
            "checksum",
            "flow_count",
            "file_completed_at",
            "meter_point_count",
            "meter_count",
            "reading_count",
            "site_visit_count",
            "first_read_at",
            "last_read_at",
            "warnings",
        ]
    )


def _identifier_clash(header: Header) -> FlowFile | None:
    """The stored file from the header's sender with its file identifier, whatever the case of
    either (by the unique constraint's index on both upper-cased)."""
    return (
        FlowFile.objects.alias(
            sender_key=Upper("sender_participant_id"), identifier_key=Upper("file_identifier")
        )
        .filter(
            sender_key=header.sender_participant_id.upper(),
            identifier_key=header.file_identifier.upper(),
        )
        .first()
    )


def _duplicate_identifier(name: str, header: Header, clash: FlowFile) -> DuplicateFileIdentifier:
    case = (
        f" (this file's {header.file_identifier} differs from it only in case)"
        if header.file_identifier != clash.file_identifier
        else ""
    )
    return DuplicateFileIdentifier(
        name,
        f"sender {header.sender_participant_id} already sent file identifier "
        f"{clash.file_identifier}{case} in a different file ('{printable(clash.file_name)}', "
        f"flow file #{clash.pk}); a file identifier must be unique per sender, whatever its case",
        existing=clash,
    )
