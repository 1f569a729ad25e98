"""A submitted screening is corrected once, even when its correction is opened twice
at the same moment (a double click, two colleagues): both get the one draft."""

from __future__ import annotations

from screening import services
from screening.models import Screening
from tests.concurrency import at_once, concurrent

pytestmark = concurrent


def test_a_correction_opened_twice_at_once_is_one_draft(alice, submitted):
    def correct():
        return services.correct_screening(by=alice, screening=submitted).pk

    corrections, errors = at_once(correct, correct)

    assert not errors, errors
    assert len(set(corrections)) == 1
    assert Screening.objects.filter(supersedes=submitted).count() == 1
