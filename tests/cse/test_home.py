"""Each role's home page shows what needs that user's attention."""

import datetime

from django.urls import reverse

from cse import services
from cse.models import CategoryAssessment, Child
from tests.factories import make_child


def test_a_practitioner_sees_their_allocated_children(client, alice, child):
    services.update_subject(
        by=alice, subject=child, fields={"lead_professional": alice}
    )
    client.force_login(alice)
    html = client.get(reverse("cse:home")).content.decode()
    assert "Children you are allocated to" in html and child.full_name in html


def test_a_coordinator_sees_children_at_serious_risk(client, alice, carol, child):
    services.record_category(
        by=alice,
        child=child,
        category=3,
        assessed_on=datetime.date.today(),
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale="Found in a car with adults",
    )
    client.force_login(carol)
    html = client.get(reverse("cse:home")).content.decode()
    assert "Children at serious risk (category 3)" in html and child.full_name in html


def test_a_partnership_manager_sees_counts_and_never_names(client, alice, pam, area):
    for n in range(6):
        kid = make_child(alice, surname=f"Countington{n}", home_area=area)
        services.record_category(
            by=alice,
            child=kid,
            category=2,
            assessed_on=datetime.date.today(),
            source=CategoryAssessment.Source.PROFESSIONAL,
            rationale="Test",
        )
    make_child(alice, surname="Smallington", home_area=area)
    client.force_login(pam)
    html = client.get(reverse("cse:home")).content.decode()
    assert "Countington" not in html and "Smallington" not in html
    assert (
        'Category 2: significant risk</th><td class="govuk-table__cell govuk-table__cell--numeric">6'
        in html
    )
    assert "fewer than 5" in html  # the one child not yet assessed
    assert Child.objects.count() == 7
    assert client.get(reverse("cse:child_list")).status_code == 403


def test_a_system_administrator_sees_administration(client, sam):
    client.force_login(sam)
    html = client.get(reverse("cse:home")).content.decode()
    assert "Search the audit trail" in html
    assert "Children</a>" not in html  # no record navigation for an administrator


def test_every_page_carries_the_protective_marking(client, alice):
    client.force_login(alice)
    assert "OFFICIAL-SENSITIVE" in client.get(reverse("cse:home")).content.decode()
    client.logout()
    assert "OFFICIAL-SENSITIVE" in client.get(reverse("login")).content.decode()
