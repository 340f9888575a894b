"""Data and users for the admin tests: imported sample files and rows made in bulk."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Permission, User

from readings.d0010.identifiers import serial_search_key
from readings.models import FlowFile, Meter, MeterPoint, Reading
from readings.services.importing import import_flow_file
from tests.factories import mpan

PASSWORD = "a-long-test-password"


def import_files(*paths: Path) -> list[FlowFile]:
    """Import each file with the import service, as the command would."""
    results = [import_flow_file(source=path) for path in paths]
    return [FlowFile.objects.get(pk=result.flow_file_id or 0) for result in results]


def staff_user(username: str = "staff", *permissions: str) -> User:
    """An active staff user with the given ``app_label.codename`` permissions."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def bulk_flow_file(
    *,
    readings: int,
    meters: int = 10,
    name: str = "bulk.uff",
    serial_prefix: str = "B",
    first_mpan: int = 900_000,
    start: datetime = datetime(2024, 1, 1, tzinfo=timezone.utc),
) -> FlowFile:
    """A flow file with ``readings`` readings over ``meters`` meters, written with bulk_create
    (not through the parser: fast, and free to hold what a parser would refuse)."""
    flow_file = FlowFile.objects.create(
        file_name=name,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        size_bytes=1,
        file_identifier=hashlib.sha256(name.encode()).hexdigest()[:10],
        flow_reference="D0010",
        flow_version="002",
        sender_role="D",
        sender_participant_id="BULK",
        recipient_role="X",
        recipient_participant_id="SUPA",
        file_created_at=start,
        total_group_count=0,
        flow_count=meters,
        reading_count=readings,
    )
    points = MeterPoint.objects.bulk_create(
        MeterPoint(mpan=mpan(first_mpan + number)) for number in range(meters)
    )
    serials = [f"{serial_prefix}{number:05d}" for number in range(meters)]
    meter_rows = Meter.objects.bulk_create(
        Meter(meter_point=point, serial_number=serial, serial_key=serial_search_key(serial))
        for point, serial in zip(points, serials, strict=True)
    )
    Reading.objects.bulk_create(
        (
            Reading(
                flow_file=flow_file,
                line_number=number + 2,
                meter=meter_rows[number % meters],
                register_id="01",
                read_at=start + timedelta(hours=number),
                value=Decimal(number % 100_000),
                reading_flag=True,
                reading_method="N",
                reading_type="R",
                bsc_validation_status="V",
            )
            for number in range(readings)
        ),
        batch_size=5000,
    )
    return flow_file
