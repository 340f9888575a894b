"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

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
