"""The dashboard: trends by quarter from completed runs, aggregates only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import Snapshot
from tests.reports.helpers import build

pytestmark = pytest.mark.django_db


def run(area, quarter):
    snapshot = Snapshot.objects.create(
        local_area=area,
        year=2026,
        quarter=quarter,
        trigger=Snapshot.Trigger.ON_DEMAND,
        as_at=timezone.now(),
    )
    services.run_snapshot(snapshot.pk)


def test_the_manager_sees_trends_for_their_area_without_names(client, pam, alice, area):
    data = build(alice)
    run(area, 1)
    run(area, 2)
    client.force_login(pam)
    page = client.get(
        reverse("reports:dashboard"),
        {"area": area.slug, "year": 2026, "quarter": 4},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "CSE victims in the quarter, 2026" in html
    assert "Not available" in html  # Q3 and Q4 have no run
    for child in data.values():
        assert child.forename not in html


def test_the_dashboard_takes_the_same_queries_for_more_quarters(client, pam, area):
    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(
                reverse("reports:dashboard"),
                {"area": area.slug, "year": 2026, "quarter": 4},
            )
        return len(queries)

    client.force_login(pam)
    run(area, 1)
    one = count()
    run(area, 2)
    run(area, 3)
    assert count() == one
