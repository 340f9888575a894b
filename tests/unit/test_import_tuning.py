"""The interpreter settings a process that imports turns on for its run, and puts back."""

from __future__ import annotations

import gc
import sys

import pytest

from readings.services.importing import import_tuning
from readings.services.importing._tuning import GC_FIRST_THRESHOLD, SWITCH_INTERVAL
from tests.conftest import interpreter_settings as settings

MICROSECONDS = 1_000_000


class TestImportTuning:
    def test_shortens_the_switch_interval_and_raises_the_collector_threshold(self) -> None:
        before_interval, before_thresholds = settings()

        with import_tuning():
            during_interval, during_thresholds = settings()

        assert during_interval == min(before_interval, round(SWITCH_INTERVAL * MICROSECONDS))
        assert during_thresholds == (
            max(before_thresholds[0], GC_FIRST_THRESHOLD),
            *before_thresholds[1:],
        )
        assert settings() == (before_interval, before_thresholds)

    def test_puts_the_settings_back_when_the_work_fails(self) -> None:
        before = settings()

        with pytest.raises(ValueError, match="failed"), import_tuning():
            raise ValueError("failed")

        assert settings() == before

    def test_never_undoes_a_setting_already_tuned_further(self) -> None:
        before = settings()
        gc.set_threshold(GC_FIRST_THRESHOLD * 2, *before[1][1:])
        sys.setswitchinterval(SWITCH_INTERVAL / 2)
        further = settings()
        try:
            with import_tuning():
                during = settings()
        finally:
            sys.setswitchinterval(before[0] / MICROSECONDS)
            gc.set_threshold(*before[1])

        assert abs(during[0] - further[0]) <= 1  # Python keeps whole microseconds
        assert during[1] == further[1]
