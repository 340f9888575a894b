"""Small D0010 files about chosen readings, for the tests of what readings mean."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import count

from readings.localtime import midnight
from readings.models import FlowFile, Reading
from readings.services.deleting import delete_flow_file
from readings.services.importing import ImportResult, import_flow_file
from tests.factories import mpan

_identifiers = count(1)


@dataclass(frozen=True, slots=True)
class Read:
    """One 030: ``at`` is ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (UK time)."""

    at: str
    value: str
    register: str = "01"
    flag: str = "T"  # F: suspect (a 032 follows)
    md: bool = False  # a maximum demand register: with an MD reset date and count


@dataclass(frozen=True, slots=True)
class Group:
    """One 026 with one 028 of ``reading_type`` and its readings."""

    reads: tuple[Read, ...]
    reading_type: str = "R"
    serial: str = "M0001"
    mpan_number: int = 1
    site_visit: str = ""  # a 029 (check code 16) under the 028, with this text


def meter(
    *reads: Read,
    reading_type: str = "R",
    serial: str = "M0001",
    mpan_number: int = 1,
    site_visit: str = "",
) -> Group:
    return Group(
        reads=reads,
        reading_type=reading_type,
        serial=serial,
        mpan_number=mpan_number,
        site_visit=site_visit,
    )


def _moment(at: str) -> str:
    day, _, time = at.partition(" ")
    return day.replace("-", "") + (time.replace(":", "") + "00" if time else "000000")


def d0010(*groups: Group, identifier: str | None = None, sender: str = "DCAA") -> bytes:
    """A valid file with the groups, created in 2030 (after every reading)."""
    identifier = identifier or f"MEAN{next(_identifiers):06d}"
    body: list[str] = []
    for group in groups:
        body.append(f"026|{mpan(group.mpan_number)}|V|")
        body.append(f"028|{group.serial}|{group.reading_type}|")
        if group.site_visit:
            body.append(f"029|16|{group.site_visit}|")
        for read in group.reads:
            moment = _moment(read.at)
            md = f"{moment}|1" if read.md else "|"
            body.append(f"030|{read.register}|{moment}|{read.value}|{md}|{read.flag}|N|")
            if read.flag == "F":
                body.append("032|03|F|")
    lines = [
        f"ZHV|{identifier}|D0010002|D|{sender}|X|SUPA|20300101120000||||OPER|",
        *body,
        f"ZPT|{identifier}|{len(body)}||{len(groups)}|20300101120001|",
    ]
    return ("\n".join(lines) + "\n").encode()


def import_groups(*groups: Group, sender: str = "DCAA") -> ImportResult:
    """Import a file of ``groups`` from ``sender``, as the command would."""
    data = d0010(*groups, sender=sender)
    return import_flow_file(source=io.BytesIO(data), file_name=f"{len(data)}-bytes.uff")


def delete_imported(result: ImportResult) -> None:
    """Delete the flow file of an import, as the admin does."""
    delete_flow_file(flow_file=FlowFile.objects.get(pk=result.flow_file_id or 0))


def chain(serial: str = "M0001", register: str = "01") -> list[Reading]:
    """Every reading of the register, by read at, then as received."""
    return list(
        Reading.objects.filter(meter__serial_number=serial, register_id=register).order_by(
            "read_at", "flow_file_id", "line_number"
        )
    )


def statuses(serial: str = "M0001", register: str = "01") -> list[tuple[str, str, str]]:
    """(value, reading type, status) of each reading of the register, by read at, then as
    received."""
    return [(str(r.value), r.reading_type, r.status) for r in chain(serial, register)]


def advances(serial: str = "M0001", register: str = "01") -> list[Decimal | None]:
    """The advance of each live reading of the register, by read at."""
    return [r.advance for r in chain(serial, register) if r.status == "live"]


def uk(at: str) -> datetime:
    """``YYYY-MM-DD`` as midnight UK time, aware."""
    return midnight(date.fromisoformat(at))
