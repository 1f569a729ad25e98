"""A practitioner records a missing episode, the return, and completes the
return-home interview, through the real pages in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from missing.models import ReturnInterview

pytestmark = pytest.mark.browser


def fill_datetime(page, name: str, day: str, month: str, year: str, time: str) -> None:
    for index, value in enumerate((day, month, year, time)):
        page.locator(f"#id_{name}_{index}").fill(value)


def test_practitioner_records_an_episode_and_completes_its_interview(
    page, live_server, sign_in, alice, child
):
    sign_in(page, alice)
    page.goto(f"{live_server.url}/missing/children/{child.pk}/")
    page.get_by_role("link", name="Record an episode").click()
    page.get_by_label("Missing:", exact=False).first.check()
    page.get_by_label("Care placement").check()
    fill_datetime(page, "reported_at", "1", "6", "2020", "20:00")
    fill_datetime(page, "last_seen_at", "1", "6", "2020", "18:00")
    fill_datetime(page, "returned_at", "2", "6", "2020", "10:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Episode recorded")).to_be_visible()
    expect(page.get_by_text("Due by Friday 5 June 2020 at 10:00")).to_be_visible()

    page.get_by_role("link", name="Record the interview").click()
    fill_datetime(page, "offered_at", "2", "6", "2020", "12:00")
    page.get_by_label("Offered by").fill("Test Independent Service")
    page.get_by_label("Accepted").check()
    fill_datetime(page, "completed_at", "3", "6", "2020", "11:00")
    page.get_by_label("Why the child went missing").fill("Argument at the placement")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Completed within 72 hours")).to_be_visible()
    assert ReturnInterview.objects.get().status == "completed_in_time"
