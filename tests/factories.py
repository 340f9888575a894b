"""Valid D0010 files built in memory for tests."""

from __future__ import annotations

from readings.dtc.identifiers import mpan_check_digit


def mpan(number: int, distributor: int = 12) -> str:
    """A valid MPAN core: distributor id, a 10-digit number and the check digit."""
    first_twelve = f"{distributor:02d}{number:010d}"
    return first_twelve + str(mpan_check_digit(first_twelve))


def flow_file(
    *,
    readings: int,
    registers_per_meter: int = 2,
    file_identifier: str = "GEN0000001",
    sender: str = "DCAA",
    first_mpan: int = 1,
    day: str = "20240301",
    test_data_flag: str = "OPER",
    extra_body: tuple[str, ...] = (),
) -> bytes:
    """A valid file with ``readings`` readings, one meter per meter point."""
    body: list[str] = []
    meter_points = 0
    written = 0
    while written < readings:
        number = first_mpan + meter_points
        meter_points += 1
        body.append(f"026|{mpan(number)}|V|")
        body.append(f"028|S{number:06d} A|R|")
        for register in range(1, registers_per_meter + 1):
            if written == readings:
                break
            body.append(f"030|{register:02d}|{day}000000|{written % 99999}.{register}|||T|N|")
            written += 1
    body.extend(extra_body)
    flows = sum(1 for line in body if line.startswith("026"))
    lines = [
        f"ZHV|{file_identifier}|D0010002|D|{sender}|X|SUPA|20240401120000||||{test_data_flag}|",
        *body,
        f"ZPT|{file_identifier}|{len(body)}||{flows}|20240401120001|",
    ]
    return ("\n".join(lines) + "\n").encode()
