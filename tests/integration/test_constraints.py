"""The database itself keeps coded items to their valid sets, on either database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.db import DataError, IntegrityError, transaction

from readings.d0010 import codes
from readings.models import FlowFile, Meter, Reading, SiteVisit
from tests.functional.admin_helpers import bulk_flow_file

pytestmark = pytest.mark.django_db

READ_AT = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)


@pytest.fixture
def flow_file() -> FlowFile:
    return bulk_flow_file(readings=0, meters=1, start=READ_AT)


@pytest.fixture
def meter(flow_file: FlowFile) -> Meter:
    """The one meter that came with ``flow_file``."""
    return Meter.objects.get()


def _reading(flow_file: FlowFile, meter: Meter, line: int, **items: Any) -> Reading:
    fields: dict[str, Any] = {
        "register_id": "01",
        "read_at": READ_AT,
        "value": Decimal("1.0"),
        "reading_method": "N",
        "reading_type": "A",
        "bsc_validation_status": "V",
    }
    fields.update(items)
    return Reading(flow_file=flow_file, meter=meter, line_number=line, **fields)


def _refused(row: Reading | SiteVisit | FlowFile) -> bool:
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except (IntegrityError, DataError):  # DataError: too long for the column (PostgreSQL)
        return True
    return False


def _outsiders(valid: Iterable[str]) -> list[str]:
    """Codes of the same shape that are not valid, lower case included."""
    valid = set(valid)
    candidates = {code.lower() for code in valid} | {"B", "E", "O", "?", "01", "", "AA", "026"}
    return sorted(candidates - valid)


@pytest.mark.parametrize(
    ("item", "valid"),
    [
        ("reading_type", codes.READING_TYPES),
        ("bsc_validation_status", codes.BSC_VALIDATION_STATUSES),
        ("reading_method", codes.READING_METHODS),
    ],
)
def test_a_reading_takes_every_valid_code_and_nothing_else(
    flow_file: FlowFile, meter: Meter, item: str, valid: Iterable[str]
) -> None:
    line = 0
    for code in valid:
        line += 1
        assert not _refused(_reading(flow_file, meter, line, **{item: code})), code
    for code in _outsiders(valid):
        line += 1
        assert _refused(_reading(flow_file, meter, line, **{item: code})), code


def test_a_site_visit_takes_the_three_visit_groups_and_nothing_else(
    flow_file: FlowFile, meter: Meter
) -> None:
    def visit(line: int, group: str) -> SiteVisit:
        return SiteVisit(
            flow_file=flow_file,
            line_number=line,
            parent_line_number=1,
            group=group,
            meter_point=meter.meter_point,
            check_code="01",
        )

    line = 0
    for group in codes.SITE_VISIT_GROUPS:
        line += 1
        assert not _refused(visit(line, group)), group
    for group in _outsiders(codes.SITE_VISIT_GROUPS):
        line += 1
        assert _refused(visit(line, group)), group


def test_a_senders_file_identifiers_are_unique_whatever_their_case(flow_file: FlowFile) -> None:
    def another(sender: str, identifier: str, number: int) -> FlowFile:
        row = FlowFile.objects.get(pk=flow_file.pk)
        row.pk = None
        row.sha256 = f"{number:064d}"
        row.sender_participant_id, row.file_identifier = sender, identifier
        return row

    sender, identifier = flow_file.sender_participant_id, flow_file.file_identifier
    assert identifier != identifier.swapcase()

    assert _refused(another(sender.lower(), identifier, 1))
    assert _refused(another(sender, identifier.swapcase(), 2))
    assert _refused(another(sender.lower(), identifier.swapcase(), 3))
    assert not _refused(another(sender, identifier[:-1] + "X", 4))
