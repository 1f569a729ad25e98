"""Search: spelling-tolerant, by alias, date of birth, postcode, registration and
phone, and never beyond what the user may see."""

import datetime

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition)
from django.urls import reverse

from cse import services
from cse.models import Address
from cse.search import search
from tests.factories import make_child, make_location, make_person, make_vehicle

needs_trigrams = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="spelling tolerance uses PostgreSQL trigrams",
)


def names(results, kind="child"):
    return [str(getattr(r, "surname", r)) for r in results[kind]]


@pytest.fixture
def records(alice):
    child = make_child(
        alice,
        forename="Jessamy",
        surname="Testington",
        aliases=["Jezza Sample"],
        date_of_birth=datetime.date(2011, 3, 1),
    )
    services.add_address(
        by=alice,
        subject=child,
        address=Address(line_1="1 Example Road", postcode="b11 1aa"),
    )
    person = make_person(alice, forename="Marlon", surname="Exampleby", nickname="Tiny")
    services.add_phone_number(by=alice, subject=person, number="07700 900123")
    location = make_location(alice, name="Sample Chicken", postcode="B12 9ZZ")
    vehicle = make_vehicle(alice, registration="XY12 ABC")
    return {"child": child, "person": person, "location": location, "vehicle": vehicle}


def test_it_finds_a_child_by_name_alias_date_of_birth_and_postcode(alice, records):
    child = records["child"]
    assert search(alice, "Testington")["child"] == [child]
    assert search(alice, "jezza")["child"] == [child]
    assert search(alice, "01/03/2011")["child"] == [child]
    assert search(alice, "B11 1AA")["child"] == [child]
    assert search(alice, "b111aa")["child"] == [child]


def test_it_finds_persons_by_nickname_and_phone_and_vehicles_by_registration(
    alice, records
):
    assert search(alice, "Tiny")["person"] == [records["person"]]
    assert search(alice, "07700900123")["person"] == [records["person"]]
    assert search(alice, "xy12abc")["vehicle"] == [records["vehicle"]]
    assert search(alice, "XY12 ABC")["vehicle"] == [records["vehicle"]]
    assert search(alice, "B12 9ZZ")["location"] == [records["location"]]


@needs_trigrams
def test_it_tolerates_spelling_slips(alice, records):
    assert search(alice, "Testingten")["child"] == [records["child"]]
    assert search(alice, "Jesamy Testington")["child"] == [records["child"]]
    assert search(alice, "Exampelby")["person"] == [records["person"]]


def test_it_never_returns_what_the_user_may_not_see(erin, pam, sam, records):
    for user in (erin, pam, sam):
        results = search(user, "Testington")
        assert all(results[kind] == [] for kind in results)


def test_the_search_page_keeps_the_query_out_of_the_url(client, alice, records):
    client.force_login(alice)
    response = client.post(reverse("cse:search"), {"query": "Testington"})
    assert response.status_code == 302
    assert "Testington" not in response["Location"]
    page = client.get(response["Location"])
    assert "Jessamy Testington" in page.content.decode()


def test_a_search_is_audited_with_what_it_showed(client, alice, records):
    client.force_login(alice)
    client.post(reverse("cse:search"), {"query": "Testington"})
    client.get(reverse("cse:search"))
    from cse.models import AuditEvent

    event = AuditEvent.objects.filter(action="search", user=alice).latest("at")
    assert event.detail["subject_ids"] == [records["child"].pk]


def test_a_one_letter_search_gets_a_clear_error(client, alice):
    client.force_login(alice)
    response = client.post(reverse("cse:search"), {"query": "a"})
    assert "Enter at least 2 characters" in response.content.decode()
