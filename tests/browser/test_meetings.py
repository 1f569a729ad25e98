"""The meeting administrator's and chair's journey, in a real browser.

bob (agency A's meeting administrator) triages the referrals of a child, a person of
interest and a location onto a CMOG agenda, reorders it, has the agenda rendered
and circulates it; chris (agency B, the chair) records attendance with the
confidentiality statement accepted, sees the meeting quorate and closes an action.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cse import services as core
from cse.models import Referral, Role
from meetings import services
from meetings.models import Action, MeetingDocument, MeetingType
from tests.factories import UserFactory, make_child, make_location, make_person


@pytest.mark.browser
def test_administrator_builds_and_circulates_and_chair_closes_an_action(
    new_page, sign_in, area, alice, bob, dave, agency_a, agency_b
):
    chris = UserFactory(
        username="chris",
        first_name="Chris",
        agency=agency_b,
        roles=[Role.MEETING_CHAIR],
    )
    meeting_type = MeetingType.objects.create(
        local_area=area,
        name="Testshire CMOG",
        slug="cmog",
        forum="cmog",
        core_agency_kinds=["social_care", "police"],
        standard_items=["Introductions and apologies"],
        subject_sections=["child", "person", "location"],
    )
    meeting = services.create_meeting(
        by=bob,
        meeting_type=meeting_type,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        chair=chris,
    )
    child = make_child(alice, forename="Testchild", surname="Agendaton")
    person = make_person(alice)
    location = make_location(alice)
    for subject in (child, person, location):
        core.create_referral(
            by=alice,
            subject=subject,
            forum="cmog",
            source=Referral.Source.PROFESSIONAL,
            synopsis="Seen together late at night",
        )
    action = services.add_action(
        by=bob,
        meeting=meeting,
        description="Visit the sample shop",
        assigned_agency=agency_b,
        due_on=datetime.date(2030, 1, 1),
    )

    page = new_page()
    sign_in(page, bob)
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Triage referrals (3)").click()
    for subject in (child, person, location):
        page.get_by_role("link", name=f"Decide on {subject.reference}").click()
        page.get_by_label("Accept onto this meeting's agenda").check()
        page.get_by_role("button", name="Save").click()
        expect(
            page.get_by_text(f"Referral of {subject.reference} triaged")
        ).to_be_visible()
    expect(page.get_by_text("No referrals are waiting.")).to_be_visible()
    page.get_by_role("link", name="Back to the agenda").click()
    for subject in (child, person, location):
        expect(
            page.locator(f"#item-{meeting.items.get(subject=subject).pk}")
        ).to_be_visible()
    page.get_by_role("button", name="Print the agenda").click()
    expect(page.get_by_role("status")).to_have_text("Ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("link", name="Back to the meeting").click()
    page.get_by_role("button", name="Circulate the agenda to members").click()
    expect(page.get_by_text("Agenda circulated to the members")).to_be_visible()
    assert MeetingDocument.objects.get().status == MeetingDocument.Status.DONE

    chair = new_page()
    sign_in(chair, chris)
    chair.goto(f"/meetings/{meeting.pk}/attendance/")
    expect(chair.locator("#quorum")).to_contain_text("Not quorate")
    for name, agency in (
        ("Testperson Social", agency_a),
        ("Testperson Police", agency_b),
    ):
        chair.get_by_label("Name").fill(name)
        chair.get_by_label("Agency").select_option(label=agency.name)
        chair.get_by_label("Present", exact=True).check()
        chair.get_by_label("Has accepted the confidentiality statement").check()
        chair.get_by_role("button", name="Add to the register").click()
        expect(chair.get_by_text("Attendance recorded")).to_be_visible()
    expect(chair.locator("#quorum")).to_contain_text("Quorate")
    chair.goto(f"/meetings/{meeting.pk}/actions/{action.pk}/")
    chair.get_by_label("Completed").check()
    chair.get_by_role("button", name="Close action").click()
    expect(chair.locator("#action-status")).to_contain_text("Completed")
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED and action.closed_by == chris
