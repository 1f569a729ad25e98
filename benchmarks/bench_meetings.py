#!/usr/bin/env python
"""Meeting documents at regional scale: the agenda PDF of a 60-item CMOG meeting and
the action document of 300 open actions, rendered for the administrator's agency as
the background task renders them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cse_bench \
        .venv/bin/python benchmarks/bench_meetings.py --items 60 --actions 300

Everything (the meeting, items, actions and updates) is made in one transaction that
is rolled back, so the shared benchmark database is left as it was. Prints wall time
(median of --runs), SQL queries, the tracemalloc peak of Python allocations during a
separate run, the process's maximum resident size, and the PDF's size and pages.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-long-enough-for-checks")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from cse import permissions  # noqa: E402
from cse.models import Role, Subject, SubjectAccess, User, UserRole  # noqa: E402
from meetings import services  # noqa: E402
from meetings.models import Action, ActionUpdate, MeetingType  # noqa: E402
from meetings.pdf import render_actions_pdf, render_agenda_pdf  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)


class Rollback(Exception):
    pass


def setup(items: int, actions: int):
    agency_id = (
        SubjectAccess.objects.values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["agency_id"]
    )
    admin = User.objects.create(username="bench-meetings-admin", agency_id=agency_id)
    UserRole.objects.create(user=admin, role=Role.MEETING_ADMINISTRATOR)
    chair = User.objects.create(username="bench-meetings-chair", agency_id=agency_id)
    UserRole.objects.create(user=chair, role=Role.MEETING_CHAIR)
    kinds = list(admin.agency.local_area.agencies.values_list("kind", flat=True))
    meeting_type = MeetingType.objects.create(
        local_area=admin.agency.local_area,
        name="Bench CMOG",
        slug="bench-cmog",
        forum="cmog",
        core_agency_kinds=kinds,
        standard_items=["Introductions and apologies", "Any other business"],
        subject_sections=["child", "person", "location"],
    )
    meeting = services.create_meeting(
        by=admin,
        meeting_type=meeting_type,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        chair=chair,
    )
    visible = permissions.visible(admin, Subject)
    picked = list(visible.filter(kind="child").order_by("pk")[: items * 2 // 3])
    picked += list(visible.filter(kind="person").order_by("pk")[: items // 6])
    picked += list(
        visible.filter(kind="location").order_by("pk")[: items - len(picked)]
    )
    for subject in picked[:items]:
        services._append_item(meeting=meeting, subject=subject, by=admin)
    agency = admin.agency
    item_list = list(meeting.items.filter(subject__isnull=False))
    due = timezone.localdate() + datetime.timedelta(days=14)
    made = Action.objects.bulk_create(
        Action(
            meeting=meeting,
            item=item_list[n % len(item_list)],
            subject_id=item_list[n % len(item_list)].subject_id,
            description=f"Synthetic action {n}: visit, record and report back to the group",
            assigned_agency=agency,
            due_on=due,
            created_by=admin,
        )
        for n in range(actions)
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(
            action=a,
            text="Synthetic update: attempted, will try again",
            recorded_by=admin,
            agency=agency,
        )
        for a in made
    )
    return meeting, admin, len(item_list)


def usable_providers(reader, subjects: list[Subject]) -> None:
    """Drop summary providers whose app's tables are not in this database (other
    parts of the product may not be migrated into the shared benchmark database)."""
    from cse import summaries

    kept = []
    for order, provider in summaries.PROVIDERS:
        try:
            with transaction.atomic():
                for subject in subjects:
                    provider(reader, subject, None, None)
            kept.append((order, provider))
        except Exception as error:  # noqa: BLE001 - reported, then skipped
            print(f"skipping summary provider {provider.__module__}: {str(error)[:60]}")
    summaries.PROVIDERS[:] = kept


def measure(label: str, render, runs: int) -> None:
    times, queries = [], 0
    pdf = b""
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            pdf = render()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    tracemalloc.start()
    render()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<28} median {statistics.median(times):6.2f} s  "
        f"(min {min(times):.2f}, max {max(times):.2f})  queries {queries:4d}  "
        f"python peak {peak / 2**20:6.1f} MiB  max RSS {rss:6.0f} MiB  "
        f"{len(pdf) / 1024:6.0f} KiB  {pages} pages"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})")
    try:
        with transaction.atomic():
            meeting, admin, count = setup(args.items, args.actions)
            reader = permissions.AgencyReader(admin.agency)
            usable_providers(
                reader,
                [
                    meeting.items.filter(section=kind).first().subject
                    for kind in ("child", "person", "location")
                ],
            )
            print(f"meeting with {count} record items, {args.actions} open actions")
            measure(
                f"agenda PDF ({count} items)",
                lambda: render_agenda_pdf(meeting, reader),
                args.runs,
            )
            measure(
                f"action document ({args.actions})",
                lambda: render_actions_pdf(meeting, reader),
                args.runs,
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
