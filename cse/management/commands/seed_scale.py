"""`manage.py seed_scale --children 100000`: regional-scale synthetic data for the
benchmark (benchmarks/bench.py).

For N children it builds, across 50 agencies in the seven West Midlands areas:
N children, 0.3N persons of interest, 0.2N locations, 0.1N vehicles, about 1.5N
links, an OWNER access row for every record, sharing decisions with their access
rows (30% of children shared with 1 to 3 other agencies; some persons, locations and
vehicles too), category history for 40% of children, addresses, aliases, phones,
flags, plans, warnings and the chronology entries the services would have written.
It does not write audit events (they record what people did, and nobody did this).

Rows go in with COPY on PostgreSQL (executemany elsewhere), in batches, with
`search_text` built by the same normalisation as cse.search; nothing goes through
the per-record services. All in one transaction: a failure leaves nothing behind.

Running it again refuses, because the benchmark wants a known data set; pass
`--append` to add another N children (with proportional everything else).
"""

from __future__ import annotations

import datetime
import io
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from cse import demo
from cse.models import (
    Address,
    Agency,
    Alias,
    Category,
    CategoryAssessment,
    Child,
    ChildFlag,
    ChildPlan,
    ChronologyEntry,
    Ethnicity,
    Gender,
    Link,
    Location,
    PersonOfInterest,
    PhoneNumber,
    Role,
    SharingDecision,
    Subject,
    SubjectAccess,
    User,
    UserRole,
    Vehicle,
    WarningNote,
)
from cse.search import normalise_phone, normalise_postcode, normalise_registration

SCALE_REFERENCE_PREFIX = "SCALE-"
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 (published benchmark credentials)
BENCH_USERS = (
    # username, first name, last name, role, agency slug
    (
        "bench-police",
        "Bella",
        "Benchmark-Police",
        Role.POLICE_OFFICER,
        "birmingham-police",
    ),
    (
        "bench-social",
        "Ben",
        "Benchmark-Social",
        Role.PRACTITIONER,
        "birmingham-social-care",
    ),
)
K = Agency.Kind
# 7 kinds x 7 areas, plus Birmingham community safety: 50 agencies.
SCALE_KINDS = (
    K.POLICE,
    K.SOCIAL_CARE,
    K.HEALTH,
    K.EDUCATION,
    K.YOUTH_OFFENDING,
    K.HOUSING,
    K.PROBATION,
)
EXTRA_AGENCIES = (("birmingham", K.COMMUNITY_SAFETY),)
# Roughly by population of children.
AREA_WEIGHTS = {
    "birmingham": 38,
    "coventry": 13,
    "dudley": 10,
    "sandwell": 11,
    "solihull": 7,
    "walsall": 10,
    "wolverhampton": 11,
}
CHILD_OWNER_KINDS = (
    [K.SOCIAL_CARE, K.POLICE, K.HEALTH, K.EDUCATION, K.YOUTH_OFFENDING],
    [55, 30, 5, 5, 5],
)
SHARE_TARGET_KINDS = (
    [K.POLICE, K.SOCIAL_CARE, K.HEALTH, K.EDUCATION, K.YOUTH_OFFENDING],
    [35, 30, 15, 12, 8],
)

