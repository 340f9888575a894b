"""The import service against the database: what it stores, atomicity, idempotency, cost."""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from readings.models import FileMeter, FlowFile, Meter, MeterPoint, Reading, SiteVisit
from readings.services._cursor import fetch_column, fetch_integers, number, open_cursor
from readings.services.deleting import delete_flow_file, describe_deletion
from readings.services.importing import (
    DEFAULT_BATCH_SIZE,
    SQLITE_IMPORT_CACHE_KIB,
    DatabaseRefused,
    DuplicateFileIdentifier,
    FlowFileAlreadyImported,
    InvalidFile,
    NotOperationalData,
    import_flow_file,
)
from readings.services.importing import _database as importing_database
from readings.services.importing._bulk import PreparedBatch
from tests.conftest import InterpreterSettings, Probe, interpreter_settings
from tests.factories import flow_file

pytestmark = pytest.mark.django_db

ALL_MODELS = (FlowFile, MeterPoint, Meter, FileMeter, Reading, SiteVisit)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def import_bytes(
    data: bytes,
    name: str = "generated.uff",
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    allow_test_data: bool = False,
) -> int:
    result = import_flow_file(
        source=io.BytesIO(data),
        file_name=name,
        batch_size=batch_size,
        allow_test_data=allow_test_data,
    )
    assert result.flow_file_id is not None or result.dry_run
    return result.reading_count


