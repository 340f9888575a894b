"""The benchmark's ``--importers`` option: the numbers of importers side by side."""

from __future__ import annotations

import pytest

from bench.cli import _options


def test_importers_are_off_unless_asked_for() -> None:
    assert _options([]).importers == ()


def test_importers_take_a_list_of_counts() -> None:
    options = _options(["--importers", "1,2,4", "--importer-files", "8"])

    assert (options.importers, options.importer_files, options.importer_readings) == (
        (1, 2, 4),
        8,
        25_000,
    )


@pytest.mark.parametrize("given", ["0,2", "two", "1,,2"])
def test_importers_refuse_what_is_not_a_list_of_positive_counts(given: str) -> None:
    with pytest.raises(SystemExit):
        _options(["--importers", given])
