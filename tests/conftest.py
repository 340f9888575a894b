"""Fixtures shared by every test layer."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from readings.services.importing._bulk import PreparedBatch

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FLOWS = FIXTURES / "flows"
SAMPLES = ROOT / "readings" / "samples"
OFFICIAL_SAMPLE = SAMPLES / "DTC5259515123502080915D0010.uff"
EVERY_GROUP = FLOWS / "every_group.uff"
SHARED_SAMPLES = ROOT.parent / "shared" / "peer-samples"


@pytest.fixture
def official_sample() -> Path:
    """The industry's widely copied sample: 11 meter points, 11 meters, 13 readings."""
    return OFFICIAL_SAMPLE


@pytest.fixture
def every_group_file() -> Path:
    """A file of the project's own that uses every group: 026, 027, 028, 029, 030, 032, 033."""
    return EVERY_GROUP


@pytest.fixture
def shared_samples() -> Path:
    """Real-world files kept beside the project; the test is skipped where they are absent."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/peer-samples is not present")
    return SHARED_SAMPLES


Probe = Callable[["PreparedBatch"], None]


@pytest.fixture
def before_each_write(monkeypatch: pytest.MonkeyPatch) -> Callable[[Probe], None]:
    """Installs a probe that sees each batch just before the import writes it (and may raise
    instead)."""
    from readings.services.importing._bulk import BatchWriter  # needs Django set up

    def install(probe: Probe) -> None:
        write = BatchWriter.write

        def probed(writer: BatchWriter, batch: PreparedBatch) -> None:
            probe(batch)
            write(writer, batch)

        monkeypatch.setattr(BatchWriter, "write", probed)

    return install


InterpreterSettings = tuple[int, tuple[int, ...]]


def interpreter_settings() -> InterpreterSettings:
    """Python's thread switch interval (in whole microseconds, as Python keeps it) and the
    garbage collector's thresholds: the process-wide settings an import may be run with."""
    return round(sys.getswitchinterval() * 1_000_000), gc.get_threshold()


@pytest.fixture
def settings_while_writing(before_each_write: Callable[[Probe], None]) -> list[InterpreterSettings]:
    """Fills with the interpreter's settings as the import writes each batch."""
    seen: list[InterpreterSettings] = []
    before_each_write(lambda batch: seen.append(interpreter_settings()))
    return seen


# -- hypothesis -------------------------------------------------------------------------------
# "dev" (the default) keeps `make check` quick; "ci" (HYPOTHESIS_PROFILE=ci, set by .ci/run)
# runs thousands of cases per fuzzing test.
hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis_settings.register_profile(
    "ci",
    max_examples=3000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# -- login throttle ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _login_throttle_off() -> Iterator[None]:
    """django-axes off: Django's ``Client.login`` authenticates without a request, which its
    backend refuses. ``tests/functional/test_login_throttle.py`` turns it back on."""
    with override_settings(AXES_ENABLED=False):
        yield


# -- kept flow files --------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def flow_file_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The flow-file storage in a folder of each test's own, never the project's var/."""
    from django.conf import settings  # needs Django set up

    location = tmp_path_factory.mktemp("flow-files")
    storages = {
        **settings.STORAGES,
        "flow_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    with override_settings(STORAGES=storages):
        yield location
