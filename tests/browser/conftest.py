"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against
pytest-django's live server (which also serves the static files, DEBUG or not).

Every test here is marked ``@pytest.mark.browser``; run them alone with
``pytest tests/browser`` or leave them out with ``-m "not browser"``.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "a-long-test-password"  # tests.factories.UserFactory
TIMEOUT_MS = 10_000
FAILURE_DIR = Path(
    os.environ.get("BROWSER_FAILURE_DIR")
    or Path(tempfile.gettempdir()) / "browser-test-failures"
)


@pytest.fixture(scope="module")
def _playwright() -> Iterator:
    """Playwright's sync API runs an asyncio event loop in this thread, after which
    Django refuses ORM calls from it (SynchronousOnlyOperation) unless told the
    caller knows better. The override lasts only while Playwright runs, so the
    rest of the suite keeps Django's check."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_playwright) -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)."
        )
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_page(browser, live_server, request) -> Iterator[Callable]:
    """Open a page in a fresh browser context (its own cookies): ``new_page()``.

    A test may open several, e.g. one per user. A failing test leaves a screenshot
    of each of its pages in FAILURE_DIR."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": 1280, "height": 900},
            **context_options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page

    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for index, context in enumerate(contexts):
        if failed:
            FAILURE_DIR.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            for number, page in enumerate(context.pages):
                # A screenshot is a courtesy: never let it hide the real failure.
                with contextlib.suppress(Exception):
                    page.screenshot(
                        path=FAILURE_DIR / f"{name}-{index}-{number}.png",
                        full_page=True,
                    )
        context.close()


@pytest.fixture
def page(new_page):
    """One page in a fresh browser context."""
    return new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def ensure_authenticator(user):
    """Give the user a confirmed authenticator app, as if set up before (without
    one, signing in leads to setting one up). Call before signing in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True
        )
    return device


def current_code(user) -> str:
    """The code the user's authenticator app shows now. A code works once, so if
    this step's code was used already the next step's is given (accepted for clock
    drift), or we wait for the next."""
    import time

    from django_otp.oath import totp

    device = ensure_authenticator(user)
    while True:
        device.refresh_from_db()
        now = int((time.time() - device.t0) // device.step)
        for drift in (0, 1):
            if device.last_t is None or now + drift > device.last_t:
                code = totp(
                    device.bin_key, device.step, device.t0, device.digits, drift
                )
                return f"{code:0{device.digits}d}"
        time.sleep(1)


def enter_code(page, user) -> None:
    """The second sign-in step: type the code from the user's authenticator app."""
    page.get_by_label("Code from your authenticator app").fill(current_code(user))
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def sign_in() -> Callable:
    """Sign in through the real sign-in page, then the second-factor page with a
    current code: ``sign_in(page, alice)``."""
    from playwright.sync_api import expect

    def do_sign_in(page, user, password: str = PASSWORD) -> None:
        ensure_authenticator(user)
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        enter_code(page, user)
        expect(
            page.get_by_role("heading", level=1, name=f"Hello {user.first_name}")
        ).to_be_visible()

    return do_sign_in


@pytest.fixture
def sign_out() -> Callable:
    """Sign out with the header's button: ``sign_out(page)``."""
    from playwright.sync_api import expect

    def do_sign_out(page) -> None:
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()

    return do_sign_out
