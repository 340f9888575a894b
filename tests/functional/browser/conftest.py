"""Real-browser journeys: Debian's Chromium driven by Playwright against Django's live server.

No browser can be downloaded on the machines this project runs on (``playwright install``
fails), so the tests launch the system Chromium. Where it is missing they are skipped with a
reason, unless ``REQUIRE_BROWSER=1`` (set by CI), which turns the skip into a failure.

Playwright's sync API keeps an asyncio event loop marked as running in the test thread for as
long as it is started, and Django refuses ORM calls from a thread with a running loop
(``SynchronousOnlyOperation``). So the Playwright objects that pytest-playwright keeps for the
whole session are scoped to this package here instead, and ORM calls are allowed in that window
only: from before Playwright starts until after it stops, when the last journey of the package
has run. Tests elsewhere in the suite never see the flag nor the loop.

Chromium only: pytest-playwright's ``--browser`` and ``--browser-channel`` do not apply here;
``--headed`` does, to watch a journey on a machine with a display.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserType,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from readings.services.importing import import_flow_file
from tests.functional.admin_helpers import staff_user
from tests.functional.browser.chromium import DEBIAN_CHROMIUM, find_chromium, launch_args

# Auto-waiting assertions and actions give up after this long: every page here answers in
# milliseconds, so a wait this long means the page is wrong, not slow.
TIMEOUT_MS = 5_000

Login = Callable[[Page, User], None]


class MakeUser(Protocol):
    def __call__(self, username: str, *permissions: str, password: str | None = None) -> User: ...


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium, or the test is skipped (failed when ``REQUIRE_BROWSER=1``)."""
    executable = find_chromium()
    if executable:
        return executable
    reason = (
        f"Chromium is not installed ({DEBIAN_CHROMIUM} missing, no 'chromium' on PATH): "
        "install Debian's 'chromium' package to run the browser tests"
    )
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    chromium_executable: Path, pytestconfig: pytest.Config
) -> dict[str, Any]:
    headed = bool(pytestconfig.getoption("--headed"))  # pytest-playwright's option, to debug
    return launch_args(chromium_executable, headed=headed)


@pytest.fixture(scope="package")
def _orm_allowed_beside_playwright(chromium_executable: Path) -> Iterator[None]:
    # Scoped to this package; see the module docstring. Requested by ``playwright`` so that it
    # is set before Playwright starts and restored only after it stops (and after the database
    # of the last test here is flushed).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


# pytest-playwright's fixtures of the same names, scoped to this package (see the docstring).


@pytest.fixture(scope="package")
def playwright(_orm_allowed_beside_playwright: None) -> Iterator[Playwright]:
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright) -> BrowserType:
    return playwright.chromium


@pytest.fixture(scope="package")
def launch_browser(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Callable[..., Browser]:
    def launch(**kwargs: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    # Also replaces pytest-playwright's own ``base_url`` fixture, a method of a plugin class
    # that pytest deprecates (PytestRemovedIn10Warning, an error in this suite).
    return live_server.url


@pytest.fixture(scope="package")
def browser_context_args(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url}


@pytest.fixture(autouse=True)
def _playwright_timeouts(page: Page) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)


# Chromium reports each thing the Content-Security-Policy blocks in the console ("Refused to
# execute inline script because it violates the following Content Security Policy
# directive..."); the page's own securitypolicyviolation event is reported there as well, in
# case a message is worded otherwise. Added by Playwright, this script is not subject to the
# policy itself.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.URL}:${event.lineNumber}`);
});
"""


def _is_csp_violation(message: ConsoleMessage) -> bool:
    return "Content Security Policy" in message.text or message.text.startswith("CSP violation")


@pytest.fixture(autouse=True)
def _no_csp_violations(page: Page) -> Iterator[None]:
    """Every journey fails if the page broke the Content-Security-Policy anywhere."""
    violations: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: violations.append(message.text) if _is_csp_violation(message) else None,
    )
    yield
    assert not violations, "the Content-Security-Policy was violated:\n" + "\n".join(violations)


@pytest.fixture
def make_user(transactional_db: None) -> MakeUser:
    """A staff user with exactly the given permissions (``"app_label.codename"``)."""

    def make(username: str, *permissions: str, password: str | None = None) -> User:
        return staff_user(username, *permissions, password=password)

    return make


@pytest.fixture
def support(make_user: MakeUser) -> User:
    """A support agent: may view readings, meter points, meters, site visits and flow files."""
    return make_user(
        "support",
        "readings.view_reading",
        "readings.view_meterpoint",
        "readings.view_meter",
        "readings.view_sitevisit",
        "readings.view_flowfile",
    )


@pytest.fixture
def log_in(live_server: LiveServer) -> Login:
    """Start a browser session for a user without going through the login form."""

    def log_in_as(page: Page, user: User) -> None:
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return log_in_as


@pytest.fixture
def imported_sample(official_sample: Path) -> None:
    """The official sample imported with the project's service, as the command would."""
    import_flow_file(source=official_sample)
