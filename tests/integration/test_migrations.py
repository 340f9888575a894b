"""Migrations that fill in what rows stored before them did not have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from django.core.management import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from readings.models import FlowFile, Meter, MeterPoint
from tests.migration_states import migrate_to_latest, migrated, model_in

BEFORE_FLOW_REFERENCE = [("readings", "0006_roles")]
WITH_FLOW_REFERENCE = [("readings", "0007_flowfile_flow_reference")]
IDENTIFIERS_ANY_CASE = [("readings", "0011_flowfile_identifier_any_case")]
SERIAL_KEYS_AGAIN = [("readings", "0012_meter_serial_keys_as_long_as_serials")]

# What the flow files stored before these migrations share.
OLD_FILE_FIELDS: dict[str, object] = {
    "size_bytes": 1,
    "flow_version": "002",
    "sender_role": "D",
    "recipient_role": "X",
    "recipient_participant_id": "SUPA",
    "file_created_at": datetime(2024, 1, 1, tzinfo=timezone.utc),
}


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """Migrations to apply, put back to the latest afterwards."""
    yield MigrationExecutor(connection)
    migrate_to_latest()


class TestFlowReference:
    def test_flow_files_imported_before_it_was_kept_are_d0010(
        self, executor: MigrationExecutor
    ) -> None:
        old = model_in(migrated(executor, BEFORE_FLOW_REFERENCE), FlowFile)
        old.objects.create(
            file_name="old.uff",
            sha256="0" * 64,
            file_identifier="OLD0000001",
            sender_participant_id="DCAA",
            **OLD_FILE_FIELDS,
        )

        new = model_in(migrated(MigrationExecutor(connection), WITH_FLOW_REFERENCE), FlowFile)

        assert new.objects.get(file_name="old.uff").flow_reference == "D0010"


def _old_flow_file(model: type[FlowFile], number: int, sender: str, identifier: str) -> FlowFile:
    return model._default_manager.create(
        file_name=f"old{number}.uff",
        sha256=f"{number:064d}",
        file_identifier=identifier,
        flow_reference="D0010",
        sender_participant_id=sender,
        **OLD_FILE_FIELDS,
    )


class TestIdentifiersAnyCase:
    def test_files_stored_before_whose_identifiers_differ_only_in_case_stop_it(
        self, executor: MigrationExecutor
    ) -> None:
        old = model_in(migrated(executor, WITH_FLOW_REFERENCE), FlowFile)
        first = _old_flow_file(old, 1, "DCAA", "ABC0000001")
        second = _old_flow_file(old, 2, "dcaa", "abc0000001")
        _old_flow_file(old, 3, "DCAA", "ABC0000002")

        with pytest.raises(CommandError) as caught:
            MigrationExecutor(connection).migrate(IDENTIFIERS_ANY_CASE)

        assert f"#{first.pk} (old1.uff) and #{second.pk} (old2.uff)" in str(caught.value)
        assert "sender DCAA, file identifier ABC0000001" in str(caught.value)
        second.delete()  # the migrations can then be applied again

    def test_files_stored_before_keep_their_ids_as_they_came(
        self, executor: MigrationExecutor
    ) -> None:
        old = model_in(migrated(executor, WITH_FLOW_REFERENCE), FlowFile)
        _old_flow_file(old, 1, "dcaa", "abc0000001")

        new = model_in(migrated(MigrationExecutor(connection), IDENTIFIERS_ANY_CASE), FlowFile)

        stored = new._default_manager.get()
        assert (stored.sender_participant_id, stored.file_identifier) == ("dcaa", "abc0000001")


class TestSerialKeysAgain:
    def test_keys_made_too_long_or_cut_are_made_again(self, executor: MigrationExecutor) -> None:
        apps = migrated(executor, IDENTIFIERS_ANY_CASE)
        point = model_in(apps, MeterPoint)._default_manager.create(mpan="1200023305967")
        meters = model_in(apps, Meter)._default_manager
        # As the key was cut on PostgreSQL (SQLite kept all 20 characters of SSSS...).
        meters.create(meter_point=point, serial_number="\u00df" * 10, serial_key="S" * 10)
        meters.create(meter_point=point, serial_number="f75a 00802", serial_key="F75A00802")
        meters.create(meter_point=point, serial_number="\u00e9t\u00e9", serial_key="\u00c9T\u00c9")

        new = model_in(migrated(MigrationExecutor(connection), SERIAL_KEYS_AGAIN), Meter)

        keys = dict(new._default_manager.values_list("serial_number", "serial_key"))
        assert keys == {
            "\u00df" * 10: "\u00df" * 10,
            "f75a 00802": "F75A00802",
            "\u00e9t\u00e9": "\u00c9T\u00c9",
        }
