"""Memory: a huge line is refused early, and parsing streams whatever the file's size."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from readings.d0010 import D0010Parser
from readings.dtc import InvalidFlowFile
from readings.dtc.lines import MAX_LINE_LENGTH
from tests.factories import flow_file

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

pytestmark = pytest.mark.slow

HEADER = b"ZHV|0000000001|D0010002|D|DCAA|X|SUPA|20240405093015||||OPER|\n"


class EndlessLine(io.RawIOBase):
    """A header, then one line that never ends: only a parser that stops early returns."""

    def __init__(self, *, give_up_after: int) -> None:
        self.served = 0
        self._give_up_after = give_up_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        if self.served >= self._give_up_after:
            raise AssertionError(f"the parser read {self.served} bytes of a single line")
        view = memoryview(buffer).cast("B")
        chunk = (HEADER + b"030|01|" if self.served == 0 else b"9" * len(view))[: len(view)]
        view[: len(chunk)] = chunk
        self.served += len(chunk)
        return len(chunk)


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peak of memory allocated inside the block, in bytes (in the list, once it ends)."""
    result: list[int] = []
    tracemalloc.start()
    try:
        yield result
        result.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def parse_and_drop(path: Path) -> int:
    """Parse a file, keeping nothing; the number of readings seen."""
    readings = 0
    with path.open("rb") as stream:
        for record in D0010Parser(stream, file_name=path.name):
            readings += getattr(record, "reading_count", 0)
    return readings


class TestAVeryLongLine:
    def test_is_refused_after_reading_little_more_than_the_line_limit(self) -> None:
        stream = EndlessLine(give_up_after=64 << 20)

        with peak_memory() as peak, pytest.raises(InvalidFlowFile) as caught:
            list(D0010Parser(io.BufferedReader(stream), file_name="endless.uff"))

        [issue] = caught.value.issues
        assert issue.line_number == 2
        assert issue.reason == f"line is longer than {MAX_LINE_LENGTH} bytes; not a D0010 file"
        assert stream.served < 1 << 20
        assert peak[0] < 1 << 20


class TestParsingALargeFile:
    def test_streams_in_memory_that_does_not_grow_with_the_file(self, tmp_path: Path) -> None:
        small = tmp_path / "small.uff"
        small.write_bytes(flow_file(readings=20_000))
        large = tmp_path / "large.uff"
        large.write_bytes(flow_file(readings=200_000))

        with peak_memory() as small_peak:
            assert parse_and_drop(small) == 20_000
        with peak_memory() as large_peak:
            assert parse_and_drop(large) == 200_000

        assert large.stat().st_size > 10 << 20
        assert large_peak[0] < 2 << 20, f"{large_peak[0]:,} bytes at most for 200k readings"
        assert large_peak[0] < small_peak[0] * 1.5, (small_peak, large_peak)