class TestImportFlowFile:
    def test_official_sample_gives_eleven_meter_points_meters_and_thirteen_readings(
        self, official_sample: Path
    ) -> None:
        result = import_flow_file(source=official_sample)

        assert (result.meter_point_count, result.meter_count, result.reading_count) == (11, 11, 13)
        assert row_counts() == {
            "FlowFile": 1,
            "MeterPoint": 11,
            "Meter": 11,
            "FileMeter": 11,
            "Reading": 13,
            "SiteVisit": 0,
        }

    def test_the_flow_file_keeps_its_name_digest_header_and_trailer(
        self, official_sample: Path
    ) -> None:
        import_flow_file(source=official_sample)

        stored = FlowFile.objects.get()
        assert stored.file_name == "DTC5259515123502080915D0010.uff"
        assert stored.sha256 == "69df2734257d65998152a187a708ffcd0fea7b2ccd51dff8a299903fcb1b219c"
        assert stored.size_bytes == 996
        assert (stored.file_identifier, stored.flow_version) == ("0000475656", "002")
        assert (stored.sender_role, stored.sender_participant_id) == ("D", "UDMS")
        assert (stored.recipient_role, stored.recipient_participant_id) == ("X", "MRCY")
        assert stored.file_created_at == datetime(2016, 3, 2, 15, 31, 51, tzinfo=timezone.utc)
        assert stored.file_completed_at == datetime(2016, 3, 2, 15, 46, 50, tzinfo=timezone.utc)
        assert (stored.total_group_count, stored.flow_count, stored.checksum) == (35, 11, "")
        assert stored.test_data_flag == "OPER"
        assert not stored.is_test_data

    def test_the_flow_file_keeps_the_headers_flow_reference(self, official_sample: Path) -> None:
        import_flow_file(source=official_sample)

        assert FlowFile.objects.get().flow_reference == "D0010"

    def test_every_item_of_every_group_is_stored(self, every_group_file: Path) -> None:
        result = import_flow_file(source=every_group_file)

        assert (result.meter_point_count, result.meter_count) == (3, 4)
        assert (result.reading_count, result.site_visit_count) == (8, 3)
        suspect = Reading.objects.get(meter__serial_number="F12B 34567", register_id="01")
        assert suspect.value == Decimal("10230.0")
        assert suspect.read_at == datetime(2024, 4, 2, 13, 30, tzinfo=timezone.utc)
        assert suspect.reading_flag is False
        assert (suspect.validation_reason_code, suspect.validation_status) == ("03", False)
        assert (suspect.reading_type, suspect.bsc_validation_status) == ("S", "F")
        assert suspect.reading_method == "P"
        assert suspect.line_number == 11
        md = Reading.objects.get(meter__serial_number="F12B 34567", register_id="04")
        assert md.md_reset_at == datetime(2024, 4, 2, 13, 30, tzinfo=timezone.utc)
        assert md.md_reset_count == 1
        assert (md.validation_reason_code, md.validation_status) == ("", None)
        visits = {v.group: v for v in SiteVisit.objects.select_related("meter", "reading")}
        assert visits["027"].meter is None
        assert visits["027"].check_code == "01"
        assert visits["029"].meter is not None
        assert visits["029"].meter.serial_number == "K98A012345"
        assert visits["029"].additional_information.startswith("Terminal cover seal broken")
        assert visits["033"].reading is not None
        assert visits["033"].reading.line_number == 6
        assert FileMeter.objects.filter(reading_type="W").count() == 1

    def test_meters_are_kept_per_meter_point_and_serials_keep_inner_spaces(
        self, official_sample: Path
    ) -> None:
        import_flow_file(source=official_sample)

        meter = Meter.objects.select_related("meter_point").get(serial_number="F75A 00802")
        assert meter.meter_point.mpan == "1200023305967"
        assert meter.serial_key == "F75A00802"

    def test_a_late_error_leaves_nothing_behind(self) -> None:
        data = flow_file(readings=50).replace(
            b"ZPT|GEN0000001|", b"030|01|bad|1|||T|N|\nZPT|GEN0000001|"
        )

        with pytest.raises(InvalidFile):
            import_bytes(data, batch_size=5)

        assert sum(row_counts().values()) == 0

    def test_a_database_failure_mid_file_leaves_nothing_and_stops_the_parser(
        self, before_each_write: Callable[[Probe], None]
    ) -> None:
        written: list[int] = []

        def fail_third(batch: PreparedBatch) -> None:
            if len(written) == 2:
                raise DatabaseError("disk full")
            written.append(batch.reading_count)

        before_each_write(fail_third)
        threads_before = threading.active_count()

        with pytest.raises(DatabaseRefused, match="disk full"):
            import_bytes(flow_file(readings=500), batch_size=20)

        assert len(written) == 2
        assert threading.active_count() == threads_before
        assert sum(row_counts().values()) == 0

    def test_importing_the_same_bytes_again_is_reported_and_writes_nothing(
        self, official_sample: Path
    ) -> None:
        first = import_flow_file(source=official_sample)
        before = row_counts()

        with pytest.raises(FlowFileAlreadyImported) as caught:
            import_flow_file(source=official_sample)

        assert caught.value.existing.pk == first.flow_file_id
        assert row_counts() == before

    def test_a_different_file_reusing_a_senders_identifier_is_refused(self) -> None:
        import_bytes(flow_file(readings=4))
        before = row_counts()

        with pytest.raises(DuplicateFileIdentifier) as caught:
            import_bytes(flow_file(readings=5), name="other.uff")

        assert "already sent file identifier GEN0000001" in caught.value.reasons[0]
        assert row_counts() == before

    def test_a_senders_id_in_lower_case_does_not_escape_the_identifiers_check(self) -> None:
        import_bytes(flow_file(readings=4, sender="DCAA"))

        with pytest.raises(DuplicateFileIdentifier) as caught:
            import_bytes(flow_file(readings=5, sender="dcaa"), name="other.uff")

        assert "sender DCAA already sent file identifier GEN0000001" in caught.value.reasons[0]
        assert FlowFile.objects.get().sender_participant_id == "DCAA"

    def test_an_identifier_that_differs_only_in_case_is_refused(self) -> None:
        import_bytes(flow_file(readings=4, file_identifier="GEN000000A"))
        before = row_counts()

        with pytest.raises(DuplicateFileIdentifier) as caught:
            import_bytes(flow_file(readings=5, file_identifier="gen000000a"), name="other.uff")

        assert "already sent file identifier GEN000000A" in caught.value.reasons[0]
        assert "gen000000a" in caught.value.reasons[0]
        assert row_counts() == before

    def test_the_same_identifier_from_another_sender_is_imported(self) -> None:
        import_bytes(flow_file(readings=4))

        import_bytes(flow_file(readings=4, sender="DCBB"), name="other.uff")

        assert FlowFile.objects.count() == 2

    def test_the_same_reading_in_a_later_file_is_kept_with_both_files(self) -> None:
        import_bytes(flow_file(readings=3, file_identifier="GEN0000001"))

        import_bytes(flow_file(readings=3, file_identifier="GEN0000002"), name="later.uff")

        assert Reading.objects.count() == 6
        assert MeterPoint.objects.count() == 2
        assert Meter.objects.count() == 2
        history = Reading.objects.filter(meter__serial_number="S000001 A", register_id="01")
        assert history.values("flow_file").distinct().count() == 2

    def test_test_data_is_refused_unless_allowed(self) -> None:
        data = flow_file(readings=2, test_data_flag="TR01")

        with pytest.raises(NotOperationalData) as caught:
            import_bytes(data)
        assert "Test Data Flag is 'TR01'" in caught.value.reasons[0]
        assert sum(row_counts().values()) == 0

        import_bytes(data, allow_test_data=True)
        assert FlowFile.objects.get().is_test_data

    def test_an_invalid_file_with_a_reused_identifier_reports_its_errors(self) -> None:
        import_bytes(flow_file(readings=2))
        data = flow_file(readings=3).replace(b"026|", b"026|9", 1)

        with pytest.raises(InvalidFile):
            import_bytes(data, name="bad.uff")

    def test_a_dry_run_counts_but_writes_nothing(self, every_group_file: Path) -> None:
        result = import_flow_file(source=every_group_file, dry_run=True)

        assert result.dry_run
        assert result.flow_file_id is None
        assert (result.meter_point_count, result.meter_count, result.reading_count) == (3, 4, 8)
        assert sum(row_counts().values()) == 0

    def test_warnings_are_returned_and_kept_on_the_flow_file(self) -> None:
        data = flow_file(readings=2).replace(b"||1|20240401120001|", b"||9|20240401120001|")

        result = import_flow_file(source=io.BytesIO(data), file_name="w.uff")

        assert [w.field for w in result.warnings] == ["Flow Count (J1066)"]
        stored = FlowFile.objects.get()
        assert stored.warnings[0]["field"] == "Flow Count (J1066)"

    def test_the_stored_warnings_read_back_as_the_issues_returned(self) -> None:
        data = flow_file(readings=2).replace(b"||1|20240401120001|", b"||9|20240401120001|")
        data = data.replace(b"|T|N|", b"|T|N||", 1)  # an extra blank field: a second warning

        result = import_flow_file(source=io.BytesIO(data), file_name="w.uff")

        assert len(result.warnings) == 2
        assert FlowFile.objects.get().warning_issues() == result.warnings

    def test_progress_is_reported_up_to_the_file_size(self) -> None:
        data = flow_file(readings=300)
        seen: list[tuple[int, int]] = []

        import_flow_file(
            source=io.BytesIO(data),
            file_name="p.uff",
            batch_size=50,
            on_progress=lambda done, total: seen.append((done, total)),
        )

        assert len(seen) > 2
        assert seen[-1] == (len(data), len(data))


