"""Consumption charts as inline SVG, drawn on the server: no script, no assets, no style
attribute (the Content-Security-Policy allows none).

One chart per register: each period between two counting readings is a bar as wide as the
period and as high as its advance per day (kWh), so a long gap between reads is wide and low,
not a spike; withdrawn, superseded and repeated readings are not in the series. Colours come
from classes in ``static/d0010/admin.css`` and text is ``currentColor``, so the admin's dark
mode applies; the SVG scales down to the page's width.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from readings.localtime import as_uk
from readings.queries import Period, Series
from readings.wording import counted

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 72, 12, 12, 40
Y_TICKS = 5  # about this many horizontal gridlines
X_TICKS = 4  # dates along the bottom
UNIT = "kWh"

_Scale = Callable[[float], float]
_TimeScale = Callable[[datetime], float]


def uk_date(moment: datetime) -> str:
    """``05/06/2023``: the day in UK local time, as UK readers write it."""
    return f"{as_uk(moment):%d/%m/%Y}"


def _nice_step(span: float, ticks: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals."""
    raw = span / ticks if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"


def consumption_charts(series: Sequence[Series]) -> SafeString:
    """A figure per register with its consumption per day; empty when nothing has advanced."""
    return mark_safe("".join(_chart(line) for line in series))  # noqa: S308 (escaped parts)


def _rate(period: Period) -> float:
    if period.per_day is not None:
        return float(period.per_day)
    return float(period.advance)  # a period shorter than the database keeps: its advance


def _chart(line: Series) -> SafeString:
    rates = [_rate(period) for period in line.periods]
    step = _nice_step(max(max(rates), 0.0) - min(min(rates), 0.0), Y_TICKS)
    low = math.floor(min(min(rates), 0.0) / step) * step
    high = max(math.ceil(max(max(rates), 0.0) / step) * step, low + step)
    t_low = line.periods[0].start.timestamp()
    t_high = max(line.periods[-1].end.timestamp(), t_low + 1)
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(moment: datetime) -> float:
        return LEFT + (moment.timestamp() - t_low) / (t_high - t_low) * (right - LEFT)

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - TOP)

    title = f"Consumption of {line.label}, {UNIT} per day"
    parts: list[SafeString] = [
        format_html(
            '<figure class="consumption-chart" data-serial="{}" data-register="{}">'
            "<figcaption>{} ({})</figcaption>"
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" '
            'width="{}" height="{}" font-family="sans-serif" font-size="13" '
            'fill="currentColor"><title>{}</title>',
            line.serial_number,
            line.register_id,
            title,
            counted(len(line.periods), "period"),
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            title,
        )
    ]
    ticks = [low + step * index for index in range(round((high - low) / step) + 1)]
    parts.append(_y_axis(ticks, y, right))
    parts.append(_x_axis(line.periods, x, bottom))
    parts.append(
        format_html(
            '<text class="axis-label" x="14" y="{}" text-anchor="middle" '
            'transform="rotate(-90 14 {})">{} per day</text>',
            _px((TOP + bottom) / 2),
            _px((TOP + bottom) / 2),
            UNIT,
        )
    )
    parts.append(
        format_html_join(
            "",
            '<rect class="bar{}" x="{}" y="{}" width="{}" height="{}" '
            'data-end="{}"><title>{} to {}: {} {}, {} {} per day{}</title></rect>',
            (_bar(period, rate, x, y) for period, rate in zip(line.periods, rates, strict=True)),
        )
    )
    parts.append(
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/></svg></figure>',
            LEFT,
            _px(y(0.0)),
            right,
            _px(y(0.0)),
        )
    )
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped by format_html)


def _y_axis(ticks: list[float], y: _Scale, right: float) -> SafeString:
    return format_html_join(
        "",
        '<line class="gridline" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
        ((LEFT, _px(y(t)), right, _px(y(t)), LEFT - 6, _px(y(t) + 4), _number(t)) for t in ticks),
    )


def _x_axis(periods: Sequence[Period], x: _TimeScale, bottom: float) -> SafeString:
    first, last = periods[0].start, periods[-1].end
    span = last - first
    moments = [first + span * index / (X_TICKS - 1) for index in range(X_TICKS)]
    anchors = ["start", *["middle"] * (X_TICKS - 2), "end"]
    return format_html_join(
        "",
        '<line class="gridline" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text class="tick" x="{}" y="{}" text-anchor="{}">{}</text>',
        (
            (_px(x(m)), TOP, _px(x(m)), bottom, _px(x(m)), bottom + 18, anchor, uk_date(m))
            for m, anchor in zip(moments, anchors, strict=True)
        ),
    )


def _bar(period: Period, rate: float, x: _TimeScale, y: _Scale) -> tuple[object, ...]:
    left, right = x(period.start), x(period.end)
    top, base = sorted((y(rate), y(0.0)))
    anomaly = f" bar-{period.anomaly}" if period.anomaly else ""
    note = f" ({period.anomaly})" if period.anomaly else ""
    return (
        anomaly,
        _px(left),
        _px(top),
        _px(max(right - left - 1, 1.0)),
        _px(max(base - top, 0.5)),
        as_uk(period.end).date().isoformat(),
        uk_date(period.start),
        uk_date(period.end),
        _decimal(period.advance),
        UNIT,
        "" if period.per_day is None else _decimal(period.per_day),
        UNIT,
        note,
    )


def _px(value: float) -> str:
    return f"{value:.1f}"


def _decimal(value: Decimal) -> str:
    return f"{value:,f}"
