"""Thin Celery tasks: ids in, the work in reports.services."""

from __future__ import annotations

import datetime

from celery import shared_task

from . import services


@shared_task
def compute_snapshot(snapshot_id: int) -> bool:
    return services.run_snapshot(snapshot_id)


@shared_task
def requeue_pending_snapshots() -> int:
    """Every few minutes (beat): snapshots whose message was lost are enqueued again."""
    return services.requeue_pending_snapshots(
        waiting_longer_than=datetime.timedelta(minutes=5)
    )


@shared_task
def quarter_end_snapshots() -> int:
    return services.schedule_quarter_end()


@shared_task
def mase_month_snapshots() -> int:
    from . import mase_snapshot

    return mase_snapshot.store_previous_month()
