"""Break-glass in a real browser: erin (agency C) is given a child's reference by
telephone, opens the record through break-glass with a reason (one form, the same
answer for any reference until the reason is given), reads it but cannot change it,
and ends the access when done; opening it again needs a new reason; carol (agency
A's CSE coordinator) is told, and reviews the access."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import make_child


@pytest.mark.browser
def test_a_practitioner_breaks_glass_and_the_coordinator_reviews_it(
    new_page, sign_in, alice, carol, erin
):
    child = make_child(alice, forename="Testchild", surname="Glassworth")

    page = new_page()
    sign_in(page, erin)
    page.goto("/break-glass/")
    expect(page.locator("main")).to_contain_text("at most 3 break-glass accesses a day")
    # Without a reason the page answers the same for any reference: nothing is
    # looked up yet.
    page.get_by_label("Record reference").fill("C-999999")
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you need to see this record now"
    )
    expect(page.locator("main")).not_to_contain_text("no record")
    # With a reason, a reference no record has gets the neutral answer.
    page.get_by_label("Immediate risk to a child").check()
    page.get_by_label("Why you need to see this record now").fill(
        "Out-of-hours team rang about a child seen with an older male"
    )
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No access was opened")
    assert "999999" not in page.url
    page.get_by_label("Record reference").fill(child.reference)
    page.get_by_label("Immediate risk to a child").check()
    page.get_by_label("Why you need to see this record now").fill(
        "Out-of-hours team rang about a child seen with an older male"
    )
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Open the record").click()
    assert child.reference not in page.url
    expect(page.locator("main")).to_contain_text("Glassworth")
    expect(page.locator("main")).to_contain_text("Break-glass access")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    # Done with it: she ends the access from the record's banner; it is closed
    # to her at once.
    record = page.url
    expect(page.get_by_role("region", name="Break-glass access")).to_contain_text(
        "read-only until"
    )
    page.get_by_role("button", name="End access now").click()
    expect(page.locator("main")).to_contain_text("ended")
    expect(page.locator("main")).not_to_contain_text("Your break-glass access in force")
    assert page.goto(record).status == 404
    # Opening it again is a new request: the same reason is not accepted.
    page.goto("/break-glass/")
    expect(page.locator("main")).to_contain_text("you have had 1 today")
    page.get_by_label("Record reference").fill(child.reference)
    page.get_by_label("Immediate risk to a child").check()
    page.get_by_label("Why you need to see this record now").fill(
        "Out-of-hours team rang about a child seen with an older male"
    )
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "A new access is a new request"
    )

    reviewer = new_page()
    sign_in(reviewer, carol)
    expect(
        reviewer.get_by_role("heading", name="Break-glass access to review")
    ).to_be_visible()
    reviewer.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Break-glass reviews"
    ).click()
    reviewer.get_by_role("link", name="BG-").first.click()
    expect(reviewer.locator("main")).to_contain_text("Out-of-hours team rang")
    reviewer.get_by_label("Appropriate", exact=True).check()
    reviewer.get_by_label("Comment").fill("Agreed: urgent and proportionate")
    reviewer.get_by_role("button", name="Record review").click()
    expect(reviewer.locator("main")).to_contain_text("Nothing is awaiting review")
    expect(
        reviewer.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Break-glass reviews"
        )
    ).to_have_count(0)
