"""Creating a child: validation, possible duplicates first, ownership and audit."""

import datetime

from django.urls import reverse

from cse import permissions
from cse.models import AuditEvent, Child, Notification, SubjectAccess
from tests.factories import UserFactory, make_child

URL = reverse("cse:child_create")


def form(**overrides):
    data = {
        "forename": "Testchild",
        "surname": "Newington",
        "date_of_birth_0": "1",
        "date_of_birth_1": "1",
        "date_of_birth_2": "2012",
        "gender": "female",
        "ethnicity": "NOBT",
        "disability": "not_known",
        "legal_status": "not_looked_after",
        "placement": "not_placed",
        "education_status": "school",
        "case_status": "open",
    }
    data.update(overrides)
    return data


def test_a_practitioner_creates_a_child_owned_by_their_agency(client, alice):
    client.force_login(alice)
    response = client.post(URL, form(aliases="Tess\nTT"))
    child = Child.objects.get(surname="Newington")
    assert (
        response.status_code == 302 and response["Location"] == child.get_absolute_url()
    )
    assert child.owner_agency == alice.agency and child.created_by == alice
    assert SubjectAccess.objects.filter(
        subject=child, agency=alice.agency, basis="owner"
    ).exists()
    assert sorted(child.aliases.values_list("name", flat=True)) == ["TT", "Tess"]
    assert AuditEvent.objects.filter(
        action="create", subject=child, user=alice
    ).exists()
    assert child.chronology.exists()


def test_a_missing_name_and_date_shows_the_error_summary_and_writes_nothing(
    client, alice
):
    client.force_login(alice)
    response = client.post(
        URL,
        form(forename="", date_of_birth_0="", date_of_birth_1="", date_of_birth_2=""),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter forename" in html
    assert "Enter a date of birth, or an estimated age if it is not known" in html
    assert not Child.objects.exists()


def test_a_looked_after_child_needs_the_responsible_authority(client, alice):
    client.force_login(alice)
    response = client.post(URL, form(legal_status="care_order"))
    assert (
        "Enter which local authority is responsible for the child"
        in response.content.decode()
    )
    assert not Child.objects.exists()


def test_a_child_over_25_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(URL, form(date_of_birth_2="1990"))
    assert "25 or under" in response.content.decode()
    assert not Child.objects.exists()


def test_possible_matches_are_shown_before_a_new_record_is_made(client, alice):
    existing = make_child(
        alice,
        forename="Testchild",
        surname="Newington",
        date_of_birth=datetime.date(2012, 1, 1),
    )
    client.force_login(alice)
    response = client.post(URL, form())
    html = response.content.decode()
    assert "Possible existing records" in html and existing.reference in html
    assert Child.objects.count() == 1
    # Going on without confirming is refused with a clear error...
    response = client.post(URL, form(matches_shown="yes"))
    assert (
        "Confirm that none of the possible matches is this child"
        in response.content.decode()
    )
    assert Child.objects.count() == 1
    # ...and confirming creates the new record.
    response = client.post(URL, form(matches_shown="yes", confirm_new="on"))
    assert response.status_code == 302
    assert Child.objects.count() == 2


def test_matches_held_by_other_agencies_are_not_revealed_but_their_coordinator_is_told(
    client, alice, erin, agency_c
):
    hidden = make_child(
        erin,
        forename="Testchild",
        surname="Newington",
        date_of_birth=datetime.date(2012, 1, 1),
    )
    coordinator = UserFactory(agency=agency_c, roles=["cse_coordinator"])
    client.force_login(alice)
    response = client.post(URL, form())
    assert response.status_code == 302  # nothing alice may see, so nothing to confirm
    assert hidden.reference not in response.content.decode()
    created = Child.objects.exclude(pk=hidden.pk).get()
    message = Notification.objects.get(user=coordinator).message
    assert created.reference in message and hidden.reference in message
    assert "Newington" not in message
    assert not permissions.visible_children(alice).filter(pk=hidden.pk).exists()


def test_a_read_only_role_cannot_create(client, bob):
    client.force_login(bob)
    assert client.post(URL, form()).status_code == 403
    assert not Child.objects.exists()


def test_posting_an_owner_agency_changes_nothing(client, alice, agency_b):
    client.force_login(alice)
    client.post(URL, form(owner_agency=agency_b.pk, kind="person", created_by=""))
    child = Child.objects.get()
    assert child.owner_agency == alice.agency and child.kind == "child"
