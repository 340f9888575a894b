"""The order files arrive in changes only what receipt means: a set of files without withdrawals
or corrections, imported in every order, gives the same advances, anomalies and latest marks.

Each order is imported in a transaction of its own that is rolled back afterwards. How many
sets are tried is set by the hypothesis profile (a tenth of it: each set is imported up to 24
times).
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from itertools import permutations

import pytest
from django.db import transaction
from django.utils.timezone import localtime
from hypothesis import event, given, settings
from hypothesis import strategies as st

from readings.models import Reading
from readings.services.importing import import_flow_file
from tests.meaning_files import Group, Read, d0010

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2023, 10, 1)  # the changeover to GMT falls inside the readings' dates
SERIALS = ("M0001", "M0002")
REGISTERS = ("01", "02")

Key = tuple[str, str, str]  # serial, register, read at (UK time, as in the file)
Meaning = tuple[Decimal | None, Decimal | None, str, bool]


@st.composite
def register_chains(draw: st.DrawFn) -> list[tuple[Key, str]]:
    """The readings of one or two meters' registers: (key, value), one value per key. Values
    climb, leap, stay, fall or wrap past their digits; dates are days or months apart."""
    readings: list[tuple[Key, str]] = []
    for serial in SERIALS[: draw(st.integers(1, 2))]:
        for register in REGISTERS[: draw(st.integers(1, 2))]:
            day = FIRST_DAY + timedelta(days=draw(st.integers(0, 40)))
            value = Decimal(draw(st.integers(0, 99_999))) / 10
            for _ in range(draw(st.integers(1, 6))):
                readings.append(((serial, register, day.isoformat()), str(value)))
                day += timedelta(days=draw(st.sampled_from([1, 29, 30, 31, 92, 200])))
                step = draw(st.sampled_from(["climb", "climb", "stay", "fall", "top", "leap"]))
                if step == "climb":
                    value += Decimal(draw(st.integers(1, 5_000))) / 10
                elif step == "leap":
                    value += Decimal(draw(st.integers(10_000, 900_000))) / 10
                elif step == "fall":
                    value = max(Decimal(0), value - Decimal(draw(st.integers(1, 5_000))) / 10)
                elif value < 10:
                    value += 1
                else:  # close below the register's range, then on past it
                    top: int = 10 ** len(str(int(value)))  # typeshed: int ** int is Any
                    value = top - Decimal(draw(st.integers(1, top // 20))) / 10
                    readings.append(((serial, register, day.isoformat()), str(value)))
                    day += timedelta(days=draw(st.sampled_from([1, 30, 92])))
                    value = value + Decimal(draw(st.integers(1, top // 20))) / 10 - top
                    value = max(Decimal(0), value)
    return readings


@st.composite
def file_sets(draw: st.DrawFn) -> tuple[list[bytes], set[Key]]:
    """Two to four files sharing out the readings, and the readings' keys; some readings are in
    two files (a repeat), none is corrected or withdrawn."""
    readings = draw(register_chains())
    files = draw(st.integers(2, 4))
    contents: list[list[tuple[Key, str]]] = [[] for _ in range(files)]
    for reading in readings:
        chosen = draw(st.sets(st.integers(0, files - 1), min_size=1, max_size=2))
        for index in chosen:
            contents[index].append(reading)
    files_made = [
        d0010(*_groups(content), identifier=f"ORDER{index:05d}")
        for index, content in enumerate(contents)
    ]
    return files_made, {key for key, _ in readings}


def _groups(content: list[tuple[Key, str]]) -> list[Group]:
    groups = []
    for serial in SERIALS:
        reads = tuple(
            Read(at, value, register=register)
            for (s, register, at), value in content
            if s == serial
        )
        if reads:
            groups.append(Group(reads=reads, serial=serial))
    return groups


def meaning_after_importing(files: tuple[bytes, ...]) -> dict[Key, Meaning]:
    """The meaning of each live reading after importing ``files`` in this order; nothing is
    kept."""
    with transaction.atomic():
        for number, data in enumerate(files):
            import_flow_file(source=io.BytesIO(data), file_name=f"{number}.uff")
        meaning = {
            (r.meter.serial_number, r.register_id, f"{localtime(r.read_at):%Y-%m-%d}"): (
                r.advance,
                r.advance_per_day,
                r.anomaly,
                r.is_latest,
            )
            for r in Reading.objects.filter(status="live").select_related("meter")
        }
        transaction.set_rollback(True)
    return meaning


class TestTheOrderOfFiles:
    @settings(max_examples=max(3, settings().max_examples // 10))
    @given(made=file_sets())
    def test_changes_no_advance_anomaly_or_latest_mark(
        self, made: tuple[list[bytes], set[Key]]
    ) -> None:
        files, keys = made

        first, *others = (meaning_after_importing(order) for order in permutations(files))

        assert set(first) == keys  # each reading counts once, whichever file brought it first
        assert all(other == first for other in others)
        for anomaly in sorted({anomaly for _, _, anomaly, _ in first.values() if anomaly}):
            event(f"anomaly {anomaly}")
