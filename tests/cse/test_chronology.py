"""A chronology is rendered for its reader: another record it mentions is named only
to a reader who may see that record."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from cse import chronology, services
from cse.models import ChronologyEntry, Link, SharingDecision
from tests.factories import make_person

NOT_SHARED = "a record not shared with your agency"
migration = importlib.import_module("cse.migrations.0014_chronology_mentions")


def share(by, subject, agency):
    services.record_sharing_decision(
        by=by,
        subject=subject,
        agency=agency,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint investigation",
        consent=SharingDecision.Consent.GIVEN,
    )


def link(by, child, person):
    return services.create_link(
        by=by,
        from_subject=child,
        to_subject=person,
        kind="seen_with",
        source="observation",
        confidence="probable",
    )


@pytest.fixture
def linked(alice, child, agency_b):
    """alice's child, shared with dave's agency, seen with a person it is not shared
    with."""
    person = make_person(alice, forename="Hiddenperson")
    share(alice, child, agency_b)
    link(alice, child, person)
    return person


def test_a_shared_childs_chronology_hides_a_linked_record_the_reader_cannot_see(
    client_for, dave, child, linked
):
    page = client_for(dave).get(reverse("cse:child_chronology", args=[child.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert linked.reference not in text
    assert f"Linked: seen with {NOT_SHARED}" in text
    assert "{record}" not in text


def test_the_owner_sees_the_linked_records_reference(client_for, alice, child, linked):
    text = (
        client_for(alice)
        .get(reverse("cse:child_chronology", args=[child.pk]))
        .content.decode()
    )
    assert f"Linked: seen with {linked.reference}" in text
    assert NOT_SHARED not in text


def test_the_mention_follows_what_the_reader_may_see_now(
    alice, dave, child, linked, agency_b
):
    def titles():
        return [line.title for line in chronology.chronology_for(dave, child)]

    assert f"Linked: seen with {NOT_SHARED}" in titles()
    share(alice, linked, agency_b)
    assert f"Linked: seen with {linked.reference}" in titles()


def test_an_ended_link_is_on_both_chronologies_naming_the_other_end_per_reader(
    alice, dave, child, linked
):
    services.end_link(by=alice, link=Link.objects.get(), reason="No longer associating")
    for_dave = [line.title for line in chronology.chronology_for(dave, child)]
    assert f"Link ended: seen with {NOT_SHARED}" in for_dave
    for_alice = [line.title for line in chronology.chronology_for(alice, linked)]
    assert f"Link ended: seen with {child.reference}" in for_alice


def test_the_stored_text_never_names_the_other_record(child, linked):
    for entry in ChronologyEntry.objects.filter(kind="link"):
        assert linked.reference not in entry.title + entry.description
        assert child.reference not in entry.title + entry.description
        assert entry.mentions_id in {child.pk, linked.pk}


def test_a_title_naming_another_record_is_refused(alice, child, linked):
    with pytest.raises(ValueError, match="mentions"):
        services.add_chronology_entry(
            subject=child,
            occurred_at=timezone.now(),
            kind="note",
            title=f"Seen with {linked.reference}",
            by=alice,
        )
    with pytest.raises(ValueError, match="record"):
        services.add_chronology_entry(
            subject=child,
            occurred_at=timezone.now(),
            kind="note",
            title="Seen with someone",
            by=alice,
            mentions=linked,
        )


def test_one_query_checks_every_mention_on_a_page(
    alice, dave, child, linked, django_assert_num_queries
):
    for number in range(3):
        link(alice, child, make_person(alice, forename=f"Other{number}"))
    # count, page of entries, the reader's roles (read once per request), then one
    # query for the visibility of all the mentioned records
    with django_assert_num_queries(4):
        lines = list(chronology.chronology_for(dave, child))
    assert sum(NOT_SHARED in line.title for line in lines) == 4


def test_existing_link_entries_are_rewritten_to_mention_the_other_record(
    alice, dave, child, linked
):
    entry = ChronologyEntry.objects.get(subject=child, kind="link")
    ChronologyEntry.objects.filter(pk=entry.pk).update(
        title=f"Linked: seen with {linked.reference}", mentions=None
    )
    migration.name_mentions(apps, None)
    entry.refresh_from_db()
    assert entry.title == "Linked: seen with {record}"
    assert entry.mentions_id == linked.pk
    assert f"Linked: seen with {NOT_SHARED}" in [
        line.title for line in chronology.chronology_for(dave, child)
    ]
