"""Printed documents are built for the agency that receives them.

The scene: a CMOG of agency A (bob administers, chris of the police chairs) whose
agenda has gone out to agencies A and B (dave, police). A child of A's is then
accepted as an urgent late addition: shared with nobody, with a category, an open
action and a linked person. Until the agenda is circulated again, nothing of that
child may reach the police: not in the agenda or action document they print
(rendered for real through the background task, read back with pypdf), not in a
document A printed, and not on the meeting's pages.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cse import services as core
from cse.models import CategoryAssessment, Link, Referral
from cse.permissions import AgencyReader
from cse.summaries import NOT_SHARED
from meetings import services
from meetings.models import MeetingDocument
from meetings.pdf import render_agenda_pdf
from tests.factories import make_child, make_person

LATE_NAMES = ("Zqlate", "Hiddenby")
LATE_ACTION = "Zqaction visit the hidden address"
LATE_PERSON = "Zqperson"
LATE_SYNOPSIS = "Zqsynopsis lives at 9 Marker Road"


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def scene(meeting, bob, alice, agency_b):
    shared = make_child(alice, forename="Testchild", surname="Sharedly")
    services._append_item(meeting=meeting, subject=shared, by=bob)
    services.circulate_meeting(by=bob, meeting=meeting)
    meeting.refresh_from_db()

    late = make_child(alice, forename=LATE_NAMES[0], surname=LATE_NAMES[1])
    core.record_category(
        by=alice,
        child=late,
        category=3,
        assessed_on=datetime.date(2026, 1, 5),
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale="Serious concerns",
    )
    person = make_person(alice, forename=LATE_PERSON, surname="Linkedby")
    core.create_link(
        by=alice,
        from_subject=late,
        to_subject=person,
        kind=Link.Kind.SEEN_WITH,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.PROBABLE,
    )
    referral = core.create_referral(
        by=alice,
        subject=late,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis=LATE_SYNOPSIS,
    )
    services.triage_referral(
        by=bob, meeting=meeting, referral=referral, decision="accept", urgent=True
    )
    item = meeting.items.get(subject=late)
    assert item.is_late_addition
    services.add_action(
        by=bob,
        meeting=meeting,
        item=item,
        description=LATE_ACTION,
        assigned_agency=agency_b,
        due_on=datetime.date(2030, 1, 1),
    )
    return {"shared": shared, "late": late, "item": item}


def assert_nothing_of_the_late_child(text: str, late) -> None:
    for marker in (*LATE_NAMES, late.reference, LATE_ACTION, LATE_PERSON):
        assert marker not in text
    assert LATE_SYNOPSIS.split()[0] not in text
    assert "Category 3" not in text


def print_as(client, meeting, kind, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:document_create", args=[meeting.pk]), {"kind": kind}
        )
    assert response.status_code == 302
    document = MeetingDocument.objects.filter(kind=kind).latest("pk")
    assert document.status == MeetingDocument.Status.DONE
    download = client.get(
        reverse("meetings:document_download", args=[meeting.pk, document.pk])
    )
    assert download.status_code == 200
    return text_of(b"".join(download.streaming_content))


def test_the_police_agenda_shows_nothing_of_an_unshared_late_addition(
    client_for, meeting, dave, scene, django_capture_on_commit_callbacks
):
    client = client_for(dave)
    assert (
        client.get(scene["late"].get_absolute_url()).status_code == 404
    )  # as the record itself answers
    text = print_as(
        client_for(dave), meeting, "agenda", django_capture_on_commit_callbacks
    )
    assert "Sharedly" in text  # what circulation shared is there
    assert_nothing_of_the_late_child(text, scene["late"])
    assert NOT_SHARED.capitalize() in text
    document = MeetingDocument.objects.get(kind="agenda")
    assert document.agency == dave.agency
    assert f"for {dave.agency}" in text


def test_the_police_action_document_leaves_the_unshared_record_out(
    client_for, meeting, dave, agency_b, bob, scene, django_capture_on_commit_callbacks
):
    services.add_action(
        by=bob,
        meeting=meeting,
        item=meeting.items.get(subject=scene["shared"]),
        description="Zqshared check in with school",
        assigned_agency=agency_b,
        due_on=datetime.date(2030, 1, 2),
    )
    text = print_as(
        client_for(dave), meeting, "actions", django_capture_on_commit_callbacks
    )
    assert "Zqshared check in with school" in text
    assert_nothing_of_the_late_child(text, scene["late"])
    assert "2 open actions" not in text and "1 open action" not in text


def test_the_organisers_agenda_is_theirs_alone(
    client_for, meeting, bob, dave, scene, django_capture_on_commit_callbacks
):
    text = print_as(
        client_for(bob), meeting, "agenda", django_capture_on_commit_callbacks
    )
    assert LATE_NAMES[1] in text and LATE_ACTION in text  # A's own child
    document = MeetingDocument.objects.get(kind="agenda")
    client = client_for(dave)
    url = reverse("meetings:document_download", args=[meeting.pk, document.pk])
    assert client.get(url).status_code == 404
    status = reverse("meetings:document_status", args=[meeting.pk, document.pk])
    assert client.get(status).status_code == 404
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert status not in page.content.decode()


def test_recirculating_shares_the_late_addition_and_then_it_is_printed(
    meeting, bob, dave, scene
):
    reader = AgencyReader(dave.agency)
    assert LATE_NAMES[1] not in text_of(render_agenda_pdf(meeting, reader))
    services.circulate_meeting(by=bob, meeting=meeting)
    assert LATE_NAMES[1] in text_of(render_agenda_pdf(meeting, reader))


def test_a_document_does_not_carry_its_requesters_own_grants(meeting, bob, dave, scene):
    """A per-user grant is one person's: a document for their agency leaves it out."""
    from cse.permissions import grant_user_permission

    grant_user_permission(dave, "view_child", scene["late"])
    text = text_of(render_agenda_pdf(meeting, AgencyReader(dave.agency)))
    assert_nothing_of_the_late_child(text, scene["late"])


def test_a_member_prints_only_after_circulation(client_for, meeting, bob, alice, dave):
    services._append_item(meeting=meeting, subject=make_child(alice), by=bob)
    client = client_for(dave)
    url = reverse("meetings:document_create", args=[meeting.pk])
    assert client.post(url, {"kind": "agenda"}).status_code == 403
    assert not MeetingDocument.objects.exists()
    services.circulate_meeting(by=bob, meeting=meeting)
    assert client.post(url, {"kind": "agenda"}).status_code == 302
    assert MeetingDocument.objects.get().agency == dave.agency


def test_the_meeting_pages_show_nothing_of_the_late_addition_to_the_police(
    client_for, meeting, dave, scene
):
    client = client_for(dave)
    pages = [
        client.get(reverse("meetings:meeting_detail", args=[meeting.pk])),
        client.get(
            reverse("meetings:item_detail", args=[meeting.pk, scene["item"].pk])
        ),
        client.get(reverse("meetings:action_list", args=[meeting.pk])),
        client.get(reverse("meetings:minutes", args=[meeting.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert_nothing_of_the_late_child(text, scene["late"])
        assert "Zqsynopsis" not in text
    agenda = pages[0].content.decode()
    assert "Not shared with your agency. 1 open action" not in agenda
    assert "1 open action" not in agenda  # the only open action is on the late child
