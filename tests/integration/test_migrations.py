"""Migrations that fill in what rows stored before them did not have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_FLOW_REFERENCE = [("readings", "0006_roles")]
WITH_FLOW_REFERENCE = [("readings", "0007_flowfile_flow_reference")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """Migrations to apply, put back to the latest afterwards."""
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


class TestFlowReference:
    def test_flow_files_imported_before_it_was_kept_are_d0010(
        self, executor: MigrationExecutor
    ) -> None:
        executor.migrate(BEFORE_FLOW_REFERENCE)
        old = executor.loader.project_state(BEFORE_FLOW_REFERENCE).apps.get_model(
            "readings", "FlowFile"
        )
        old.objects.create(
            file_name="old.uff",
            sha256="0" * 64,
            size_bytes=1,
            file_identifier="OLD0000001",
            flow_version="002",
            sender_role="D",
            sender_participant_id="DCAA",
            recipient_role="X",
            recipient_participant_id="SUPA",
            file_created_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
        )

        migrated = MigrationExecutor(connection)
        migrated.migrate(WITH_FLOW_REFERENCE)
        new = migrated.loader.project_state(WITH_FLOW_REFERENCE).apps.get_model(
            "readings", "FlowFile"
        )

        assert new.objects.get(file_name="old.uff").flow_reference == "D0010"
