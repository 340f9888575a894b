"""Fuzzing the import service on the database: a file is imported whole or not at all.

Each case runs in a transaction of its own that is rolled back afterwards, so every case starts
from an empty database. How many cases run is set by the hypothesis profile.
"""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.db.models import Model
from hypothesis import event, given
from hypothesis import strategies as st

from readings.dtc import InvalidFlowFile
from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit
from readings.services.importing import ImportRefused, InvalidFile, import_flow_file
from tests.parsing import ParsedFlow, parse_stream
from tests.strategies import mutated_files

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ALL_MODELS: tuple[type[Model], ...] = (FlowFile, MeterPoint, Meter, FileMeter, Reading, SiteVisit)
NOTHING = {model.__name__: 0 for model in ALL_MODELS}


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in ALL_MODELS}


def rows_of(parsed: ParsedFlow) -> dict[str, int]:
    """The rows a whole import of ``parsed`` writes into an empty database."""
    meters = [(group.mpan, meter) for group in parsed.groups for meter in group.meters]
    visits = sum(
        len(group.site_visits)
        + sum(
            len(meter.site_visits) + sum(len(reading.site_visits) for reading in meter.readings)
            for meter in group.meters
        )
        for group in parsed.groups
    )
    return {
        "FlowFile": 1,
        "MeterPoint": len({group.mpan for group in parsed.groups}),
        "Meter": len({(mpan, meter.serial_number) for mpan, meter in meters}),
        "FileMeter": len(meters),
        "Reading": len(parsed.readings),
        "SiteVisit": visits,
    }


def parsed_or_none(data: bytes) -> ParsedFlow | None:
    try:
        return parse_stream(io.BytesIO(data), file_name="fuzz.uff")
    except InvalidFlowFile:
        return None


class TestImportOfMutatedFiles:
    @given(mutated_files(), st.booleans(), st.booleans())
    def test_a_file_is_imported_whole_or_not_at_all(
        self, data: bytes, allow_test_data: bool, dry_run: bool
    ) -> None:
        expected = parsed_or_none(data)

        with transaction.atomic():
            try:
                result = import_flow_file(
                    source=io.BytesIO(data),
                    file_name="fuzz.uff",
                    allow_test_data=allow_test_data,
                    dry_run=dry_run,
                )
            except InvalidFile:
                event("invalid")
                assert expected is None
                assert row_counts() == NOTHING
            except ImportRefused as error:
                event(f"refused: {type(error).__name__}")
                assert expected is not None
                assert row_counts() == NOTHING
            else:
                event("dry run" if dry_run else "imported")
                assert expected is not None
                assert result.reading_count == len(expected.readings)
                assert row_counts() == (NOTHING if dry_run else rows_of(expected))
            transaction.set_rollback(True)


class TestImportOfArbitraryBytes:
    @given(st.binary(max_size=1024))
    def test_is_refused_and_writes_nothing(self, data: bytes) -> None:
        with transaction.atomic():
            with pytest.raises(InvalidFile):
                import_flow_file(source=io.BytesIO(data), file_name="fuzz.uff")

            assert row_counts() == NOTHING
            transaction.set_rollback(True)
