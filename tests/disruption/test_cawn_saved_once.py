"""A CAWN is prepared once however often its form is sent, one after the other or
at the same moment."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from disruption import services
from disruption.models import Cawn
from tests.disruption.test_cawn_views import start_data
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


def test_the_same_notice_form_sent_twice_prepares_one_notice(
    client, officer, poi, young_child
):
    client.force_login(officer)
    url = reverse("disruption:cawn_create", args=[poi.pk])
    data = {**start_data(young_child), "submission_token": token_on(client.get(url))}
    first = client.post(url, data)
    cawn = Cawn.objects.get()
    assert first["Location"] == cawn.get_absolute_url()
    before = row_counts()
    second = client.post(url, data)
    assert second.status_code == 302
    assert second["Location"] == cawn.get_absolute_url()
    assert said_already_saved(second)
    assert changed(before, row_counts()) == {}


def test_two_notice_forms_opened_apart_are_two_notices(
    client, officer, poi, young_child
):
    """The token tells one form from another, not one notice from another: an
    officer who opens the form again and sends it means a second notice."""
    client.force_login(officer)
    url = reverse("disruption:cawn_create", args=[poi.pk])
    for _ in range(2):
        token = token_on(client.get(url))
        response = client.post(
            url, {**start_data(young_child), "submission_token": token}
        )
        assert response.status_code == 302
        assert not said_already_saved(response)
    assert Cawn.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_notice_sent_twice_at_once_prepares_one_and_neither_fails(
    officer, poi, young_child, monkeypatch
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections writing at once")
    client = Client()
    client.force_login(officer)
    url = reverse("disruption:cawn_create", args=[poi.pk])
    data = {**start_data(young_child), "submission_token": token_on(client.get(url))}
    pause = Pause(services.issue_cawn)
    monkeypatch.setattr(services, "issue_cawn", pause)
    threads, responses = post_at_once([client, same_browser(client)], url, data)
    assert pause.entered.wait(20)
    waited = wait_for_lock_waiter()
    pause.release()
    for thread in threads:
        thread.join(timeout=30)
    assert waited, "the second request did not wait for the first"
    assert pause.calls == 1
    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    cawn = Cawn.objects.get()
    assert {r["Location"] for r in responses} == {cawn.get_absolute_url()}
    assert sum(said_already_saved(r) for r in responses) == 1
