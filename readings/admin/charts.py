"""A chart of readings over time as inline SVG, drawn on the server: no script, no assets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from readings.localtime import format_minute
from readings.queries import Series
from readings.wording import counted

WIDTH = 800
PLOT_HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 16, 36
LEGEND_ROW = 18
MAX_MARKERS = 400  # points drawn as dots (with their value on hover) up to this many
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    if high == low:
        return (start + end) / 2
    return start + (value - low) / (high - low) * (end - start)


def readings_chart(series: Sequence[Series]) -> SafeString:
    """One line per meter and register: time across, register value up. Empty without data."""
    points = [point for line in series for point in line.points]
    if not points:
        return mark_safe("")
    times = [moment.timestamp() for moment, _ in points]
    values = [float(value) for _, value in points]
    t_low, t_high = min(times), max(times)
    v_low, v_high = min(0.0, min(values)), max(values)
    right, bottom = WIDTH - RIGHT, TOP + PLOT_HEIGHT
    height = bottom + BOTTOM + LEGEND_ROW * len(series)
    markers = len(points) <= MAX_MARKERS

    def xy(moment: datetime, value: Decimal) -> tuple[float, float]:
        return (
            _scale(moment.timestamp(), t_low, t_high, LEFT, right),
            _scale(float(value), v_low, v_high, bottom, TOP),
        )

    parts: list[SafeString] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" id="readings-chart" role="img" '
            'width="{}" height="{}" viewBox="0 0 {} {}" font-family="sans-serif" '
            'font-size="11"><title>Register readings over time</title>',
            WIDTH,
            height,
            WIDTH,
            height,
        ),
        format_html(
            '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#888"/>'
            '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#888"/>'
            '<text x="{lt}" y="{t10}" text-anchor="end">{vh}</text>'
            '<text x="{lt}" y="{b}" text-anchor="end">{vl}</text>'
            '<text x="{l}" y="{b16}" text-anchor="start">{tl}</text>'
            '<text x="{r}" y="{b16}" text-anchor="end">{th}</text>',
            l=LEFT,
            r=right,
            t=TOP,
            b=bottom,
            lt=LEFT - 4,
            t10=TOP + 10,
            b16=bottom + 16,
            vh=f"{v_high:,.1f}",
            vl=f"{v_low:,.1f}",
            tl=format_minute(min(moment for moment, _ in points)),
            th=format_minute(max(moment for moment, _ in points)),
        ),
    ]
    for index, line in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        coordinates = [xy(moment, value) for moment, value in line.points]
        parts.append(
            format_html(
                '<g class="series" data-serial="{}" data-register="{}">'
                '<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>',
                line.serial_number,
                line.register_id,
                colour,
                " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates),
            )
        )
        if markers:
            parts.append(
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{}: {} at {}'
                    "</title></circle>",
                    (
                        (f"{x:.1f}", f"{y:.1f}", colour, line.label, value, format_minute(moment))
                        for (x, y), (moment, value) in zip(coordinates, line.points, strict=True)
                    ),
                )
            )
        legend_y = bottom + BOTTOM + LEGEND_ROW * index + 10
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="4" fill="{}"/>'
                '<text x="{}" y="{}">{} ({})</text></g>',
                LEFT,
                legend_y - 4,
                colour,
                LEFT + 18,
                legend_y,
                line.label,
                counted(len(line.points), "reading"),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped by format_html)
