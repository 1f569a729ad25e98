"""Snapshots: immutable, scheduled once per quarter end, reproducible; the command."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from reports import dataset, services
from reports.models import Snapshot
from tests.factories import make_child
from tests.reports.helpers import build, category

pytestmark = pytest.mark.django_db


def test_a_completed_snapshot_cannot_be_changed(area):
    snapshot = services.request_snapshot(by=None, area=area, year=2026, quarter=2)
    services.run_snapshot(snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.DONE
    snapshot.figures = {"i_victims": "made up"}
    with pytest.raises(ValidationError):
        snapshot.save()


def test_a_snapshot_is_computed_once(area):
    snapshot = services.request_snapshot(by=None, area=area, year=2026, quarter=2)
    assert services.run_snapshot(snapshot.pk) is True
    assert services.run_snapshot(snapshot.pk) is False


def test_a_rerun_reproduces_the_published_figures_and_shows_what_changed(alice, area):
    build(alice)
    published = services.request_snapshot(
        by=None, area=area, year=2026, quarter=2, trigger=Snapshot.Trigger.SCHEDULED
    )
    services.run_snapshot(published.pk)
    published.refresh_from_db()
    # the same inputs as at the same moment give the same figures
    again = dataset.compute(area=area, year=2026, quarter=2, as_at=published.as_at)
    assert again == published.figures
    # a late entry changes a re-run, not the published snapshot
    category(alice, make_child(alice), 2, datetime.date(2026, 8, 1))
    rerun = services.request_snapshot(by=None, area=area, year=2026, quarter=2)
    services.run_snapshot(rerun.pk)
    rerun.refresh_from_db()
    published.refresh_from_db()
    assert published.figures["i_victims"]["quarter"]["total"] == 3
    assert rerun.figures["i_victims"]["quarter"]["total"] == 4


def test_the_quarter_end_job_makes_one_snapshot_per_area_and_all_areas(area):
    made = services.schedule_quarter_end(datetime.date(2026, 10, 1))
    assert made == 2
    assert services.schedule_quarter_end(datetime.date(2026, 10, 1)) == 0
    assert services.schedule_quarter_end(datetime.date(2026, 10, 2)) == 0
    rows = Snapshot.objects.filter(trigger=Snapshot.Trigger.SCHEDULED)
    assert {(s.local_area_id, s.year, s.quarter) for s in rows} == {
        (None, 2026, 2),
        (area.pk, 2026, 2),
    }


def test_the_quarter_end_task_computes_the_snapshots(
    area, django_capture_on_commit_callbacks
):
    from reports import tasks

    with django_capture_on_commit_callbacks(execute=True):
        tasks.quarter_end_snapshots.delay()
    assert Snapshot.objects.filter(status=Snapshot.Status.DONE).count() == 2


def test_a_failed_computation_is_recorded(area, monkeypatch):
    snapshot = services.request_snapshot(by=None, area=area, year=2026, quarter=2)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(dataset, "compute", broken)
    with pytest.raises(RuntimeError):
        services.run_snapshot(snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.FAILED


def test_the_beat_schedule_has_the_quarter_end_job():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["reports-quarter-end-snapshots"]
    assert entry["task"] == "reports.tasks.quarter_end_snapshots"


def test_the_command_prints_the_same_figures_as_json(alice, area):
    build(alice)
    out = io.StringIO()
    call_command(
        "lscb_dataset",
        "--area",
        area.slug,
        "--year",
        "2026",
        "--quarter",
        "2",
        "--format",
        "json",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    expected = dataset.compute(area=area, year=2026, quarter=2)
    printed.pop("as_at"), expected.pop("as_at")
    assert printed == expected
    for key in (
        "i_victims",
        "ii_missing_home",
        "ii_missing_care",
        "iii_reduction_percent",
        "iv_offenders_disrupted",
        "v_solved_offences",
        "vi_police_operations",
        "vii_child_in_need_plan",
        "viii_child_protection_plan",
        "ix_training_attendance",
        "x_pshe_delivery",
    ):
        assert key in printed
    assert printed["i_victims"]["quarter"]["total"] == 3


def test_the_command_prints_csv_for_all_areas(alice, area):
    build(alice)
    out = io.StringIO()
    call_command(
        "lscb_dataset",
        "--area",
        "all",
        "--year",
        "2026",
        "--quarter",
        "2",
        "--format",
        "csv",
        stdout=out,
    )
    text = out.getvalue()
    assert "item,period,measure,value" in text
    assert "i_victims,year_to_date,by_category:2,1" in text
    assert "v_solved_offences,quarter,count," in text


def test_the_command_refuses_an_unknown_area(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command(
            "lscb_dataset", "--area", "nowhere", "--year", "2026", "--quarter", "1"
        )


def test_as_at_defaults_to_now(area):
    snapshot = services.request_snapshot(by=None, area=area, year=2026, quarter=2)
    assert abs((snapshot.as_at - timezone.now()).total_seconds()) < 60
