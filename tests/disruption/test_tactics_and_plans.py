import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from disruption import services
from disruption.models import DisruptionTactic, Plan, TacticType
from tests.factories import make_location, make_vehicle
from tests.page_forms import read_version


def test_the_catalogue_holds_the_documents_tactics(db):
    names = set(TacticType.objects.values_list("name", flat=True))
    for expected in (
        "Sexual Risk Order",
        "Sexual Harm Prevention Order",
        "Hotel information notice",
        "ANPR vehicle marker",
        "PNC address marker",
        "Bail conditions",
        "Conviction",
    ):
        assert expected in names
    assert TacticType.objects.count() == 16


def test_a_tactic_is_recorded_against_a_person_through_the_page(client, alice, poi):
    client.force_login(alice)
    sro = TacticType.objects.get(code="sexual_risk_order")
    response = client.post(
        reverse("disruption:tactic_create", args=[poi.pk]),
        {
            "tactic": sro.pk,
            "status": "in_progress",
            "started_on_0": "1",
            "started_on_1": "2",
            "started_on_2": "2025",
            "lead_agency": alice.agency_id,
            "details": "Application lodged",
        },
    )
    assert response.status_code == 302
    assert DisruptionTactic.objects.get().subject_id == poi.pk


def test_a_vehicle_marker_cannot_be_put_on_a_location(alice):
    place = make_location(alice)
    with pytest.raises(ValidationError):
        services.record_tactic(
            by=alice,
            subject=place,
            tactic=DisruptionTactic(
                tactic=TacticType.objects.get(code="anpr_marker"),
                status="in_place",
                started_on=datetime.date(2025, 1, 1),
                lead_agency=alice.agency,
            ),
        )


def test_a_read_only_colleague_cannot_record_a_tactic(client, bob, alice):
    vehicle = make_vehicle(alice)
    client.force_login(bob)
    assert (
        client.get(reverse("disruption:tactic_create", args=[vehicle.pk])).status_code
        == 403
    )


def test_offenders_disrupted_and_prosecuted_feed_the_dataset(alice, poi, area):
    for code in ("arrest", "charge"):
        services.record_tactic(
            by=alice,
            subject=poi,
            tactic=DisruptionTactic(
                tactic=TacticType.objects.get(code=code),
                status="completed",
                started_on=datetime.date(2025, 2, 1),
                lead_agency=alice.agency,
            ),
        )
    figures = services.offenders_disrupted(
        local_area_id=area.pk,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 3, 31),
    )
    assert figures == {"disrupted": 1, "prosecuted": 1}


def test_a_perpetrator_plan_is_reviewed_monthly_and_deselected_with_a_reason(
    alice, poi
):
    plan = services.start_plan(
        by=alice,
        subject=poi,
        plan=Plan(
            risk="high",
            risk_summary="Linked to 3 children",
            actions="SRO application",
            exit_criteria="No intelligence for 6 months",
            started_on=datetime.date(2025, 1, 6),
        ),
    )
    assert plan.kind == Plan.Kind.PERPETRATOR
    assert plan.next_review_on == datetime.date(2025, 2, 6)
    services.review_plan(
        by=alice,
        plan=plan,
        reviewed_on=datetime.date(2025, 2, 6),
        progress="SRO granted",
        risk="medium",
    )
    assert plan.next_review_on == datetime.date(2025, 3, 6) and plan.risk == "medium"
    with pytest.raises(ValidationError):
        services.deselect_plan(
            by=alice, plan=plan, deselected_on=datetime.date(2025, 3, 1), reason=" "
        )
    services.deselect_plan(
        by=alice,
        plan=plan,
        deselected_on=datetime.date(2025, 3, 1),
        reason="Exit criteria met; monitored at CMOG",
    )
    assert not plan.is_open


def test_a_location_gets_a_tasking_plan_through_the_page(client, alice):
    place = make_location(alice)
    client.force_login(alice)
    response = client.post(
        reverse("disruption:plan_create", args=[place.pk]),
        {
            "risk": "medium",
            "risk_summary": "Children gather after school",
            "actions": "Patrols 15:00-18:00",
            "exit_criteria": "No sightings for 3 months",
            "started_on_0": "1",
            "started_on_1": "3",
            "started_on_2": "2025",
        },
    )
    assert response.status_code == 302
    assert Plan.objects.get().kind == Plan.Kind.LOCATIONAL
    page = client.get(reverse("disruption:subject_disruption", args=[place.pk]))
    assert "Locational tasking plan" in page.content.decode()


def _tactic(alice, poi) -> DisruptionTactic:
    return services.record_tactic(
        by=alice,
        subject=poi,
        tactic=DisruptionTactic(
            tactic=TacticType.objects.get(code="sexual_risk_order"),
            status="in_progress",
            started_on=datetime.date(2025, 2, 1),
            lead_agency=alice.agency,
            details="Application lodged",
        ),
    )


def test_updating_a_tactic_writes_only_the_three_fields_of_its_form(alice, poi):
    tactic = _tactic(alice, poi)
    stale = DisruptionTactic.objects.get(pk=tactic.pk)
    DisruptionTactic.objects.filter(pk=tactic.pk).update(details="Hearing on 3 March")
    services.update_tactic(
        by=alice, tactic=stale, status="in_place", ends_on=None, outcome="Granted"
    )
    tactic.refresh_from_db()
    assert (tactic.status, tactic.outcome) == ("in_place", "Granted")
    assert tactic.details == "Hearing on 3 March"


def test_a_stale_tactic_update_shows_the_conflict_and_saves_nothing(
    client, alice, carol, poi
):
    tactic = _tactic(alice, poi)
    url = reverse("disruption:tactic_update", args=[poi.pk, tactic.pk])
    client.force_login(alice)
    opened = read_version(client, url)
    services.update_tactic(
        by=carol, tactic=tactic, status="refused", ends_on=None, outcome="Refused"
    )
    response = client.post(url, {"status": "in_place", "outcome": "Granted", **opened})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Carol" in page and "Refused or not granted" in page
    tactic.refresh_from_db()
    assert (tactic.status, tactic.outcome) == ("refused", "Refused")


def test_a_review_from_a_stale_plan_page_names_the_review_saved_since(
    client, alice, carol, poi
):
    plan = services.start_plan(
        by=alice,
        subject=poi,
        plan=Plan(
            risk="high",
            risk_summary="Linked to 3 children",
            actions="SRO application",
            exit_criteria="No intelligence for 6 months",
            started_on=datetime.date(2025, 1, 6),
        ),
    )
    url = reverse("disruption:plan_review", args=[poi.pk, plan.pk])
    client.force_login(alice)
    opened = read_version(client, url)
    services.review_plan(
        by=carol,
        plan=plan,
        reviewed_on=datetime.date(2025, 2, 6),
        progress="SRO granted",
        risk="medium",
    )
    response = client.post(
        url,
        {
            "reviewed_on_0": "7",
            "reviewed_on_1": "2",
            "reviewed_on_2": "2025",
            "progress": "No change",
            "risk": "high",
            **opened,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Carol" in page  # the review is audited against the review, not the plan
    assert plan.reviews.count() == 1
    plan.refresh_from_db()
    assert plan.risk == "medium"