class TestQueryCost:
    @pytest.mark.parametrize("batch_size", [100, 250, 5000])
    def test_queries_grow_with_batches_not_with_readings(
        self, batch_size: int, before_each_write: Callable[[Probe], None]
    ) -> None:
        data = flow_file(readings=1000, registers_per_meter=3)
        writes: list[int] = []
        before_each_write(lambda batch: writes.append(batch.reading_count))
        with CaptureQueriesContext(connection) as queries:
            import_bytes(data, batch_size=batch_size)

        assert Reading.objects.count() == 1000
        # Five statements per batch (below Django's query log), a fixed number around them
        # (ten of them work out what the readings mean, two begin and finish the attempt; on
        # PostgreSQL three take the locks on the file's meters, and one looks for a later file
        # about them).
        assert len(writes) == math.ceil(1000 / batch_size)
        assert all(count <= batch_size + 3 for count in writes)  # a group is never split
        assert len(queries) <= 27, [q["sql"][:80] for q in queries]

    def test_the_debug_query_log_does_not_keep_the_batches(self) -> None:
        data = flow_file(readings=3000)

        with CaptureQueriesContext(connection) as queries:  # what DEBUG = True records
            import_bytes(data, batch_size=500)

        assert Reading.objects.count() == 3000
        assert sum(len(query["sql"]) for query in queries) < 20_000


class TestProcessSettings:
    def test_an_import_leaves_the_interpreters_settings_alone(
        self, settings_while_writing: list[InterpreterSettings]
    ) -> None:
        before = interpreter_settings()

        import_bytes(flow_file(readings=10))

        assert settings_while_writing == [before]


