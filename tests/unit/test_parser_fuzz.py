"""Fuzzing the parser: whatever the bytes, it either parses them whole or raises
``InvalidFlowFile`` with issues that point inside the file; nothing else ever escapes.

How many cases run is set by the hypothesis profile (see ``tests/conftest.py``).
"""

from __future__ import annotations

import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from readings.dtc import InvalidFlowFile
from tests.parsing import ParsedFlow, parse_stream
from tests.strategies import SEEDS, d0010_like_files, mutated_files

pytestmark = pytest.mark.slow

MAX_REASON_LENGTH = 300


class ShortReads(io.BytesIO):
    """A stream that hands back at most ``size`` bytes per read, as pipes and sockets may."""

    def __init__(self, data: bytes, size: int) -> None:
        super().__init__(data)
        self._size = size

    def read(self, size: int | None = -1) -> bytes:
        wanted = self._size if size is None or size < 0 else min(size, self._size)
        return super().read(wanted)


def outcome(data: bytes) -> ParsedFlow | InvalidFlowFile:
    """The parsed file, or the parser's error after checking that it describes the file."""
    try:
        return parse_stream(io.BytesIO(data), file_name="fuzz.uff")
    except InvalidFlowFile as error:
        check_issues(error, data)
        return error


def check_issues(error: InvalidFlowFile, data: bytes) -> None:
    assert error.issues, "an invalid file must say why"
    last_line = max(1, len(data.splitlines()))
    for issue in error.issues:
        assert issue.file_name == "fuzz.uff"
        assert issue.reason.strip()
        assert len(issue.reason) <= MAX_REASON_LENGTH, issue.reason
        assert issue.line_number is None or 1 <= issue.line_number <= last_line, issue


def check_whole(parsed: ParsedFlow) -> None:
    """A file that parses has every group line in a record: the trailer's count adds up."""
    groups = sum(group.group_count for group in parsed.groups)
    assert groups == parsed.trailer.total_group_count
    assert parsed.header.file_identifier == parsed.trailer.file_identifier


class TestParserOnArbitraryBytes:
    @given(st.binary(max_size=2048))
    @example(b"")
    @example(b"\xff\xfe")
    @example(b"\n" * 10)
    @example(b"ZHV" + b"|" * 20)
    def test_only_invalid_flow_file_is_ever_raised(self, data: bytes) -> None:
        result = outcome(data)

        assert isinstance(result, InvalidFlowFile)

    @given(st.binary(max_size=64), st.sampled_from(SEEDS))
    def test_junk_before_a_valid_file_is_an_error_on_line_one(
        self, junk: bytes, seed: bytes
    ) -> None:
        result = outcome(junk.replace(b"\n", b"").replace(b"\r", b"") + b"\x00" + seed)

        assert isinstance(result, InvalidFlowFile)
        assert result.issues[0].line_number == 1


class TestParserOnD0010LikeLines:
    @given(d0010_like_files())
    def test_only_invalid_flow_file_is_ever_raised(self, data: bytes) -> None:
        result = outcome(data)

        if isinstance(result, ParsedFlow):
            check_whole(result)


class TestParserOnMutatedValidFiles:
    @pytest.mark.parametrize("seed", SEEDS)
    def test_the_seeds_are_valid(self, seed: bytes) -> None:
        result = outcome(seed)

        assert isinstance(result, ParsedFlow)

    @given(mutated_files())
    def test_only_invalid_flow_file_is_ever_raised_and_what_parses_is_whole(
        self, data: bytes
    ) -> None:
        result = outcome(data)

        if isinstance(result, ParsedFlow):
            check_whole(result)

    @given(mutated_files(), st.integers(min_value=1, max_value=97))
    def test_reads_of_any_size_give_the_same_result(self, data: bytes, size: int) -> None:
        whole = outcome(data)

        try:
            in_pieces: ParsedFlow | InvalidFlowFile = parse_stream(
                ShortReads(data, size), file_name="fuzz.uff"
            )
        except InvalidFlowFile as error:
            in_pieces = error

        if isinstance(whole, InvalidFlowFile):
            assert isinstance(in_pieces, InvalidFlowFile)
            assert in_pieces.issues == whole.issues
        else:
            assert in_pieces == whole
