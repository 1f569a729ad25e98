"""The read-only screening page, its queries, and the Screenings tab."""

from __future__ import annotations

from django.urls import reverse

from cse.models import AuditEvent
from screening import services
from tests.screening.conftest import submit


def test_the_page_shows_answers_category_and_actions(client, alice, submitted):
    client.force_login(alice)
    page = client.get(reverse("screening:detail", args=[submitted.pk])).content.decode()
    assert "Category 2 – significant risk of harm" in page
    assert "Repeat periods of absence/missing (day and/or night)" in page
    assert "Action is required under LSCB procedures" in page
    assert "Specialist CSE risk assessment" in page
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_id=str(submitted.pk)
    ).exists()


def test_the_page_makes_the_same_number_of_queries_for_more_answers_and_actions(
    client, alice, child, tools, django_assert_num_queries
):
    small = submit(alice, child, tools["regional"], category=0)
    large = submit(alice, child, tools["nwg"], category=3)
    client.force_login(alice)
    client.get(reverse("screening:detail", args=[small.pk]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("screening:detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("screening:detail", args=[large.pk]))
    assert len(second) == len(first)


def test_the_tab_lists_the_childs_screenings(client, alice, child, submitted):
    client.force_login(alice)
    page = client.get(
        reverse("screening:child_screenings", args=[child.pk])
    ).content.decode()
    assert submitted.reference in page
    assert 'aria-current="page">Screenings' in page


def test_a_correction_links_both_versions(client, alice, submitted):
    correction = services.correct_screening(by=alice, screening=submitted)
    client.force_login(alice)
    page = client.get(reverse("screening:detail", args=[submitted.pk])).content.decode()
    assert correction.reference in page


def test_the_summary_provider_gives_the_latest_screening(alice, child, submitted):
    from cse import summaries

    titles = {s.title: s for s in summaries.for_subject(alice, child)}
    assert (
        "Category 2 – significant risk of harm" in titles["Latest screening"].lines[0]
    )
