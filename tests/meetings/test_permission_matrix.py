"""Every meetings URL × every role × a meeting circulated to its members or not.

Agencies A (organiser: alice, bob the administrator, carol the coordinator, sam) and B
(dave; chris, the chair) are members; C (erin) is not. Items are visible to the
organisers and the chair, and to members only once circulated to them. A printed
document belongs to the agency it was built for (A's here): no other agency finds it.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cse import services as core
from cse.models import Referral
from meetings import services
from meetings.models import MeetingDocument
from tests.factories import make_child

CASTS = ["alice", "bob", "carol", "dave", "erin", "pam", "sam", "chris"]
CASEWORKERS = {"alice", "bob", "carol", "dave", "erin", "chris"}
MEMBERS = {"alice", "bob", "carol", "dave", "chris"}  # see the meeting at all
RUNNERS = {
    "bob",
    "carol",
    "chris",
}  # organising agency's administrator/coordinator, chair
ORGANISING_AGENCY = {"alice", "bob", "carol"}

LIST, ORGANISE, SEE, ITEMS, RUN, CHAIR = (
    "list",
    "organise",
    "see",
    "items",
    "run",
    "chair",
)

# url name -> (rule, extra argument kind after the meeting id or None)
MATRIX: dict[str, tuple[str, str | None]] = {
    "meetings:meeting_list": (LIST, "none"),
    "meetings:meeting_create": (ORGANISE, "none"),
    "meetings:meeting_detail": (SEE, None),
    "meetings:triage": (RUN, None),
    "meetings:triage_decide": (RUN, "referral"),
    "meetings:item_detail": (ITEMS, "item"),
    "meetings:note_create": (RUN, "item"),
    "meetings:decision_create": (RUN, "item"),
    "meetings:action_create": (RUN, "item"),
    "meetings:allow_late": (CHAIR, None),
    "meetings:attendance": (ITEMS, None),
    "meetings:action_list": (ITEMS, None),
    "meetings:action_detail": (ITEMS, "action"),
    "meetings:minutes": (ITEMS, None),
    "meetings:document_status": (ITEMS, "document"),
    "meetings:document_download": (ITEMS, "document"),
}
POST_ONLY = {
    "meetings:item_move",
    "meetings:item_remove",
    "meetings:circulate",
    "meetings:action_close",
    "meetings:minutes_approve",
    "meetings:document_create",
}


def expected(user: str, rule: str, circulated: bool, extra: str | None) -> int:
    """A member who sees the meeting but not (yet) its items gets 403 on the meeting's
    own pages, and 404 for an item, action or document: those do not exist for them."""
    if rule == LIST:
        return 200 if user in CASEWORKERS else 403
    if rule == ORGANISE:
        return 200 if user in {"bob", "carol", "chris"} else 403
    if user not in MEMBERS:
        return 404
    if rule == SEE:
        return 200
    if extra == "document" and user not in ORGANISING_AGENCY:
        return 404  # a document is its agency's (agency A's here) alone
    if extra == "action" and user not in ORGANISING_AGENCY and not circulated:
        return 404  # on a record of A's that circulation has not shared yet
    sees_items = user in RUNNERS or circulated
    hidden = 403 if extra in (None, "referral") else 404
    if rule == ITEMS:
        return 200 if sees_items else hidden
    if rule == RUN:
        if user in RUNNERS:
            return 200
        return 403 if sees_items else hidden
    if rule == CHAIR:
        return 200 if user == "chris" else 403
    raise AssertionError(rule)


def build(meeting, bob, alice, dave, circulate: bool) -> dict:
    child = make_child(alice)
    referral = core.create_referral(
        by=alice,
        subject=child,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis="Concerns",
    )
    services.triage_referral(
        by=bob, meeting=meeting, referral=referral, decision="accept"
    )
    pending = core.create_referral(
        by=alice,
        subject=make_child(alice),
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis="More concerns",
    )
    item = meeting.items.get(subject=child)
    action = services.add_action(
        by=bob,
        meeting=meeting,
        item=item,
        description="Visit",
        assigned_agency=dave.agency,
        due_on=datetime.date(2030, 1, 1),
    )
    document = MeetingDocument.objects.create(
        meeting=meeting,
        kind="agenda",
        agency=bob.agency,
        requested_by=bob,
        status="done",
    )
    document.file.save(f"test/{document.pk}.pdf", ContentFile(b"%PDF-1.4"), save=True)
    if circulate:
        services.circulate_meeting(by=bob, meeting=meeting)
    return {
        "none": None,
        "referral": pending.pk,
        "item": item.pk,
        "action": action.pk,
        "document": document.pk,
    }


@pytest.mark.parametrize("url_name", sorted(MATRIX))
@pytest.mark.parametrize("circulated", [False, True])
def test_each_role_gets_what_the_matrix_says(
    url_name,
    circulated,
    client,
    meeting,
    alice,
    bob,
    carol,
    dave,
    erin,
    pam,
    sam,
    chris,
):
    users = {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "erin": erin,
        "pam": pam,
        "sam": sam,
        "chris": chris,
    }
    ids = build(meeting, bob, alice, dave, circulated)
    rule, extra = MATRIX[url_name]
    if extra == "none":
        url = reverse(url_name)
    elif extra is None:
        url = reverse(url_name, args=[meeting.pk])
    else:
        url = reverse(url_name, args=[meeting.pk, ids[extra]])
    failures = []
    client.logout()
    response = client.get(url)
    if response.status_code != 302:
        failures.append(("anonymous", response.status_code))
    for name in CASTS:
        client.force_login(users[name])
        status = client.get(url).status_code
        want = expected(name, rule, circulated, extra)
        if status != want:
            failures.append((name, status, want))
    assert not failures, failures


@pytest.mark.parametrize("url_name", sorted(POST_ONLY))
def test_post_only_views_refuse_get(url_name, client, bob, meeting):
    client.force_login(bob)
    args = [meeting.pk]
    if url_name in {
        "meetings:item_move",
        "meetings:item_remove",
        "meetings:action_close",
    }:
        args.append(1)
    assert client.get(reverse(url_name, args=args)).status_code == 405
