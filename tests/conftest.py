"""Fixtures shared by every test layer."""

from __future__ import annotations

from pathlib import Path

import pytest

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
