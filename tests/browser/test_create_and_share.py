"""The practitioner's main journey, through the real pages, in a real browser.

alice (agency A) records a child, links a person of interest and a location,
shares the child with dave's agency B; dave sees the child but not the unshared
person or location; erin (agency C) can neither open nor find it; carol (A's CSE
coordinator) sees who opened it. Then a keyboard-only sign-in and search.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from cse.models import Child
from tests.browser.conftest import current_code, ensure_authenticator, enter_code
from tests.factories import make_child

CHILD_FORENAME = "Testchild"
CHILD_SURNAME = "Browserton"
PERSON = ("Testperson", "Linkworth", "Tizzy")
LOCATION = "Sample Chicken Shop"


def error_summary(page: Page):
    return page.locator(".govuk-error-summary")


def record_tabs(page: Page):
    return page.get_by_role("navigation", name="Record sections")


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Menu")


def links_table(page: Page):
    return page.get_by_role("table", name="Links")


def assert_error_link_focuses(page: Page, target_id: str, field) -> None:
    """The error summary links to the field, and following the link focuses it."""
    link = error_summary(page).locator(f'a[href="#{target_id}"]')
    expect(link).to_have_count(1)
    link.click()
    expect(field).to_be_focused()


def expect_preselected(page: Page, name: str) -> None:
    """The link form offers the record just created, already chosen."""
    choice = page.get_by_role("group", name="Link to").get_by_role(
        "radio", name=re.compile(rf"^{re.escape(name)}\b")
    )
    expect(choice, f"the link form should offer {name!r}, preselected").to_be_checked()


@pytest.mark.browser
def test_practitioner_records_links_and_shares_a_child(
    new_page, sign_in, sign_out, alice, dave, erin, carol
):
    # A child with the same name and date of birth, already held by alice's agency.
    existing = make_child(
        alice,
        forename=CHILD_FORENAME,
        surname=CHILD_SURNAME,
        date_of_birth=datetime.date(2012, 1, 1),
    )
    page = new_page()

    # 1. alice signs in through the sign-in page, then with her authenticator app.
    ensure_authenticator(alice)
    page.goto("/login/")
    expect(page).to_have_title(re.compile(r"^Sign in"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    enter_code(page, alice)
    expect(page.get_by_role("heading", level=1, name="Hello Alice")).to_be_visible()
    account = page.get_by_role("navigation", name="Your account")
    expect(account).to_contain_text("Alice Example")
    expect(account).to_contain_text("Testshire Children's Services")

    # 2. She adds a child: first leaving out the surname and date of birth.
    main_nav(page).get_by_role("link", name="Children").click()
    expect(
        page.get_by_role("heading", level=1, name="Children and young people")
    ).to_be_visible()
    page.get_by_role("link", name="Add a child").click()
    expect(
        page.get_by_role("heading", level=1, name="Add a child or young person")
    ).to_be_visible()
    page.get_by_label("Forename").fill(CHILD_FORENAME)
    page.get_by_role("button", name="Save record").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(
        error_summary(page).get_by_role("heading", name="There is a problem")
    ).to_be_visible()
    assert_error_link_focuses(
        page, "id_surname", page.get_by_label(re.compile(r"^Surname\b"))
    )
    date_of_birth = page.get_by_role("group", name="Date of birth")
    assert_error_link_focuses(
        page, "id_date_of_birth_0", date_of_birth.get_by_label("Day")
    )
    expect(page.get_by_label("Forename")).to_have_value(CHILD_FORENAME)

    page.get_by_label(re.compile(r"^Surname\b")).fill(CHILD_SURNAME)
    date_of_birth.get_by_label("Day").fill("1")
    date_of_birth.get_by_label("Month").fill("1")
    date_of_birth.get_by_label("Year").fill("2012")
    page.get_by_role("button", name="Save record").click()

    # The duplicate check shows the existing record before anything is created.
    matches = page.get_by_role("region", name="Possible existing records")
    expect(matches).to_be_visible()
    expect(
        matches.get_by_role("link", name=f"{CHILD_FORENAME} {CHILD_SURNAME}")
    ).to_have_attribute("href", existing.get_absolute_url())
    assert Child.objects.filter(surname=CHILD_SURNAME).count() == 1
    page.get_by_label("None of these is the child: create a new record").check()
    page.get_by_role("button", name="Save record").click()

    expect(
        page.get_by_role("heading", level=1, name=f"{CHILD_FORENAME} {CHILD_SURNAME}")
    ).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Success")).to_contain_text(
        re.compile(r"Record C-\d+ created")
    )
    child = Child.objects.exclude(pk=existing.pk).get(surname=CHILD_SURNAME)
    child_url = child.get_absolute_url()
    assert page.url.endswith(child_url)

    # 3. A new person of interest, linked to the child.
    page.get_by_role("link", name="Add a new person of interest and link them").click()
    expect(
        page.get_by_role("heading", level=1, name="Add a person of interest")
    ).to_be_visible()
    page.get_by_label("Forename").fill(PERSON[0])
    page.get_by_label(re.compile(r"^Surname\b")).fill(PERSON[1])
    page.get_by_label("Nickname or street name").fill(PERSON[2])
    page.get_by_role("button", name="Save record").click()

    expect(page.get_by_role("heading", level=1, name="Add a link")).to_be_visible()
    expect_preselected(page, f"{PERSON[0]} {PERSON[1]}")
    page.get_by_label("Type of link").select_option(label="Seen with")
    page.get_by_label("Source of the information").select_option(
        label="Professional observation"
    )
    page.get_by_role("group", name="Confidence").get_by_label("Probable").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(
        page.get_by_role("heading", level=1, name=f"{CHILD_FORENAME} {CHILD_SURNAME}")
    ).to_be_visible()
    person_row = (
        links_table(page).get_by_role("row").filter(has_text=f"{PERSON[0]} {PERSON[1]}")
    )
    expect(person_row).to_contain_text("Seen with")
    expect(person_row).to_contain_text("Probable")

    # 4. A new location, linked the same way.
    page.get_by_role("link", name="Add a new location and link it").click()
    expect(page.get_by_role("heading", level=1, name="Add a location")).to_be_visible()
    page.get_by_label(re.compile(r"^Name\b")).fill(LOCATION)
    page.get_by_label("Fast-food outlet or takeaway").check()
    page.get_by_label("Address line 1").fill("2 Example Road")
    page.get_by_label("Postcode").fill("B2 2BB")
    page.get_by_role("button", name="Save record").click()

    expect(page.get_by_role("heading", level=1, name="Add a link")).to_be_visible()
    expect_preselected(page, LOCATION)
    page.get_by_label("Type of link").select_option(label="Frequents")
    page.get_by_label("Source of the information").select_option(
        label="Professional observation"
    )
    page.get_by_role("group", name="Confidence").get_by_label("Confirmed").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(
        page.get_by_role("heading", level=1, name=f"{CHILD_FORENAME} {CHILD_SURNAME}")
    ).to_be_visible()
    expect(
        links_table(page).get_by_role("row").filter(has_text=LOCATION)
    ).to_contain_text("Frequents")
    expect(
        links_table(page).get_by_role("row").filter(has_text=f"{PERSON[0]} {PERSON[1]}")
    ).to_have_count(1)

    # 5. She shares the child with dave's agency B.
    record_tabs(page).get_by_role("link", name="Sharing").click()
    page.get_by_role("link", name="Record a sharing decision").click()
    expect(
        page.get_by_role("heading", level=1, name="Record a sharing decision")
    ).to_be_visible()
    page.get_by_label("Agency", exact=True).select_option(
        label="Testshire Police (Testshire)"
    )
    page.get_by_label("Share this record with the agency").check()
    page.get_by_label("Purpose").fill("Joint work on the child's safety plan.")
    page.get_by_label("Consent not sought").check()
    page.get_by_label("Reason for sharing without consent, or for not seeking it").fill(
        "Seeking consent could place the child at greater risk."
    )
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("alert").filter(has_text="Success")).to_contain_text(
        "Record shared with Testshire Police"
    )
    access = page.get_by_role("table", name="Agencies with access")
    expect(access.get_by_role("row").filter(has_text="Testshire Police")).to_have_count(
        1
    )

    # 6. dave (agency B) sees the child, but not the person or location, which were not shared.
    sign_out(page)
    ensure_authenticator(dave)
    page.get_by_label("Username").fill("dave")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    enter_code(page, dave)
    expect(page.get_by_role("heading", level=1, name="Hello Dave")).to_be_visible()
    page.goto(child_url)
    expect(
        page.get_by_role("heading", level=1, name=f"{CHILD_FORENAME} {CHILD_SURNAME}")
    ).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{CHILD_FORENAME} {CHILD_SURNAME}")
    expect(main).not_to_contain_text(PERSON[1])
    expect(main).not_to_contain_text(PERSON[2])
    expect(main).not_to_contain_text(LOCATION)
    expect(main.get_by_text("No links recorded.")).to_be_visible()

    # 7. erin (agency C) can neither open nor find the child.
    sign_out(page)
    sign_in(page, erin)
    response = page.goto(child_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(CHILD_SURNAME)

    main_nav(page).get_by_role("link", name="Search").click()
    page.get_by_label("Search", exact=True).fill(CHILD_SURNAME)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="0 results")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(CHILD_SURNAME))).to_have_count(0)
    assert CHILD_SURNAME.lower() not in page.url.lower()

    # 8. carol (A's CSE coordinator) sees who has opened the record.
    sign_out(page)
    sign_in(page, carol)
    page.goto(child_url)
    record_tabs(page).get_by_role("link", name="Access log").click()
    expect(
        page.get_by_role("heading", level=2, name="Who has accessed this record")
    ).to_be_visible()
    events = page.get_by_role("table", name="Audit events")
    expect(events).to_be_visible()
    who = {
        text.split("\n")[0].strip()
        for text in events.locator("tbody tr td:nth-child(2)").all_inner_texts()
    }
    assert {"alice", "dave"} <= who, who
    assert "erin" not in who


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, locator, key: str = "Tab", max_presses: int = 40) -> None:
    """Press Tab (or Shift+Tab), and nothing else, until `locator` has focus."""
    for _ in range(max_presses):
        if is_focused(locator):
            return
        page.keyboard.press(key)
    expect(locator).to_be_focused()


@pytest.mark.browser
def test_sign_in_page_starts_with_the_skip_link(page):
    """The first Tab on the sign-in page reaches the skip link, which moves focus
    to the main content (nothing is focused for the user on page load)."""
    page.goto("/login/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()


@pytest.mark.browser
def test_keyboard_only_sign_in_and_search(page, alice, child):
    """Sign in and search with the keyboard alone. On each signed-in page the skip
    link is the first thing Tab reaches, and it takes focus to the main content."""
    keyboard = page.keyboard
    skip_link = page.get_by_role("link", name="Skip to main content")
    main = page.get_by_role("main")

    ensure_authenticator(alice)
    page.goto("/login/")
    tab_to(page, page.get_by_label("Username"))
    keyboard.type("alice")
    keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    keyboard.type("a-long-test-password")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    tab_to(page, page.get_by_label("Code from your authenticator app"))
    keyboard.type(current_code(alice))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Hello Alice")).to_be_visible()

    # Home: the skip link first; then back from the main content to Search in the menu.
    keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    keyboard.press("Enter")
    expect(main).to_be_focused()
    search_link = main_nav(page).get_by_role("link", name="Search")
    tab_to(page, search_link, key="Shift+Tab")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Search records")).to_be_visible()

    # Search: skip link, main, then the search box; Enter submits.
    keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    keyboard.press("Enter")
    expect(main).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_label("Search", exact=True)).to_be_focused()
    keyboard.type("Sampleton")
    keyboard.press("Enter")

    expect(page.get_by_role("heading", level=2, name="1 result")).to_be_visible()
    result = page.get_by_role("link", name="Testchild Sampleton")
    expect(result).to_have_attribute("href", child.get_absolute_url())
    assert "sampleton" not in page.url.lower()
    tab_to(page, result)
    keyboard.press("Enter")
    expect(
        page.get_by_role("heading", level=1, name="Testchild Sampleton")
    ).to_be_visible()
