#!/usr/bin/env python
"""Missing-children timings at regional scale: pattern evaluation for every child and
the return-home interview deadline scan, over `--episodes` synthetic episodes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/missing_bench \
        .venv/bin/python benchmarks/bench_missing.py --episodes 1000000

(missing_bench: `createdb -T cse_bench missing_bench`, then `migrate`.) Everything (the generated episodes and interviews included) happens in one
transaction that is rolled back, so the shared benchmark database is left as it was.
Prints wall time and SQL query counts.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-long-enough-for-checks")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cse.models import Child, Role, User  # noqa: E402
from missing import services  # noqa: E402
from missing.models import MissingEpisode, ReturnInterview  # noqa: E402

UTC = datetime.UTC


class Rollback(Exception):
    pass


def generate(count: int, now: datetime.datetime) -> None:
    children = list(Child.objects.values_list("pk", "owner_agency_id"))
    rng = random.Random(4)  # noqa: S311 - synthetic data, not security
    batch_eps, made = [], 0
    started = time.perf_counter()
    while made < count:
        for _ in range(min(20000, count - made)):
            child_id, agency_id = rng.choice(children)
            start = now - datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            ongoing = rng.random() < 0.01
            returned = (
                None
                if ongoing
                else start + datetime.timedelta(hours=rng.randrange(1, 100))
            )
            if returned and returned > now:
                returned = None
            batch_eps.append(
                MissingEpisode(
                    child_id=child_id,
                    category="missing" if rng.random() < 0.8 else "absent",
                    missing_from="home",
                    reported_at=start,
                    last_seen_at=start,
                    started_at=start,
                    returned_at=returned,
                    owner_agency_id=agency_id,
                )
            )
        episodes = MissingEpisode.objects.bulk_create(batch_eps)
        interviews = []
        for ep in episodes:
            if ep.returned_at is None:
                continue
            due = ep.returned_at + datetime.timedelta(hours=72)
            done = due < now - datetime.timedelta(days=7)
            interviews.append(
                ReturnInterview(
                    episode_id=ep.pk,
                    child_id=ep.child_id,
                    due_at=due,
                    agency_id=ep.owner_agency_id,
                    outcome="accepted" if done else "pending",
                    completed_at=ep.returned_at + datetime.timedelta(hours=48)
                    if done
                    else None,
                )
            )
        ReturnInterview.objects.bulk_create(interviews, batch_size=5000)
        made += len(batch_eps)
        batch_eps = []
    print(f"generated {count:,} episodes in {time.perf_counter() - started:.1f} s")


def measure(label: str, work) -> None:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s, {len(queries)} queries, result {result}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1_000_000)
    args = parser.parse_args()
    now = datetime.datetime.now(UTC)
    try:
        with transaction.atomic():
            generate(args.episodes, now)
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE missing_missingepisode; ANALYZE missing_returninterview"
                )
            measure(
                "pattern rules for all children (read only)",
                lambda: sum(
                    1 for _ in services.rules_met_for_all(as_of=now, window=False)
                ),
            )
            administrator = (
                User.objects.filter(
                    is_active=True,
                    role_assignments__role__in=[
                        Role.MEETING_ADMINISTRATOR,
                        Role.CSE_COORDINATOR,
                    ],
                )
                .order_by("pk")
                .first()
            )
            measure(
                f"CMOG list as at today (12-month window) for {administrator}",
                lambda: len(
                    services.cmog_list(viewer=administrator, as_of_day=now.date())
                ),
            )
            measure(
                "RHI deadline scan (first run, sends alerts)",
                lambda: services.send_due_alerts(now=now),
            )
            measure(
                "RHI deadline scan (steady state)",
                lambda: services.send_due_alerts(now=now),
            )
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
