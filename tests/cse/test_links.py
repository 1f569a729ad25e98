"""Linking records: from recently opened records or by reference, of allowed kinds only."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cse import services
from cse.models import Link, PersonOfInterest
from tests.factories import make_location, make_person, make_vehicle


def link_data(**overrides):
    data = {
        "kind": "seen_with",
        "source": "observation",
        "confidence": "probable",
        "first_seen_0": "1",
        "first_seen_1": "3",
        "first_seen_2": "2026",
    }
    data.update(overrides)
    return data


def test_a_new_person_is_created_and_linked_in_one_journey(client, alice, child):
    client.force_login(alice)
    response = client.post(
        reverse("cse:person_create") + f"?link_to={child.pk}",
        {"nickname": "Tiny", "gender": "male", "status": "active"},
    )
    person = PersonOfInterest.objects.get()
    assert (
        response["Location"]
        == reverse("cse:link_create", args=[child.pk]) + f"?to={person.pk}"
    )
    form_page = client.get(response["Location"]).content.decode()
    assert f'value="{person.pk}"' in form_page and "checked" in form_page
    response = client.post(response["Location"], link_data(to_subject=str(person.pk)))
    assert response.status_code == 302
    link = Link.objects.get()
    assert (link.from_subject_id, link.to_subject_id, link.kind) == (
        child.pk,
        person.pk,
        "seen_with",
    )
    assert link.owner_agency == alice.agency
    page = client.get(child.get_absolute_url()).content.decode()
    assert "Tiny" in page


def test_a_record_can_be_linked_by_its_reference(client, alice, child):
    vehicle = make_vehicle(alice)
    client.force_login(alice)
    response = client.post(
        reverse("cse:link_create", args=[child.pk]),
        link_data(kind="seen_in", to_reference=vehicle.reference.lower()),
    )
    assert response.status_code == 302
    assert Link.objects.get().to_subject_id == vehicle.pk


def test_a_reference_the_user_cannot_see_is_refused_like_a_missing_one(
    client, alice, erin, child
):
    hidden = make_person(erin)
    client.force_login(alice)
    response = client.post(
        reverse("cse:link_create", args=[child.pk]),
        link_data(to_reference=hidden.reference),
    )
    assert "No record you can see has that reference" in response.content.decode()
    assert not Link.objects.exists()


def test_a_link_type_must_fit_the_records(alice, child):
    location = make_location(alice)
    with pytest.raises(ValidationError) as error:
        services.create_link(
            by=alice,
            from_subject=child,
            to_subject=location,
            kind=Link.Kind.SIBLING,
            source=Link.Source.OBSERVATION,
            confidence=Link.Confidence.POSSIBLE,
        )
    assert "cannot link a child or young person to a location" in str(error.value)


def test_last_seen_before_first_seen_is_an_error(client, alice, child):
    person = make_person(alice)
    client.force_login(alice)
    response = client.post(
        reverse("cse:link_create", args=[child.pk]),
        link_data(
            to_reference=person.reference,
            last_seen_0="1",
            last_seen_1="1",
            last_seen_2="2026",
        ),
    )
    assert (
        "Last seen must be the same as or after first seen" in response.content.decode()
    )
