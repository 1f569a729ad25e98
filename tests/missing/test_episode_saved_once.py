"""A missing episode is recorded once however often its form is sent: one episode,
one return-home interview (so one overdue alert later), one chronology entry each."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from missing import services
from missing.models import MissingEpisode, ReturnInterview
from tests.form_tokens import (
    Pause,
    changed,
    post_at_once,
    row_counts,
    said_already_saved,
    same_browser,
    token_on,
    wait_for_lock_waiter,
)
from tests.missing.test_episodes import _post


def test_the_same_episode_form_sent_twice_records_one_episode_and_one_interview(
    client_for, alice, child
):
    client = client_for(alice)
    url = reverse("missing:episode_create", args=[child.pk])
    data = {**_post(), "submission_token": token_on(client.get(url))}
    first = client.post(url, data)
    assert first.status_code == 302
    episode = MissingEpisode.objects.get()
    assert first["Location"] == reverse("missing:episode_detail", args=[episode.pk])
    before = row_counts()
    second = client.post(url, data)
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert said_already_saved(second)
    assert changed(before, row_counts()) == {}
    assert MissingEpisode.objects.count() == 1
    assert ReturnInterview.objects.count() == 1


def test_a_form_with_errors_keeps_its_token_for_the_corrected_form(
    client_for, alice, child
):
    client = client_for(alice)
    url = reverse("missing:episode_create", args=[child.pk])
    token = token_on(client.get(url))
    wrong = client.post(url, {**_post(), "category": "", "submission_token": token})
    assert wrong.status_code == 200
    assert "govuk-error-summary" in wrong.content.decode()
    right = client.post(url, {**_post(), "submission_token": token})
    assert right.status_code == 302
    assert not said_already_saved(right)
    assert MissingEpisode.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_episode_sent_twice_at_once_records_one_and_neither_fails(
    alice, child, monkeypatch
):
    """Two requests from the same browser at the same moment (PostgreSQL, two
    connections): the second arrives while the first is still inside its
    transaction, waits on the token's row, then is sent to the first's episode."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections writing at once")
    client = Client()
    client.force_login(alice)
    url = reverse("missing:episode_create", args=[child.pk])
    data = {**_post(), "submission_token": token_on(client.get(url))}
    pause = Pause(services.record_episode)
    monkeypatch.setattr(services, "record_episode", pause)
    threads, responses = post_at_once([client, same_browser(client)], url, data)
    assert pause.entered.wait(20)
    waited = wait_for_lock_waiter()
    pause.release()
    for thread in threads:
        thread.join(timeout=30)
    assert waited, "the second request did not wait for the first"
    assert pause.calls == 1
    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    episode = MissingEpisode.objects.get()
    assert {r["Location"] for r in responses} == {
        reverse("missing:episode_detail", args=[episode.pk])
    }
    assert ReturnInterview.objects.filter(episode=episode).count() == 1
    assert sum(said_already_saved(r) for r in responses) == 1
