"""How the project launches Debian's Chromium: shared by the browser tests and the screenshots."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: without these, Chromium's background connections
    # (updates, sync, field trials) are refused and it logs errors or stalls.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> Path | None:
    """Debian's Chromium, else a ``chromium`` on PATH, else None."""
    found = shutil.which("chromium")
    return DEBIAN_CHROMIUM if DEBIAN_CHROMIUM.is_file() else (Path(found) if found else None)


def launch_args(executable: Path, *, headed: bool = False) -> dict[str, Any]:
    """Keyword arguments of Playwright's ``chromium.launch`` for ``executable``."""
    return {
        "executable_path": str(executable),
        "headless": not headed,
        "args": [*CHROMIUM_ARGS] if headed else ["--headless=new", *CHROMIUM_ARGS],
    }