CONSENTS = (
    (SharingDecision.Consent.GIVEN, ""),
    (
        SharingDecision.Consent.NOT_SOUGHT,
        "Seeking consent would increase the risk of harm.",
    ),
    (
        SharingDecision.Consent.REFUSED,
        "Shared without consent: risk of significant harm.",
    ),
)
PURPOSES = (
    "Joint CSE investigation and safeguarding.",
    "Multi-agency risk management meeting.",
    "Health and sexual health support following disclosures.",
    "Education setting to put safety plan in place.",
)
RATIONALE = {
    0: "Risk reduced; engaging with support (synthetic).",
    1: "Early indicators of CSE (synthetic).",
    2: "Significant risk: repeat missing, older associates (synthetic).",
    3: "Serious risk: found with adults of concern (synthetic).",
}
LS = Child.LegalStatus
LEGAL = (
    [LS.NOT_LOOKED_AFTER, LS.CARE_ORDER, LS.SECTION_20, LS.INTERIM_CARE_ORDER],
    [60, 16, 16, 8],
)
GENDERS = ([Gender.FEMALE, Gender.MALE, Gender.OTHER, Gender.NOT_KNOWN], [60, 35, 3, 2])
ETHNICITIES = list(Ethnicity.values)
EDUCATION = list(Child.EducationStatus.values)
FLAG_KINDS = list(ChildFlag.Kind.values)
PLAN_KINDS = list(ChildPlan.Kind.values)
LOCATION_TYPES = (
    [
        Location.Type.HOTEL,
        Location.Type.FAST_FOOD,
        Location.Type.TAXI_RANK,
        Location.Type.LICENSED_PREMISES,
        Location.Type.PARK,
        Location.Type.RESIDENTIAL,
        Location.Type.SCHOOL_VICINITY,
        Location.Type.SHOPPING,
        Location.Type.TRANSPORT,
        Location.Type.ONLINE,
        Location.Type.OTHER,
    ],
    [12, 14, 8, 12, 10, 20, 6, 8, 5, 2, 3],
)
LOCATION_NAMES = {
    Location.Type.HOTEL: "{s} Lodge Hotel",
    Location.Type.FAST_FOOD: "{s} Chicken",
    Location.Type.TAXI_RANK: "{s} Cars private hire",
    Location.Type.LICENSED_PREMISES: "The {s} Arms",
    Location.Type.PARK: "{s} Park",
    Location.Type.RESIDENTIAL: "Flat at {n} {s} Road",
    Location.Type.SCHOOL_VICINITY: "{s} Academy gates",
    Location.Type.SHOPPING: "{s} Shopping Centre",
    Location.Type.TRANSPORT: "{s} bus station",
    Location.Type.ONLINE: "{s}Chat group",
    Location.Type.OTHER: "{s} Street garages",
}
TRADED = {
    Location.Type.HOTEL,
    Location.Type.FAST_FOOD,
    Location.Type.LICENSED_PREMISES,
    Location.Type.SHOPPING,
    Location.Type.TAXI_RANK,
}
L = Link.Kind
LINK_SOURCES = list(Link.Source.values)
LINK_CONFIDENCES = list(Link.Confidence.values)


