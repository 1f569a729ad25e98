"""Who may see and do what in the missing part, built on cse.permissions.

Episodes and interviews inherit their child's visibility. The police missing reports
(the upload, the matching queue, the CMOG missing list) are for report
administrators: the CMOG administrator (a meeting administrator) and CSE
coordinators, each for their own local area.

A report held for matching carries a child's name and date of birth before anyone
knows which record it belongs to, so it goes only to the administrators of the
area it was imported for. The web upload always imports for the uploader's area;
only `manage.py import_missing_reports` run without `--area` holds rows with no
area, and those are shown to no one until the file is imported again with `--area`
(which routes them to that area's administrators): no single area's administrator
may see reports that could belong to any area of the region.
"""

from __future__ import annotations

from django.db.models import QuerySet

from cse import permissions
from cse.models import Role, User

from .models import MatchingQueueItem, MissingEpisode, ReturnInterview


def may_administer_reports(user: User) -> bool:
    """The CMOG administrator (a meeting administrator) and CSE coordinators receive
    the police missing reports and resolve the matching queue."""
    return permissions.sees_records(user) and user.has_role(
        Role.MEETING_ADMINISTRATOR, Role.CSE_COORDINATOR
    )


def visible_episodes(user: User) -> QuerySet[MissingEpisode]:
    """Episodes of children the user may see."""
    return permissions.scope_by_subject(user, MissingEpisode.objects.all(), "child")


def interview_of(user: User, episode: MissingEpisode) -> ReturnInterview | None:
    """The return-home interview of an episode the user has opened, read with the
    same scope as the episode: the child's."""
    return (
        permissions.scope_by_subject(
            user, ReturnInterview.objects.filter(episode=episode), "child"
        )
        .select_related("episode", "child")
        .first()
    )


def interviews_for_agency(user: User) -> QuerySet[ReturnInterview]:
    """Open interviews held by the user's agency, on children the user can see."""
    return permissions.scope_by_subject(
        user, ReturnInterview.objects.open().filter(agency_id=user.agency_id), "child"
    )


def queue_items(user: User) -> QuerySet[MatchingQueueItem]:
    """Reports waiting for matching that `user` may see and resolve: those imported
    for the user's own area, if they administer reports; nothing otherwise. Reports
    held without an area are for no one (see the module's docstring)."""
    if not may_administer_reports(user) or user.agency.local_area_id is None:
        return MatchingQueueItem.objects.none()
    return MatchingQueueItem.objects.filter(
        local_area_id=user.agency.local_area_id,
        state=MatchingQueueItem.State.PENDING,
    )


def may_receive_alert(user: User, interview: ReturnInterview) -> bool:
    """An alert names the child's record: only for someone who may see it."""
    return permissions.can_see(user, interview.child)
