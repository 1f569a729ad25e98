"""The screenings page: the coordinator's queue, drafts, open actions; the home panel;
starting fresh with possible matches."""

from __future__ import annotations

from django.urls import reverse

from tests.screening.conftest import submit


def test_the_coordinator_sees_and_acknowledges_new_screenings(client, carol, submitted):
    client.force_login(carol)
    page = client.get(reverse("screening:index")).content.decode()
    assert submitted.reference in page
    home = client.get(reverse("cse:home")).content.decode()
    assert "New screenings to acknowledge" in home and submitted.reference in home
    client.post(
        reverse("screening:acknowledge", args=[submitted.pk]), {"next": "queue"}
    )
    page = client.get(reverse("screening:index")).content.decode()
    assert "There are no new screenings to acknowledge." in page


def test_the_queue_page_makes_the_same_queries_for_one_or_many(
    client, alice, carol, child, regional
):
    submit(alice, child, regional, category=1)
    client.force_login(carol)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("screening:index"))
    for _ in range(3):
        submit(alice, child, regional, category=1)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("screening:index"))
    assert len(many) == len(one)


def test_a_practitioner_sees_their_agencys_drafts(client, alice, draft):
    client.force_login(alice)
    page = client.get(reverse("screening:index")).content.decode()
    assert draft.reference in page
    assert "New screenings to acknowledge" not in page


def test_starting_fresh_shows_possible_matches(client, alice, child):
    client.force_login(alice)
    response = client.post(
        reverse("screening:start_fresh"),
        {
            "forename": "Testchild",
            "surname": "Sampleton",
            "date_of_birth_0": "1",
            "date_of_birth_1": "1",
            "date_of_birth_2": "2011",
        },
    )
    page = response.content.decode()
    assert reverse("screening:start", args=[child.pk]) in page
    assert reverse("cse:child_create") in page


def test_starting_fresh_never_reveals_another_agencys_child(client, erin, child):
    client.force_login(erin)
    response = client.post(
        reverse("screening:start_fresh"),
        {
            "forename": "Testchild",
            "surname": "Sampleton",
            "date_of_birth_0": "1",
            "date_of_birth_1": "1",
            "date_of_birth_2": "2011",
        },
    )
    page = response.content.decode()
    assert child.reference not in page
    assert "No record you can see matches." in page
