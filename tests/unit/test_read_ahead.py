"""The background reader that lets the parser run while the database writes."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

import pytest

from readings.services.importing._read_ahead import ReadAhead


def _numbers(count: int, taken: list[int] | None = None) -> Iterator[int]:
    for number in range(count):
        if taken is not None:
            taken.append(number)
        yield number


class TestReadAhead:
    def test_yields_every_item_in_order(self) -> None:
        assert list(ReadAhead(_numbers(1000))) == list(range(1000))

    def test_an_empty_source_yields_nothing(self) -> None:
        assert list(ReadAhead(_numbers(0))) == []

    def test_raises_the_sources_error_after_the_items_before_it(self) -> None:
        def failing() -> Iterator[int]:
            yield 1
            yield 2
            raise ValueError("line 3: broken")

        seen: list[int] = []

        def consume() -> None:
            for item in ReadAhead(failing()):
                seen.append(item)

        with pytest.raises(ValueError, match="line 3: broken"):
            consume()

        assert seen == [1, 2]

    def test_runs_the_source_in_another_thread(self) -> None:
        def where() -> Iterator[str]:
            yield threading.current_thread().name

        [name] = ReadAhead(where())

        assert name != threading.current_thread().name

    def test_reads_at_most_depth_items_ahead(self) -> None:
        taken: list[int] = []
        reader = ReadAhead(_numbers(100, taken), depth=3)
        items = iter(reader)

        assert next(items) == 0
        time.sleep(0.3)  # time enough for the producer to run as far ahead as it may

        # One taken by the consumer, three queued, one held by the producer waiting for room.
        assert len(taken) <= 5
        reader.close()

    def test_stopping_early_ends_the_thread_and_leaves_the_rest_unread(self) -> None:
        taken: list[int] = []
        threads_before = threading.active_count()

        for item in ReadAhead(_numbers(10_000, taken), depth=2):
            if item == 3:
                break

        assert threading.active_count() == threads_before
        assert len(taken) < 10

    def test_closing_on_leaving_a_with_block_when_the_consumer_fails(self) -> None:
        threads_before = threading.active_count()

        def write_all() -> None:
            with ReadAhead(_numbers(10_000)) as reader:
                for _ in reader:
                    raise RuntimeError("database gone")

        with pytest.raises(RuntimeError, match="database gone"):
            write_all()

        assert threading.active_count() == threads_before

    def test_is_iterated_only_once(self) -> None:
        reader = ReadAhead(_numbers(3))
        assert list(reader) == [0, 1, 2]

        with pytest.raises(RuntimeError, match="only once"):
            list(reader)

    def test_leaves_the_switch_interval_alone(self) -> None:
        before = sys.getswitchinterval()
        reader = iter(ReadAhead(_numbers(10)))

        next(reader)
        during = sys.getswitchinterval()
        list(reader)

        assert during == before
        assert sys.getswitchinterval() == before
