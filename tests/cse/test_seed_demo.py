"""manage.py seed_demo: a small synthetic West Midlands data set, safe to run twice."""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q

from cse import permissions
from cse.demo import DEMO_PASSWORD
from cse.models import (
    Agency,
    AuditEvent,
    Child,
    ChronologyEntry,
    LocalArea,
    PhoneNumber,
    Role,
    SharingDecision,
    SubjectAccess,
    User,
)

WEST_MIDLANDS = [
    "Birmingham",
    "Coventry",
    "Dudley",
    "Sandwell",
    "Solihull",
    "Walsall",
    "Wolverhampton",
]
DRAMA_LANDLINE = re.compile(r"^0121 496 0\d{3}$")
DRAMA_MOBILE = re.compile(r"^07700 900\d{3}$")


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, in a transaction rolled back after its last test
    (each test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def output(seeded, db):
    return seeded


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("cse").get_models()
    }


def test_it_creates_the_seven_west_midlands_areas_with_their_configuration(output):
    areas = list(LocalArea.objects.order_by("name"))
    assert [area.name for area in areas] == WEST_MIDLANDS
    birmingham = areas[0]
    assert birmingham.children_services_department == "Birmingham Children's Services"
    for area in areas:
        assert area.police_force == "West Midlands Police"
        for phone in (
            area.cse_team_phone,
            area.children_services_phone,
            area.out_of_hours_phone,
            area.police_phone,
        ):
            assert DRAMA_LANDLINE.match(phone), phone
        assert area.secure_email.endswith("@example.org")


def test_every_area_has_an_agency_of_every_kind(output):
    assert Agency.objects.count() == 7 * len(Agency.Kind)
    for area in LocalArea.objects.all():
        assert set(area.agencies.values_list("kind", flat=True)) == set(
            Agency.Kind.values
        )
    assert (
        Agency.objects.get(slug="birmingham-social-care").kind
        == Agency.Kind.SOCIAL_CARE
    )
    assert Agency.objects.get(slug="coventry-police").kind == Agency.Kind.POLICE


def test_there_is_a_demo_user_for_every_role_who_can_sign_in_with_the_demo_password(
    output,
):
    for role in Role.values:
        user = User.objects.get(username=role.replace("_", "-"))
        assert user.has_role(role)
        assert user.check_password(DEMO_PASSWORD)
        assert user.email.endswith("@example.org")
        assert not user.phone or DRAMA_LANDLINE.match(user.phone)
    assert (
        User.objects.get(username="practitioner-health").agency.slug
        == "birmingham-health"
    )
    assert (
        User.objects.get(username="practitioner-coventry").agency.slug
        == "coventry-social-care"
    )
    officer = User.objects.get(username="police-officer")
    assert (
        officer.agency.kind == Agency.Kind.POLICE
        and officer.collar_number
        and officer.station
    )
    for username in ("practitioner", "police-intelligence", "practitioner-coventry"):
        assert username in output
    assert DEMO_PASSWORD in output


def test_about_sixty_children_each_with_one_owner_access_row_and_a_chronology(output):
    children = Child.objects.annotate(
        owner_rows=Count("access", filter=Q(access__basis=SubjectAccess.Basis.OWNER))
    )
    assert 55 <= children.count() <= 65
    today = datetime.date.today()
    for child in children:
        assert child.owner_rows == 1
        assert (
            child.access.get(basis=SubjectAccess.Basis.OWNER).agency_id
            == child.owner_agency_id
        )
        assert child.date_of_birth.day == 1 and 10 <= child.age_on(today) <= 24
        assert child.search_text
        assert ChronologyEntry.objects.filter(subject=child, kind="record").exists()
        assert AuditEvent.objects.filter(
            subject=child, action=AuditEvent.Action.CREATE
        ).exists()
    assert (
        children.filter(owner_agency__kind=Agency.Kind.SOCIAL_CARE).count()
        > children.count() / 2
    )
    assert children.values("owner_agency__local_area").distinct().count() == 7
    assert children.filter(category_history__category=3).exists()
    assert children.filter(legal_status=Child.LegalStatus.CARE_ORDER).exists()
    assert children.filter(placement=Child.Placement.PLACED_OUT_OF_AREA).exists()
    assert all(
        DRAMA_MOBILE.match(number)
        for number in PhoneNumber.objects.values_list("number", flat=True)
    )


def test_shares_are_recorded_decisions_with_access_that_other_agencies_see(output):
    for access in SubjectAccess.objects.filter(basis=SubjectAccess.Basis.SHARED):
        assert access.decision.decision == SharingDecision.Decision.SHARE
        assert access.decision.agency_id == access.agency_id
    police = Agency.objects.get(slug="birmingham-police")
    shared_with_police = Child.objects.filter(
        owner_agency__slug="birmingham-social-care", access__agency=police
    )
    assert shared_with_police.count() >= 5
    officer = User.objects.get(username="police-officer")
    assert (
        permissions.visible_children(officer).filter(pk__in=shared_with_police).count()
        == shared_with_police.count()
    )
    assert SharingDecision.objects.filter(agency__slug="birmingham-health").exists()
    assert SharingDecision.objects.filter(
        decision=SharingDecision.Decision.DO_NOT_SHARE
    ).exists()


def test_the_coventry_practitioner_sees_coventry_children_but_not_birmingham_ones(
    output,
):
    coventry = User.objects.get(username="practitioner-coventry")
    visible = permissions.visible_children(coventry)
    assert visible.filter(owner_agency__slug="coventry-social-care").exists()
    unshared_birmingham = Child.objects.filter(
        owner_agency__slug="birmingham-social-care"
    ).exclude(access__agency=coventry.agency)
    assert unshared_birmingham.exists()
    assert not visible.filter(pk__in=unshared_birmingham).exists()


def test_running_it_twice_changes_nothing(output):
    before = counts()
    user = User.objects.get(username="practitioner")
    user.set_password("a-password-someone-chose-since")
    user.save()
    second = seed()
    assert counts() == before
    assert "already exist" in second
    assert User.objects.get(username="practitioner").check_password(
        "a-password-someone-chose-since"
    )
