"""The problem profile on hand-built data with a known answer for every count.
Reporting year 2026 starts 1 April: Q2 is 1 July to 30 September 2026 (BST)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cse.models import Address, AuditEvent, Child, Link, Location, Role, Subject
from disruption.models import (
    Cawn,
    CawnBreach,
    DisruptionTactic,
    IntelligenceReport,
    TacticType,
)
from missing.models import MissingEpisode, ReturnInterview, rhi_due
from reports import disclosure, profile
from reports.models import ProfileGap
from tests.factories import (
    AgencyFactory,
    LocalAreaFactory,
    UserFactory,
    make_child,
    make_location,
    make_person,
    make_vehicle,
)
from tests.reports.helpers import category, local

pytestmark = pytest.mark.django_db

D = datetime.date
BEFORE = local(2026, 6, 1)  # records made before the quarter


def backdate(subject, when=BEFORE):
    Subject.objects.filter(pk=subject.pk).update(created_at=when)


def link(a, b, kind, *, by, created=BEFORE, ended=None):
    return Link.objects.create(
        from_subject=a,
        to_subject=b,
        kind=kind,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.CONFIRMED,
        owner_agency=by.agency,
        created_by=by,
        created_at=created,
        ended_at=ended,
    )


def episode(child, started, returned=None, kind="missing"):
    return MissingEpisode.objects.create(
        child=child,
        category=kind,
        missing_from="home",
        reported_at=started,
        started_at=started,
        returned_at=returned,
        owner_agency=child.owner_agency,
    )


def interview(ep, completed=None):
    return ReturnInterview.objects.create(
        episode=ep,
        child=ep.child,
        due_at=rhi_due(ep.returned_at),
        agency=ep.owner_agency,
        completed_at=completed,
    )


def tactic(subject, code, status, started, by):
    return DisruptionTactic.objects.create(
        subject=subject,
        tactic=TacticType.objects.get(code=code),
        status=status,
        started_on=started,
        lead_agency=by.agency,
        recorded_by=by,
    )


def cawn(person, child, area, issued, by, served=None):
    return Cawn.objects.create(
        person=person,
        child=child,
        local_area=area,
        variant="under_16",
        cites_section_2=True,
        status="served" if served else "issued",
        issue_date=issued,
        served_at=served,
        ends_on=D(2027, 1, 1),
        child_name="Testchild",
        child_age=15,
        child_date_of_birth=D(2011, 1, 1),
        parental_responsibility="Testparent",
        department_name="Testshire Children's Services",
        contact_phones="0121 496 0001",
        recipient_name="Testperson",
        recipient_address="1 Sample Street",
        officer_name="Test Officer",
        issued_by=by,
        issuing_agency=by.agency,
    )


def breach(notice, day, by):
    CawnBreach.objects.create(
        cawn=notice,
        occurred_on=day,
        details="Seen together",
        outcome="arrest",
        recorded_by=by,
    )


def report(area, by, submitted, grade="", status="submitted"):
    return IntelligenceReport.objects.create(
        local_area=area,
        submitted_by=by,
        submitter_agency=by.agency,
        submitter_contact="Test contact",
        submitted_at=submitted,
        received_at=submitted,
        source="witnessed",
        reliability="2",
        accuracy="3",
        would_engage="not_applicable",
        information="Synthetic information",
        status=status,
        source_evaluation=grade[:1],
        assessment=grade[1:2],
        handling_code=grade[2:3],
    )


@pytest.fixture
def other_area(db):
    return LocalAreaFactory(name="Otherton", slug="otherton")


@pytest.fixture
def olly(other_area):
    agency = AgencyFactory(name="Otherton Police", kind="police", local_area=other_area)
    return UserFactory(username="olly", agency=agency, roles=[Role.POLICE_INTELLIGENCE])


@pytest.fixture
def data(alice, area, other_area, olly):
    d = {}
    # Victims. v1: category 2 from 10 July, female, in care, aged 15.
    d["v1"] = make_child(
        alice,
        forename="Testvictimone",
        gender="female",
        ethnicity="WBRI",
        legal_status=Child.LegalStatus.CARE_ORDER,
    )
    category(alice, d["v1"], 2, D(2026, 7, 10))
    # v2: category 3 since May, male, aged 13.
    d["v2"] = make_child(
        alice, forename="Testvictimtwo", gender="male", date_of_birth=D(2013, 6, 1)
    )
    category(alice, d["v2"], 3, D(2026, 5, 1))
    # v3: category 1 only from 2 October (Q3): not a Q2 victim.
    d["v3"] = make_child(alice, forename="Testvictimthree")
    category(alice, d["v3"], 1, D(2026, 10, 2))
    # v4: category 1 on the quarter's last day; gender and ethnicity not known.
    d["v4"] = make_child(alice, forename="Testvictimfour")
    category(alice, d["v4"], 1, D(2026, 9, 30))

    # Persons of interest (Testshire). p1: full identity and an address.
    d["p1"] = make_person(
        alice, forename="Testperson", surname="Alpha", date_of_birth=D(1990, 1, 1)
    )
    Address.objects.create(subject=d["p1"], line_1="1 Sample Street")
    # p2: a nickname only: no identity, no address.
    d["p2"] = make_person(
        alice,
        forename="",
        surname="",
        nickname="Testnick",
        status="under_investigation",
    )
    # p3: full name, no date of birth (identity known); lives at l2 (address known).
    d["p3"] = make_person(
        alice, forename="Testperson", surname="Gamma", status="charged"
    )
    # p4: recorded on 5 October, after the quarter.
    d["p4"] = make_person(alice, forename="Testperson", surname="Delta")
    # p5: an Otherton person.
    d["p5"] = make_person(olly, forename="Testperson", surname="Epsilon")

    # Locations. l1 hotspot since August, l2 hotspot only from October (area from
    # its owning agency), l3 in Otherton though recorded by Testshire, l4 no person.
    d["l1"] = make_location(
        alice,
        name="Test Takeaway",
        local_area=area,
        is_hotspot=True,
        hotspot_since=D(2026, 8, 1),
    )
    d["l2"] = make_location(
        alice,
        name="Test Hotel",
        type=Location.Type.HOTEL,
        is_hotspot=True,
        hotspot_since=D(2026, 10, 10),
    )
    d["l3"] = make_location(
        alice, name="Test Park", type=Location.Type.PARK, local_area=other_area
    )
    d["l4"] = make_location(
        alice, name="Test Green", type=Location.Type.PARK, local_area=area
    )
    d["ve1"] = make_vehicle(alice, registration="TE57 AAA")
    d["ve2"] = make_vehicle(alice, registration="TE57 BBB")
    for subject in d.values():
        backdate(subject)
    backdate(d["p4"], local(2026, 10, 5))

    K = Link.Kind
    link(d["p1"], d["v1"], K.RELATIONSHIP_OF_CONCERN, by=alice)
    link(d["p2"], d["v3"], K.RELATIONSHIP_OF_CONCERN, by=alice)
    # Ended before the quarter: p3 is not linked to v2 in Q2.
    link(
        d["p3"], d["v2"], K.RELATIONSHIP_OF_CONCERN, by=alice, ended=local(2026, 6, 15)
    )
    link(d["p2"], d["l1"], K.FREQUENTS, by=alice)
    link(d["p3"], d["l2"], K.LIVES_AT, by=alice)
    link(d["v1"], d["l4"], K.SEEN_AT, by=alice)  # a child, not a person
    link(d["p1"], d["ve1"], K.DRIVES, by=alice)

    # Missing. v1: three from home in Q2 (frequently missing).
    ep = episode(d["v1"], local(2026, 7, 6, 14), local(2026, 7, 6, 20))  # 6 hours
    interview(ep, completed=local(2026, 7, 7, 12))  # in time
    ep = episode(d["v1"], local(2026, 7, 11, 23, 30), local(2026, 7, 13, 23, 30))
    interview(ep, completed=local(2026, 7, 20))  # late
    episode(d["v1"], local(2026, 8, 1, 2), local(2026, 8, 5, 3))  # 97 hours, none
    # v2: out at 22:00 on the quarter's last day, back next day (Q3 return).
    episode(d["v2"], local(2026, 9, 30, 22), local(2026, 10, 1, 10))
    # v2: a Q1 episode returned in Q2 with no interview.
    episode(d["v2"], local(2026, 6, 30, 23, 30), local(2026, 7, 1, 1))
    # Absences never count.
    episode(d["v4"], local(2026, 7, 7), local(2026, 7, 7, 18), kind="absent")

    # Disruption.
    tactic(d["p1"], "arrest", "completed", D(2026, 7, 15), alice)
    tactic(d["p3"], "charge", "in_place", D(2026, 9, 30), alice)
    tactic(d["p2"], "civil_injunction", "proposed", D(2026, 8, 1), alice)
    tactic(d["p1"], "arrest", "completed", D(2026, 10, 1), alice)  # Q3
    c1 = cawn(d["p1"], d["v1"], area, D(2026, 7, 20), alice, local(2026, 7, 21))
    breach(c1, D(2026, 8, 10), alice)
    breach(c1, D(2026, 8, 20), alice)
    c2 = cawn(d["p2"], d["v2"], area, D(2026, 6, 25), alice, local(2026, 7, 2))
    breach(c2, D(2026, 10, 2), alice)
    # p1 is also disrupted in Otherton: one person in two areas.
    cawn(d["p1"], d["v1"], other_area, D(2026, 8, 14), olly, local(2026, 8, 15))
    cawn(d["p5"], d["v4"], other_area, D(2026, 7, 5), olly, local(2026, 7, 6))

    # Intelligence.
    report(area, alice, local(2026, 7, 3), "2BP", "graded")
    report(area, alice, local(2026, 8, 3), "1AP", "actioned")
    report(area, alice, local(2026, 9, 3))
    report(area, alice, local(2026, 10, 2))  # Q3
    report(other_area, olly, local(2026, 7, 3))
    return d


def q2(area):
    return profile.compute(area=area, year=2026, quarter=2)


def test_victims_by_category_gender_age_ethnicity_and_care(data, area):
    v = q2(area)["victims"]
    assert v["total"] == 3  # v1, v2, v4
    assert list(v["by_category"].values()) == [1, 1, 1]
    assert v["by_gender"] == {"Female": 1, "Male": 1, "Not known": 1}
    assert v["by_age_band"]["10-13"] == 1
    assert v["by_age_band"]["14-15"] == 2
    assert v["by_looked_after"] == {"Looked after": 1, "Not looked after": 2}
    assert sum(v["by_ethnicity"].values()) == 3


def test_persons_by_status_and_linked_to_victims(data, area):
    p = q2(area)["persons"]
    assert p["total"] == 3  # p4 recorded after the quarter, p5 elsewhere
    assert p["by_status"]["Active"] == 1
    assert p["by_status"]["Under investigation"] == 1
    assert p["by_status"]["Charged"] == 1
    assert p["by_area"] == {"Testshire": 3}
    assert p["linked_to_victims"] == 1  # p1; p2's child is no victim; p3's link ended


def test_locations_hotspots_and_vehicles(data, area):
    figures = q2(area)
    loc = figures["locations"]
    assert loc["total"] == 3  # l1, l2, l4; l3 is in Otherton
    assert loc["by_type"]["Fast-food outlet or takeaway"] == 1
    assert loc["by_type"]["Hotel or bed and breakfast"] == 1
    assert loc["by_type"]["Park or open space"] == 1
    assert loc["hotspots"] == 1  # l2 only from October
    assert figures["vehicles"] == {"total": 2, "linked": 1}


def test_missing_patterns(data, area):
    m = q2(area)["missing"]
    assert m["episodes"] == 4
    assert m["children"] == 2
    assert m["frequently_missing"] == 1
    assert m["by_day"]["Monday"] == 1
    assert m["by_day"]["Saturday"] == 2
    assert m["by_day"]["Wednesday"] == 1
    assert m["by_time"] == {
        "00:00 to 05:59": 1,
        "06:00 to 11:59": 0,
        "12:00 to 17:59": 1,
        "18:00 to 23:59": 2,
    }
    assert m["by_duration"] == {
        "under 24 hours": 1,
        "24 to 72 hours": 1,
        "72 hours or more": 1,
        "not returned by the quarter's end": 1,
    }
    assert (m["interviews_due"], m["interviews_in_time"]) == (2, 1)


def test_disruption_counts_each_person_once(data, area):
    d = q2(area)["disruption"]
    assert d["tactics"] == 3
    assert d["tactics_by_type"] == {"Arrest": 1, "Charge": 1, "Civil injunction": 1}
    assert d["tactics_by_outcome"]["Completed"] == 1
    assert d["tactics_by_outcome"]["Granted or in place"] == 1
    assert d["tactics_by_outcome"]["Proposed"] == 1
    assert d["cawns_issued"] == 1
    assert d["cawns_served"] == 2
    assert (d["cawn_breaches"], d["cawns_breached"]) == (2, 1)
    assert (d["offenders_disrupted"], d["offenders_prosecuted"]) == (3, 1)


def test_intelligence_by_grading_and_actioned(data, area):
    i = q2(area)["intelligence"]
    assert i["reports"] == 3
    assert i["by_grading"] == {"1AP": 1, "2BP": 1, "Not graded": 1}
    assert (i["actioned"], i["not_actioned"]) == (1, 2)


def test_intelligence_gaps(data, area):
    g = q2(area)["gaps"]
    assert g["victims_without_person"] == 2  # v2 (link ended), v4
    assert g["persons_without_address"] == 1  # p2
    assert g["persons_without_identity"] == 1  # p2
    assert g["locations_without_person"] == 1  # l4
    assert g["episodes_without_interview"] == 2  # v1 in August, v2 returned 1 July


def test_all_areas_together(data):
    figures = profile.compute(area=None, year=2026, quarter=2)
    assert figures["persons"]["by_area"] == {"Otherton": 1, "Testshire": 3}
    assert figures["locations"]["by_area"] == {"Otherton": 1, "Testshire": 3}
    assert figures["disruption"]["cawns_issued"] == 3
    # p1, p2, p3 in Testshire; p1 again and p5 in Otherton: four people.
    assert figures["disruption"]["offenders_disrupted"] == 4
    assert figures["intelligence"]["reports"] == 4


def test_the_next_quarter_starts_afresh(data, area):
    figures = profile.compute(area=area, year=2026, quarter=3)
    assert figures["victims"]["total"] == 4  # v1, v2, v3, v4 all in force
    assert figures["persons"]["total"] == 4  # p4 now recorded
    assert figures["locations"]["hotspots"] == 2
    assert figures["missing"]["episodes"] == 0
    assert figures["missing"]["interviews_due"] == 0
    assert figures["disruption"]["tactics"] == 1
    assert figures["disruption"]["cawn_breaches"] == 1
    assert figures["intelligence"]["reports"] == 1


def test_the_profile_takes_a_fixed_number_of_queries(
    data, area, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        q2(area)


def test_days_and_times_are_london_and_duration_bands_close_on_the_hour(alice, area):
    """Q3 2026 (October to December) spans the end of British Summer Time on
    25 October. The day and hour are London's, not UTC's; exactly 24 hours is in
    the second band and exactly 72 in the third; an episode returned at the very
    moment the quarter ends had not returned by its end."""
    child = make_child(alice, forename="Testchild Alpha")
    utc = datetime.UTC
    # Sunday 23:30 UTC in summer time is Monday 00:30 in London.
    episode(
        child,
        datetime.datetime(2026, 10, 4, 23, 30, tzinfo=utc),
        datetime.datetime(2026, 10, 5, 23, 30, tzinfo=utc),  # exactly 24 hours
    )
    # Sunday 23:30 UTC in winter is Sunday 23:30 in London too.
    episode(
        child,
        datetime.datetime(2026, 12, 6, 23, 30, tzinfo=utc),
        datetime.datetime(2026, 12, 9, 23, 30, tzinfo=utc),  # exactly 72 hours
    )
    # Across the change of the clocks: from 00:30 BST on Sunday 25 October (still
    # Saturday in UTC) to midnight GMT on the Monday, 23.5 hours by the clock on
    # the wall but 24.5 hours in fact.
    episode(child, local(2026, 10, 25, 0, 30), local(2026, 10, 26, 0, 0))
    # A minute short of 24 hours.
    episode(child, local(2026, 11, 3, 6), local(2026, 11, 4, 5, 59))
    # Returned at the first moment of the next quarter.
    episode(child, local(2026, 12, 31, 18), local(2027, 1, 1, 0, 0))

    m = profile.compute(area=area, year=2026, quarter=3)["missing"]
    assert m["episodes"] == 5
    assert m["children"] == 1
    assert m["by_day"] == {
        "Monday": 1,
        "Tuesday": 1,
        "Wednesday": 0,
        "Thursday": 1,
        "Friday": 0,
        "Saturday": 0,
        "Sunday": 2,
    }
    assert m["by_time"] == {
        "00:00 to 05:59": 2,
        "06:00 to 11:59": 1,
        "12:00 to 17:59": 0,
        "18:00 to 23:59": 2,
    }
    assert m["by_duration"] == {
        "under 24 hours": 1,
        "24 to 72 hours": 2,
        "72 hours or more": 1,
        "not returned by the quarter's end": 1,
    }


def test_the_number_of_queries_does_not_grow_with_the_records(
    data, area, alice, django_assert_num_queries
):
    q2(area)  # settings read once and cached
    with CaptureQueriesContext(connection) as first:
        q2(area)
    for n in range(5):
        child = make_child(alice, forename=f"Testchild Extra{n}")
        category(alice, child, 3, D(2026, 7, 1))
        person = make_person(alice, forename=f"Testperson Extra{n}")
        link(person, child, Link.Kind.ASSOCIATE, by=alice)
        link(person, make_location(alice), Link.Kind.LIVES_AT, by=alice)
        link(make_vehicle(alice), person, Link.Kind.DRIVES, by=alice)
        for day in (3, 4, 5):
            interview(episode(child, local(2026, 8, day), local(2026, 8, day, 20)))
    with django_assert_num_queries(len(first)):
        q2(area)


PAGE = {"area": "testshire", "year": 2026, "quarter": 2}


def test_the_manager_sees_counts_and_no_names(data, client, pam):
    client.force_login(pam)
    page = client.get(reverse("reports:profile"), PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Persons of interest linked to a victim" in html
    assert "<svg" in html
    for name in ("Testvictim", "Testperson", "Testnick", "Test Takeaway", "TE57"):
        assert name not in html
    event = AuditEvent.objects.filter(action="view", user=pam).latest("pk")
    assert event.detail == {
        "report": "problem_profile",
        "area": "testshire",
        "year": 2026,
        "quarter": 2,
    }


def test_small_numbers_outside_the_viewers_area(data, client, olly):
    client.force_login(olly)
    html = client.get(reverse("reports:profile"), PAGE).content.decode()
    assert disclosure.NOTE in html
    assert "fewer than 5" not in html
    assert "Testvictim" not in html


def test_the_analyst_records_a_gap_for_their_area(data, client, carol, area, pam):
    client.force_login(carol)
    response = client.post(
        reverse("reports:profile_gap_create"),
        {"year": 2026, "quarter": 2, "text": "No intelligence on the night economy"},
    )
    assert response.status_code == 302
    gap = ProfileGap.objects.get()
    assert (gap.local_area, gap.quarter, gap.entered_by) == (area, 2, carol)
    assert AuditEvent.objects.filter(action="create", object_id=str(gap.pk)).exists()
    client.force_login(pam)
    html = client.get(reverse("reports:profile"), PAGE).content.decode()
    assert "No intelligence on the night economy" in html


def test_the_manager_may_not_record_gaps(client, pam):
    client.force_login(pam)
    response = client.post(
        reverse("reports:profile_gap_create"),
        {"year": 2026, "quarter": 2, "text": "Something"},
    )
    assert response.status_code == 403


def test_csv_export_is_rounded_and_audited(data, client, olly):
    client.force_login(olly)
    response = client.get(reverse("reports:profile_csv"), PAGE)
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert re.search(r"\nvictims,total,CSE victims[^,]*,~\d*[05]\r\n", text)
    assert "rounded to the nearest 5" in text
    assert "Testvictim" not in text
    assert AuditEvent.objects.filter(action="export", user=olly).exists()


def test_csv_export_in_own_area_has_the_numbers(data, client, carol):
    client.force_login(carol)
    text = client.get(reverse("reports:profile_csv"), PAGE).content.decode()
    assert "disruption,offenders_disrupted,Persons of interest disrupted,3" in text


def test_the_pdf_carries_the_figures_and_the_marking(data, client, pam):
    client.force_login(pam)
    response = client.get(reverse("reports:profile_pdf"), PAGE)
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "OFFICIAL-SENSITIVE" in text
    assert "Problem profile: Testshire" in text
    assert "Intelligence reports by grading" in text
    assert "Testvictim" not in text
    assert AuditEvent.objects.filter(action="print", user=pam).exists()
