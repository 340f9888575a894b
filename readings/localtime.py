"""UK local time, in one place: the zone, midnight, wall-clock times and the display formats.

Flow files give times as UK wall-clock times; the database holds aware datetimes (UTC), and
people read them in UK time. Nothing else in the project builds a ``ZoneInfo``. Pure Python:
no Django, so the flow readers can use it too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UK_TIME = ZoneInfo("Europe/London")


class NonExistentTime(ValueError):
    """A wall-clock time in the hour the clocks go forward, which never happens in the UK."""


def as_uk(moment: datetime) -> datetime:
    """The same moment, in UK local time."""
    return moment.astimezone(UK_TIME)


def midnight(day: date) -> datetime:
    """The start of ``day`` in the UK (aware): 00:00 GMT in winter, 00:00 BST in summer."""
    return datetime(day.year, day.month, day.day, tzinfo=UK_TIME)


def end_of_day(day: date) -> datetime | None:
    """The start of the day after ``day`` in the UK: where a range that includes ``day`` ends.
    None after the last day a date can be (9999-12-31): such a range has no end."""
    return None if day == date.max else midnight(day + timedelta(days=1))


def from_uk_wall_clock(wall_clock: datetime) -> tuple[datetime, bool]:
    """A naive UK wall-clock time → (the moment, aware in UTC; whether it happened twice).

    A time in the autumn changeover hour, when the clocks go back, happens twice: it is read
    as the first occurrence (British Summer Time). Raises ``NonExistentTime`` for a time in
    the spring changeover hour.
    """
    aware = wall_clock.replace(tzinfo=UK_TIME)
    round_trip = aware.astimezone(timezone.utc).astimezone(UK_TIME).replace(tzinfo=None)
    if round_trip != wall_clock:
        raise NonExistentTime(f"{wall_clock} does not exist in UK local time")
    ambiguous = aware.replace(fold=1).utcoffset() != aware.utcoffset()
    # In UTC from here on: aware datetimes in a repeated hour compare unequal to every other
    # zone's (PEP 495), which would make later comparisons surprising.
    return aware.astimezone(timezone.utc), ambiguous


def format_iso(moment: datetime) -> str:
    """ISO 8601 in UK local time, with its offset: ``2016-02-22T00:00:00+00:00``."""
    return as_uk(moment).isoformat()


# The one UK format in which people read dates and times (the admin's, through Django's
# formats in core/formats/en_GB/formats.py, says the same in Django's notation).
UK_DATE = "%d/%m/%Y"
UK_MINUTE = f"{UK_DATE} %H:%M"


def format_minute(moment: datetime) -> str:
    """UK local time to the minute, for people: ``22/02/2016 00:00``."""
    return f"{as_uk(moment):{UK_MINUTE}}"


def format_date(day: date) -> str:
    """A day, for people: ``22/02/2016``."""
    return f"{day:{UK_DATE}}"


def parse_date(text: str) -> date | None:
    """A day as people type it (``22/02/2016``, ``22/2/2016``) or a date input sends it
    (``2016-02-22``); None for anything else."""
    text = text.strip()
    for pattern in (UK_DATE, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            continue
    return None
