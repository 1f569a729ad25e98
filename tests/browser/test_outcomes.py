"""Outcome measures and the MASE snapshot in a real browser: the lead professional
records a baseline with the keyboard, the tab shows it; axe checks each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import check_accessibility


@pytest.fixture
def page(new_page):
    return new_page(bypass_csp=True)


@pytest.mark.browser
def test_recording_a_baseline_and_reading_the_outcomes_tab(page, sign_in, alice, child):
    sign_in(page, alice)
    page.goto(child.get_absolute_url())
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_text("No outcome measures are recorded.")).to_be_visible()
    check_accessibility(page, "an empty Outcomes tab")
    page.get_by_role("link", name="Record outcome measures").click()
    page.get_by_label("Increased awareness of risk/exploitative behaviour").fill("9")
    page.get_by_role("button", name="Save the measures").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page, "the outcome measures form with errors")
    page.get_by_label("Increased awareness of risk/exploitative behaviour").fill("2")
    page.get_by_label("Increased awareness of risk/exploitative behaviour").press(
        "Enter"
    )
    expect(page.get_by_text("Outcome measures recorded")).to_be_visible()
    expect(page.get_by_text("Only the baseline is recorded so far")).to_be_visible()
    check_accessibility(page, "the Outcomes tab with a baseline")


@pytest.mark.browser
def test_the_report_pages(page, sign_in, carol):
    sign_in(page, carol)
    page.goto("/reports/dataset/")
    page.get_by_role("link", name="MASE snapshot", exact=True).click()
    expect(page.get_by_role("heading", name="MASE data snapshot")).to_be_visible()
    check_accessibility(page, "the MASE data snapshot")
    page.goto("/reports/dataset/")
    page.get_by_role("link", name="Outcome measures", exact=True).click()
    expect(
        page.get_by_role("heading", name="Outcome measures: distance travelled")
    ).to_be_visible()
    check_accessibility(page, "the outcome measures report")
