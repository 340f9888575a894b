"""Seeded, valid D0010 files of any size, written line by line (memory stays flat).

Each 026 group is made from its own random generator, seeded by ``(seed, meter point index)``,
so the files of one seed describe the same meter points and meters: the second file of a run
(``file_number=2``) is "a later file about the same meter points", and ``file_number=0`` an
earlier one (its readings are dated a month before the first file's). The file number moves the
reading dates by a month each and changes the values.

Every group is used: several meters per meter point, meter exchanges (old meter ``F`` and new
meter ``I``), several registers per meter, MD registers with J0044 and J1013, suspect readings
(flag ``F``) with a 032, site visits at all three levels (027, 029, 033), serials with inner
spaces. MPAN check digits and the trailer's totals are correct.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from readings.dtc.identifiers import mpan_check_digit

_DISTRIBUTORS = tuple(range(10, 24))
_REGISTER_SETS = (("01",), ("01", "02"), ("DY", "NT"), ("01", "02", "03"), ("S",))
_MD_REGISTER = "MD"
_SITE_VISIT_CODES = ("01", "02", "03", "16", "20", "36")
_REASON_CODES = ("03", "05", "11", "22")
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FIRST_READ_DATE = datetime(2024, 1, 1)  # noqa: DTZ001 - a calendar date in UK local time


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """What was written: the counts the import must find."""

    path: Path
    readings: int
    meter_points: int
    groups: int
    size_bytes: int


def mpan_for(seed: int, index: int) -> str:
    """A valid MPAN core for meter point ``index`` of the seed (distinct for each index)."""
    distributor = _DISTRIBUTORS[index % len(_DISTRIBUTORS)]
    unique = (index * 7919 + seed * 104_729) % 10**10
    first_twelve = f"{distributor:02d}{unique:010d}"
    return f"{first_twelve}{mpan_check_digit(first_twelve)}"


def _serial(rng: random.Random, taken: set[str]) -> str:
    while True:
        letters = rng.choice("ABEFKLS") + f"{rng.randrange(10, 100)}" + rng.choice("ABZ")
        digits = rng.randrange(10**5)
        # One in ten serials has an inner space, as real files do (``F75A 00802``).
        serial = f"{letters} {digits:05d}" if rng.random() < 0.1 else f"{letters}{digits:06d}"
        if serial not in taken:
            taken.add(serial)
            return serial


def _uk(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


@dataclass(slots=True)
class _Meter:
    serial: str
    reading_type: str
    registers: tuple[str, ...]
    has_md: bool


def _meter_point_lines(
    seed: int, index: int, file_number: int, budget: int
) -> tuple[list[str], int]:
    """The lines of one 026 group with at most ``budget`` readings, and how many it has."""
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 - test data; same meters per seed
    taken: set[str] = set()
    meters: list[_Meter] = []
    for _ in range(1 if rng.random() < 0.7 else 2):  # several meters at some points
        meters.append(
            _Meter(_serial(rng, taken), "R", rng.choice(_REGISTER_SETS), rng.random() < 0.05)
        )
    if rng.random() < 0.05:  # a meter exchange: the old meter's final, the new one's initial
        old = meters[0]
        meters[0] = _Meter(old.serial, "F", old.registers, old.has_md)
        meters.insert(1, _Meter(_serial(rng, taken), "I", old.registers, False))
    values = random.Random(f"{seed}:{index}:{file_number}")  # noqa: S311 - test data
    read_date = _FIRST_READ_DATE + timedelta(days=index % 28 + 30 * (file_number - 1))
    suspect_point = values.random() < 0.03
    lines = [f"026|{mpan_for(seed, index)}|{'F' if suspect_point else 'V'}|"]
    if values.random() < 0.05:
        lines.append(f"027|{values.choice(_SITE_VISIT_CODES)}||")
    left = budget
    for meter in meters:
        if left == 0:
            break
        reading_type = meter.reading_type
        read_at = read_date
        if reading_type == "R" and values.random() < 0.02:
            reading_type, read_at = "S", read_date + timedelta(hours=14, minutes=30)
        lines.append(f"028|{meter.serial}|{reading_type}|")
        if values.random() < 0.05:
            lines.append(f"029|{values.choice(_SITE_VISIT_CODES)}|Seal checked by the agent|")
        registers = meter.registers + ((_MD_REGISTER,) if meter.has_md else ())
        for register in registers:
            if left == 0:
                break
            left -= 1
            method = "P" if values.random() < 0.5 else "N"
            if register == _MD_REGISTER:
                value = f"{values.randrange(1, 999)}.{values.randrange(10)}"
                md = f"{_uk(read_at)}|{values.randrange(1, 20)}"
            else:
                value = "0.0" if reading_type == "I" else f"{values.randrange(10**6)}.0"
                md = "|"
            suspect = suspect_point and register == registers[0]
            lines.append(
                f"030|{register}|{_uk(read_at)}|{value}|{md}|{'F' if suspect else 'T'}|{method}|"
            )
            if suspect:
                lines.append(f"032|{values.choice(_REASON_CODES)}|F|")
            if values.random() < 0.02:
                lines.append(f"033|{values.choice(_SITE_VISIT_CODES)}||")
    return lines, budget - left


def generate_flow_file(
    path: Path, *, readings: int, seed: int = 1, file_number: int = 1
) -> GeneratedFile:
    """Write a D0010 file of exactly ``readings`` 030 groups to ``path``.

    Files of the same ``seed`` are about the same meter points; ``file_number`` (1, 2, ...)
    makes a later file about them, with its own identifier, dates and values (0: a month before
    the first).
    """
    if readings < 1:
        raise ValueError("a file needs at least one reading")
    file_identifier = f"B{seed % 10**5:05d}{file_number:04d}"
    created_at = _FIRST_READ_DATE + timedelta(days=28 + 30 * file_number)
    groups = 0
    meter_points = 0
    left = readings
    with path.open("w", encoding="ascii", newline="\n", buffering=1 << 20) as out:
        out.write(f"ZHV|{file_identifier}|D0010002|D|BNCH|X|SUPA|{_uk(created_at)}||||OPER|\n")
        while left:
            lines, written = _meter_point_lines(seed, meter_points, file_number, left)
            meter_points += 1
            left -= written
            groups += len(lines)
            out.write("\n".join(lines))
            out.write("\n")
        completed_at = created_at + timedelta(minutes=5)
        out.write(f"ZPT|{file_identifier}|{groups}||{meter_points}|{_uk(completed_at)}|\n")
    return GeneratedFile(
        path=path,
        readings=readings,
        meter_points=meter_points,
        groups=groups,
        size_bytes=path.stat().st_size,
    )


def generate_one_group_file(path: Path, *, readings: int, seed: int = 1) -> GeneratedFile:
    """Write a D0010 file of one 026 group holding ``readings`` readings: one meter with 1,296
    registers (``00`` to ``ZZ``), each read once a day back from the file's date (one group as
    large as a file: 1.4 M readings go back three years).

    The memory step imports it: what the import holds must not grow with one group's size.
    """
    if readings < 1:
        raise ValueError("a file needs at least one reading")
    file_identifier = f"G{seed % 10**5:05d}0001"
    created_at = _FIRST_READ_DATE + timedelta(days=28)
    values = random.Random(f"{seed}:one group")  # noqa: S311 - test data
    with path.open("w", encoding="ascii", newline="\n", buffering=1 << 20) as out:
        out.write(f"ZHV|{file_identifier}|D0010002|D|BNCH|X|SUPA|{_uk(created_at)}||||OPER|\n")
        out.write(f"026|{mpan_for(seed, 0)}|V|\n028|GRP{seed % 10**6:06d}|R|\n")
        value = 0
        for number in range(readings):
            day, index = divmod(number, len(_ALNUM) ** 2)
            register = _ALNUM[index // len(_ALNUM)] + _ALNUM[index % len(_ALNUM)]
            read_at = _FIRST_READ_DATE - timedelta(days=day)
            value += values.randrange(100)
            out.write(f"030|{register}|{_uk(read_at)}|{value % 10**9}.0|||T|N|\n")
        completed_at = created_at + timedelta(minutes=5)
        out.write(f"ZPT|{file_identifier}|{readings + 2}||1|{_uk(completed_at)}|\n")
    return GeneratedFile(
        path=path,
        readings=readings,
        meter_points=1,
        groups=readings + 2,
        size_bytes=path.stat().st_size,
    )
