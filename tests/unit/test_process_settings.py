"""Process-wide settings changed by the first import and put back by the last."""

from __future__ import annotations

import gc

import pytest

from readings.services.importing._process_settings import (
    GC_FIRST_THRESHOLD,
    SharedSetting,
    gc_threshold,
)


class _Box:
    def __init__(self, value: int) -> None:
        self.value = value
        self.writes: list[int] = []

    def write(self, value: int) -> None:
        self.value = value
        self.writes.append(value)


def _setting(box: _Box) -> SharedSetting[int]:
    return SharedSetting(lambda: box.value, box.write, lambda found: found * 10)


class TestSharedSetting:
    def test_the_last_of_overlapping_users_puts_the_found_value_back(self) -> None:
        box = _Box(3)
        setting = _setting(box)

        setting.hold()
        setting.hold()
        setting.release()
        assert box.value == 30  # the other user still holds it
        setting.release()

        assert box.value == 3
        assert box.writes == [30, 3]

    def test_a_later_use_starts_from_the_value_found_then(self) -> None:
        box = _Box(3)
        setting = _setting(box)
        with setting.applied():
            pass
        box.value = 4

        with setting.applied():
            assert box.value == 40

        assert box.value == 4

    def test_the_value_is_put_back_when_the_work_fails(self) -> None:
        box = _Box(3)
        setting = _setting(box)

        with pytest.raises(ValueError, match="failed"), setting.applied():
            raise ValueError("failed")

        assert box.value == 3


def test_the_collector_runs_less_often_while_held_and_as_before_after() -> None:
    before = gc.get_threshold()

    with gc_threshold.applied():
        during = gc.get_threshold()

    assert during == (max(before[0], GC_FIRST_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before
