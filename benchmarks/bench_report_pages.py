#!/usr/bin/env python
"""The partnership's reports at regional scale: the problem profile, the trends
dashboard, the MASE monthly snapshot, the outcome measures aggregate and the
delivery plan, computed directly and as pages through `django.test.Client`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cse_bench \
        .venv/bin/python benchmarks/bench_report_pages.py

Needs the `seed_scale` data (100k children) and, for realistic missing figures, the
episodes `bench_reports.py --episodes 1000000 --keep` leaves behind. seed_scale makes
no meetings, screenings, notices, tactics or outcome assessments, so this script adds
modest synthetic volumes of them (see `--meetings` and friends) with bulk_create, plus
a delivery plan of `--plan-actions` actions. Everything it makes is rolled back at
the end unless `--keep` (in a database of your own only: a kept set is found and
reused by the next run).

For each computation, for all areas and for one area: median and maximum wall time
of `--runs` runs and the SQL query count. For each page: the same, as a partnership
manager and as a CSE coordinator of that area, signed in with both factors and a
fresh step-up (the PDFs ask for one).
"""

from __future__ import annotations

import argparse
import datetime
import logging
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

import django  # noqa: E402

django.setup()

import warnings  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cse.models import (  # noqa: E402
    Agency,
    Child,
    Forum,
    LocalArea,
    PersonOfInterest,
    Referral,
    Role,
    User,
    UserRole,
)
from reports import dashboard, mase_snapshot, outcomes, profile  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("django.request").setLevel(logging.ERROR)
logging.getLogger("cse.access").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message="No directory at")

UTC = datetime.UTC
START = datetime.datetime(2025, 4, 1, tzinfo=UTC)
END = datetime.datetime(2026, 10, 31, tzinfo=UTC)
MARK = "bench-reports"  # slug prefix of the synthetic meeting types


class Rollback(Exception):
    pass


def moment(rng: random.Random) -> datetime.datetime:
    span = int((END - START).total_seconds() // 60)
    return START + datetime.timedelta(minutes=rng.randrange(span))


def chunks(rows: list, size: int = 5000):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def bulk(model, rows: list) -> list:
    made = []
    for chunk in chunks(rows):
        made += model.objects.bulk_create(chunk)
    return made


# --- the people ---------------------------------------------------------------------


def users(area: LocalArea) -> tuple[User, User]:
    """A partnership manager and a CSE coordinator of the area."""
    partnership, _ = Agency.objects.get_or_create(
        local_area=area,
        kind=Agency.Kind.PARTNERSHIP,
        defaults={
            "name": f"{area.name} Safeguarding Partnership",
            "slug": f"{area.slug}-bench-partnership",
        },
    )
    social = Agency.objects.filter(
        local_area=area, kind=Agency.Kind.SOCIAL_CARE
    ).first()
    out = []
    for username, agency, role in (
        ("bench-partnership", partnership, Role.PARTNERSHIP_MANAGER),
        ("bench-coordinator", social, Role.CSE_COORDINATOR),
    ):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"agency": agency, "first_name": "Bench"}
        )
        UserRole.objects.get_or_create(user=user, role=role)
        out.append(user)
    return out[0], out[1]


