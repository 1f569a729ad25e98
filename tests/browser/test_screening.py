"""A social worker completes the regional screening tool in the browser, meets the
error summary for a missing rationale, submits; the CSE coordinator sees it in the
queue and acknowledges it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from screening import tooldefs
from screening.models import Screening, ToolDefinition
from tests.factories import make_child


@pytest.fixture
def loaded_tools(transactional_db):
    # The live server's tests flush tables, the migration's rows with them.
    for name in ("regional-v1.json", "sandwell-v1.json", "nwg-v1.json"):
        tooldefs.load(ToolDefinition, tooldefs.read(name))


@pytest.mark.browser
def test_social_worker_screens_a_child_and_the_coordinator_acknowledges(
    new_page, sign_in, loaded_tools, alice, carol
):
    child = make_child(alice, forename="Testchild", surname="Screenwell")
    page = new_page()
    sign_in(page, alice)
    page.goto(child.get_absolute_url())
    page.get_by_role("navigation", name="Record sections").get_by_role(
        "link", name="Screenings"
    ).click()
    page.get_by_role("link", name="Start a screening or risk assessment").click()
    page.get_by_label("Regional sexual exploitation screening tool").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Regional sexual exploitation screening tool"
    )
    expect(page.locator("#id_child__name")).to_have_value("Testchild Screenwell")
    page.get_by_label("Reason for completing screening tool").fill(
        "Concerns raised by school"
    )
    page.get_by_role(
        "group", name="Repeat periods of absence/missing (day and/or night)"
    ).get_by_label("Current or during the past 6 months").check()
    page.get_by_label("Drugs Misuse").check()
    page.get_by_label("Risk of forced marriage").check()
    page.get_by_label("Category 2 – significant risk of harm").check()
    page.get_by_role("button", name="Submit").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(
        "Enter the rationale for your professional judgement"
    )
    summary.get_by_role("link", name="Enter the rationale").click()
    expect(page.get_by_label("Rationale")).to_be_focused()
    expect(page.locator("#significant-notice")).to_contain_text(
        "Action is required under LSCB procedures"
    )
    page.get_by_label("Rationale").fill("Seen getting into cars with unknown adults")
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_text("submitted", exact=False).first).to_be_visible()
    expect(page.get_by_role("table", name="Associated actions")).to_contain_text(
        "Specialist CSE risk assessment"
    )
    screening = Screening.objects.get()
    assert screening.status == Screening.Status.SUBMITTED

    coordinator = new_page()
    sign_in(coordinator, carol)
    expect(coordinator.get_by_text(screening.reference).first).to_be_visible()
    coordinator.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Screenings"
    ).click()
    coordinator.get_by_role("button", name=f"Acknowledge {screening.reference}").click()
    expect(
        coordinator.get_by_text("There are no new screenings to acknowledge.")
    ).to_be_visible()
