"""Typed, immutable records of a D0010 file, nested as the flow defines them.

```
Header (ZHV)
MeterPointGroup (026)            one per 026 line, in file order
    site_visits: SiteVisit (027)
    meters: MeterGroup (028)
        site_visits: SiteVisit (029)
        readings: RegisterReading (030)
            validation: ValidationResult (032), at most one
            site_visits: SiteVisit (033)
Trailer (ZPT)
```

Every item of every group is kept. A 026 group of more readings than the parser holds at once
(``PART_READINGS``) comes in parts, one ``MeterPointGroup`` each, in file order: every part
repeats the 026's line, MPAN and status; a part after the first is ``continued``, and so is a
``MeterGroup`` whose 028 line was in an earlier part (its readings and site visits are new).
Codes are the flow's own strings (see ``codes``); optional
items that the file leaves empty are ``None`` (or ``""`` for free text). ``Header`` and
``Trailer``, the envelope of every DTC flow, are ``readings.dtc``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from readings.dtc.envelope import Header, Trailer


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteVisit:
    """027, 029 or 033: Site Visit Information at meter point, meter or register level."""

    line_number: int
    group: str  # "027", "029" or "033"
    check_code: str  # J0024
    additional_information: str  # J0012, free text, "" when absent


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationResult:
    """032: Meter Reading Validation Result."""

    line_number: int
    reason_code: str  # J0332
    status: bool  # J0047: True = valid, False = still suspect


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterReading:
    """030: one register's cumulative (or maximum-demand) reading."""

    line_number: int
    register_id: str  # J0010, a string: "01" is not "1"
    read_at: datetime  # J0016, aware, from UK local time
    value: Decimal  # J0040, at most one decimal place, register multiplier not applied
    md_reset_at: datetime | None  # J0044
    md_reset_count: int | None  # J1013
    reading_flag: bool | None  # J0045: True = valid, False = suspect, None = not given
    reading_method: str  # J1888: "N" or "P"
    validation: ValidationResult | None  # 032
    site_visits: tuple[SiteVisit, ...]  # 033


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterGroup:
    """028: a meter (by serial number) and the reading type of the readings under it."""

    line_number: int
    serial_number: str  # J0004, inner spaces kept
    reading_type: str  # J0171
    site_visits: tuple[SiteVisit, ...]  # 029
    readings: tuple[RegisterReading, ...]  # 030
    continued: bool = False  # its 028 was in an earlier part of the 026 group


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterPointGroup:
    """026: an MPAN core and the BSC validation status of every reading under it."""

    line_number: int
    mpan: str  # J0003, 13 digits as a string (or a 78… AMSID)
    bsc_validation_status: str  # J0022
    site_visits: tuple[SiteVisit, ...]  # 027
    meters: tuple[MeterGroup, ...]  # 028
    continued: bool = False  # a later part of a 026 group (see the module docstring)

    @property
    def reading_count(self) -> int:
        return sum(len(meter.readings) for meter in self.meters)

    @property
    def group_count(self) -> int:
        """How many group lines (026 to 033) this group and its children took in the file."""
        count = 1 + len(self.site_visits)
        for meter in self.meters:
            count += 1 + len(meter.site_visits)
            for reading in meter.readings:
                count += 1 + len(reading.site_visits) + (reading.validation is not None)
        return count


FlowRecord = Header | MeterPointGroup | Trailer
