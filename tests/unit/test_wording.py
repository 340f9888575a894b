"""Counts and issues as the command and the admin word them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readings.dtc import FlowIssue
from readings.wording import content_counts, counted, printable


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


class TestPrintable:
    @pytest.mark.parametrize(
        ("name", "shown"),
        [
            ("a\nb.uff", "a\\nb.uff"),
            ("a\r\nb", "a\\r\\nb"),
            ("tab\there", "tab\\there"),
            ("\x1b[2K\x1b[1Agreen", "\\x1b[2K\\x1b[1Agreen"),
            ("nul\x00del\x7f", "nul\\x00del\\x7f"),
            ("next\x85line", "next\\x85line"),
            ("line\u2028paragraph\u2029end", "line\\u2028paragraph\\u2029end"),
            ("\u202ecod.exe", "\\u202ecod.exe"),
            ("zero\u200bwidth", "zero\\u200bwidth"),
            ("tag\U000e0041", "tag\\U000e0041"),
        ],
    )
    def test_escapes_what_is_not_printable(self, name: str, shown: str) -> None:
        assert printable(name) == shown

    @pytest.mark.parametrize(
        "name", ["DCAA0000004711D0010.uff", "Zählerstände ß 電気.uff", "C:\\in\\f.uff", "a b"]
    )
    def test_leaves_printable_text_as_it_is(self, name: str) -> None:
        assert printable(name) == name

    @given(st.text())
    def test_gives_one_line_of_printable_text_whatever_the_name(self, name: str) -> None:
        shown = printable(name)

        assert shown.isprintable()
        assert len(shown.splitlines()) <= 1