class Inserter:
    """Inserts plain rows (dicts keyed by column attname) fast: COPY on PostgreSQL,
    executemany elsewhere. Unset columns get the model field's default."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.rows = Counter()
        self._next_id: dict[str, int] = {}

    def allocate_ids(self, model: type[models.Model], n: int) -> list[int]:
        """Primary keys for rows about to be inserted with explicit ids."""
        table = model._meta.db_table
        if n == 0:
            return []
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, n],
                )
                return [row[0] for row in cursor.fetchall()]
        start = self._next_id.get(table)
        if start is None:
            start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self._next_id[table] = start + n
        return list(range(start, start + n))

    def insert(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        first = rows[0]
        fields = [
            f
            for f in model._meta.local_concrete_fields
            if not (
                f.primary_key
                and isinstance(f, models.AutoField)
                and f.attname not in first
            )
        ]
        defaults = {f.attname: f.get_default() for f in fields}
        names = [f.attname for f in fields]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            if self.pg:
                buffer = io.StringIO()
                for row in rows:
                    buffer.write(
                        "\t".join(_copy_text(row.get(n, defaults[n])) for n in names)
                    )
                    buffer.write("\n")
                buffer.seek(0)
                sql = f"COPY {table} ({columns}) FROM STDIN"
                raw = cursor.cursor
                if hasattr(raw, "copy_expert"):  # psycopg2
                    raw.copy_expert(sql, buffer)
                else:  # psycopg 3
                    with raw.copy(sql) as copy:
                        copy.write(buffer.getvalue())
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                # Table and column names come from the models' own metadata and the
                # values go as parameters: nothing here is user input.
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608  # nosec B608
                    [
                        [
                            f.get_db_prep_save(
                                row.get(f.attname, defaults[f.attname]), connection
                            )
                            for f in fields
                        ]
                        for row in rows
                    ],
                )
        self.rows[model._meta.label] += len(rows)


def _copy_text(value: object) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.date):  # and datetime
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class Command(BaseCommand):
    help = "Create regional-scale synthetic data for the benchmark."

    def add_arguments(self, parser):
        parser.add_argument(
            "--children",
            type=int,
            default=100_000,
            help="How many children (everything else scales with it).",
        )
        parser.add_argument("--batch-size", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--append",
            action="store_true",
            help="Add another batch when scale data already exists.",
        )

    def handle(
        self, *args, children: int, batch_size: int, seed: int, append: bool, **options
    ):
        if children < 1:
            raise CommandError("--children must be at least 1")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        existing = Child.objects.filter(
            local_reference__startswith=SCALE_REFERENCE_PREFIX
        ).count()
        if existing and not append:
            raise CommandError(
                f"Scale data already exists ({existing:,} children). Pass --append to add "
                f"another {children:,}, or start from an empty database."
            )
        started = time.perf_counter()
        with transaction.atomic():
            areas = demo.ensure_areas()
            agencies = demo.ensure_agencies(areas, SCALE_KINDS)
            for area_slug, kind in EXTRA_AGENCIES:
                agency = demo.ensure_agency(areas[area_slug], area_slug, kind)
                agencies[agency.slug] = agency
            users = self._ensure_users(agencies)
            builder = ScaleBuilder(
                agencies=agencies,
                children=children,
                start=existing,
                batch_size=batch_size,
                rng=random.Random(seed * 1_000_003 + existing),
                out=self._progress,
                started=started,
            )
            builder.build()
            self._progress("committing", started)
        self._progress("committed", started)
        if connection.vendor == "postgresql":
            # VACUUM sets the visibility map, so index-only scans (how visible
            # records are counted) need no heap visits, as on a settled database.
            statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(statement)
            self._progress("vacuumed and analysed", started)
        self.stdout.write("")
        self.stdout.write("Rows written:")
        for label, n in sorted(builder.inserter.rows.items()):
            self.stdout.write(f"  {label:<28} {n:>10,}")
        self.stdout.write(f"Agencies used: {len(agencies)} in {len(areas)} areas")
        self.stdout.write(
            f"Benchmark users (password {BENCH_PASSWORD}, set when created):"
        )
        for user in users:
            self.stdout.write(
                f"  {user.username:<14} {', '.join(user.role_labels):<20} {user.agency}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s")
        )

    def _ensure_users(self, agencies: dict[str, Agency]) -> list[User]:
        users = []
        hashed = None
        for username, first, last, role, agency_slug in BENCH_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                hashed = hashed or make_password(BENCH_PASSWORD)
                user = User.objects.create(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                    agency=agencies[agency_slug],
                    password=hashed,
                )
            UserRole.objects.get_or_create(user=user, role=role)
            user._roles_cache = None
            users.append(user)
        return users

    def _progress(self, message: str, started: float) -> None:
        self.stdout.write(f"[{time.perf_counter() - started:7.1f} s] {message}")
        self.stdout.flush()


class ScaleBuilder:
    def __init__(
        self,
        *,
        agencies: dict[str, Agency],
        children: int,
        start: int,
        batch_size: int,
        rng: random.Random,
        out: Callable[[str, float], None],
        started: float,
    ):
        self.rng = rng
        self.n = children
        self.start = start
        self.batch_size = batch_size
        self.out = out
        self.started = started
        self.inserter = Inserter()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.agencies = agencies
        self.agency_names = {a.pk: a.name for a in agencies.values()}
        self.area_slugs = list(AREA_WEIGHTS)
        self.area_weights = list(AREA_WEIGHTS.values())
        self.agency_id = {(a.local_area.slug, a.kind): a.pk for a in agencies.values()}
        self.area_of_agency = {a.pk: a.local_area.slug for a in agencies.values()}
        self.area_pk = {a.local_area.slug: a.local_area_id for a in agencies.values()}
        # What each agency can see, by kind of record: owned and shared-in ids.
        self.visible: dict[str, dict[int, list[int]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.owner: dict[int, int] = {}
        self.ct = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (
                CategoryAssessment,
                SharingDecision,
                Link,
                ChildFlag,
                ChildPlan,
            )
        }

    # --- helpers ----------------------------------------------------------------------

    def log(self, message: str) -> None:
        self.out(message, self.started)

    def moment(self, max_days: int = 5 * 365) -> datetime.datetime:
        return self.now - datetime.timedelta(
            seconds=self.rng.randint(3600, max_days * 86400)
        )

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(
            days=self.rng.randint(0, max((last - first).days, 0))
        )

    def batches(self, total: int) -> Iterable[tuple[int, int]]:
        for offset in range(0, total, self.batch_size):
            yield offset, min(self.batch_size, total - offset)

    def pick_area(self) -> str:
        return self.rng.choices(self.area_slugs, self.area_weights)[0]

    def chronology(
        self,
        subject_id: int,
        at: datetime.datetime,
        kind: str,
        title: str,
        agency_id: int | None,
        description: str = "",
        source: tuple[int, int] | None = None,
        mentions: int | None = None,
    ) -> dict:
        return {
            "subject_id": subject_id,
            "occurred_at": at,
            "kind": kind,
            "title": title[:200],
            "description": description,
            "agency_id": agency_id,
            "recorded_by_id": None,
            "recorded_at": at,
            "source_type_id": source[0] if source else None,
            "source_id": source[1] if source else None,
            "mentions_id": mentions,
        }

    def subject_rows(
        self,
        ids: list[int],
        kind: str,
        owners: list[int],
        texts: list[str],
        created: list[datetime.datetime],
    ) -> tuple[list[dict], list[dict], list[dict]]:
        subjects, access, chronology = [], [], []
        for pk, owner, text, at in zip(ids, owners, texts, created, strict=True):
            subjects.append(
                {
                    "id": pk,
                    "kind": kind,
                    "owner_agency_id": owner,
                    "search_text": text,
                    "created_at": at,
                    "created_by_id": None,
                    "updated_at": at,
                }
            )
            access.append(
                {
                    "agency_id": owner,
                    "subject_id": pk,
                    "kind": kind,
                    "basis": SubjectAccess.Basis.OWNER,
                    "decision_id": None,
                    "granted_at": at,
                }
            )
            chronology.append(
                self.chronology(
                    pk,
                    at,
                    "record",
                    f"Record imported by {self.agency_names[owner]}",
                    owner,
                )
            )
            self.owner[pk] = owner
            self.visible[kind][owner].append(pk)
        return subjects, access, chronology

    def shares(
        self,
        kind: str,
        pairs: list[tuple[int, int]],
        created: dict[int, datetime.datetime],
    ) -> None:
        """Sharing decisions, access rows and chronology for (subject, agency) pairs."""
        ids = self.inserter.allocate_ids(SharingDecision, len(pairs))
        decisions, access, chronology = [], [], []
        for pk, (subject_id, agency_id) in zip(ids, pairs, strict=True):
            owner = self.owner[subject_id]
            at = created[subject_id] + datetime.timedelta(days=self.rng.randint(0, 60))
            at = min(at, self.now)
            consent, reason = self.rng.choice(CONSENTS)
            purpose = self.rng.choice(PURPOSES)
            decisions.append(
                {
                    "id": pk,
                    "subject_id": subject_id,
                    "agency_id": agency_id,
                    "decision": SharingDecision.Decision.SHARE,
                    "purpose": purpose,
                    "consent": consent,
                    "consent_reason": reason,
                    "context": SharingDecision.Context.MANUAL,
                    "decided_by_id": None,
                    "decided_by_agency_id": owner,
                    "decided_at": at,
                }
            )
            access.append(
                {
                    "agency_id": agency_id,
                    "subject_id": subject_id,
                    "kind": kind,
                    "basis": SubjectAccess.Basis.SHARED,
                    "decision_id": pk,
                    "granted_at": at,
                }
            )
            chronology.append(
                self.chronology(
                    subject_id,
                    at,
                    "sharing",
                    f"Shared with {self.agency_names[agency_id]}",
                    owner,
                    purpose,
                    (self.ct[SharingDecision], pk),
                )
            )
            self.visible[kind][agency_id].append(subject_id)
        self.inserter.insert(SharingDecision, decisions)
        self.inserter.insert(SubjectAccess, access)
        self.inserter.insert(ChronologyEntry, chronology)

    def share_targets(self, owner: int, how_many: int) -> list[int]:
        area = self.area_of_agency[owner]
        targets: set[int] = set()
        for _ in range(how_many * 4):
            if len(targets) >= how_many:
                break
            other_area = area if self.rng.random() < 0.9 else self.pick_area()
            kind = self.rng.choices(*SHARE_TARGET_KINDS)[0]
            target = self.agency_id.get((other_area, kind))
            if target is not None and target != owner:
                targets.add(target)
        return sorted(targets)

    # --- the build ----------------------------------------------------------------------

    def build(self) -> None:
        n = self.n
        self.make_children(n)
        self.make_persons(round(n * 0.3))
        self.make_locations(round(n * 0.2))
        self.make_vehicles(round(n * 0.1))
        self.make_links(n)

    def make_children(self, total: int) -> None:
        rng, today = self.rng, self.today
        for offset, size in self.batches(total):
            ids = self.inserter.allocate_ids(Subject, size)
            owners, texts, created, children = [], [], [], []
            aliases, addresses, extra_chronology = [], [], []
            categories, flags, plans, warnings = [], [], [], []
            for i, pk in enumerate(ids):
                number = self.start + offset + i + 1
                area = self.pick_area()
                spec = demo.AREA_BY_SLUG[area]
                owner = self.agency_id[(area, rng.choices(*CHILD_OWNER_KINDS)[0])]
                gender = rng.choices(*GENDERS)[0]
                names = (
                    demo.MALE_FORENAMES
                    if gender == Gender.MALE
                    else demo.FEMALE_FORENAMES
                )
                forename, surname = rng.choice(names), rng.choice(demo.SCALE_SURNAMES)
                middle = rng.choice(names) if rng.random() < 0.3 else ""
                known_as = (
                    rng.choice(("Jaz", "Liv", "Tee", "Bee", "Kez", "Mo"))
                    if rng.random() < 0.1
                    else ""
                )
                reference = f"{SCALE_REFERENCE_PREFIX}{number:07d}"
                at = self.moment()
                age = (
                    rng.randint(20, 24) if rng.random() < 0.05 else rng.randint(10, 19)
                )
                month = rng.randint(1, 12)
                dob = None
                estimated = None
                if rng.random() < 0.03:
                    estimated = age
                else:
                    year = (
                        today.year
                        - age
                        - (1 if (month, 1) > (today.month, today.day) else 0)
                    )
                    dob = datetime.date(year, month, 1)
                legal = rng.choices(*LEGAL)[0]
                looked_after = legal != LS.NOT_LOOKED_AFTER
                out_of_area = looked_after and rng.random() < 0.25
                child_aliases = (
                    [f"{rng.choice(names)} {surname}"] if rng.random() < 0.1 else []
                )
                postcodes = []
                if rng.random() < 0.7:
                    pc = demo.postcode(rng, spec)
                    postcodes.append(pc)
                    addresses.append(
                        {
                            "subject_id": pk,
                            "line_1": demo.street_address(rng),
                            "line_2": "",
                            "town": spec.town,
                            "postcode": pc,
                            "postcode_normalised": normalise_postcode(pc),
                            "from_date": at.date(),
                            "to_date": None,
                            "notes": "",
                        }
                    )
                for name in child_aliases:
                    aliases.append(
                        {"subject_id": pk, "name": name, "notes": "", "recorded_at": at}
                    )
                owners.append(owner)
                created.append(at)
                texts.append(
                    demo.child_search_text(
                        forename=forename,
                        surname=surname,
                        middle_names=middle,
                        known_as=known_as,
                        local_reference=reference,
                        aliases=child_aliases,
                        postcodes=postcodes,
                    )
                )
                children.append(
                    {
                        "subject_ptr_id": pk,
                        "local_reference": reference,
                        "forename": forename,
                        "middle_names": middle,
                        "surname": surname,
                        "known_as": known_as,
                        "date_of_birth": dob,
                        "estimated_age": estimated,
                        "gender": gender,
                        "ethnicity": rng.choice(ETHNICITIES),
                        "disability": Child.Disability.NOT_KNOWN,
                        "first_language": "English",
                        "legal_status": legal,
                        "responsible_authority": spec.name if looked_after else "",
                        "placement": Child.Placement.PLACED_OUT_OF_AREA
                        if out_of_area
                        else Child.Placement.NOT_PLACED,
                        "placing_authority": rng.choice(demo.OTHER_AUTHORITIES)
                        if out_of_area
                        else "",
                        "education_status": rng.choice(EDUCATION),
                        "case_status": Child.CaseStatus.CLOSED
                        if rng.random() < 0.15
                        else Child.CaseStatus.OPEN,
                        "home_area_id": self.area_pk[area],
                    }
                )
                if rng.random() < 0.4:
                    history = self.category_history(pk, owner, at)
                    categories.extend(history)
                    children[-1]["current_category"] = history[-1]["category"]
                if rng.random() < 0.08:
                    kind = rng.choice(FLAG_KINDS)
                    flags.append(
                        {
                            "child_id": pk,
                            "kind": kind,
                            "reason": "Synthetic flag for scale testing.",
                            "set_on": self.day_between(at.date(), today),
                            "set_by_id": None,
                            "set_at": at,
                            "removed_at": None,
                            "removed_by_id": None,
                            "removal_reason": "",
                        }
                    )
                    extra_chronology.append(
                        self.chronology(
                            pk,
                            at,
                            "flag",
                            f"Flag set: {ChildFlag.Kind(kind).label}",
                            owner,
                        )
                    )
                if rng.random() < 0.2:
                    start = self.day_between(at.date(), today)
                    plans.append(
                        {
                            "child_id": pk,
                            "kind": rng.choice(PLAN_KINDS),
                            "start_date": start,
                            "end_date": None,
                            "last_reviewed_on": None,
                            "recorded_by_id": None,
                        }
                    )
                if rng.random() < 0.01:
                    warnings.append(
                        {
                            "subject_id": pk,
                            "text": "Synthetic warning for scale testing.",
                            "review_on": today
                            + datetime.timedelta(days=rng.randint(1, 180)),
                            "created_by_id": None,
                            "created_at": at,
                            "ended_at": None,
                        }
                    )
            subjects, access, chronology = self.subject_rows(
                ids, Subject.Kind.CHILD, owners, texts, created
            )
            ins = self.inserter
            ins.insert(Subject, subjects)
            ins.insert(Child, children)
            ins.insert(SubjectAccess, access)
            ins.insert(Alias, aliases)
            ins.insert(Address, addresses)
            self.insert_categories(categories, extra_chronology)
            ins.insert(ChildFlag, flags)
            ins.insert(ChildPlan, plans)
            ins.insert(WarningNote, warnings)
            ins.insert(ChronologyEntry, chronology + extra_chronology)
            created_at = dict(zip(ids, created, strict=True))
            pairs = [
                (pk, target)
                for pk, owner in zip(ids, owners, strict=True)
                if rng.random() < 0.3
                for target in self.share_targets(
                    owner, rng.choices([1, 2, 3], [55, 30, 15])[0]
                )
            ]
            self.shares(Subject.Kind.CHILD, pairs, created_at)
            self.log(f"children {offset + size:,}/{total:,}")

    def category_history(
        self, child_id: int, owner: int, created: datetime.datetime
    ) -> list[dict]:
        rng = self.rng
        steps = rng.choices([1, 2, 3], [50, 30, 20])[0]
        category = rng.choice([1, 1, 2, 2, 3])
        day = created.date()
        rows = []
        for step in range(steps):
            rows.append(
                {
                    "child_id": child_id,
                    "category": category,
                    "assessed_on": day,
                    "source": CategoryAssessment.Source.SCREENING
                    if step == 0
                    else rng.choice(
                        [
                            CategoryAssessment.Source.MEETING,
                            CategoryAssessment.Source.RISK_ASSESSMENT,
                        ]
                    ),
                    "rationale": RATIONALE[category],
                    "agency_id": owner,
                    "recorded_by_id": None,
                    "recorded_at": datetime.datetime.combine(
                        day, datetime.time(12), tzinfo=datetime.UTC
                    ),
                }
            )
            category = max(0, min(3, category + rng.choice([-1, 1, 1])))
            day = min(day + datetime.timedelta(days=rng.randint(20, 120)), self.today)
        return rows

    def insert_categories(self, rows: list[dict], chronology: list[dict]) -> None:
        ids = self.inserter.allocate_ids(CategoryAssessment, len(rows))
        for pk, row in zip(ids, rows, strict=True):
            row["id"] = pk
            label = CategoryAssessment.Source(row["source"]).label
            chronology.append(
                self.chronology(
                    row["child_id"],
                    row["recorded_at"],
                    "category",
                    Category(row["category"]).label,
                    row["agency_id"],
                    f"{label}: {row['rationale']}",
                    (self.ct[CategoryAssessment], pk),
                )
            )
        self.inserter.insert(CategoryAssessment, rows)

    def make_persons(self, total: int) -> None:
        rng = self.rng
        for offset, size in self.batches(total):
            ids = self.inserter.allocate_ids(Subject, size)
            owners, texts, created, persons, aliases, phones, addresses = (
                [],
                [],
                [],
                [],
                [],
                [],
                [],
            )
            for pk in ids:
                area = self.pick_area()
                spec = demo.AREA_BY_SLUG[area]
                owner = self.agency_id[
                    (area, K.POLICE if rng.random() < 0.85 else K.SOCIAL_CARE)
                ]
                named = rng.random() < 0.8
                female = rng.random() < 0.15
                forename = (
                    rng.choice(demo.FEMALE_FORENAMES if female else demo.MALE_FORENAMES)
                    if named
                    else ""
                )
                surname = rng.choice(demo.SCALE_SURNAMES) if named else ""
                nickname = (
                    rng.choice(demo.NICKNAMES)
                    if (not named or rng.random() < 0.4)
                    else ""
                )
                at = self.moment()
                person_aliases = (
                    [
                        f"{rng.choice(demo.MALE_FORENAMES)} {rng.choice(demo.SCALE_SURNAMES)}"
                    ]
                    if rng.random() < 0.3
                    else []
                )
                numbers = (
                    [demo.drama_mobile(rng.randint(0, 999))]
                    if rng.random() < 0.4
                    else []
                )
                postcodes = []
                if rng.random() < 0.3:
                    pc = demo.postcode(rng, spec)
                    postcodes.append(pc)
                    addresses.append(
                        {
                            "subject_id": pk,
                            "line_1": demo.street_address(rng),
                            "line_2": "",
                            "town": spec.town,
                            "postcode": pc,
                            "postcode_normalised": normalise_postcode(pc),
                            "from_date": at.date(),
                            "to_date": None,
                            "notes": "",
                        }
                    )
                aliases += [
                    {"subject_id": pk, "name": a, "notes": "", "recorded_at": at}
                    for a in person_aliases
                ]
                phones += [
                    {
                        "subject_id": pk,
                        "number": number,
                        "number_normalised": normalise_phone(number),
                        "notes": "",
                    }
                    for number in numbers
                ]
                low = rng.randint(18, 50)
                persons.append(
                    {
                        "subject_ptr_id": pk,
                        "forename": forename,
                        "surname": surname,
                        "nickname": nickname,
                        "date_of_birth": None,
                        "age_from": low,
                        "age_to": low + 5,
                        "gender": Gender.FEMALE if female else Gender.MALE,
                        "description": rng.choice(demo.DESCRIPTIONS),
                        "offending_history": "",
                        "status": rng.choice(PersonOfInterest.Status.values),
                    }
                )
                owners.append(owner)
                created.append(at)
                texts.append(
                    demo.person_search_text(
                        forename=forename,
                        surname=surname,
                        nickname=nickname,
                        aliases=person_aliases,
                        phones=[normalise_phone(number) for number in numbers],
                        postcodes=postcodes,
                    )
                )
            subjects, access, chronology = self.subject_rows(
                ids, Subject.Kind.PERSON, owners, texts, created
            )
            ins = self.inserter
            ins.insert(Subject, subjects)
            ins.insert(PersonOfInterest, persons)
            ins.insert(SubjectAccess, access)
            ins.insert(Alias, aliases)
            ins.insert(PhoneNumber, phones)
            ins.insert(Address, addresses)
            ins.insert(ChronologyEntry, chronology)
            self.shares(
                Subject.Kind.PERSON,
                self.cross_shares(ids, owners, 0.25),
                dict(zip(ids, created, strict=True)),
            )
            self.log(f"persons of interest {offset + size:,}/{total:,}")

    def cross_shares(
        self, ids: list[int], owners: list[int], rate: float
    ) -> list[tuple[int, int]]:
        """Police records shared with the area's social care, and the other way round."""
        pairs = []
        for pk, owner in zip(ids, owners, strict=True):
            if self.rng.random() < rate:
                area = self.area_of_agency[owner]
                police = self.agency_id[(area, K.POLICE)]
                pairs.append(
                    (
                        pk,
                        self.agency_id[(area, K.SOCIAL_CARE)]
                        if owner == police
                        else police,
                    )
                )
        return pairs

    def make_locations(self, total: int) -> None:
        rng = self.rng
        for offset, size in self.batches(total):
            ids = self.inserter.allocate_ids(Subject, size)
            owners, texts, created, locations = [], [], [], []
            for pk in ids:
                area = self.pick_area()
                spec = demo.AREA_BY_SLUG[area]
                roll = rng.random()
                owner = self.agency_id[
                    (
                        area,
                        K.POLICE
                        if roll < 0.6
                        else K.SOCIAL_CARE
                        if roll < 0.9
                        else K.HOUSING,
                    )
                ]
                kind = rng.choices(*LOCATION_TYPES)[0]
                stem = rng.choice(demo.SCALE_SURNAMES)
                name = LOCATION_NAMES[kind].format(s=stem, n=rng.randint(1, 199))
                online = kind == Location.Type.ONLINE
                trading = (
                    f"{stem} Holdings Ltd"
                    if kind in TRADED and rng.random() < 0.7
                    else ""
                )
                line_1 = "" if online else demo.street_address(rng)
                town = "" if online else spec.town
                pc = "" if online else demo.postcode(rng, spec)
                online_id = (
                    f"{stem}Chat: group {rng.randint(100, 999)}" if online else ""
                )
                hotspot = rng.random() < 0.05
                at = self.moment()
                locations.append(
                    {
                        "subject_ptr_id": pk,
                        "name": name,
                        "type": kind,
                        "trading_name": trading,
                        "address_line_1": line_1,
                        "address_line_2": "",
                        "town": town,
                        "postcode": pc,
                        "online_identifier": online_id,
                        "local_area_id": self.area_pk[area],
                        "is_hotspot": hotspot,
                        "hotspot_since": at.date() if hotspot else None,
                        "description": "",
                    }
                )
                owners.append(owner)
                created.append(at)
                texts.append(
                    demo.location_search_text(
                        name=name,
                        trading_name=trading,
                        address_line_1=line_1,
                        town=town,
                        online_identifier=online_id,
                        postcode=pc,
                    )
                )
            subjects, access, chronology = self.subject_rows(
                ids, Subject.Kind.LOCATION, owners, texts, created
            )
            ins = self.inserter
            ins.insert(Subject, subjects)
            ins.insert(Location, locations)
            ins.insert(SubjectAccess, access)
            ins.insert(ChronologyEntry, chronology)
            self.shares(
                Subject.Kind.LOCATION,
                self.cross_shares(ids, owners, 0.3),
                dict(zip(ids, created, strict=True)),
            )
            self.log(f"locations {offset + size:,}/{total:,}")

    def make_vehicles(self, total: int) -> None:
        rng = self.rng
        for offset, size in self.batches(total):
            ids = self.inserter.allocate_ids(Subject, size)
            owners, texts, created, vehicles = [], [], [], []
            for pk in ids:
                area = self.pick_area()
                owner = self.agency_id[(area, K.POLICE)]
                registration = demo.registration(rng)
                make, model = rng.choice(demo.VEHICLES)
                colour = rng.choice(demo.COLOURS)
                vehicles.append(
                    {
                        "subject_ptr_id": pk,
                        "registration": registration,
                        "registration_normalised": normalise_registration(registration),
                        "make": make,
                        "model": model,
                        "colour": colour,
                        "notes": "",
                    }
                )
                owners.append(owner)
                created.append(self.moment())
                texts.append(
                    demo.vehicle_search_text(
                        registration=registration, make=make, model=model, colour=colour
                    )
                )
            subjects, access, chronology = self.subject_rows(
                ids, Subject.Kind.VEHICLE, owners, texts, created
            )
            ins = self.inserter
            ins.insert(Subject, subjects)
            ins.insert(Vehicle, vehicles)
            ins.insert(SubjectAccess, access)
            ins.insert(ChronologyEntry, chronology)
            self.shares(
                Subject.Kind.VEHICLE,
                self.cross_shares(ids, owners, 0.2),
                dict(zip(ids, created, strict=True)),
            )
            self.log(f"vehicles {offset + size:,}/{total:,}")

    def make_links(self, n: int) -> None:
        """About 1.5 links per child, each between two records its owning agency
        (the link's owner) can see, as create_link requires."""
        C, P, LO, V = (
            Subject.Kind.CHILD,
            Subject.Kind.PERSON,
            Subject.Kind.LOCATION,
            Subject.Kind.VEHICLE,
        )
        plan = [
            # from kind, to kind, link kinds, share of N
            (C, P, [L.SEEN_WITH, L.RELATIONSHIP_OF_CONCERN, L.ASSOCIATE], 0.45),
            (C, LO, [L.SEEN_AT, L.FREQUENTS, L.LIVES_AT], 0.35),
            (C, C, [L.PEER, L.SIBLING, L.ASSOCIATE], 0.15),
            (C, V, [L.SEEN_IN], 0.05),
            (P, LO, [L.FREQUENTS, L.WORKS_AT], 0.20),
            (P, V, [L.DRIVES], 0.10),
            (P, P, [L.ASSOCIATE], 0.10),
            (V, LO, [L.SEEN_AT], 0.10),
        ]
        rng = self.rng
        owned = {
            kind: [
                (pk, owner)
                for owner, pks in self.visible[kind].items()
                for pk in pks
                if self.owner[pk] == owner
            ]
            for kind in (C, P, LO, V)
        }
        pending = []
        total = 0
        for from_kind, to_kind, kinds, share in plan:
            wanted = round(n * share)
            sources = owned[from_kind]
            made = attempts = 0
            while made < wanted and attempts < wanted * 5 and sources:
                attempts += 1
                from_id, agency = rng.choice(sources)
                pool = self.visible[to_kind].get(agency)
                if not pool:
                    continue
                to_id = rng.choice(pool)
                if to_id == from_id:
                    continue
                pending.append((from_id, to_id, rng.choice(kinds), agency))
                made += 1
                if len(pending) >= self.batch_size:
                    total += self.insert_links(pending)
                    pending = []
                    self.log(f"links {total:,}")
        total += self.insert_links(pending)
        self.log(f"links {total:,} (done)")

    def insert_links(self, rows: list[tuple[int, int, str, int]]) -> int:
        rng = self.rng
        ids = self.inserter.allocate_ids(Link, len(rows))
        links, chronology = [], []
        for pk, (from_id, to_id, kind, agency) in zip(ids, rows, strict=True):
            first = self.today - datetime.timedelta(days=rng.randint(1, 900))
            last = self.day_between(first, self.today)
            at = datetime.datetime.combine(last, datetime.time(15), tzinfo=datetime.UTC)
            links.append(
                {
                    "id": pk,
                    "from_subject_id": from_id,
                    "to_subject_id": to_id,
                    "kind": kind,
                    "source": rng.choice(LINK_SOURCES),
                    "source_detail": "",
                    "first_seen": first,
                    "last_seen": last,
                    "confidence": rng.choice(LINK_CONFIDENCES),
                    "notes": "",
                    "owner_agency_id": agency,
                    "created_by_id": None,
                    "created_at": at,
                    "ended_at": None,
                    "end_reason": "",
                }
            )
            label = Link.Kind(kind).label.lower()
            for end, other in ((from_id, to_id), (to_id, from_id)):
                chronology.append(
                    self.chronology(
                        end,
                        at,
                        "link",
                        f"Linked: {label} {ChronologyEntry.MENTION}",
                        agency,
                        source=(self.ct[Link], pk),
                        mentions=other,
                    )
                )
        self.inserter.insert(Link, links)
        self.inserter.insert(ChronologyEntry, chronology)
        return len(rows)
