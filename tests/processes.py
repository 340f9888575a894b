"""``manage.py`` in a process of its own, as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import ROOT

SETTINGS_VARIABLES = (
    "DJANGO_",
    "DATABASE_",
    "READINGS_",
    "SQLITE_",
    "D0010_",
)  # what settings read
TIMEOUT_SECONDS = 120


def manage_py(
    *args: str | Path,
    database: Path,
    env: Mapping[str, str] | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with ``args`` on the SQLite file ``database``, with none of this
    process's settings variables but those in ``env``; its output captured as text. With
    ``check``, a non-zero exit raises ``CalledProcessError``."""
    return run_python("manage.py", *args, database=database, env=env, check=check)


def run_python(
    *args: str | Path,
    database: Path,
    env: Mapping[str, str] | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run Python with ``args`` in the project's folder, as ``manage_py`` runs manage.py."""
    clean = {
        key: value
        for key, value in os.environ.items()
        # but where the tests keep flow files (tests/conftest.py)
        if not key.startswith(SETTINGS_VARIABLES) or key == "D0010_FLOW_FILES_DIR"
    }
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": f"sqlite:///{database}", **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=check,
    )