def signed_in(user: User) -> Client:
    """A client signed in with both factors and a fresh step-up, as tests/conftest.py
    marks a force_login'd client as verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cse.stepup import CHECKED_AT

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True
        )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[CHECKED_AT] = time.time()
    session.save()
    return client


# --- synthetic volumes --------------------------------------------------------------


def generate(args, creator: User) -> None:
    from disruption.models import Cawn, CawnBreach, DisruptionTactic, TacticType
    from meetings.models import Action, AgendaItem, Decision, Meeting, MeetingType
    from missing.models import MissingEpisode, ReturnInterview
    from reports.models import OutcomeAssessment
    from screening.models import Screening, ToolDefinition

    rng = random.Random(11)  # noqa: S311 - synthetic data, not security
    began = time.perf_counter()
    areas = list(LocalArea.objects.order_by("pk"))
    social = {
        a.local_area_id: a
        for a in Agency.objects.filter(kind=Agency.Kind.SOCIAL_CARE).order_by("-pk")
    }
    police = {
        a.local_area_id: a
        for a in Agency.objects.filter(kind=Agency.Kind.POLICE).order_by("-pk")
    }
    children = list(
        Child.objects.values_list(
            "pk", "owner_agency_id", "home_area_id", "owner_agency__local_area_id"
        )
    )
    by_area: dict[int, list] = {}
    for pk, owner, home, owner_area in children:
        by_area.setdefault(home or owner_area, []).append((pk, owner))
    # A smaller pool per area, so children come back to the MASE month after month.
    pool = {area: rows[: max(50, len(rows) // 20)] for area, rows in by_area.items()}

    types = {}
    for area in areas:
        for forum in (Forum.MASE, Forum.CMOG):
            types[area.pk, forum], _ = MeetingType.objects.get_or_create(
                local_area=area,
                slug=f"{MARK}-{forum}",
                defaults={"name": f"Bench {forum.upper()}", "forum": forum},
            )
    meetings = []
    for _ in range(args.meetings):
        area = rng.choice(areas)
        starts = moment(rng)
        meetings.append(
            Meeting(
                meeting_type=types[
                    area.pk, Forum.MASE if rng.random() < 0.6 else "cmog"
                ],
                local_area=area,
                organiser_agency=social[area.pk],
                starts_at=starts,
                status="held",
                created_by=creator,
                circulated_at=starts - datetime.timedelta(days=rng.randrange(1, 10)),
                minutes_approved_at=starts + datetime.timedelta(days=rng.randrange(30)),
            )
        )
    meetings = bulk(Meeting, meetings)
    per_meeting = max(1, args.items // max(1, len(meetings)))
    items = []
    for meeting in meetings:
        for position, (child, _owner) in enumerate(
            rng.sample(pool[meeting.local_area_id], per_meeting), start=1
        ):
            items.append(
                AgendaItem(
                    meeting=meeting,
                    position=position,
                    section="child",
                    subject_id=child,
                    added_by=creator,
                )
            )
    items = bulk(AgendaItem, items)
    outcomes_ = [o for o, _ in Decision.Outcome.choices]
    bulk(
        Decision,
        [
            Decision(
                item=item,
                outcome=rng.choice(outcomes_),
                rationale="Synthetic decision",
                decided_by=creator,
            )
            for item in items
            if rng.random() < 0.3
        ],
    )
    actions = []
    for item in rng.sample(items, min(len(items), args.items // 2)):
        created = item.meeting.starts_at
        closed = created + datetime.timedelta(days=rng.randrange(60))
        actions.append(
            Action(
                meeting=item.meeting,
                item=item,
                subject_id=item.subject_id,
                description="Synthetic action",
                assigned_agency=social[item.meeting.local_area_id],
                due_on=(created + datetime.timedelta(days=rng.randrange(7, 42))).date(),
                created_by=creator,
                created_at=created,
                status="closed" if rng.random() < 0.6 and closed < END else "open",
            )
        )
    for action in actions:
        if action.status == "closed":
            action.closed_at = action.created_at + datetime.timedelta(days=20)
    bulk(Action, actions)
    referrals = []
    for _ in range(args.meetings):
        area = rng.choice(areas)
        child, owner = rng.choice(pool[area.pk])
        referrals.append(
            Referral(
                subject_id=child,
                local_area=area,
                forum=Forum.MASE,
                source="professional",
                synopsis="Synthetic referral",
                referred_by=creator,
                referred_by_agency_id=owner,
                referred_at=moment(rng),
                status=rng.choice(["pending", "accepted", "accepted", "declined"]),
            )
        )
    bulk(Referral, referrals)
    print(
        f"  {len(meetings)} meetings, {len(items)} agenda items, {len(actions)} "
        f"actions, {len(referrals)} referrals"
    )

    definition = ToolDefinition.objects.filter(kind="screening").first()
    screenings = []
    for _ in range(args.screenings):
        child, owner = rng.choice(children)[:2]
        when = moment(rng)
        submitted = rng.random() < 0.9
        screenings.append(
            Screening(
                child_id=child,
                definition=definition,
                status="submitted" if submitted else "draft",
                category=rng.choice([0, 1, 2, 3]),
                rationale="Synthetic rationale",
                author=creator,
                author_agency_id=owner,
                created_at=when,
                submitted_at=when if submitted else None,
            )
        )
    bulk(Screening, screenings)

    persons = list(
        PersonOfInterest.objects.values_list(
            "pk", "owner_agency__local_area_id", "owner_agency_id"
        )
    )
    tactic_types = list(TacticType.objects.all())
    statuses = [s for s, _ in DisruptionTactic.Status.choices]
    bulk(
        DisruptionTactic,
        [
            DisruptionTactic(
                subject_id=person,
                tactic=rng.choice(tactic_types),
                status=rng.choice(statuses),
                started_on=moment(rng).date(),
                lead_agency_id=agency,
                recorded_by=creator,
            )
            for person, _area, agency in rng.sample(persons, args.tactics)
        ],
    )
    cawns = []
    for person, area_id, _agency in rng.sample(persons, args.cawns):
        child = rng.choice(pool[area_id])[0]
        issued = moment(rng)
        served = rng.random() < 0.7
        cawns.append(
            Cawn(
                person_id=person,
                child_id=child,
                local_area_id=area_id,
                variant="under_16",
                cites_section_2=True,
                status="served" if served else "issued",
                issue_date=issued.date(),
                ends_on=issued.date() + datetime.timedelta(days=730),
                child_name="Testchild Synthetic",
                child_age=14,
                child_date_of_birth=datetime.date(2012, 1, 1),
                parental_responsibility="Synthetic parent",
                department_name="Synthetic department",
                contact_phones="000",
                recipient_name="Synthetic recipient",
                recipient_address="1 Synthetic Street",
                officer_name="Synthetic officer",
                issued_by=creator,
                issuing_agency=police[area_id],
                served_at=issued + datetime.timedelta(days=2) if served else None,
            )
        )
    cawns = bulk(Cawn, cawns)
    bulk(
        CawnBreach,
        [
            CawnBreach(
                cawn=cawn,
                occurred_on=cawn.issue_date + datetime.timedelta(days=30),
                details="Synthetic breach",
                outcome="further_warning",
                recorded_by=creator,
            )
            for cawn in cawns[: len(cawns) // 4]
        ],
    )
    print(
        f"  {len(screenings)} screenings, {args.tactics} tactics, {len(cawns)} "
        f"notices, {len(cawns) // 4} breaches"
    )

    assessments = []
    for child, owner, *_ in rng.sample(children, args.assessments // 5 * 2):
        day = moment(rng).date()
        for n in range(rng.choice([2, 3])):
            if len(assessments) >= args.assessments:
                break
            assessments.append(
                OutcomeAssessment(
                    child_id=child,
                    occasion="plan_start" if n == 0 else "review",
                    assessed_on=day + datetime.timedelta(days=90 * n),
                    values={
                        m.key: rng.randint(m.low, m.high or 10)
                        for m in outcomes.MEASURES
                        if rng.random() < 0.6
                    }
                    or {"awareness_of_risk": 3},
                    agency_id=owner,
                    recorded_by=creator,
                )
            )
    bulk(OutcomeAssessment, assessments)

    episodes = list(
        MissingEpisode.objects.filter(returned_at__isnull=False, interview__isnull=True)
        .order_by()
        .values_list("pk", "child_id", "owner_agency_id", "returned_at")[
            : args.interviews
        ]
    )
    interviews = []
    for pk, child, agency, returned in episodes:
        due = returned + datetime.timedelta(hours=72)
        done = rng.random() < 0.8
        interviews.append(
            ReturnInterview(
                episode_id=pk,
                child_id=child,
                agency_id=agency,
                due_at=due,
                completed_at=(
                    returned + datetime.timedelta(hours=rng.randrange(1, 120))
                    if done
                    else None
                ),
            )
        )
    bulk(ReturnInterview, interviews)
    print(
        f"  {len(assessments)} outcome assessments, {len(interviews)} return "
        f"interviews; generated in {time.perf_counter() - began:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def delivery_plan(area: LocalArea, creator: User, count: int):
    from reports.models import (
        DeliveryAction,
        DeliveryEvidence,
        DeliveryObjective,
        DeliveryPlan,
        DeliverySubObjective,
    )

    plan = DeliveryPlan.objects.create(
        local_area=area,
        title="Bench delivery plan",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2027, 3, 31),
        created_by=creator,
    )
    objectives = [
        DeliveryObjective.objects.create(
            plan=plan, number=n, title=f"Objective {n}", description="Synthetic"
        )
        for n in range(1, 6)
    ]
    subs = [
        DeliverySubObjective.objects.create(
            objective=o, number=n, text="Synthetic sub-objective"
        )
        for o in objectives
        for n in range(1, 5)
    ]
    rags = ["none", "red", "amber", "green", "blue"]
    partners = list(Agency.objects.filter(local_area=area))
    actions = DeliveryAction.objects.bulk_create(
        DeliveryAction(
            objective=subs[n % len(subs)].objective,
            sub_objective=subs[n % len(subs)],
            position=n,
            description=f"Synthetic action {n}: deliver, review and report",
            evidence="Synthetic evidence",
            outcomes="Synthetic outcome",
            accountable_user=creator,
            responsible_name="Synthetic lead",
            target_date=datetime.date(2026, 4, 1) + datetime.timedelta(days=n),
            timescale="Quarterly",
            action_rag=rags[n % 5],
            outcome_rag=rags[(n + 2) % 5],
        )
        for n in range(count)
    )
    through = DeliveryAction.partners.through
    through.objects.bulk_create(
        through(deliveryaction_id=a.pk, agency_id=partners[n % len(partners)].pk)
        for n, a in enumerate(actions)
    )
    DeliveryEvidence.objects.bulk_create(
        DeliveryEvidence(action=a, text="Synthetic evidence entry", entered_by=creator)
        for a in actions
        for _ in range(2)
    )
    return plan


# --- measuring ----------------------------------------------------------------------


def timed(label: str, call, runs: int) -> None:
    times, counts = [], []
    status = ""
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - began)
        counts.append(len(queries))
        status = getattr(result, "status_code", "")
    times.sort()
    print(
        f"  {label:<44} median {times[len(times) // 2]:6.2f} s  max {times[-1]:6.2f} s"
        f"  queries {min(counts):3d}"
        + ("" if max(counts) == min(counts) else f"-{max(counts)}")
        + (f"  [{status}]" if status else ""),
        flush=True,
    )


def computations(area: LocalArea | None, runs: int) -> None:
    name = area.name if area else "all areas"
    print(f"\ncomputations, {name}")
    timed(
        "profile.compute 2026 Q2",
        lambda: profile.compute(area=area, year=2026, quarter=2),
        runs,
    )
    for first in ((2025, 3), (2024, 3)):
        quarters = dashboard.quarters_between(area, first, (2026, 2))
        timed(
            f"dashboard.compute {len(quarters)} quarters",
            lambda q=quarters: dashboard.compute(area=area, quarters=q),
            runs,
        )
    month = mase_snapshot.Month(2026, 10)
    timed(
        "mase_snapshot.compute 1 month",
        lambda: mase_snapshot.compute(area, [month]),
        runs,
    )
    timed(
        "mase_snapshot.compute 12 months",
        lambda: mase_snapshot.compute(area, mase_snapshot.last_months(month)),
        runs,
    )
    timed(
        "outcomes.aggregate 12 months",
        lambda: outcomes.aggregate(
            area=area,
            start=datetime.date(2025, 11, 1),
            end=datetime.date(2026, 10, 31),
        ),
        runs,
    )


def pages(area: LocalArea, manager: User, coordinator: User, plan, runs: int) -> None:
    for user in (manager, coordinator):
        client = signed_in(user)
        for slug, label in ((area.slug, area.name), ("all", "all areas")):
            print(f"\npages as {user.username}, {label}")
            period = {"area": slug, "year": 2026, "quarter": 2}
            for title, url, query in (
                ("profile", "reports:profile", period),
                ("profile PDF", "reports:profile_pdf", period),
                (
                    "dashboard (default, 4 quarters)",
                    "reports:dashboard",
                    {"area": slug}
                    | {
                        "from_year": 2025,
                        "from_quarter": 3,
                        "to_year": 2026,
                        "to_quarter": 2,
                    },
                ),
                (
                    "dashboard 8 quarters",
                    "reports:dashboard",
                    {
                        "area": slug,
                        "from_year": 2024,
                        "from_quarter": 3,
                        "to_year": 2026,
                        "to_quarter": 2,
                    },
                ),
                (
                    "MASE snapshot (12-month trend)",
                    "reports:mase_report",
                    {"area": slug, "year": 2026, "month": 10},
                ),
                (
                    "outcomes aggregate",
                    "reports:outcomes_report",
                    {"area": slug, "start": "2025-11-01", "end": "2026-10-31"},
                ),
            ):
                timed(
                    title,
                    lambda u=url, q=query, c=client: c.get(reverse(u), q),
                    runs,
                )
        print(f"\ndelivery plan pages as {user.username}")
        for title, url in (
            ("delivery plan page", "reports:delivery_plan_detail"),
            ("delivery plan PDF", "reports:delivery_plan_pdf"),
        ):
            timed(
                title,
                lambda u=url, c=client: c.get(reverse(u, args=[plan.pk])),
                runs,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page-runs", type=int, default=3)
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--items", type=int, default=50000)
    parser.add_argument("--screenings", type=int, default=20000)
    parser.add_argument("--tactics", type=int, default=5000)
    parser.add_argument("--cawns", type=int, default=2000)
    parser.add_argument("--assessments", type=int, default=20000)
    parser.add_argument("--interviews", type=int, default=50000)
    parser.add_argument("--plan-actions", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-computations", action="store_true")
    args = parser.parse_args()

    from meetings.models import MeetingType
    from missing.models import MissingEpisode

    print(f"database: {connection.settings_dict['NAME']}")
    print(
        f"children {Child.objects.count():,}, episodes "
        f"{MissingEpisode.objects.count():,}, at {timezone.now():%Y-%m-%d}"
    )
    area = LocalArea.objects.filter(slug="birmingham").first() or (
        LocalArea.objects.order_by("pk").first()
    )
    try:
        with transaction.atomic():
            manager, coordinator = users(area)
            if not MeetingType.objects.filter(slug__startswith=MARK).exists():
                print("generating synthetic meetings, screenings, disruption, outcomes")
                generate(args, coordinator)
            else:
                print("using the synthetic data kept by an earlier --keep run")
            plan = delivery_plan(area, manager, args.plan_actions)
            if not args.skip_computations:
                computations(None, args.runs)
                computations(area, args.runs)
            if not args.skip_pages:
                # Without `collectstatic` the manifest storage used when DEBUG is
                # off cannot resolve {% static %}; the plain storage renders the same.
                storages = {
                    **settings.STORAGES,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                }
                with override_settings(STORAGES=storages):
                    pages(area, manager, coordinator, plan, args.page_runs)
            if args.keep:
                plan.delete()
            else:
                raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
