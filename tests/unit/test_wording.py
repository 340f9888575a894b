"""Counts and issues as the command and the admin word them."""

from __future__ import annotations

import pytest

from readings.dtc import FlowIssue
from readings.wording import content_counts, counted


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 readings"), (1, "1 reading"), (2, "2 readings")]
)
def test_a_count_is_singular_only_for_one(count: int, expected: str) -> None:
    assert counted(count, "reading") == expected


def test_an_irregular_plural_can_be_given() -> None:
    assert counted(3, "meter point", "meter points") == "3 meter points"
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(2, "entry", "entries") == "2 entries"


def test_content_counts_list_the_four_kinds_of_rows() -> None:
    assert content_counts(meter_points=1, meters=2, readings=1, site_visits=0) == (
        "1 meter point, 2 meters, 1 reading, 0 site visits"
    )


@pytest.mark.parametrize(
    ("line", "field", "expected"),
    [
        (4, "Register Reading (J0040)", "f.uff: line 4, Register Reading (J0040): why"),
        (4, None, "f.uff: line 4: why"),
        (None, "Group", "f.uff: Group: why"),
        (None, None, "f.uff: why"),
    ],
)
def test_an_issue_says_where_when_it_has_a_place(
    line: int | None, field: str | None, expected: str
) -> None:
    issue = FlowIssue(file_name="f.uff", line_number=line, field=field, reason="why")

    assert str(issue) == expected
