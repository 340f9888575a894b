"""``make screenshots``: PNGs of the reading list and a meter point's page, made by a process of
their own that starts and stops everything it needs."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.functional.browser.chromium import find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCRIPT = "tests.functional.browser.screenshots"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.fixture
def chromium() -> Path:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but Chromium is not installed", pytrace=False)
        pytest.skip("Chromium is not installed: install Debian's 'chromium' package")
    return executable


class TestScreenshots:
    def test_it_writes_each_page_at_each_width_and_ends_by_itself(
        self, chromium: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "shots"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}

        run = subprocess.run(
            [sys.executable, "-m", SCRIPT, "--out", str(out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

        assert run.returncode == 0, run.stderr
        names = sorted(path.name for path in out.iterdir())
        assert names == [
            "meter-point-1280.png",
            "meter-point-390.png",
            "reading-list-1280.png",
            "reading-list-390.png",
        ]
        for name in names:
            width, height = png_size(out / name)
            viewport = int(name.removesuffix(".png").rsplit("-", 1)[1])
            assert width >= viewport, name
            assert height >= 600, name
            assert str(out / name) in run.stdout

    def test_nothing_is_left_in_the_project_but_the_pictures(
        self, chromium: Path, tmp_path: Path
    ) -> None:
        before = set(ROOT.glob("*.sqlite3*"))

        subprocess.run(
            [sys.executable, "-m", SCRIPT, "--out", str(tmp_path), "--width", "390"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
            check=True,
        )

        assert set(ROOT.glob("*.sqlite3*")) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "meter-point-390.png",
            "reading-list-390.png",
        ]
