"""Counts in messages and pages, in words: "1 reading", "13 readings"."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` followed by ``singular``, or by ``plural`` (``singular`` + "s") unless it is 1."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def content_counts(*, meter_points: int, meters: int, readings: int, site_visits: int) -> str:
    """What an import brought, in words (``ImportResult.contents``)."""
    return ", ".join(
        (
            counted(meter_points, "meter point"),
            counted(meters, "meter"),
            counted(readings, "reading"),
            counted(site_visits, "site visit"),
        )
    )
