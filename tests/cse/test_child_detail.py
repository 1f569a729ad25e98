"""The child's page: everything about the child, in a bounded number of queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cse import services
from cse.models import Address, ChildFlag, Link
from tests.factories import make_child, make_location, make_person


def link(by, child, other, kind=Link.Kind.SEEN_WITH):
    return services.create_link(
        by=by,
        from_subject=child,
        to_subject=other,
        kind=kind,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.POSSIBLE,
    )


def add_things(alice, child, n):
    for i in range(n):
        link(alice, child, make_person(alice, nickname=f"Nick{i}"))
        link(alice, child, make_location(alice, name=f"Place {i}"), Link.Kind.FREQUENTS)
        services.add_alias(by=alice, subject=child, name=f"Alias {i}")
        services.add_address(
            by=alice,
            subject=child,
            address=Address(line_1=f"{i} Example Road", postcode="B1 1AA"),
        )
    services.set_flag(
        by=alice,
        child=child,
        kind=ChildFlag.Kind.COUNTY_LINES,
        reason="R",
        set_on=datetime.date.today(),
    )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_it_shows_links_flags_aliases_and_addresses_in_bounded_queries(client, alice):
    small, big = (
        make_child(alice, surname="Smallton"),
        make_child(alice, surname="Bigton"),
    )
    add_things(alice, small, 1)
    add_things(alice, big, 12)
    client.force_login(alice)
    small_count, _ = queries_for(client, reverse("cse:child_detail", args=[small.pk]))
    big_count, html = queries_for(client, reverse("cse:child_detail", args=[big.pk]))
    assert big_count == small_count
    assert (
        "Nick11" in html
        and "Place 11" in html
        and "Alias 11" in html
        and "County lines" in html
    )


def test_a_link_to_a_record_the_viewer_cannot_see_is_not_shown(
    client, alice, dave, agency_b, child
):
    from cse.models import SharingDecision

    person = make_person(alice, nickname="Secretnick")
    link(alice, child, person)
    services.record_sharing_decision(
        by=alice,
        subject=child,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint work",
        consent=SharingDecision.Consent.GIVEN,
    )
    client.force_login(dave)
    html = client.get(reverse("cse:child_detail", args=[child.pk])).content.decode()
    assert child.forename in html and "Secretnick" not in html
