"""The pages' happy paths, 403/404/405, and bounded queries on the agenda page."""

import datetime
import io

from django.urls import reverse
from pypdf import PdfReader

from cse import services as core
from cse.models import AuditEvent, Referral
from meetings import services
from meetings.models import Action, Meeting, MeetingDocument
from tests.factories import make_child, make_person
from tests.page_forms import read_version


def refer(alice, subject):
    return core.create_referral(
        by=alice,
        subject=subject,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis="Concerns",
    )


def test_an_administrator_sets_up_a_meeting(client_for, bob, chris, meeting_type):
    client = client_for(bob)
    response = client.post(
        reverse("meetings:meeting_create"),
        {
            "meeting_type": meeting_type.pk,
            "starts_at_0": "4",
            "starts_at_1": "3",
            "starts_at_2": "2031",
            "starts_at_3": "10:00",
            "venue": "Sample House",
            "chair": chris.pk,
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.chair == chris and meeting.organiser_agency == bob.agency


def test_triage_from_the_page_accepts_and_declines(
    client_for, meeting, bob, alice, child
):
    client = client_for(bob)
    accepted, declined = refer(alice, child), refer(alice, make_person(alice))
    page = client.get(reverse("meetings:triage", args=[meeting.pk]))
    assert accepted.subject.reference in page.content.decode()
    url = reverse("meetings:triage_decide", args=[meeting.pk, accepted.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 302
    url = reverse("meetings:triage_decide", args=[meeting.pk, declined.pk])
    response = client.post(url, {"decision": "decline"})
    assert "Enter the reason for declining" in response.content.decode()
    client.post(url, {"decision": "decline", "reason": "Not for CMOG"})
    declined.refresh_from_db()
    assert declined.status == Referral.Status.DECLINED
    assert meeting.items.filter(subject=child).exists()


def test_circulating_from_the_page_lets_members_see_the_items(
    client_for, meeting, bob, alice, dave, child
):
    services.triage_referral(
        by=bob, meeting=meeting, referral=refer(alice, child), decision="accept"
    )
    item = meeting.items.get(subject=child)
    client = client_for(dave)
    assert (
        client.get(
            reverse("meetings:item_detail", args=[meeting.pk, item.pk])
        ).status_code
        == 404
    )
    client = client_for(bob)
    client.post(reverse("meetings:circulate", args=[meeting.pk]))
    client = client_for(dave)
    page = client.get(reverse("meetings:item_detail", args=[meeting.pk, item.pk]))
    assert page.status_code == 200
    assert "Sampleton" in page.content.decode()


def test_a_practitioner_member_may_not_circulate(client_for, meeting, alice):
    assert (
        client_for(alice)
        .post(reverse("meetings:circulate", args=[meeting.pk]))
        .status_code
        == 403
    )


def test_an_outsider_cannot_find_the_meeting(client_for, meeting, erin):
    assert (
        client_for(erin)
        .post(reverse("meetings:circulate", args=[meeting.pk]))
        .status_code
        == 404
    )


def test_the_agenda_renders_in_the_background_and_downloads_audited(
    client_for, meeting, bob, alice, child, django_capture_on_commit_callbacks
):
    services._append_item(meeting=meeting, subject=child, by=bob)
    client = client_for(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:document_create", args=[meeting.pk]), {"kind": "agenda"}
        )
    document = MeetingDocument.objects.get()
    assert response["Location"] == reverse(
        "meetings:document_status", args=[meeting.pk, document.pk]
    )
    assert document.status == MeetingDocument.Status.DONE
    assert document.progress == document.total == 3
    status = client.get(response["Location"])
    assert "Download the agenda" in status.content.decode()
    download = client.get(
        reverse("meetings:document_download", args=[meeting.pk, document.pk])
    )
    assert download["Content-Disposition"].startswith("attachment")
    pdf = b"".join(download.streaming_content)
    assert "Sampleton" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).count() == 1


def test_the_chair_closes_an_action_from_the_page_and_others_may_not(
    client_for, meeting, bob, chris, dave, agency_b
):
    action = services.add_action(
        by=bob,
        meeting=meeting,
        description="Visit",
        assigned_agency=agency_b,
        due_on=datetime.date(2030, 1, 1),
    )
    url = reverse("meetings:action_close", args=[meeting.pk, action.pk])
    assert client_for(bob).post(url, {"status": "completed"}).status_code == 403
    chair = client_for(chris)
    page = reverse("meetings:action_detail", args=[meeting.pk, action.pk])
    opened = read_version(chair, page, action=url)
    assert chair.post(url, {"status": "completed", **opened}).status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED


def test_owners_add_updates_on_the_action_page(
    client_for, meeting, bob, dave, agency_b
):
    action = services.add_action(
        by=bob,
        meeting=meeting,
        description="Visit",
        assigned_agency=agency_b,
        due_on=datetime.date(2030, 1, 1),
    )
    services.circulate_meeting(by=bob, meeting=meeting)
    url = reverse("meetings:action_detail", args=[meeting.pk, action.pk])
    assert client_for(dave).post(url, {"text": "Done the visit"}).status_code == 302
    assert action.updates.get().text == "Done the visit"


def test_attendance_is_recorded_on_the_page(client_for, meeting, bob, agency_a):
    client = client_for(bob)
    url = reverse("meetings:attendance", args=[meeting.pk])
    response = client.post(
        url,
        {
            "name": "Testperson Present",
            "agency": agency_a.pk,
            "status": "present",
            "accepted_confidentiality": "on",
        },
    )
    assert response.status_code == 302
    assert "Quorate" in client.get(url).content.decode()


def test_the_chair_approves_the_minutes(client_for, meeting, bob, chris, agency_a):
    services.record_attendance(
        by=bob,
        meeting=meeting,
        name="Testperson Present",
        agency=agency_a,
        status="present",
        accepted_confidentiality=True,
    )
    url = reverse("meetings:minutes_approve", args=[meeting.pk])
    assert client_for(bob).post(url).status_code == 403
    assert client_for(chris).post(url).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_approved_by == chris


def test_the_agenda_page_makes_the_same_queries_for_few_or_many_items(
    client_for, meeting, bob, alice, django_assert_num_queries
):
    client = client_for(bob)
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    services._append_item(meeting=meeting, subject=make_child(alice), by=bob)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        services._append_item(meeting=meeting, subject=make_child(alice), by=bob)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
