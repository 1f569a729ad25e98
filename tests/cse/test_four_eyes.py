"""A change that widens what an account sees (a case-working or administrator
role, a move to another agency) waits for a second system administrator, who is
neither the one who asked nor the account; both names are in the trail."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cse import administration, permissions
from cse.models import AdministrationRequest, AuditEvent, Child, Role, UserRole
from tests.cse.test_admin_audit import SITE, post_user_form
from tests.factories import UserFactory, make_child

Action = AuditEvent.Action
State = AdministrationRequest.State
REQUESTS = f"{SITE}/cse/administrationrequest/"


@pytest.fixture
def una(agency_a):
    """A second system administrator."""
    return UserFactory(
        username="una",
        first_name="Una",
        agency=agency_a,
        roles=[Role.SYSTEM_ADMINISTRATOR],
        is_staff=True,
    )


@pytest.fixture(autouse=True)
def _staff(sam):
    sam.is_staff = True
    sam.save(update_fields=["is_staff"])


@pytest.fixture
def police_child(dave):
    return make_child(dave, forename="Policeheld", surname="Recordson")


def _decide(client, action: str, held: AdministrationRequest):
    return client.post(
        REQUESTS, {"action": action, "_selected_action": [held.pk]}, follow=True
    )


def _roles(user) -> set[str]:
    return set(UserRole.objects.filter(user=user).values_list("role", flat=True))


@pytest.mark.django_db
def test_an_administrator_cannot_give_themselves_police_access(
    client_for, sam, una, agency_a, agency_b, police_child
):
    """Sam gives his own account the police agency and the intelligence role in the
    administration site: nothing is applied, and he cannot approve it himself; Una
    approves it, and only then does he see police records."""
    client = client_for(sam)
    post_user_form(
        client,
        sam,
        agency=agency_b.pk,
        roles=[Role.SYSTEM_ADMINISTRATOR, Role.POLICE_INTELLIGENCE],
        approval_reason="Covering the intelligence desk",
    )

    sam.refresh_from_db()
    sam._roles_cache = None
    assert sam.agency == agency_a
    assert _roles(sam) == {Role.SYSTEM_ADMINISTRATOR}
    assert not permissions.visible(sam, Child).exists()
    held = AdministrationRequest.objects.get()
    assert held.state == State.PENDING
    assert (held.account, held.requested_by) == (sam, sam)
    assert (held.agency, held.agency_before) == (agency_b, agency_a)
    assert held.roles_to_add == [Role.POLICE_INTELLIGENCE]
    assert held.reason == "Covering the intelligence desk"
    asked = AuditEvent.objects.get(action=Action.ADMIN_REQUEST)
    assert asked.user == sam and asked.detail["account_id"] == sam.pk

    response = _decide(client, "approve", held)
    assert "A second administrator must decide" in response.content.decode()
    held.refresh_from_db()
    assert held.state == State.PENDING
    sam.refresh_from_db()
    assert sam.agency == agency_a

    response = _decide(client_for(una), "approve", held)
    assert response.status_code == 200
    held.refresh_from_db()
    assert held.state == State.APPROVED and held.decided_by == una
    sam.refresh_from_db()
    sam._roles_cache = None
    assert sam.agency == agency_b
    assert _roles(sam) == {Role.SYSTEM_ADMINISTRATOR, Role.POLICE_INTELLIGENCE}
    assert list(permissions.visible(sam, Child)) == [police_child]

    approved = AuditEvent.objects.get(action=Action.ADMIN_APPROVE)
    assert approved.user == una
    assert approved.object_type == "cse.user" and approved.object_id == str(sam.pk)
    assert approved.detail["requested_by"] == "sam"
    assert approved.detail["decided_by"] == "una"
    assert approved.changes == {
        "agency": [agency_a.pk, agency_b.pk],
        "roles": [
            [Role.SYSTEM_ADMINISTRATOR],
            sorted([Role.POLICE_INTELLIGENCE, Role.SYSTEM_ADMINISTRATOR]),
        ],
    }


@pytest.mark.django_db
def test_a_case_role_for_someone_else_waits_for_a_second_administrator(
    client_for, sam, una, pam
):
    post_user_form(
        client_for(sam), pam, roles=[Role.PARTNERSHIP_MANAGER, Role.PRACTITIONER]
    )
    assert _roles(pam) == {Role.PARTNERSHIP_MANAGER}
    held = AdministrationRequest.objects.get(account=pam)
    assert held.roles_to_add == [Role.PRACTITIONER]
    # The change to the rest of the account is recorded as usual: nothing changed.
    assert not AuditEvent.objects.filter(
        action=Action.CHANGE, object_type="cse.user"
    ).exists()

    administration.approve_change(held=held, by=una)
    assert _roles(pam) == {Role.PARTNERSHIP_MANAGER, Role.PRACTITIONER}


@pytest.mark.django_db
def test_the_account_itself_cannot_approve_a_change_to_it(sam, una):
    held = administration.request_change(
        by=una, account=sam, roles=[Role.CSE_COORDINATOR]
    )
    with pytest.raises(ValidationError, match="your own account"):
        administration.approve_change(held=held, by=sam)
    held.refresh_from_db()
    assert held.state == State.PENDING
    assert _roles(sam) == {Role.SYSTEM_ADMINISTRATOR}


@pytest.mark.django_db
def test_other_staff_cannot_reach_the_held_changes(client_for, carol, sam, alice):
    carol.is_staff = True
    carol.save(update_fields=["is_staff"])
    held = administration.request_change(
        by=sam, account=alice, roles=[Role.POLICE_OFFICER]
    )
    client = client_for(carol)
    assert client.get(REQUESTS).status_code == 403
    _decide(client, "approve", held)
    held.refresh_from_db()
    assert held.state == State.PENDING


@pytest.mark.django_db
def test_only_an_active_administrator_can_decide(sam, una, carol, alice):
    held = administration.request_change(
        by=sam, account=alice, roles=[Role.CSE_COORDINATOR]
    )
    with pytest.raises(ValidationError, match="system administrator"):
        administration.approve_change(held=held, by=carol)
    una.is_active = False
    una.save()
    with pytest.raises(ValidationError, match="system administrator"):
        administration.approve_change(held=held, by=una)
    assert _roles(alice) == {Role.PRACTITIONER}


@pytest.mark.django_db
def test_the_administrator_role_waits_too(client_for, sam, una, alice):
    """Otherwise one administrator could make a second to approve their requests."""
    post_user_form(
        client_for(sam), alice, roles=[Role.PRACTITIONER, Role.SYSTEM_ADMINISTRATOR]
    )
    assert _roles(alice) == {Role.PRACTITIONER}
    assert AdministrationRequest.objects.get().roles_to_add == [
        Role.SYSTEM_ADMINISTRATOR
    ]


@pytest.mark.django_db
def test_moving_an_account_to_another_agency_waits(
    client_for, sam, alice, agency_a, agency_c
):
    post_user_form(client_for(sam), alice, agency=agency_c.pk)
    alice.refresh_from_db()
    assert alice.agency == agency_a
    held = AdministrationRequest.objects.get()
    assert (held.agency, held.roles_to_add) == (agency_c, [])


@pytest.mark.django_db
def test_removing_roles_and_other_details_apply_at_once(client_for, sam, carol):
    post_user_form(client_for(sam), carol, roles=[], phone="0121 496 0123")
    carol.refresh_from_db()
    assert carol.phone == "0121 496 0123"
    assert _roles(carol) == set()
    assert not AdministrationRequest.objects.exists()


@pytest.mark.django_db
def test_a_role_without_sight_of_records_applies_at_once(client_for, sam, pam):
    post_user_form(client_for(sam), pam, roles=[Role.PARTNERSHIP_MANAGER])
    bob = UserFactory(username="newpam", agency=pam.agency)
    post_user_form(client_for(sam), bob, roles=[Role.PARTNERSHIP_MANAGER])
    assert _roles(bob) == {Role.PARTNERSHIP_MANAGER}
    assert not AdministrationRequest.objects.exists()


@pytest.mark.django_db
def test_a_first_agency_for_an_account_without_roles_applies_at_once(
    client_for, sam, agency_b
):
    starter = UserFactory(username="starter", agency=None)
    post_user_form(client_for(sam), starter, agency=agency_b.pk)
    starter.refresh_from_db()
    assert starter.agency == agency_b
    assert not AdministrationRequest.objects.exists()


@pytest.mark.django_db
def test_a_new_account_is_made_without_its_case_role_until_approved(client_for, sam):
    response = client_for(sam).post(
        f"{SITE}/cse/user/add/",
        {
            "username": "newstarter",
            "usable_password": "true",
            "password1": "a-long-new-starter-password",
            "password2": "a-long-new-starter-password",
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-role": Role.POLICE_OFFICER,
        },
    )
    assert response.status_code == 302
    from cse.models import User

    starter = User.objects.get(username="newstarter")
    assert _roles(starter) == set()
    held = AdministrationRequest.objects.get(account=starter)
    assert held.roles_to_add == [Role.POLICE_OFFICER]
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_id=str(starter.pk), object_type="cse.user"
    ).exists()


@pytest.mark.django_db
def test_a_refused_change_is_not_applied_and_is_recorded(client_for, sam, una, alice):
    held = administration.request_change(
        by=sam, account=alice, roles=[Role.POLICE_OFFICER], reason="Secondment"
    )
    _decide(client_for(una), "refuse", held)
    held.refresh_from_db()
    assert held.state == State.REFUSED and held.decided_by == una
    assert _roles(alice) == {Role.PRACTITIONER}
    refused = AuditEvent.objects.get(action=Action.ADMIN_REFUSE)
    assert refused.user == una and refused.detail["requested_by"] == "sam"
    with pytest.raises(ValidationError, match="already"):
        administration.approve_change(held=held, by=una)


@pytest.mark.django_db
def test_a_move_is_not_applied_when_the_agency_changed_since(
    sam, una, alice, agency_b, agency_c
):
    held = administration.request_change(by=sam, account=alice, agency=agency_b)
    alice.agency = agency_c
    alice.save()
    with pytest.raises(ValidationError, match="has changed since"):
        administration.approve_change(held=held, by=una)
    alice.refresh_from_db()
    assert alice.agency == agency_c


@pytest.mark.django_db
def test_held_changes_cannot_be_edited_in_the_administration_site(
    client_for, sam, alice
):
    held = administration.request_change(
        by=sam, account=alice, roles=[Role.POLICE_OFFICER]
    )
    client = client_for(sam)
    listing = client.get(REQUESTS)
    assert listing.status_code == 200
    assert "add Police officer" in listing.content.decode()
    assert client.get(f"{REQUESTS}{held.pk}/change/").status_code == 200
    assert client.get(f"{REQUESTS}add/").status_code == 403
    response = client.post(
        f"{REQUESTS}{held.pk}/change/", {"state": State.APPROVED, "decided_by": sam.pk}
    )
    held.refresh_from_db()
    assert held.state == State.PENDING
    assert response.status_code in {302, 403}


@pytest.mark.django_db
def test_a_new_e_mail_for_an_account_that_sees_records_waits(
    client_for, sam, una, dave
):
    """Password-reset links go to the address: changing it hands the account over."""
    post_user_form(client_for(sam), dave, email="sam.elsewhere@example.org")
    dave.refresh_from_db()
    assert dave.email == "dave@example.org"
    held = AdministrationRequest.objects.get()
    assert (held.email, held.email_before) == (
        "sam.elsewhere@example.org",
        "dave@example.org",
    )
    administration.approve_change(held=held, by=una)
    dave.refresh_from_db()
    assert dave.email == "sam.elsewhere@example.org"


@pytest.mark.django_db
def test_a_new_e_mail_for_an_account_without_such_a_role_applies_at_once(
    client_for, sam, pam
):
    post_user_form(client_for(sam), pam, email="pam.new@example.org")
    pam.refresh_from_db()
    assert pam.email == "pam.new@example.org"
    assert not AdministrationRequest.objects.exists()


@pytest.mark.django_db
def test_an_administrator_cannot_set_the_password_of_an_account_that_sees_records(
    client_for, sam, dave
):
    stored = dave.password
    response = client_for(sam).post(
        f"{SITE}/cse/user/{dave.pk}/password/",
        {
            "password1": "sams-own-long-password",
            "password2": "sams-own-long-password",
            "usable_password": "true",
        },
        follow=True,
    )
    assert "Forgotten your password?" in response.content.decode()
    dave.refresh_from_db()
    assert dave.password == stored


@pytest.mark.django_db
def test_the_other_administrators_are_told_a_change_waits(sam, una, alice):
    from cse.models import Notification

    administration.request_change(by=sam, account=alice, roles=[Role.CSE_COORDINATOR])
    told = Notification.objects.get()
    assert told.user == una
    assert told.url == REQUESTS
    assert "Alice" not in told.message


@pytest.mark.django_db
def test_the_users_page_shows_what_waits_for_approval(client_for, sam, alice):
    administration.request_change(by=sam, account=alice, roles=[Role.POLICE_OFFICER])
    page = client_for(sam).get(f"{SITE}/cse/user/{alice.pk}/change/").content.decode()
    assert "add Police officer (asked by Sam Example)" in page


@pytest.mark.django_db
def test_the_first_two_administrators_are_made_from_the_server(sam, alice, carol):
    from django.core.management import CommandError, call_command

    call_command("bootstrap_administrator", "alice")
    alice.refresh_from_db()
    assert Role.SYSTEM_ADMINISTRATOR in _roles(alice) and alice.is_staff
    event = AuditEvent.objects.get(action=Action.CHANGE, object_id=str(alice.pk))
    assert event.user is None
    assert event.detail == {"via": "manage.py bootstrap_administrator"}
    assert event.changes["roles"][1] == sorted(
        [Role.PRACTITIONER, Role.SYSTEM_ADMINISTRATOR]
    )
    with pytest.raises(CommandError, match="already has two"):
        call_command("bootstrap_administrator", "carol")
    assert Role.SYSTEM_ADMINISTRATOR not in _roles(carol)
