"""Open actions are read as their reader may see them: the action document and an
item's summary leave out actions on records the reader may not see (no text, no
reference, no count), and an item's summary lists only actions of meetings whose
items the reader sees."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cse import services as core
from cse.models import SharingDecision
from cse.permissions import AgencyReader
from meetings import services
from meetings.models import MeetingType
from meetings.pdf import open_actions
from meetings.summaries import summarise_item
from tests.factories import make_child


def share(by, subject, agency):
    core.record_sharing_decision(
        by=by,
        subject=subject,
        agency=agency,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint work",
        consent=SharingDecision.Consent.NOT_SOUGHT,
        consent_reason="Would place the child at risk",
    )


def test_the_action_document_leaves_out_actions_on_unshared_records(
    meeting, bob, alice, dave, agency_b
):
    shared, hidden = make_child(alice), make_child(alice)
    share(alice, shared, agency_b)
    for subject, text in ((shared, "Zqshared visit"), (hidden, "Zqhidden visit")):
        item = services._append_item(meeting=meeting, subject=subject, by=bob)
        services.add_action(
            by=bob,
            meeting=meeting,
            item=item,
            description=text,
            assigned_agency=agency_b,
            due_on=datetime.date(2030, 1, 1),
        )
    services.circulate_meeting(by=bob, meeting=meeting)
    # The hidden child was withdrawn from B after circulation: not B's any more.
    core.record_sharing_decision(
        by=alice,
        subject=hidden,
        agency=agency_b,
        decision=SharingDecision.Decision.WITHDRAW,
        purpose="No longer needed",
        consent=SharingDecision.Consent.NOT_SOUGHT,
        consent_reason="Not applicable",
    )
    for reader in (dave, AgencyReader(agency_b)):
        texts = [a.description for a in open_actions(meeting, reader)]
        assert texts == ["Zqshared visit"]
    assert len(open_actions(meeting, bob)) == 2


def test_an_items_open_actions_come_only_from_meetings_the_reader_sees(
    meeting, bob, alice, agency_b, area
):
    child = make_child(alice)
    share(alice, child, agency_b)
    own_type = MeetingType.objects.create(
        local_area=area,
        name="Testshire internal review",
        slug="internal",
        forum="mase",
        core_agency_kinds=["social_care"],
        standard_items=[],
        subject_sections=["child"],
    )
    internal = services.create_meeting(
        by=bob,
        meeting_type=own_type,
        starts_at=timezone.now() + datetime.timedelta(days=20),
    )
    assert not internal.members.filter(agency=agency_b).exists()
    services.add_action(
        by=bob,
        meeting=internal,
        item=services._append_item(meeting=internal, subject=child, by=bob),
        description="Zqinternal action",
        assigned_agency=bob.agency,
        due_on=datetime.date(2030, 1, 1),
    )
    item = services._append_item(meeting=meeting, subject=child, by=bob)
    services.circulate_meeting(by=bob, meeting=meeting)
    police = summarise_item(AgencyReader(agency_b), item, None, None)
    assert police.visible
    assert [a.description for a in police.open_actions] == []
    ours = summarise_item(AgencyReader(bob.agency), item, None, None)
    assert [a.description for a in ours.open_actions] == ["Zqinternal action"]
