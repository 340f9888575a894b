"""Every kind of broken file, through ``import_d0010``: refused, with its line and reason, and
nothing written.

The files are in ``tests/fixtures/broken``, one per way of being wrong, each a small variant of
the same valid file; ``MANIFEST`` says which line each is refused at and a phrase of the reason.
A file with a huge line is generated at test time rather than kept.
"""

from __future__ import annotations

import io
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model

from readings.models import (
    FileMeter,
    FlowFile,
    ImportAttempt,
    Meter,
    MeterPoint,
    Reading,
    SiteVisit,
)
from tests.conftest import FIXTURES
from tests.processes import manage_py

pytestmark = pytest.mark.django_db

BROKEN = FIXTURES / "broken"
ALL_MODELS: tuple[type[Model], ...] = (FlowFile, MeterPoint, Meter, FileMeter, Reading, SiteVisit)

# file name → (the line of the first error, None for the file as a whole; a phrase of its reason)
MANIFEST: dict[str, tuple[int | None, str]] = {
    "empty.uff": (None, "the file is empty"),
    "binary.uff": (1, "the file is compressed (gzip)"),  # a gzip header, then every byte
    "other_flow_d0086.uff": (1, "this is a 'D0086001' file, not a D0010"),
    "missing_header.uff": (1, "expected a ZHV header as the first record"),
    "missing_trailer.uff": (None, "the file ends without a ZPT trailer"),
    "wrong_group_count.uff": (5, "says 4 groups but the file has 3"),
    "mismatched_file_identifier.uff": (5, "'0000000002' does not match the header's"),
    "records_after_trailer.uff": (6, "content after the ZPT trailer"),
    "orphan_030_before_028.uff": (3, "030 register reading outside any 028 meter group"),
    "orphan_032_without_030.uff": (4, "032 validation result outside any 030 register reading"),
    "orphan_029_without_028.uff": (3, "029 site visit outside any 028 meter group"),
    "orphan_028_without_026.uff": (2, "028 meter group outside any 026 group"),
    "026_without_028.uff": (2, "the 026 group has no 028 meter group"),
    "unknown_group_031.uff": (5, "there is no group 031 in D0010"),
    "unknown_group_999.uff": (5, "unknown group '999'"),
    "bad_mpan_check_digit.uff": (2, "fails the MPAN check digit"),
    "impossible_date_30_february.uff": (4, "is not a real calendar date and time"),
    "impossible_date_spring_forward.uff": (4, "does not exist in UK local time"),
    "impossible_date_year_1900.uff": (4, "the year must be between 1950 and 2199"),
    "negative_value.uff": (4, "'-34567.0' is not a reading"),
    "malformed_value.uff": (4, "'34,567.0' is not a reading"),
    "over_precise_value.uff": (4, "with at most one decimal place"),
    "serial_too_long.uff": (3, "is longer than 10 characters"),
    "register_too_long.uff": (4, "'001' is not 1 or 2 letters or digits"),
    "additional_information_too_long.uff": (4, "is longer than 200 characters"),
    "reading_type_o.uff": (3, "'O' is only allowed in D0071 and D0300"),
    "bsc_validation_status_x.uff": (2, "BSC Validation Status (J0022): 'X' is not a valid code"),
    "reading_method_q.uff": (4, "Reading Method (J1888): 'Q' is not a valid code"),
    "site_visit_code_12.uff": (3, "Site Visit Check Code (J0024): '12' is not a valid code"),
    "reason_code_99.uff": (5, "Reason Code (J0332): '99' is not a valid code"),
    "reading_flag_y.uff": (4, "Meter Reading Flag (J0045): 'Y' is not T or F"),
    "utf16_with_bom.uff": (1, "the file is UTF-16 text"),
    "nul_bytes.uff": (4, "control character 0x00"),
    "invalid_bytes.uff": (3, "byte 0x81 at column 9 is not text"),
    "second_zhv.uff": (4, "a second ZHV header inside the file"),
    "unsupported_version_d0010001.uff": (1, "version 001 of D0010 is not supported"),
    "zhd_envelope.uff": (1, "unsupported file envelope 'ZHD'"),
    "duplicate_032.uff": (6, "a second 032 validation result for the same reading"),
}


def run(path: Path) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("import_d0010", str(path), stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in ALL_MODELS}


NOTHING = {model.__name__: 0 for model in ALL_MODELS}


class TestBrokenCorpus:
    def test_every_file_in_the_corpus_has_an_expectation(self) -> None:
        files = {path.name for path in BROKEN.iterdir() if not path.name.startswith(".")}

        assert files == set(MANIFEST)

    @pytest.mark.parametrize(("name", "line", "phrase"), [(n, *e) for n, e in MANIFEST.items()])
    def test_the_file_is_rejected_with_its_line_and_reason_and_nothing_written(
        self, name: str, line: int | None, phrase: str
    ) -> None:
        path = BROKEN / name

        output, error = run(path)

        assert error is not None
        assert error.returncode == 1
        first = output.splitlines()[0]
        where = f" line {line}" if line is not None else ""
        assert first.startswith(f"rejected  {path}:{where}"), output
        assert phrase in first, output
        assert "Traceback" not in output
        assert row_counts() == NOTHING

    def test_a_huge_line_is_rejected_with_its_line_and_nothing_written(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "huge_line.uff"
        with path.open("wb") as stream:
            stream.write((BROKEN / "wrong_group_count.uff").read_bytes().split(b"\n")[0] + b"\n")
            stream.write(b"026|1200012345679|V|\n028|K98A012345|R|\n030|01|")
            stream.write(b"9" * (8 << 20))  # 8 MB on one line
            stream.write(b"|||T|P|\nZPT|0000000001|3||1|20240405093016|\n")

        output, error = run(path)

        assert error is not None
        assert output.splitlines()[0] == (
            f"rejected  {path}: line 4: line is longer than 4096 bytes; not a D0010 file "
            f"(attempt {ImportAttempt.objects.get().pk})"
        )
        assert len(output) < 1000  # the line is not echoed
        assert row_counts() == NOTHING


class TestBrokenCorpusInOneRealProcess:
    @pytest.mark.slow
    def test_the_command_exits_non_zero_and_writes_nothing(self, tmp_path: Path) -> None:
        database = tmp_path / "corpus.sqlite3"
        manage_py("migrate", "-v", "0", database=database, check=True)

        done = manage_py("import_d0010", "--no-progress", BROKEN, database=database)

        assert done.returncode == 1
        assert f"Summary: 0 imported, 0 already imported, {len(MANIFEST)} rejected." in done.stdout
        assert "Traceback" not in done.stdout + done.stderr
        with closing(sqlite3.connect(database)) as connection:
            counts = [
                connection.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"').fetchone()  # noqa: S608 - the models' own table names
                for model in ALL_MODELS
            ]
        assert counts == [(0,)] * len(ALL_MODELS)
