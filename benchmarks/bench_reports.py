#!/usr/bin/env python
"""The LSCB quarterly dataset at regional scale: 100k children (seed_scale) and
`--episodes` synthetic missing episodes over two reporting years.

    createdb -h 127.0.0.1 -U postgres -T cse_bench reports_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reports_bench \
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reports_bench \
        .venv/bin/python benchmarks/bench_reports.py --episodes 1000000

The episodes are made in a transaction that is rolled back (with `--keep`, in a
database of your own only, they are kept and reused by the next run). Prints wall time and SQL
query counts for the dataset for all areas and for one area.
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

from cse.models import Child, LocalArea  # noqa: E402
from missing.models import MissingEpisode  # noqa: E402
from reports import dataset  # noqa: E402

UTC = datetime.UTC


class Rollback(Exception):
    pass


def generate(count: int) -> None:
    children = list(Child.objects.values_list("pk", "owner_agency_id"))
    rng = random.Random(7)  # noqa: S311 - synthetic data, not security
    start = datetime.datetime(2025, 4, 1, tzinfo=UTC)
    span = 2 * 365 * 24 * 60 - 200 * 24 * 60  # to about mid-September 2026
    made = 0
    began = time.perf_counter()
    while made < count:
        batch = []
        for _ in range(min(20000, count - made)):
            child_id, agency_id = rng.choice(children)
            when = start + datetime.timedelta(minutes=rng.randrange(span))
            batch.append(
                MissingEpisode(
                    child_id=child_id,
                    owner_agency_id=agency_id,
                    category="missing" if rng.random() < 0.9 else "absent",
                    missing_from=rng.choice(["home", "home", "care", "other"]),
                    reported_at=when,
                    started_at=when,
                    returned_at=when + datetime.timedelta(hours=rng.randrange(1, 48)),
                )
            )
        MissingEpisode.objects.bulk_create(batch)
        made += len(batch)
    print(f"generated {made} episodes in {time.perf_counter() - began:.1f} s")


def measure(label: str, **kwargs) -> None:
    runs = []
    for _ in range(3):
        steps = []
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            figures = dataset.compute(
                progress=lambda p, s=steps, b=began: s.append(
                    (p, time.perf_counter() - b)
                ),
                **kwargs,
            )
            runs.append(time.perf_counter() - began)
        if "figures" in figures:
            figures = figures["figures"]
    print(
        f"{label:<28} median {sorted(runs)[1]:6.2f} s  max {max(runs):6.2f} s  "
        f"queries {len(queries):3d}  victims YTD "
        f"{figures['i_victims']['year_to_date']['total']}  "
        f"missing home YTD {figures['ii_missing_home']['year_to_date']}"
    )
    print("    progress at (percent, seconds):", [(p, round(t, 2)) for p, t in steps])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the episodes (only in a database of your own), reuse them next time",
    )
    args = parser.parse_args()
    print(f"children: {Child.objects.count()}")
    if args.keep and MissingEpisode.objects.count() < args.episodes:
        with transaction.atomic():
            generate(args.episodes)
    print(f"episodes: {MissingEpisode.objects.count()}")
    try:
        with transaction.atomic():
            if not args.keep:
                generate(args.episodes)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE missing_missingepisode")
            measure("all areas, 2026 Q2", area=None, year=2026, quarter=2)
            area = LocalArea.objects.order_by("pk").first()
            measure(f"{area.slug}, 2026 Q2", area=area, year=2026, quarter=2)
            measure(
                f"{area.slug}, 2026 Q2 with ids",
                area=area,
                year=2026,
                quarter=2,
                with_ids=True,
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