class TestSqlitePageCache:
    @pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
    @pytest.mark.parametrize("fails", [False, True])
    def test_an_import_enlarges_the_page_cache_and_puts_it_back(
        self, fails: bool, before_each_write: Callable[[Probe], None]
    ) -> None:
        def cache_size() -> int:
            with open_cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                (size,) = fetch_integers(cursor)
                return size

        before = cache_size()
        during: list[int] = []

        def measured(batch: PreparedBatch) -> None:
            during.append(cache_size())
            if fails:
                raise DatabaseError("disk I/O error")

        before_each_write(measured)
        if fails:
            with pytest.raises(DatabaseRefused):
                import_bytes(flow_file(readings=10))
        else:
            import_bytes(flow_file(readings=10))

        assert during == [-SQLITE_IMPORT_CACHE_KIB]
        assert before != -SQLITE_IMPORT_CACHE_KIB
        assert cache_size() == before


class TestPlannerStatistics:
    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
    def test_a_large_import_refreshes_the_statistics_on_postgresql(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def estimated_rows() -> float:
            with open_cursor() as cursor:
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'readings_reading'")
                found = fetch_column(cursor, 0, number)
            return found[0] if found else -1.0

        import_bytes(flow_file(readings=20, file_identifier="GEN0000001"))
        before = estimated_rows()
        monkeypatch.setattr("readings.services.importing._import.ANALYZE_AFTER_READINGS", 30)
        import_bytes(flow_file(readings=30, file_identifier="GEN0000002", first_mpan=100))

        # ANALYZE writes its estimate in place, outside any transaction: whatever the table held
        # before, it was not estimated after the small import, and is after the large one.
        assert before != 20
        assert estimated_rows() == 50


class TestDeleteFlowFile:
    def test_deleting_a_file_removes_only_what_it_alone_brought(self) -> None:
        import_bytes(flow_file(readings=4, file_identifier="GEN0000001"))
        second = import_flow_file(
            source=io.BytesIO(flow_file(readings=8, file_identifier="GEN0000002")),
            file_name="second.uff",
        )
        flow = FlowFile.objects.get(file_name=second.file_name)

        summary = describe_deletion(flow_file=flow)
        deleted = delete_flow_file(flow_file=flow)

        assert summary == deleted
        assert (deleted.readings, deleted.meters, deleted.meter_points) == (8, 2, 2)
        assert row_counts() == {
            "FlowFile": 1,
            "MeterPoint": 2,
            "Meter": 2,
            "FileMeter": 2,
            "Reading": 4,
            "SiteVisit": 0,
        }


class _LostARace(Exception):
    """What the driver raises for a deadlock (PostgreSQL's SQLSTATE 40P01)."""

    sqlstate = "40P01"


def _deadlock() -> DatabaseError:
    """A deadlock as Django raises it: its DatabaseError, caused by the driver's."""
    error = DatabaseError("deadlock detected")
    error.__cause__ = _LostARace("deadlock detected")
    return error


class TestATransactionThatLosesARace:
    def test_is_tried_again_and_the_result_says_how_many_times(
        self, before_each_write: Callable[[Probe], None], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(importing_database, "RETRY_PAUSE_SECONDS", 0.0)
        failures = [_deadlock(), _LostARace("deadlock detected")]  # Django's, then the driver's

        def lose_twice(batch: PreparedBatch) -> None:
            if failures:
                raise failures.pop(0)

        before_each_write(lose_twice)

        result = import_flow_file(source=io.BytesIO(flow_file(readings=300)), file_name="r.uff")

        assert result.retries == 2
        assert row_counts() == {
            "FlowFile": 1,
            "MeterPoint": 150,
            "Meter": 150,
            "FileMeter": 150,
            "Reading": 300,
            "SiteVisit": 0,
        }

    def test_is_given_up_after_three_retries_and_the_refusal_says_so(
        self, before_each_write: Callable[[Probe], None], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(importing_database, "RETRY_PAUSE_SECONDS", 0.0)

        def always_lose(batch: PreparedBatch) -> None:
            raise _deadlock()

        before_each_write(always_lose)

        with pytest.raises(DatabaseRefused, match="deadlock detected") as refused:
            import_bytes(flow_file(readings=10))

        assert refused.value.retries == 3
        assert sum(row_counts().values()) == 0

    def test_any_other_database_error_is_not_tried_again(
        self, before_each_write: Callable[[Probe], None]
    ) -> None:
        tries: list[int] = []

        def fail(batch: PreparedBatch) -> None:
            tries.append(1)
            raise DatabaseError("disk full")

        before_each_write(fail)

        with pytest.raises(DatabaseRefused) as refused:
            import_bytes(flow_file(readings=10))

        assert (len(tries), refused.value.retries) == (1, 0)
