"""``make screenshots``: PNGs of the reading list and a meter point's page at 1280 and 390 px.

``python -m tests.functional.browser.screenshots [--out screenshots] [--width 1280 ...]``

Starts nothing outside this process but Chromium: a temporary SQLite database with the bundled
samples (whatever ``DATABASE_URL`` says), Django's live server in a thread on 127.0.0.1 (a free
port), and Debian's Chromium through Playwright, headless, logged in through the admin's login
form. Each wait is bounded; the server and the database go when it ends. Not a test: pytest
collects only ``test_*.py``.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Error, sync_playwright

from tests.functional.browser.chromium import find_chromium, launch_args

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "readings" / "samples"
WIDTHS = (1280, 390)
HEIGHTS = {1280: 800, 390: 844}  # a laptop and a phone; other widths get 800
TIMEOUT_MS = 15_000  # each page load, click and picture
SERVER_START_S = 15.0
USERNAME = "screenshots"


@dataclass(frozen=True, slots=True, kw_only=True)
class Shot:
    name: str  # the picture's file name, before its width
    path: str  # the admin page


class ScreenshotsError(Exception):
    """What stopped the screenshots, in words for the person who ran them."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.functional.browser.screenshots", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="folder for PNGs")
    parser.add_argument(
        "--width",
        type=int,
        action="append",
        help=f"viewport width in px, repeatable (default: {' and '.join(map(str, WIDTHS))})",
    )
    args = parser.parse_args(argv)
    widths: tuple[int, ...] = tuple(args.width or WIDTHS)
    try:
        written = take(out=args.out, widths=widths)
    except ScreenshotsError as error:
        sys.stderr.write(f"screenshots: {error}\n")
        return 1
    for line in written:
        sys.stdout.write(line + "\n")
    return 0


def take(*, out: Path, widths: tuple[int, ...]) -> list[str]:
    """Write each page at each width into ``out``; one line per picture."""
    chromium = find_chromium()
    if chromium is None:
        raise ScreenshotsError(
            "Chromium is not installed (/usr/bin/chromium): install Debian's 'chromium' package"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ScreenshotsError(f"{out}: cannot make the folder: {error}") from error
    with tempfile.TemporaryDirectory(prefix="d0010-screenshots-") as workdir:
        # Settings are read once, at django.setup(): a development database of this run's own.
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'screenshots.sqlite3'}"
        os.environ.pop("DJANGO_PRODUCTION", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
        import django

        django.setup()
        from django.db import connections

        # A missing favicon is not news; a server error still is.
        logging.getLogger("django.request").setLevel(logging.ERROR)

        try:
            password, shots = _prepare()
        finally:
            connections.close_all()
        with _serving() as base_url:
            return _photograph(
                chromium=chromium,
                base_url=base_url,
                password=password,
                shots=shots,
                out=out,
                widths=widths,
            )


def _prepare() -> tuple[str, tuple[Shot, ...]]:
    """Migrate, import the samples, make a superuser; the password and the pages to take."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db.models import Count
    from django.urls import reverse

    from readings.models import MeterPoint

    try:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("import_d0010", str(SAMPLES), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as error:
        raise ScreenshotsError(f"the samples in {SAMPLES} did not import: {error}") from error
    password = secrets.token_urlsafe(16)
    User.objects.create_superuser(USERNAME, password=password)
    point = (
        MeterPoint.objects.annotate(count=Count("meters__readings"))
        .order_by("-count", "pk")
        .first()
    )
    if point is None:
        raise ScreenshotsError(f"the samples in {SAMPLES} hold no meter point")
    return password, (
        Shot(name="reading-list", path=reverse("admin:readings_reading_changelist")),
        Shot(name="meter-point", path=reverse("admin:readings_meterpoint_change", args=[point.pk])),
    )


@contextmanager
def _serving() -> Iterator[str]:
    """Django's live server thread on 127.0.0.1, a free port, with the static files; its URL."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    try:
        if not thread.is_ready.wait(SERVER_START_S):
            raise ScreenshotsError(f"the server did not start within {SERVER_START_S:.0f} s")
        if thread.error is not None:
            raise ScreenshotsError(f"the server did not start: {thread.error}")
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()


def _photograph(
    *,
    chromium: Path,
    base_url: str,
    password: str,
    shots: tuple[Shot, ...],
    out: Path,
    widths: tuple[int, ...],
) -> list[str]:
    written: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_args(chromium), timeout=TIMEOUT_MS)
            try:
                for width in widths:
                    context = browser.new_context(
                        viewport={"width": width, "height": HEIGHTS.get(width, 800)},
                        base_url=base_url,
                    )
                    page = context.new_page()
                    page.set_default_timeout(TIMEOUT_MS)
                    page.goto("/admin/login/")
                    page.fill("#id_username", USERNAME)
                    page.fill("#id_password", password)
                    page.click("input[type=submit]")
                    page.wait_for_url("**/admin/")
                    for shot in shots:
                        page.goto(shot.path)
                        path = out / f"{shot.name}-{width}.png"
                        page.screenshot(path=str(path), full_page=True)
                        page_width = page.evaluate("document.documentElement.scrollWidth")
                        sideways = f", page {page_width} px wide" if page_width > width else ""
                        written.append(f"{path}: {shot.path} at {width} px{sideways}")
                    context.close()
            finally:
                browser.close()
    except Error as error:
        raise ScreenshotsError(f"Chromium: {error.message}") from error
    return written


if __name__ == "__main__":
    sys.exit(main())
