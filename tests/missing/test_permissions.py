"""missing.permissions: held police reports go only to their area's report
administrators, lists and alerts only to readers who may see the child."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from cse import services as core
from cse.models import LocalArea, Notification, Role
from missing import permissions as access
from missing import services
from missing.models import MatchingQueueItem
from tests.factories import AgencyFactory, UserFactory, make_child
from tests.missing.helpers import at, episode

HEADER = (
    "police_reference,forename,surname,date_of_birth,gender,category,missing_from,"
    "reported_at,last_seen_at,returned_at,found_location,risk_level,notes\n"
)
ROW = "TP/7,Heldname,Heldsurname,2012-02-02,female,missing,home,2020-03-01T20:00,,,,,\n"


def import_file(tmp_path, *options):
    path = tmp_path / "reports.csv"
    path.write_text(HEADER + ROW)
    err = io.StringIO()
    call_command(
        "import_missing_reports", str(path), *options, stdout=io.StringIO(), stderr=err
    )
    return err.getvalue()


@pytest.fixture
def other_administrator(db):
    elsewhere = LocalArea.objects.create(name="Otherby", slug="otherby")
    return UserFactory(
        username="olga",
        agency=AgencyFactory(name="Otherby Council", local_area=elsewhere),
        roles=[Role.MEETING_ADMINISTRATOR],
    )


def test_a_report_held_without_an_area_is_shown_to_no_area_administrator(
    tmp_path, client_for, bob, other_administrator
):
    warning = import_file(tmp_path)
    assert "shown to no one" in warning
    item = MatchingQueueItem.objects.get()
    for user in (bob, other_administrator):
        assert not access.queue_items(user).exists()
        client = client_for(user)
        assert "Heldname" not in client.get(reverse("missing:queue")).content.decode()
        url = reverse("missing:queue_resolve", args=[item.pk])
        assert client.get(url).status_code == 404


def test_importing_again_with_an_area_hands_the_report_to_that_area(
    tmp_path, client_for, bob, other_administrator, area
):
    import_file(tmp_path)
    import_file(tmp_path, "--area", "testshire")
    item = MatchingQueueItem.objects.get()
    assert item.local_area == area
    assert list(access.queue_items(bob)) == [item]
    assert not access.queue_items(other_administrator).exists()
    page = client_for(bob).get(reverse("missing:queue")).content.decode()
    assert "Heldname" in page


def test_a_report_of_another_area_cannot_be_resolved_through_the_service(
    tmp_path, bob, other_administrator
):
    import_file(tmp_path, "--area", "otherby")
    item = MatchingQueueItem.objects.get()
    with pytest.raises(PermissionDenied):
        services.resolve_queue_item(by=bob, item=item, child=None)
    assert MatchingQueueItem.objects.get().state == "pending"


def test_the_cmog_list_needs_its_reader_and_lists_only_what_they_see(
    alice, carol, erin, child
):
    other = make_child(erin, forename="Otherchild")
    for subject, by in ((child, alice), (other, erin)):
        for day in (1, 10, 20):
            episode(subject, by, at(2020, 3, day, 10), returned=at(2020, 3, day, 20))
    with pytest.raises(TypeError):
        services.cmog_list(as_of_day=at(2020, 4, 30).date())  # no reader, no list
    rows = services.cmog_list(viewer=carol, as_of_day=at(2020, 4, 30).date())
    assert {row.child.pk for row in rows} == {child.pk}
    with pytest.raises(PermissionDenied):
        services.cmog_list(viewer=alice, as_of_day=at(2020, 4, 30).date())


def test_an_alert_goes_only_to_those_who_may_see_the_child(alice, carol, dave, child):
    dave_coordinator = UserFactory(
        username="dora", agency=dave.agency, roles=[Role.CSE_COORDINATOR]
    )
    # a lead professional of another agency, the child no longer shared with them
    child.lead_professional = dave
    child.save(update_fields=["lead_professional"])
    ep = episode(child, alice, at(2020, 3, 1, 10), returned=at(2020, 3, 1, 20))
    assert ep.interview.agency_id == dave.agency_id
    assert services.alert_recipients(ep.interview) == []
    services.send_due_alerts()
    assert not Notification.objects.filter(user__in=[dave, dave_coordinator]).exists()


def test_a_review_notice_goes_only_to_coordinators_who_may_see_the_child(
    alice, carol, agency_b, child
):
    police_coordinator = UserFactory(
        username="pat", agency=agency_b, roles=[Role.CSE_COORDINATOR]
    )
    core.record_category(
        by=alice,
        child=child,
        category=2,
        assessed_on=datetime.date(2020, 1, 1),
        source="professional",
        rationale="Test rationale",
    )
    started = at(2020, 2, 1, 10)
    # an imported absence, owned by the police, of a child not shared with them
    ep = services.record_episode(
        by=None,
        child=child,
        agency=agency_b,
        fields={
            "category": "absent",
            "missing_from": "home",
            "reported_at": started,
            "last_seen_at": started,
        },
    )
    assert ep.review_as_missing
    assert not police_coordinator.notifications.exists()
