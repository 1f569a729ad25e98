"""Thin Celery tasks: ids in, the work in reports.services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def compute_snapshot(snapshot_id: int) -> bool:
    return services.run_snapshot(snapshot_id)


@shared_task
def quarter_end_snapshots() -> int:
    return services.schedule_quarter_end()
