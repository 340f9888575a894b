"""A reading's status and anomaly as badges: a word with a colour (static/d0010/admin.css gives
each a foreground and a background of its own, with AA contrast in the light and dark themes).

The word is what a badge says; the colour only helps the eye. Pages of one reading show the
choices' full labels.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from readings.meaning_choices import Anomaly, ReadingStatus

__all__ = ["advance_in_words", "anomaly_badge", "status_badge"]


def status_badge(status: str) -> SafeString:
    """``live``, ``withdrawn``, ... as a badge (any other value as an unknown one)."""
    return _badge("status", status if status in ReadingStatus.values else "", status)


def anomaly_badge(anomaly: str) -> SafeString:
    """``rollover``, ``negative``, ... as a badge; nothing for a reading without an anomaly."""
    if not anomaly:
        return mark_safe("")
    return _badge("anomaly", anomaly if anomaly in Anomaly.values else "", anomaly)


@lru_cache(maxsize=64)
def _badge(kind: str, known: str, word: str) -> SafeString:
    """Made once per value, not once per row of a list."""
    return format_html(
        '<span class="badge badge-{} badge-{}-{}">{}</span>', kind, kind, known or "unknown", word
    )


def advance_in_words(advance: Decimal, per_day: Decimal | None) -> str:
    """``+50.0 kWh, 5.000 a day``: an advance with its sign, and its rate where there is one."""
    sign = "+" if advance > 0 else ""
    rate = "" if per_day is None else f", {per_day} a day"
    return f"{sign}{advance} kWh{rate}"
