"""Meetings' extra cast: chris chairs (agency B, police); a CMOG-like meeting type of
Testshire whose core members are agencies A and B (agency C, erin's, is not a member);
a meeting organised by agency A (bob administers) 30 days from now."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cse.models import Role
from meetings import services
from meetings.models import MeetingType
from tests.factories import UserFactory


@pytest.fixture
def chris(agency_b):
    return UserFactory(
        username="chris",
        first_name="Chris",
        agency=agency_b,
        roles=[Role.MEETING_CHAIR],
    )


@pytest.fixture
def meeting_type(area):
    return MeetingType.objects.create(
        local_area=area,
        name="Testshire CMOG",
        slug="cmog",
        forum="cmog",
        core_agency_kinds=["social_care", "police"],
        virtual_agency_kinds=[],
        standard_items=["Introductions and apologies", "Any other business"],
        subject_sections=["child", "person", "location"],
    )


@pytest.fixture
def meeting(bob, chris, meeting_type, agency_b):
    starts = timezone.now() + datetime.timedelta(days=30)
    return services.create_meeting(
        by=bob, meeting_type=meeting_type, starts_at=starts, chair=chris
    )
