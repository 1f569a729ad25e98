"""Writes for the reports app: hand-entered figures and dataset snapshots."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cse import audit, permissions
from cse.models import AuditEvent, LocalArea, User

from . import dataset
from . import permissions as rules
from .models import ManualFigure, Snapshot


@transaction.atomic
def record_manual_figure(
    *,
    by: User,
    year: int,
    quarter: int,
    item: str,
    value: int,
    notes: str = "",
) -> ManualFigure:
    """Enter (or correct, by a newer entry) a figure for the user's own area."""
    if item not in rules.items_user_may_enter(by):
        permissions.require(False)
    if not 1 <= quarter <= 4:
        raise ValidationError("Quarter must be 1, 2, 3 or 4")
    figure = ManualFigure.objects.create(
        local_area_id=rules.area_of(by),
        year=year,
        quarter=quarter,
        item=item,
        value=value,
        notes=notes,
        entered_by=by,
    )
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        obj=figure,
        summary=f"Entered dataset figure {item} for Q{quarter} {year}",
        detail={"value": value},
    )
    return figure


def request_snapshot(
    *,
    by: User | None,
    area: LocalArea | None,
    year: int,
    quarter: int,
    trigger: str = Snapshot.Trigger.ON_DEMAND,
    as_at: datetime.datetime | None = None,
) -> Snapshot | None:
    """Queue a computation. The scheduled one is unique per area and quarter: asking
    twice returns None the second time."""
    if by is not None:
        permissions.require(rules.may_run(by))
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                local_area=area,
                year=year,
                quarter=quarter,
                trigger=trigger,
                as_at=as_at or timezone.now(),
                requested_by=by,
                inputs={
                    "area": area.slug if area else "all",
                    "year": year,
                    "quarter": quarter,
                    "start_month": dataset.ReportingYear.start_month_for(
                        area.pk if area else None
                    ),
                },
            )
            if by is not None:
                audit.record(
                    by=by,
                    action=AuditEvent.Action.CREATE,
                    obj=snapshot,
                    summary=f"Asked for the quarterly dataset Q{quarter} {year}",
                )
            from .tasks import compute_snapshot

            compute_snapshot.delay_on_commit(snapshot.pk)
    except IntegrityError:
        return None
    return snapshot


def run_snapshot(snapshot_id: int) -> bool:
    """Compute a pending snapshot once (a second worker skips it). Progress is written
    as it goes, outside the claim, so the page can show it."""
    with transaction.atomic():
        snapshot = (
            Snapshot.objects.select_for_update(skip_locked=True)
            .filter(pk=snapshot_id, status=Snapshot.Status.PENDING)
            .first()
        )
        if snapshot is None:
            return False
        Snapshot.objects.filter(pk=snapshot_id).update(
            status=Snapshot.Status.RUNNING, progress=5
        )

    def progress(percent: int) -> None:
        Snapshot.objects.filter(pk=snapshot_id).update(progress=percent)

    try:
        figures = dataset.compute(
            area=snapshot.local_area,
            year=snapshot.year,
            quarter=snapshot.quarter,
            as_at=snapshot.as_at,
            progress=progress,
        )
        if snapshot.local_area is None:
            # Each area's own figures too: all areas are shown as the sum of the
            # areas' figures as each viewer may see them (`reports.disclosure`).
            figures["by_area"] = {
                str(area.pk): dataset.compute(
                    area=area,
                    year=snapshot.year,
                    quarter=snapshot.quarter,
                    as_at=snapshot.as_at,
                )
                for area in LocalArea.objects.order_by("pk")
            }
    except Exception as error:
        Snapshot.objects.filter(pk=snapshot_id).update(
            status=Snapshot.Status.FAILED, error=str(error)[:2000]
        )
        raise
    Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.RUNNING).update(
        status=Snapshot.Status.DONE,
        figures=figures,
        progress=100,
        completed_at=timezone.now(),
    )
    return True


def requeue_pending_snapshots(*, waiting_longer_than: datetime.timedelta) -> int:
    """Enqueue again the snapshots still pending after a while (their message was
    lost to a broker outage). `run_snapshot` claims a pending one once, so a repeat
    is harmless."""
    from .tasks import compute_snapshot

    stale = Snapshot.objects.filter(
        status=Snapshot.Status.PENDING,
        requested_at__lt=timezone.now() - waiting_longer_than,
    ).values_list("pk", flat=True)
    return sum(compute_snapshot.enqueue_best_effort((pk,), {}) for pk in stale)


def schedule_quarter_end(today: datetime.date | None = None) -> int:
    """The quarter-end snapshots: for every area (and all areas) the last quarter that
    has ended. Run daily, it creates them on the first day after a quarter ends and
    catches up if a day was missed; the unique constraint makes repeats harmless."""
    today = today or timezone.localdate()
    made = 0
    for area in [None, *LocalArea.objects.order_by("pk")]:
        start_month = dataset.ReportingYear.start_month_for(area.pk if area else None)
        year, quarter = dataset.quarter_ending_before(today, start_month)
        end = dataset.quarter_period(year, quarter, start_month).end
        if Snapshot.objects.filter(
            local_area=area,
            year=year,
            quarter=quarter,
            trigger=Snapshot.Trigger.SCHEDULED,
        ).exists():
            continue
        if request_snapshot(
            by=None,
            area=area,
            year=year,
            quarter=quarter,
            trigger=Snapshot.Trigger.SCHEDULED,
            as_at=max(dataset.local_day_end(end), timezone.now()),
        ):
            made += 1
    return made
