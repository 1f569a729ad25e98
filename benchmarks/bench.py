#!/usr/bin/env python
"""Page timings on regional-scale data (see benchmarks/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cse_bench .venv/bin/python benchmarks/bench.py

Runs, as each benchmark user (made by `manage.py seed_scale`), the child list (first
page, page 2, category 3 filter), a search (POST the query, then GET the results:
the query lives in the session, never in the URL) and a child detail page, each
`--requests` times through django.test.Client, and prints the median and 95th
percentile server time and the SQL queries per page. The first `--warmup` requests
of each page are not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault(
    "SECRET_KEY", "benchmark-only-secret-key-never-used-to-serve-anything-0123456789"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

BENCH_USERS = ("bench-police", "bench-social")


@dataclass
class Result:
    page: str
    user: str
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    expected: int = 200

    @property
    def ok(self) -> bool:
        return self.statuses == {self.expected}

    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]  # nearest rank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=30,
        help="requests per page and user (default 30)",
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="uncounted first requests (default 3)"
    )
    parser.add_argument(
        "--users", default=",".join(BENCH_USERS), help="comma-separated usernames"
    )
    args = parser.parse_args(argv)
    if args.requests <= args.warmup:
        parser.error("--requests must be more than --warmup")
    if "DATABASE_URL" not in os.environ:
        print(
            "DATABASE_URL is not set: benchmarking the local SQLite database (var/db.sqlite3)."
        )

    import django

    django.setup()
    # WhiteNoise warns that STATIC_ROOT does not exist when collectstatic was not run.
    warnings.filterwarnings("ignore", message="No directory at")

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from cse import permissions
    from cse.models import User

    users = []
    for username in args.users.split(","):
        user = (
            User.objects.filter(username=username.strip())
            .select_related("agency")
            .first()
        )
        if user is None:
            print(
                f"No user {username!r}: run `manage.py seed_scale` first.",
                file=sys.stderr,
            )
            return 2
        users.append(user)

    print_sizes(connection, users)

    # Without `collectstatic` the manifest storage used when DEBUG is off cannot
    # resolve {% static %}; the plain storage renders the same pages.
    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    results: list[Result] = []
    with override_settings(STORAGES=storages):
        for user in users:
            client = Client()
            client.force_login(user)
            child = pick_child(user, permissions)
            if child is None:
                print(
                    f"{user.username} can see no children; skipping.", file=sys.stderr
                )
                continue
            surname = child.surname
            print(
                f"{user.username}: detail page for child {child.pk}, search for {surname!r}"
            )
            pages: list[tuple[str, int, Callable]] = [
                ("child list", 200, lambda c=client: c.get(reverse("cse:child_list"))),
                (
                    "child list page 2",
                    200,
                    lambda c=client: c.get(reverse("cse:child_list"), {"page": 2}),
                ),
                (
                    "child list category 3",
                    200,
                    lambda c=client: c.get(reverse("cse:child_list"), {"category": 3}),
                ),
                (
                    "search (POST)",
                    302,
                    lambda c=client, s=surname: c.post(
                        reverse("cse:search"), {"query": s}
                    ),
                ),
                ("search results", 200, lambda c=client: c.get(reverse("cse:search"))),
                (
                    "child detail",
                    200,
                    lambda c=client, pk=child.pk: c.get(
                        reverse("cse:child_detail", args=[pk])
                    ),
                ),
            ]
            by_page = {
                name: Result(name, user.username, expected=expected)
                for name, expected, _ in pages
            }
            # Interleave the pages, so the search results always follow their POST.
            for i in range(args.requests):
                for name, _, request in pages:
                    connection.queries_log.clear()  # it keeps only the last 9,000
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        response = request()
                        elapsed = (time.perf_counter() - started) * 1000
                    result = by_page[name]
                    result.statuses.add(response.status_code)
                    if i >= args.warmup:
                        result.times_ms.append(elapsed)
                        result.queries.append(len(captured.captured_queries))
            results.extend(by_page.values())

    print_table(results, args.requests - args.warmup)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(
            f"UNEXPECTED STATUS: {r.page} as {r.user}: {sorted(r.statuses)} (expected {r.expected})",
            file=sys.stderr,
        )
    return 1 if failed else 0


def pick_child(user, permissions):
    """A child the user can see that their agency owns, with links and a category:
    a detail page with something on it."""
    visible = permissions.visible_children(user)
    for queryset in (
        visible.filter(
            owner_agency=user.agency_id,
            links_out__isnull=False,
            category_history__isnull=False,
        ),
        visible,
    ):
        child = queryset.order_by("pk").first()
        if child is not None:
            return child
    return None


def print_sizes(connection, users) -> None:
    from django.db.models import Count

    from cse import permissions
    from cse.models import (
        Agency,
        AuditEvent,
        CategoryAssessment,
        ChronologyEntry,
        Link,
        SharingDecision,
        Subject,
        SubjectAccess,
    )

    kinds = dict(Subject.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    rows = [
        ("agencies", Agency.objects.count()),
        *((f"subjects: {kind}", kinds.get(kind, 0)) for kind in Subject.Kind.values),
        ("links", Link.objects.count()),
        ("access rows", SubjectAccess.objects.count()),
        ("sharing decisions", SharingDecision.objects.count()),
        ("category assessments", CategoryAssessment.objects.count()),
        ("chronology entries", ChronologyEntry.objects.count()),
        ("audit events", AuditEvent.objects.count()),
        *(
            (
                f"children visible to {u.username}",
                permissions.visible_children(u).count(),
            )
            for u in users
        ),
    ]
    database = connection.settings_dict["NAME"]
    print(f"Database: {connection.vendor} {database}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database()))"
            )
            rows.append(("database size", cursor.fetchone()[0]))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(
            f"  {name:<{width}}  {value:>10,}"
            if isinstance(value, int)
            else f"  {name:<{width}}  {value:>10}"
        )
    print()


def print_table(results: list[Result], counted: int) -> None:
    header = ("page", "user", "median ms", "p95 ms", "queries", "status")
    rows = [
        (
            r.page,
            r.user,
            f"{statistics.median(r.times_ms):.1f}" if r.times_ms else "-",
            f"{r.p95():.1f}" if r.times_ms else "-",
            f"{min(r.queries)}–{max(r.queries)}" if r.queries else "-",
            ",".join(str(s) for s in sorted(r.statuses)),
        )
        for r in results
    ]
    widths = [
        max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))
    ]
    align = ["<", "<", ">", ">", ">", ">"]

    def line(row) -> str:
        return "  ".join(
            f"{str(v):{a}{w}}" for v, a, w in zip(row, align, widths, strict=True)
        )

    print()
    print(f"Server time per request ({counted} counted requests per row):")
    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))


if __name__ == "__main__":
    sys.exit(main())
