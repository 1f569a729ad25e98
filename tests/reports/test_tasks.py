"""The snapshot task run by a real Celery worker on the configured broker."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from cse import celery_app
from reports import services
from reports.models import Snapshot
from reports.tasks import compute_snapshot
from tests.reports.helpers import build


@pytest.fixture
def worker(transactional_db):
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ):
            yield
    finally:
        celery_app.conf.task_always_eager = True


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_computes_a_requested_snapshot_once(worker, alice, carol, area):
    build(alice)
    snapshot = services.request_snapshot(by=carol, area=area, year=2026, quarter=2)
    compute_snapshot.delay(snapshot.pk)  # a repeated message is harmless
    assert wait_for(
        lambda: Snapshot.objects.get(pk=snapshot.pk).status == Snapshot.Status.DONE
    )
    snapshot.refresh_from_db()
    assert snapshot.progress == 100
    assert snapshot.figures["i_victims"]["quarter"]["total"] == 3
    assert snapshot.figures["ii_missing_home"]["year_to_date"] == 1
