"""A snapshot asked for while the broker is down is computed all the same: the
request succeeds, and the periodic requeue picks the pending snapshot up."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cse import celery_app
from reports import services
from reports.models import Snapshot
from reports.tasks import requeue_pending_snapshots


def test_a_snapshot_asked_for_while_the_broker_is_down_is_computed_later(
    carol, area, broker_refused, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lost = services.request_snapshot(by=carol, area=area, year=2026, quarter=2)
    Snapshot.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.request_snapshot(by=carol, area=area, year=2026, quarter=1)

    celery_app.conf.task_always_eager = True  # the broker is back: run in-process
    assert requeue_pending_snapshots.apply().get() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == Snapshot.Status.DONE
    assert fresh.status == Snapshot.Status.PENDING
    assert requeue_pending_snapshots.apply().get() == 0
