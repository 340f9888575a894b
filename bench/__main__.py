"""``python -m bench``: see ``bench/README.md`` or ``python -m bench --help``."""

from __future__ import annotations

import sys

from bench.cli import main

sys.exit(main(sys.argv[1:]))
