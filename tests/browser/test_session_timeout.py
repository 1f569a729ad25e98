"""A signed-out user keeps their work: the timeout warning comes before the idle
limit and "Stay signed in" extends the session; a screening saved after the session
ended comes back, with what was typed, after signing in again with both factors;
a download with a stale identity check ends with the file."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cse import stepup
from cse.models import KeptWork
from screening import services, tooldefs
from screening.models import Screening, ToolDefinition
from tests.browser.conftest import PASSWORD, enter_code
from tests.browser.test_accessibility import check_accessibility
from tests.factories import make_child
from tests.screening.conftest import full_answers

RATIONALE = "Seen getting into cars with unknown adults near Testplace"


@pytest.fixture(autouse=True)
def _urls_loaded():
    """Import every view before the first page is asked for: on a busy machine the
    live server's first request can otherwise outlast the browser's timeout (the
    server runs in this process, so it shares what is imported here)."""
    from django.urls import get_resolver

    assert get_resolver().url_patterns


@pytest.fixture
def regional(transactional_db):
    # The live server's tests flush tables, the migration's rows with them.
    for name in ("regional-v1.json", "sandwell-v1.json", "nwg-v1.json"):
        tooldefs.load(ToolDefinition, tooldefs.read(name))
    return ToolDefinition.objects.get(key="regional", is_active=True)


@pytest.fixture
def short_idle_limit(settings):
    """A 40-second idle limit, warned of 30 seconds before: the warning opens about
    10 seconds after the last page."""
    settings.SESSION_COOKIE_AGE = 40
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 30
    return settings


def _session_key(page) -> str:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return cookies[django_settings.SESSION_COOKIE_NAME]


def _seconds_left(page) -> int:
    status = page.request.get("/session/").json()
    assert status["signed_in"] is True
    return status["seconds_left"]


@pytest.mark.browser
def test_the_warning_comes_before_the_idle_limit_and_stay_signed_in_extends_it(
    new_page, sign_in, alice, short_idle_limit
):
    page = new_page(bypass_csp=True)  # for axe, an injected script
    sign_in(page, alice)
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=20_000)
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("For your security, we will sign you out in")
    expect(dialog.get_by_role("button", name="Sign out")).to_be_visible()
    spoken = dialog.locator("[data-countdown-spoken]")
    expect(spoken).to_have_attribute("aria-live", "polite")
    expect(spoken).to_have_text(
        re.compile(r"^For your security, we will sign you out in \d+ seconds\.$")
    )
    # The page behind is inert while the dialog is open.
    page.keyboard.press("Tab")
    focused_in_dialog = page.evaluate(
        "document.querySelector('dialog').contains(document.activeElement)"
    )
    assert focused_in_dialog
    check_accessibility(page, "the timeout warning")
    left_before = _seconds_left(page)
    assert left_before <= 31

    dialog.get_by_role("button", name="Stay signed in").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert _seconds_left(page) >= 38

    # Escape does the same.
    expect(dialog).to_be_visible(timeout=20_000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _seconds_left(page) >= 38
    expect(page.get_by_role("heading", level=1, name="Hello Alice")).to_be_visible()


@pytest.mark.browser
def test_staying_signed_in_in_one_tab_closes_the_warning_in_the_other(
    page, sign_in, alice, short_idle_limit
):
    sign_in(page, alice)
    other = page.context.new_page()
    other.goto("/")
    first = page.get_by_role("dialog", name="You are about to be signed out")
    second = other.get_by_role("dialog", name="You are about to be signed out")
    expect(second).to_be_visible(timeout=20_000)
    expect(first).to_be_visible(timeout=5_000)
    other.get_by_role("button", name="Stay signed in").click()
    expect(second).to_be_hidden()
    # The other tab asks the server, which says the session was extended.
    expect(first).to_be_hidden(timeout=5_000)
    assert _seconds_left(page) >= 35


@pytest.mark.browser
def test_when_the_time_runs_out_the_page_is_replaced_by_the_sign_in_page(
    page, sign_in, alice, settings
):
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 8
    sign_in(page, alice)
    expect(page.get_by_role("dialog")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible(
        timeout=20_000
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you had not done anything"
    )
    assert "Hello Alice" not in page.content()


@pytest.mark.browser
def test_a_screening_saved_after_the_session_ended_comes_back_after_signing_in(
    page, sign_in, alice, regional
):
    child = make_child(alice, forename="Testchild", surname="Keptwell")
    draft = services.start_screening(by=alice, child=child, definition=regional)
    forced_marriage = next(
        item["key"]
        for section in regional.sections
        if section["key"] == "vulnerability"
        for item in section["items"]
        if item["label"] == "Risk of forced marriage"
    )
    sign_in(page, alice)
    edit = f"/screening/{draft.pk}/edit/"
    page.goto(edit)
    page.get_by_role(
        "group", name="Repeat periods of absence/missing (day and/or night)"
    ).get_by_label("Current or during the past 6 months").check()

    page.get_by_label("Drugs Misuse").check()  # another section: saved
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d$"))
    page.get_by_label("Risk of forced marriage").check()
    page.get_by_label("Category 2 – significant risk of harm").check()  # saved
    page.get_by_label("Rationale").fill(RATIONALE)  # the same section: not yet
    page.wait_for_load_state("networkidle")
    draft.refresh_from_db()
    assert forced_marriage in draft.answers["vulnerability"]
    assert draft.rationale == ""

    # Half an hour on the phone: the session ends.
    Session.objects.filter(session_key=_session_key(page)).update(
        expire_date=timezone.now()
    )
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "What you entered has been kept for 30 minutes"
    )
    kept = KeptWork.objects.get()
    assert kept.user == alice and RATIONALE not in kept.token
    draft.refresh_from_db()
    assert draft.rationale == ""

    page.get_by_label("Username").fill(alice.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert KeptWork.objects.filter(user=alice).count() == 1  # one factor only so far
    enter_code(page, alice)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Regional sexual exploitation screening tool"
    )
    assert page.url.endswith(edit)
    expect(
        page.get_by_text("This is what you entered before you were signed out")
    ).to_be_visible()
    expect(page.get_by_label("Rationale")).to_have_value(RATIONALE)
    expect(page.get_by_label("Category 2 – significant risk of harm")).to_be_checked()
    expect(page.get_by_label("Risk of forced marriage")).to_be_checked()
    expect(page.get_by_label("Drugs Misuse")).to_be_checked()
    expect(
        page.get_by_role(
            "group", name="Repeat periods of absence/missing (day and/or night)"
        ).get_by_label("Current or during the past 6 months")
    ).to_be_checked()
    assert not KeptWork.objects.exists()
    draft.refresh_from_db()
    assert draft.rationale == ""  # shown to be checked, not saved behind their back

    page.get_by_role("button", name="Save as draft").click()
    expect(
        page.get_by_text("Draft saved. You can come back to it later.")
    ).to_be_visible()
    draft.refresh_from_db()
    assert draft.rationale == RATIONALE
    assert draft.category == 2
    assert forced_marriage in draft.answers["vulnerability"]


@pytest.mark.browser
def test_a_download_with_a_stale_identity_check_ends_with_the_file(
    page, sign_in, alice, regional
):
    child = make_child(alice, forename="Testchild", surname="Printwell")
    screening = services.start_screening(by=alice, child=child, definition=regional)
    screening = services.submit_screening(
        by=alice,
        screening=screening,
        answers=full_answers(screening),
        category=2,
        rationale="Seen with older males",
    )
    sign_in(page, alice)
    # The last identity check was longer ago than STEP_UP_MINUTES.
    store = SessionStore(session_key=_session_key(page))
    store[stepup.CHECKED_AT] = time.time() - django_settings.STEP_UP_MINUTES * 60 - 60
    store.save()

    page.goto(f"/screening/{screening.pk}/")
    page.get_by_role("link", name="Download as PDF").click()
    expect(
        page.get_by_role("heading", level=1, name="Confirm it is you")
    ).to_be_visible()
    page.get_by_label("Your password, or a code from your authenticator app").fill(
        PASSWORD
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Continue").click()
    download = info.value
    assert download.suggested_filename == f"screening-{screening.reference}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert screening.reference in text
    expect(
        page.get_by_role("heading", level=1, name="Your file is downloading")
    ).to_be_visible()
    page.get_by_role("link", name="Go back to the page you were on").click()
    expect(page.get_by_role("link", name="Download as PDF")).to_be_visible()
    assert Screening.objects.get().pk == screening.pk
