"""A record's items and the parsers of the DTC's item formats.

Each parser takes the item's text and its name (``"Register Reading (J0040)"``) and returns the
value, or raises ``FieldError`` saying, in plain words, what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType

from readings.localtime import NonExistentTime, from_uk_wall_clock

from .identifiers import has_check_digit, mpan_check_digit
from .issues import FieldError, IssueLog

# [0-9], not \d: in Python \d also matches the digits of other scripts (fullwidth, Arabic-Indic
# and more), which int() and Decimal() would then read as numbers.
_DATETIME = re.compile(r"[0-9]{14}")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")

# The BOOLEAN domain of the DTC.
BOOLEAN_CODES: Mapping[str, bool] = MappingProxyType({"T": True, "F": False})


def split_items(fields: list[str], count: int, line_number: int, log: IssueLog) -> list[str]:
    """The group's ``count`` items from its ``|``-separated fields (the group id first).

    Tolerates a missing trailing ``|``, missing trailing optional items and extra blank fields
    after the last item, all noted as quirks.
    """
    if len(fields) == count + 2 and fields[-1] == "":  # as the DTC writes them: one slice
        return fields[1:-1]
    items = fields[1:]
    if len(items) > count:
        extra = items[count:]
        if any(value.strip() for value in extra):
            given = len(items) - (items[-1] == "")
            raise FieldError(None, f"has {given} items where group {fields[0]} has {count}")
        log.quirk("extra blank fields after the last item", line_number)
        return items[:count]
    log.quirk("no trailing '|' or trailing optional items left out", line_number)
    return items + [""] * (count - len(items))


def mandatory(value: str, field: str) -> str:
    if value == "":
        raise FieldError(field, "is empty but mandatory")
    return value


def code(value: str, field: str, valid: Mapping[str, str]) -> str:
    """A mandatory code of the item's valid set."""
    mandatory(value, field)
    if value not in valid:
        raise FieldError(field, f"'{value}' is not a valid code")
    return value


def boolean(value: str, field: str) -> bool:
    flag = BOOLEAN_CODES.get(value)
    if flag is None:
        raise FieldError(field, f"'{value}' is not T or F")
    return flag


def char(value: str, field: str, max_length: int, *, alphanumeric: bool = False) -> str:
    if len(value) > max_length:
        raise FieldError(field, f"'{value}' is longer than {max_length} characters")
    if alphanumeric and value and not _ALPHANUMERIC.fullmatch(value):
        raise FieldError(field, f"'{value}' must be letters and digits only")
    return value


def number(value: str, field: str, max_digits: int) -> int:
    """A whole number of ASCII digits [0-9]."""
    if not _DIGITS.fullmatch(value) or len(value) > max_digits:
        raise FieldError(field, f"'{value}' is not a whole number of at most {max_digits} digits")
    return int(value)


def mpan_core(value: str, field: str) -> str:
    """13 ASCII digits, the last the check digit (AMSIDs ``78…`` carry none)."""
    mandatory(value, field)
    if len(value) != 13 or not _DIGITS.fullmatch(value):
        raise FieldError(field, f"'{value}' is not 13 digits")
    if has_check_digit(value) and mpan_check_digit(value[:12]) != int(value[12]):
        raise FieldError(
            field,
            f"'{value}' fails the MPAN check digit (expected {mpan_check_digit(value[:12])} "
            f"as the last digit)",
        )
    return value


def uk_datetime(text: str, field: str, line_number: int, log: IssueLog) -> datetime:
    """``ccyymmddhhmmss`` in UK local time → aware datetime (in UTC).

    A time that happens twice (the clocks go back) is read as the first, with a warning.
    """
    value, ambiguous = _uk_datetime(text, field)
    if ambiguous:
        log.warn(
            line_number,
            field,
            f"'{text}' happens twice in UK local time (the clocks go back); "
            "read as the first, in British Summer Time",
        )
    return value


@lru_cache(maxsize=4096)
def _uk_datetime(text: str, field: str) -> tuple[datetime, bool]:
    """``ccyymmddhhmmss`` in UK local time → (aware datetime, was it ambiguous)."""
    if not _DATETIME.fullmatch(text):
        raise FieldError(field, f"'{text}' is not a date and time of the form CCYYMMDDHHMMSS")
    year = int(text[0:4])
    if not 1950 <= year <= 2199:
        raise FieldError(field, f"'{text}': the year must be between 1950 and 2199")
    try:
        wall_clock = datetime(  # noqa: DTZ001 - a UK wall-clock time, made aware just below
            year,
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
        )
    except ValueError:
        raise FieldError(field, f"'{text}' is not a real calendar date and time") from None
    try:
        return from_uk_wall_clock(wall_clock)
    except NonExistentTime:
        raise FieldError(
            field,
            f"'{text}' does not exist in UK local time (the clocks go forward that hour)",
        ) from None
