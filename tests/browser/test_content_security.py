"""The strict Content-Security-Policy breaks nothing: the GOV.UK and MOJ scripts run
and the browser reports no blocked inline script or style on the main pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_pages_run_their_scripts_under_the_policy(
    page: Page, sign_in, live_server, alice, child
):
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    sign_in(page, alice)
    for path in (
        "/",
        "/children/",
        f"/children/{child.pk}/",
        "/search/",
        "/referrals/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert "govuk-frontend-supported" in (
            page.locator("body").get_attribute("class") or ""
        )
    assert blocked == []
