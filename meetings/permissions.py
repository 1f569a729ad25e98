"""Who may see and run which meeting.

A meeting is visible to casework staff of its organising agency, of its member
agencies, and to its chair. Its items (which records are discussed) are visible to the
organisers and chair, and to a member agency only once the agenda has been circulated
to it. Each record's details are then still shown only through cse.permissions: the
circulation itself is what grants member agencies access to the records.

Running a meeting (agenda, triage, attendance, notes, decisions, actions) is for the
organising agency's meeting administrators and CSE coordinators and the chair; closing
or dismissing actions, allowing a late circulation and approving minutes are for the
chair alone.

What is derived from a meeting (agenda pages and documents, the action document,
minutes, summaries) is built for its reader: a user, or for a printed document the
agency that receives it (`cse.permissions.AgencyReader`). `sees_items`,
`readable_meetings` and `visible_actions` take either. A record the reader may not
see appears as `NOT_SHARED`, never with its reference, name, count or text.

Records reach other agencies only by recorded sharing decisions: a referral shares
its record with the forum's organising agency (for triage), circulation with the
member agencies. An urgent late addition accepted after circulation is shared by
nothing until the agenda is circulated again, so until then it shows to members as
not shared, on every page and in every document.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cse import permissions
from cse.models import Role, User
from cse.permissions import AgencyReader, Reader
from cse.summaries import NOT_SHARED

from .models import Action, AgendaItem, Meeting, MeetingMember

ORGANISER_ROLES = (Role.MEETING_ADMINISTRATOR, Role.CSE_COORDINATOR, Role.MEETING_CHAIR)


def may_organise(user: User) -> bool:
    """Whether the user may set up meetings for their agency."""
    return permissions.sees_records(user) and user.has_role(*ORGANISER_ROLES)


def visible_meetings(user: User) -> QuerySet[Meeting]:
    if not permissions.sees_records(user):
        return Meeting.objects.none()
    member = Exists(
        MeetingMember.objects.filter(meeting=OuterRef("pk"), agency_id=user.agency_id)
    )
    return Meeting.objects.filter(
        Q(organiser_agency_id=user.agency_id) | Q(chair=user) | member
    )


def get_meeting_or_404(user: User, pk: int) -> Meeting:
    meeting = (
        visible_meetings(user)
        .select_related("meeting_type", "local_area", "organiser_agency", "chair")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def is_chair(user: User, meeting: Meeting) -> bool:
    return user.is_authenticated and meeting.chair_id == user.pk


def can_run(user: User, meeting: Meeting) -> bool:
    """Organisers and the chair build the agenda and record the meeting."""
    if is_chair(user, meeting):
        return True
    return (
        may_organise(user)
        and user.agency_id == meeting.organiser_agency_id
        and user.has_role(Role.MEETING_ADMINISTRATOR, Role.CSE_COORDINATOR)
    )


def sees_items(reader: Reader, meeting: Meeting) -> bool:
    """Organisers and the chair always; a member agency once circulated to it. As an
    agency (a document's reader): the organising agency, or a member once circulated."""
    if isinstance(reader, AgencyReader):
        if reader.agency_id == meeting.organiser_agency_id:
            return True
    elif can_run(reader, meeting):
        return True
    return MeetingMember.objects.filter(
        meeting=meeting, agency_id=reader.agency_id, circulated_at__isnull=False
    ).exists()


def readable_meetings(reader: Reader) -> QuerySet[Meeting]:
    """Meetings whose items the reader sees (the set form of `sees_items`)."""
    if not permissions.sees_records(reader):
        return Meeting.objects.none()
    circulated = Exists(
        MeetingMember.objects.filter(
            meeting=OuterRef("pk"),
            agency_id=reader.agency_id,
            circulated_at__isnull=False,
        )
    )
    if isinstance(reader, AgencyReader):
        return Meeting.objects.filter(
            Q(organiser_agency_id=reader.agency_id) | circulated
        )
    condition = Q(chair=reader) | circulated
    if reader.has_role(Role.MEETING_ADMINISTRATOR, Role.CSE_COORDINATOR):
        condition |= Q(organiser_agency_id=reader.agency_id)
    return Meeting.objects.filter(condition)


def visible_actions(reader: Reader) -> QuerySet[Action]:
    """Actions the reader may read: of a meeting whose items they see, and on a
    record they may see (or on no record at all). An action on any other record is
    left out entirely: its text, its record's reference and even how many there
    are would tell the reader about a record not shared with them."""
    return Action.objects.filter(
        Q(subject__isnull=True) | permissions.agency_access(reader, "subject_id"),
        meeting__in=readable_meetings(reader),
    )


def item_label(item: AgendaItem, visible: bool) -> str:
    """What to call an item where its record may be hidden: the title of a standard
    item, the record's reference for a reader who may see it, otherwise `NOT_SHARED`."""
    if not item.subject_id:
        return item.title
    return item.subject.reference if visible else NOT_SHARED


def can_update_action(user: User, action: Action) -> bool:
    """The action's owners (its agency) and the meeting's organisers add updates."""
    if can_run(user, action.meeting):
        return True
    return (
        permissions.sees_records(user) and user.agency_id == action.assigned_agency_id
    )


def get_action_or_404(user: User, meeting: Meeting, pk: int) -> Action:
    if not sees_items(user, meeting):
        raise Http404("No such action")
    action = (
        visible_actions(user)
        .filter(meeting=meeting, pk=pk)
        .select_related("assigned_agency", "assigned_to", "subject", "item")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action
