"""A form sent again by a real browser: the first answer never reached the page (a
dropped connection), and reloading the error page sends the same POST again. One
episode is recorded, and the browser ends on it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from missing.models import MissingEpisode, ReturnInterview
from tests.browser.test_missing import fill_datetime

pytestmark = pytest.mark.browser


def test_pressing_save_again_after_a_lost_answer_records_one_episode(
    page, live_server, sign_in, alice, child
):
    sign_in(page, alice)
    url = f"{live_server.url}/missing/children/{child.pk}/new/"
    page.goto(url)
    page.get_by_label("Missing:", exact=False).first.check()
    page.get_by_label("Care placement").check()
    fill_datetime(page, "reported_at", "1", "6", "2020", "20:00")
    fill_datetime(page, "last_seen_at", "1", "6", "2020", "18:00")
    fill_datetime(page, "returned_at", "2", "6", "2020", "10:00")
    answered = []

    def lose_the_first_answer(route):
        if route.request.method != "POST" or answered:
            route.continue_()
            return
        # The server gets the POST and answers it in full; the page never sees it.
        answered.append(route.fetch(max_redirects=0).status)
        route.abort()

    page.route(url, lose_the_first_answer)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("ERR_FAILED")).to_be_visible()
    assert answered == [302]
    assert MissingEpisode.objects.count() == 1
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.reload()  # the browser sends the same POST again, token and all
    expect(page).to_have_url(re.compile(r"/missing/episodes/\d+/$"))
    expect(page.get_by_text("This was already saved")).to_be_visible()
    episode = MissingEpisode.objects.get()
    assert page.url.endswith(f"/missing/episodes/{episode.pk}/")
    assert ReturnInterview.objects.filter(episode=episode).count() == 1
    assert posts == [url]
