import datetime

from django.urls import reverse

from cse import services as core
from cse.models import ChronologyEntry
from missing.models import MissingEpisode, ReturnInterview
from tests.missing.helpers import at, episode
from tests.page_forms import read_version


def _post(returned=True):
    data = {
        "category": "missing",
        "missing_from": "care",
        "police_reference": "TEST/0001",
        "reported_at_0": "1",
        "reported_at_1": "6",
        "reported_at_2": "2020",
        "reported_at_3": "20:00",
        "last_seen_at_0": "1",
        "last_seen_at_1": "6",
        "last_seen_at_2": "2020",
        "last_seen_at_3": "18:00",
        "risk_level": "medium",
        "found_location": "Test Park",
    }
    if returned:
        data.update(
            {
                "returned_at_0": "2",
                "returned_at_1": "6",
                "returned_at_2": "2020",
                "returned_at_3": "10:00",
            }
        )
    return data


def test_a_practitioner_records_an_episode_and_its_interview_is_due_72_hours_after_return(
    client_for, alice, child
):
    response = client_for(alice).post(
        reverse("missing:episode_create", args=[child.pk]), _post()
    )
    assert response.status_code == 302
    ep = MissingEpisode.objects.get()
    assert ep.started_at == at(2020, 6, 1, 17)  # 18:00 BST
    assert ep.interview.due_at == at(2020, 6, 5, 9)
    assert ChronologyEntry.objects.filter(subject=child, kind="missing").count() == 2


def test_a_read_only_colleague_gets_403(client_for, bob, child):
    url = reverse("missing:episode_create", args=[child.pk])
    assert client_for(bob).post(url, _post()).status_code == 403
    assert not MissingEpisode.objects.exists()


def test_an_outsider_gets_404(client_for, erin, alice, child):
    ep = episode(child, alice, at(2020, 1, 1, 10))
    client = client_for(erin)
    assert (
        client.get(reverse("missing:episode_create", args=[child.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("missing:episode_detail", args=[ep.pk])).status_code == 404
    )


def test_an_ongoing_episode_has_no_interview_until_the_return_is_recorded(
    client_for, alice, child
):
    client = client_for(alice)
    client.post(
        reverse("missing:episode_create", args=[child.pk]), _post(returned=False)
    )
    ep = MissingEpisode.objects.get()
    assert not ReturnInterview.objects.exists()
    url = reverse("missing:episode_edit", args=[ep.pk])
    response = client.post(url, {**_post(), **read_version(client, url)})
    assert response.status_code == 302, response.context["form"].errors
    assert ReturnInterview.objects.get().due_at == at(2020, 6, 5, 9)


def test_an_absence_of_a_child_at_cse_risk_is_flagged_for_review_as_missing(
    alice, carol, child
):
    core.record_category(
        by=alice,
        child=child,
        category=2,
        assessed_on=datetime.date(2020, 1, 1),
        source="professional",
        rationale="Test rationale",
    )
    ep = episode(child, alice, at(2020, 2, 1, 10), category="absent")
    assert ep.review_as_missing
    assert carol.notifications.filter(message__contains="review as a missing").exists()
    assert "C-" in carol.notifications.first().message
    assert "Testchild" not in carol.notifications.first().message


def test_the_detail_and_tab_pages_show_the_episode(
    client_for, alice, child, django_assert_max_num_queries
):
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    client = client_for(alice)
    response = client.get(reverse("missing:episode_detail", args=[ep.pk]))
    assert response.status_code == 200
    assert b"Return-home interview" in response.content
    for n in range(5):
        episode(child, alice, at(2020, 2, 1 + n, 10), returned=at(2020, 2, 1 + n, 12))
    with django_assert_max_num_queries(20):
        tab = client.get(reverse("missing:child_missing", args=[child.pk]))
    assert tab.status_code == 200
    assert tab.content.count(b"govuk-table__row") == 7
