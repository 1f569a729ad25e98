"""A record has one open plan, even when two people start one at the same moment:
the second is told there is already an open plan, not shown an error page."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

from disruption import services
from disruption.models import Plan
from tests.concurrency import at_once, concurrent

pytestmark = concurrent


def test_two_plans_started_at_once_for_one_record_leave_one_open(alice, poi):
    def start(actions):
        return lambda: (
            services.start_plan(
                by=alice,
                subject=poi,
                plan=Plan(
                    risk="high",
                    risk_summary="Test summary",
                    actions=actions,
                    exit_criteria="Test criteria",
                    started_on=datetime.date(2025, 1, 6),
                ),
            ).pk
        )

    started, errors = at_once(start("Test actions 1"), start("Test actions 2"))

    assert len(started) == 1
    assert [type(error) for error in errors] == [ValidationError]
    assert errors[0].messages == ["This record already has an open plan"]
    assert (
        list(Plan.objects.filter(subject=poi).values_list("pk", flat=True)) == started
    )
