"""The children list: scoped, filtered, sorted on the server, and a fixed number of
queries however many children there are."""

import datetime

from django.urls import reverse

from cse import services
from cse.models import CategoryAssessment, SharingDecision
from tests.factories import make_child


def add_category(by, child, category):
    services.record_category(
        by=by,
        child=child,
        category=category,
        assessed_on=datetime.date.today(),
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale="Test rationale",
    )


def test_it_lists_only_visible_children(client, alice, dave, erin, agency_b):
    mine = make_child(alice, surname="Visibleton")
    make_child(erin, surname="Hiddenton")
    services.record_sharing_decision(
        by=alice,
        subject=mine,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Strategy",
        consent=SharingDecision.Consent.GIVEN,
    )
    client.force_login(dave)
    html = client.get(reverse("cse:child_list")).content.decode()
    assert "Visibleton" in html and "Hiddenton" not in html


def test_it_filters_by_current_category(client, alice):
    high = make_child(alice, surname="Highington")
    low = make_child(alice, surname="Lowington")
    add_category(alice, high, 1)
    add_category(alice, high, 3)
    add_category(alice, low, 3)
    add_category(alice, low, 1)
    client.force_login(alice)
    html = client.get(reverse("cse:child_list"), {"category": "3"}).content.decode()
    assert "Highington" in html and "Lowington" not in html


def test_it_runs_the_same_number_of_queries_for_5_or_30_children(
    client, alice, django_assert_num_queries
):
    def count_queries():
        client.force_login(alice)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cse:child_list")).status_code == 200
        return len(queries)

    for n in range(5):
        add_category(alice, make_child(alice, surname=f"Fewington{n}"), 2)
    few = count_queries()
    for n in range(25):
        add_category(alice, make_child(alice, surname=f"Manyington{n}"), 2)
    many = count_queries()
    assert few == many
    with django_assert_num_queries(many):
        client.get(reverse("cse:child_list"), {"page": "2"})


def test_the_current_category_is_the_newest_assessment_not_the_last_entered(
    alice, child
):
    today = datetime.date.today()
    services.record_category(
        by=alice,
        child=child,
        category=3,
        assessed_on=today,
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale="Now",
    )
    services.record_category(
        by=alice,
        child=child,
        category=1,
        assessed_on=today - datetime.timedelta(days=30),
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale="Entered late, assessed earlier",
    )
    child.refresh_from_db()
    assert child.current_category == 3
    assert services.current_category(child).category == 3


def test_the_list_counts_what_the_user_can_see(client, alice, dave, agency_b):
    shared = make_child(alice, surname="Sharington")
    make_child(alice, surname="Keepington")
    make_child(dave, surname="Policeington")
    services.record_sharing_decision(
        by=alice,
        subject=shared,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Strategy",
        consent=SharingDecision.Consent.GIVEN,
    )
    client.force_login(dave)
    for held, expected in (("", 2), ("ours", 1), ("shared", 1)):
        page = client.get(reverse("cse:child_list"), {"held": held}).context["page_obj"]
        assert page.paginator.count == expected == len(page.object_list)
