from django.test import Client
from django.urls import reverse

from cse.models import Link, SharingDecision, SubjectAccess
from missing import services
from missing.models import ReturnInterview
from tests.factories import make_location
from tests.missing.helpers import at, episode
from tests.page_forms import read_version


def _data(**extra):
    data = {
        "offered_at_0": "2",
        "offered_at_1": "1",
        "offered_at_2": "2020",
        "offered_at_3": "12:00",
        "offered_by": "Test Independent Service",
        "outcome": "accepted",
        "completed_at_0": "3",
        "completed_at_1": "1",
        "completed_at_2": "2020",
        "completed_at_3": "12:00",
        "why_missing": "Argument at home",
    }
    data.update(extra)
    return data


def test_a_practitioner_completes_the_interview_within_72_hours(
    client_for, alice, child
):
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    client = client_for(alice)
    url = reverse("missing:interview_edit", args=[ep.pk])
    response = client.post(url, {**_data(), **read_version(client, url)})
    assert response.status_code == 302
    interview = ReturnInterview.objects.get()
    assert interview.status == "completed_in_time"


def test_a_decline_needs_a_reason(client_for, alice, child):
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    data = _data(
        outcome="declined",
        completed_at_0="",
        completed_at_1="",
        completed_at_2="",
        completed_at_3="",
    )
    client = client_for(alice)
    url = reverse("missing:interview_edit", args=[ep.pk])
    response = client.post(url, {**data, **read_version(client, url)})
    assert response.status_code == 200
    assert b"Enter why the child declined" in response.content


def test_the_interview_page_is_403_for_read_only_and_404_for_outsiders(
    client_for, alice, bob, erin, child
):
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    url = reverse("missing:interview_edit", args=[ep.pk])
    assert client_for(bob).post(url, _data()).status_code == 403
    assert client_for(erin).post(url, _data()).status_code == 404


def test_sharing_the_interview_with_police_is_a_recorded_share(
    client_for, alice, dave, agency_b, child
):
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    response = client_for(alice).post(
        reverse("missing:interview_share", args=[ep.pk]),
        {
            "agency": agency_b.pk,
            "purpose": "Intelligence on an adult",
            "consent": "given",
        },
    )
    assert response.status_code == 302
    assert SharingDecision.objects.filter(agency=agency_b, subject=child).exists()
    assert SubjectAccess.objects.filter(agency=agency_b, subject=child).exists()


def test_a_place_named_in_the_interview_is_linked_to_the_child(
    client_for, alice, child
):
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    place = make_location(alice)
    response = client_for(alice).post(
        reverse("missing:interview_link", args=[ep.pk]), {"reference": place.reference}
    )
    assert response.status_code == 302
    link = Link.objects.get()
    assert (
        link.source == Link.Source.RETURN_INTERVIEW and link.to_subject_id == place.pk
    )


def test_recording_the_interview_keeps_a_deadline_moved_meanwhile(alice, child):
    """Correcting the return time moves the interview's deadline; an interview form
    saved from before that writes only its own fields, so the deadline stays."""
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    stale = ReturnInterview.objects.get(episode=ep)
    ReturnInterview.objects.filter(pk=stale.pk).update(due_at=at(2020, 1, 6, 10))
    services.record_interview(
        by=alice, interview=stale, fields={"where_went": "A friend's house"}
    )
    interview = ReturnInterview.objects.get(pk=stale.pk)
    assert interview.where_went == "A friend's house"
    assert interview.due_at == at(2020, 1, 6, 10)


def test_a_stale_interview_form_shows_who_saved_it(client_for, alice, carol, child):
    ep = episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
    url = reverse("missing:interview_edit", args=[ep.pk])
    mine = client_for(alice)
    opened = read_version(mine, url)
    theirs = Client()
    theirs.force_login(carol)
    saved = theirs.post(
        url, {**_data(where_went="The town centre"), **read_version(theirs, url)}
    )
    assert saved.status_code == 302
    response = mine.post(url, {**_data(why_missing="Went to see friends"), **opened})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Carol" in page and "The town centre" in page
    interview = ReturnInterview.objects.get(episode=ep)
    assert (interview.where_went, interview.why_missing) == (
        "The town centre",
        "Argument at home",
    )
