import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import Attendance, quorum_for
from tests.factories import AgencyFactory


def register(meeting, bob, agency, status="present", accepted=True, **extra):
    return services.record_attendance(
        by=bob,
        meeting=meeting,
        name="Testperson Attendee",
        agency=agency,
        status=status,
        accepted_confidentiality=accepted,
        **extra,
    )


def quorum(meeting):
    return quorum_for(meeting, list(meeting.attendance.all()))


def test_no_one_present_is_not_quorate(meeting):
    assert quorum(meeting) == {"core": 2, "present": 0, "needed": 1, "quorate": False}


def test_half_the_core_agencies_present_is_quorate(meeting, bob, agency_a):
    register(meeting, bob, agency_a)
    assert quorum(meeting)["quorate"]


def test_apologies_do_not_count_and_deputies_do(meeting, bob, area, agency_a, agency_b):
    third = AgencyFactory(name="Testshire College", kind="education", local_area=area)
    meeting.members.create(agency=third, kind="core")
    register(meeting, bob, agency_a, status=Attendance.Status.APOLOGIES, accepted=False)
    register(meeting, bob, agency_b)
    assert quorum(meeting) == {"core": 3, "present": 1, "needed": 2, "quorate": False}
    register(meeting, bob, third, status=Attendance.Status.DEPUTY, deputy_for="Head")
    assert quorum(meeting)["quorate"]


def test_attendees_must_accept_the_confidentiality_statement(meeting, bob, agency_a):
    with pytest.raises(ValidationError):
        register(meeting, bob, agency_a, accepted=False)


def test_only_member_agencies_attend(meeting, bob, agency_c):
    with pytest.raises(ValidationError):
        register(meeting, bob, agency_c)
