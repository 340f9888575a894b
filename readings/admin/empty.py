"""Why the reading list is empty, and what to try: said above the empty list instead of a bare
"0 readings". Each explanation costs a few index lookups (``readings.queries``), never a scan."""

from __future__ import annotations

from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from readings import queries
from readings.dtc.identifiers import is_valid_mpan_core
from readings.localtime import format_minute
from readings.models import Meter, MeterPoint, Reading

from .base import change_url
from .filters import (
    FlowFileFilter,
    MeterFilter,
    MeterPointFilter,
    ReadAtRangeFilter,
    ReadDateFilter,
    _ByIdFilter,
    describe_period,
)

_SUBJECTS: dict[type[_ByIdFilter], str] = {
    MeterFilter: "this meter",
    MeterPointFilter: "this meter point",
    FlowFileFilter: "this flow file",
}


def _search_url(text: str) -> str:
    return f"{reverse('admin:readings_reading_changelist')}?{urlencode({'q': text})}"


def explain_empty(request: HttpRequest, changelist: ChangeList) -> SafeString | None:
    """What an empty reading list should say: a search that can find nothing (a check digit
    that fails, a serial no meter has), or a period without readings for what was chosen."""
    text = changelist.query
    key = queries.search_key(text)
    if key is not None:
        about_search = _about_search(text, key)
        if about_search is not None:
            return about_search
    if any(isinstance(spec, ReadAtRangeFilter) and spec.error for spec in changelist.filter_specs):
        return None  # the filter's own message says what is wrong
    return _about_period(request, changelist, text, key)


def _about_search(text: str, key: queries.SearchKey) -> SafeString | None:
    if key.mpan is not None:
        if not is_valid_mpan_core(key.mpan):
            fixes = queries.mpan_corrections(key.mpan)
            if not fixes:
                return format_html(
                    "{} fails the MPAN check digit, and no MPAN held is one mistyped digit or "
                    "one swap away from it: check the number.",
                    key.mpan,
                )
            links = format_html_join(
                " or ",
                '<a href="{}" class="did-you-mean">{}</a>',
                ((_search_url(f), f) for f in fixes),
            )
            return format_html("{} fails the MPAN check digit — did you mean {}?", key.mpan, links)
        if not MeterPoint.objects.filter(mpan=key.mpan).exists():
            return format_html("No meter point with the MPAN {} is held.", key.mpan)
        return None
    if key.serial_key is not None:
        if Meter.objects.filter(serial_key=key.serial_key).exists():
            return None
        similar = queries.serials_starting_with(key.serial_key)
        if not similar:
            return format_html(
                "No meter with that exact serial, and no serial starts with {}.", text.strip()
            )
        links = format_html_join(
            ", ",
            '<a href="{}" class="serial-suggestion">{}</a> at {}',
            ((_search_url(m.serial_number), m.serial_number, m.meter_point.mpan) for m in similar),
        )
        return format_html(
            "No meter with that exact serial; serials starting with {}: {}.", text.strip(), links
        )
    return format_html(
        "“{}” is neither an MPAN (13 digits) nor a meter serial (up to {} letters and digits).",
        text.strip(),
        queries.SERIAL_MAX_LENGTH,
    )


def _period(changelist: ChangeList) -> str | None:
    """The dates the list was narrowed to, in words: ``in February 2026``, ``from … to …``."""
    parts = []
    for spec in changelist.filter_specs:
        if isinstance(spec, ReadDateFilter) and spec.value():
            described = describe_period(str(spec.value()))
            if described:
                parts.append(f"on {described}" if "/" in described else f"in {described}")
        if isinstance(spec, ReadAtRangeFilter) and spec.range is not None:
            parts.append(spec.range.describe())
    return ", ".join(parts) or None


def _about_period(
    request: HttpRequest, changelist: ChangeList, text: str, key: queries.SearchKey | None
) -> SafeString | None:
    period = _period(changelist)
    if period is None:
        return None
    readings = queries.search(Reading.objects.all(), text)
    subject = None
    if key is not None and key.mpan is not None:
        subject = f"MPAN {key.mpan}"
    elif key is not None and key.serial_key is not None:
        subject = f"meter serial {text.strip()}"
    for spec in changelist.filter_specs:
        if isinstance(spec, _ByIdFilter) and spec.value():
            readings = spec.queryset(request, readings)
            subject = _SUBJECTS.get(type(spec), subject)
    latest = queries.newest(readings)
    whose = f" for {subject}" if subject else ""
    if latest is None:
        return format_html("No readings {}{}, nor at any other time.", period, whose)
    return format_html(
        'No readings {}{} — {} latest is <a href="{}" class="latest-reading">{}</a>.',
        period,
        whose,
        "its" if subject else "the",
        change_url(latest),
        format_minute(latest.read_at),
    )
