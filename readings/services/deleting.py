"""Delete a flow file and what only it brought."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit

from .meaning import recompute_meaning, touched_by

logger = logging.getLogger("readings.deleting")


@dataclass(frozen=True, slots=True, kw_only=True)
class DeletionSummary:
    """What deleting a flow file removes: its own rows, and meters and meter points that no
    other file mentions."""

    readings: int
    site_visits: int
    meter_groups: int
    meters: int
    meter_points: int


def _orphans(flow_file: FlowFile) -> tuple[list[int], list[int]]:
    """Meters and meter points that only this file mentions."""
    meter_ids = set(
        FileMeter.objects.filter(flow_file=flow_file).values_list("meter_id", flat=True)
    )
    shared_meters = set(
        FileMeter.objects.filter(meter_id__in=meter_ids)
        .exclude(flow_file=flow_file)
        .values_list("meter_id", flat=True)
    )
    only_meters = sorted(meter_ids - shared_meters)
    point_ids = set(Meter.objects.filter(id__in=meter_ids).values_list("meter_point_id", flat=True))
    kept_points = set(
        Meter.objects.filter(meter_point_id__in=point_ids)
        .exclude(id__in=only_meters)
        .values_list("meter_point_id", flat=True)
    )
    return only_meters, sorted(point_ids - kept_points)


def describe_deletion(*, flow_file: FlowFile) -> DeletionSummary:
    """What ``delete_flow_file`` would remove, for a confirmation page."""
    meters, points = _orphans(flow_file)
    return DeletionSummary(
        readings=Reading.objects.filter(flow_file=flow_file).count(),
        site_visits=SiteVisit.objects.filter(flow_file=flow_file).count(),
        meter_groups=FileMeter.objects.filter(flow_file=flow_file).count(),
        meters=len(meters),
        meter_points=len(points),
    )


def delete_flow_file(*, flow_file: FlowFile) -> DeletionSummary:
    """Delete the file, its readings, site visits and 028 groups, then the meters and meter
    points that no other file mentions, and work out again what the readings of the registers
    it touched mean. One transaction."""
    with transaction.atomic():
        summary = describe_deletion(flow_file=flow_file)
        meters, points = _orphans(flow_file)
        name = flow_file.file_name
        pk = flow_file.pk
        touched = touched_by(flow_file_ids=[pk])  # what the readings of the others mean
        SiteVisit.objects.filter(flow_file=flow_file).delete()
        Reading.objects.filter(flow_file=flow_file).delete()
        FileMeter.objects.filter(flow_file=flow_file).delete()
        flow_file.delete()
        Meter.objects.filter(id__in=meters).delete()
        MeterPoint.objects.filter(id__in=points).delete()
        recompute_meaning(touched=touched)
    logger.info(
        "deleted flow_file_id=%s file=%r readings=%d meters=%d meter_points=%d",
        pk,
        name,
        summary.readings,
        summary.meters,
        summary.meter_points,
    )
    return summary
