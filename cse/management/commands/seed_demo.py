"""`manage.py seed_demo`: a small, obviously synthetic West Midlands data set to
demonstrate and try out the app.

The seven West Midlands authorities with their partner agencies, a sign-in for every
role, and about sixty children with persons of interest, vehicles, locations, links
and sharing decisions, all written through cse.services (so access rows, the
chronology and the audit trail are as the app would leave them).

Idempotent: areas, agencies and users are created only when missing (passwords are
set only on creation), and the records are created only when no demo child
(local reference DEMO-...) exists. Everything runs in one transaction, so a failure
part-way leaves nothing behind and the next run starts afresh.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cse import demo, services
from cse.models import (
    Address,
    Agency,
    Child,
    ChildFlag,
    ChildPlan,
    Ethnicity,
    Gender,
    Link,
    LocalArea,
    Location,
    PersonOfInterest,
    Role,
    SharingDecision,
    Subject,
    User,
    UserRole,
    Vehicle,
)
from cse.models.subjects import CategoryAssessment

SEED = 2026
DEMO_REFERENCE_PREFIX = "DEMO-"

Consent = SharingDecision.Consent
Decision = SharingDecision.Decision
LS = Child.LegalStatus


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    agency_slug: str
    job_title: str
    collar_number: str = ""
    station: str = ""
    can_sign_in: bool = True


DEMO_USERS: tuple[UserSpec, ...] = (
    UserSpec(
        "practitioner",
        "Pat",
        "Practitioner",
        Role.PRACTITIONER,
        "birmingham-social-care",
        "Social worker",
    ),
    UserSpec(
        "cse-coordinator",
        "Cora",
        "Coordinator",
        Role.CSE_COORDINATOR,
        "birmingham-social-care",
        "CSE coordinator",
    ),
    UserSpec(
        "meeting-administrator",
        "Minnie",
        "Minutes",
        Role.MEETING_ADMINISTRATOR,
        "birmingham-social-care",
        "Meetings administrator",
    ),
    UserSpec(
        "meeting-chair",
        "Charlie",
        "Chair",
        Role.MEETING_CHAIR,
        "birmingham-social-care",
        "CSE team manager",
    ),
    UserSpec(
        "police-officer",
        "Polly",
        "Constable",
        Role.POLICE_OFFICER,
        "birmingham-police",
        "Detective constable, CSE team",
        collar_number="DC 0101",
        station="Example Street Police Station",
    ),
    UserSpec(
        "police-intelligence",
        "Ivor",
        "Intelligence",
        Role.POLICE_INTELLIGENCE,
        "birmingham-police",
        "Intelligence analyst",
        station="Sample Lane Police Station",
    ),
    UserSpec(
        "partnership-manager",
        "Parker",
        "Partnership",
        Role.PARTNERSHIP_MANAGER,
        "birmingham-safeguarding-partnership",
        "Partnership business manager",
    ),
    UserSpec(
        "system-administrator",
        "Sid",
        "Sysadmin",
        Role.SYSTEM_ADMINISTRATOR,
        "birmingham-safeguarding-partnership",
        "System administrator",
    ),
    UserSpec(
        "practitioner-health",
        "Hattie",
        "Healthworker",
        Role.PRACTITIONER,
        "birmingham-health",
        "Named nurse for safeguarding",
    ),
    UserSpec(
        "practitioner-coventry",
        "Cal",
        "Coventry",
        Role.PRACTITIONER,
        "coventry-social-care",
        "Social worker",
    ),
)
# Staff who own records in the other areas. They exist so the records can be written
# through the services by someone in the owning agency; they cannot sign in.
BACKGROUND_USERS: tuple[UserSpec, ...] = (
    UserSpec(
        "demo-coventry-police",
        "Cody",
        "Coventry-Constable",
        Role.POLICE_OFFICER,
        "coventry-police",
        "Police constable",
        collar_number="PC 0202",
        station="Testington Road Police Station",
        can_sign_in=False,
    ),
    *(
        UserSpec(
            f"demo-{slug}-social-care",
            first,
            f"{name}-Demo",
            Role.PRACTITIONER,
            f"{slug}-social-care",
            "Social worker",
            can_sign_in=False,
        )
        for slug, name, first in (
            ("dudley", "Dudley", "Dee"),
            ("sandwell", "Sandwell", "Sandy"),
            ("solihull", "Solihull", "Sol"),
            ("walsall", "Walsall", "Wally"),
            ("wolverhampton", "Wolverhampton", "Wolf"),
        )
    ),
)

# Who owns the children: (agency, how many, the demo users who record them).
CHILD_OWNERS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("birmingham-social-care", 22, ("practitioner", "cse-coordinator")),
    ("birmingham-police", 6, ("police-officer", "police-intelligence")),
    ("birmingham-health", 2, ("practitioner-health",)),
    ("coventry-social-care", 8, ("practitioner-coventry",)),
    ("coventry-police", 2, ("demo-coventry-police",)),
    ("dudley-social-care", 4, ("demo-dudley-social-care",)),
    ("sandwell-social-care", 4, ("demo-sandwell-social-care",)),
    ("solihull-social-care", 4, ("demo-solihull-social-care",)),
    ("walsall-social-care", 4, ("demo-walsall-social-care",)),
    ("wolverhampton-social-care", 4, ("demo-wolverhampton-social-care",)),
)

CATEGORY_HISTORIES = (
    (1,),
    (2,),
    (3,),
    (1, 2),
    (1, 2, 3),
    (2, 3),
    (3, 2),
    (2, 1, 0),
    (1, 1),
)
CATEGORY_RATIONALE = {
    0: "Risk reduced: engaging with support, no missing episodes for three months.",
    1: "Early indicators: short missing episodes, new older friends met online.",
    2: "Risk increased: repeat missing episodes, seen in cars with unknown adults, "
    "unexplained gifts of phones and clothes.",
    3: "Serious risk: found at a hotel with an older male; disclosures of sexual "
    "activity with adults in return for gifts.",
}
FLAG_REASONS = {
    ChildFlag.Kind.TRAFFICKING: "NRM referral made after movement between hotels in two areas.",
    ChildFlag.Kind.COUNTY_LINES: "Found in possession of a second phone and cash away from home.",
    ChildFlag.Kind.GANG_ASSOCIATION: "Seen regularly with members of a known group.",
    ChildFlag.Kind.ONLINE_EXPLOITATION: "Images shared on ExampleChat after contact from adults.",
    ChildFlag.Kind.MISSING_PATTERN: "Five missing episodes in the last two months, mostly at weekends.",
    ChildFlag.Kind.CRIMINAL_EXPLOITATION: "Asked to carry packages for older associates.",
    ChildFlag.Kind.RISK_TO_OTHERS: "Introducing younger peers to adults of concern.",
}
SHARE_PURPOSES = (
    "Joint CSE investigation: police need the child's details to safeguard and to "
    "pursue the adults of concern.",
    "Multi-agency risk management: the child is to be discussed at the CSE meeting.",
    "Health assessment and sexual health support following disclosures.",
    "The child is placed in this area; the host authority needs to know the risks.",
)
CONSENTS = (
    (Consent.GIVEN, ""),
    (
        Consent.NOT_SOUGHT,
        "Seeking consent would increase the risk of harm to the child.",
    ),
    (
        Consent.REFUSED,
        "Shared without consent: the child is at risk of significant harm.",
    ),
    (
        Consent.REFUSED,
        "The young person refused; the threshold for sharing without consent is not met.",
    ),
    (
        Consent.NOT_SOUGHT,
        "Information about a place or vehicle, shared to disrupt exploitation.",
    ),
)

GENDERS = ([Gender.FEMALE, Gender.MALE, Gender.OTHER, Gender.NOT_KNOWN], [60, 34, 3, 3])
ETHNICITIES = (
    [
        Ethnicity.WHITE_BRITISH,
        Ethnicity.PAKISTANI,
        Ethnicity.MIXED_WHITE_CARIBBEAN,
        Ethnicity.CARIBBEAN,
        Ethnicity.INDIAN,
        Ethnicity.AFRICAN,
        Ethnicity.WHITE_OTHER,
        Ethnicity.GYPSY_ROMA,
        Ethnicity.BANGLADESHI,
        Ethnicity.MIXED_OTHER,
        Ethnicity.ARAB,
        Ethnicity.NOT_OBTAINED,
    ],
    [40, 12, 8, 6, 5, 6, 6, 2, 4, 5, 2, 4],
)
LEGAL_STATUSES = (
    [
        LS.NOT_LOOKED_AFTER,
        LS.CARE_ORDER,
        LS.SECTION_20,
        LS.INTERIM_CARE_ORDER,
        LS.EMERGENCY_PROTECTION_ORDER,
        LS.POLICE_PROTECTION,
    ],
    [52, 17, 16, 9, 3, 3],
)
EDUCATION = (
    [
        Child.EducationStatus.SCHOOL,
        Child.EducationStatus.ALTERNATIVE_PROVISION,
        Child.EducationStatus.COLLEGE,
        Child.EducationStatus.MISSING_EDUCATION,
        Child.EducationStatus.NEET,
        Child.EducationStatus.EXCLUDED,
        Child.EducationStatus.ELECTIVE_HOME,
        Child.EducationStatus.TRAINING,
    ],
    [45, 12, 12, 8, 10, 6, 3, 4],
)
DISABILITIES = (
    [
        Child.Disability.NONE,
        Child.Disability.SEN_SUPPORT,
        Child.Disability.EHC_PLAN,
        Child.Disability.DISABILITY,
        Child.Disability.NOT_KNOWN,
    ],
    [55, 20, 10, 5, 10],
)
LANGUAGES = (
    ["English", "Urdu", "Polish", "Romanian", "Tigrinya", "Punjabi"],
    [80, 5, 5, 4, 3, 3],
)
KNOWN_AS = ("Jaz", "Liv", "Tee", "Bee", "Kez", "Mo", "Lulu", "Dee")
STREET_ALIASES = ("Lil B", "Babygirl", "Princess", "Kiddo", "Shorty", "Trouble")

LOCATIONS = (
    # name, type, trading name, hotspot
    ("Sampleton Lodge Hotel", Location.Type.HOTEL, "Sampleton Hospitality Ltd", True),
    ("The Example Inn", Location.Type.HOTEL, "Example Inns (Midlands) Ltd", True),
    ("Testington Budget Rooms", Location.Type.HOTEL, "Testington Rooms", False),
    ("Chicken Example", Location.Type.FAST_FOOD, "Chicken Example Franchise Ltd", True),
    ("Demo Pizza and Kebab", Location.Type.FAST_FOOD, "", False),
    ("Mockridge Grill", Location.Type.FAST_FOOD, "Mockridge Grill House", False),
    ("Example Street taxi rank", Location.Type.TAXI_RANK, "", True),
    (
        "Sample Cars private hire office",
        Location.Type.TAXI_RANK,
        "Sample Cars (Midlands) Ltd",
        False,
    ),
    (
        "The Placeholder Arms",
        Location.Type.LICENSED_PREMISES,
        "Placeholder Taverns Ltd",
        True,
    ),
    ("Club Fictional", Location.Type.LICENSED_PREMISES, "Fictional Leisure Ltd", False),
    ("The Demo Fox", Location.Type.LICENSED_PREMISES, "Demo Fox Pub Company", False),
    ("Mockridge Park", Location.Type.PARK, "", True),
    ("Fakeley Recreation Ground", Location.Type.PARK, "", False),
    ("Flat above 12 Test Lane", Location.Type.RESIDENTIAL, "", True),
    ("Sample High School gates", Location.Type.SCHOOL_VICINITY, "", False),
    (
        "Exampleby Shopping Centre",
        Location.Type.SHOPPING,
        "Exampleby Centre Management Ltd",
        False,
    ),
    ("Demo Vape and Phone Shop", Location.Type.SHOPPING, "Demo Phones", False),
    ("Testington bus station", Location.Type.TRANSPORT, "", False),
    ("ExampleChat group", Location.Type.ONLINE, "", False),
    ("Specimen Street garages", Location.Type.OTHER, "", False),
)


class Command(BaseCommand):
    help = "Create a small synthetic West Midlands data set (idempotent)."

    def handle(self, *args, **options):
        hashed_password = make_password(demo.DEMO_PASSWORD)
        with transaction.atomic():
            areas = demo.ensure_areas()
            agencies = demo.ensure_agencies(areas)
            users = {
                spec.username: self._ensure_user(spec, agencies, hashed_password)
                for spec in (*DEMO_USERS, *BACKGROUND_USERS)
            }
            if Child.objects.filter(
                local_reference__startswith=DEMO_REFERENCE_PREFIX
            ).exists():
                self.stdout.write("Demo records already exist; nothing to add.")
            else:
                self._check_users(users)
                builder = DemoBuilder(areas=areas, agencies=agencies, users=users)
                builder.build()
                self.stdout.write(self.style.SUCCESS(builder.summary()))
            # Other apps add their own demo data (each idempotent) through a
            # `seed_demo(users=...)` method on their AppConfig, so the core does
            # not import them.
            for config in django_apps.get_app_configs():
                hook = getattr(config, "seed_demo", None)
                if callable(hook):
                    self.stdout.write(hook(users=users))
        self._print_credentials(users)

    def _ensure_user(
        self, spec: UserSpec, agencies: dict[str, Agency], hashed: str
    ) -> User:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@example.org",
                agency=agencies[spec.agency_slug],
                job_title=spec.job_title,
                phone=demo.drama_landline(800 + len(spec.username) * 7 % 100),
                collar_number=spec.collar_number,
                station=spec.station,
                password=hashed if spec.can_sign_in else "",
                # The configuration screens (areas, agencies, users) are Django's admin.
                is_staff=spec.role == Role.SYSTEM_ADMINISTRATOR,
            )
            if not spec.can_sign_in:
                user.set_unusable_password()
            user.save()
        UserRole.objects.get_or_create(user=user, role=spec.role)
        user._roles_cache = None
        return user

    def _check_users(self, users: dict[str, User]) -> None:
        for spec in (*DEMO_USERS, *BACKGROUND_USERS):
            user = users[spec.username]
            if (
                user.agency is None
                or user.agency.slug != spec.agency_slug
                or not user.is_active
            ):
                raise CommandError(
                    f"User {spec.username!r} exists but is not an active member of "
                    f"{spec.agency_slug}; the demo records cannot be created as them."
                )

    def _print_credentials(self, users: dict[str, User]) -> None:
        rows = [
            (spec.username, Role(spec.role).label, str(users[spec.username].agency))
            for spec in DEMO_USERS
        ]
        widths = [
            max(len(row[i]) for row in [("Username", "Role", "Agency"), *rows])
            for i in range(3)
        ]

        def line(*values: str) -> str:
            return "  ".join(
                f"{v:<{w}}" for v, w in zip(values, widths, strict=True)
            ).rstrip()

        self.stdout.write("")
        self.stdout.write(
            f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}, set when each was created):"
        )
        self.stdout.write(line("Username", "Role", "Agency"))
        self.stdout.write(line(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line(*row))
        self.stdout.write(
            "Each user sets up an authenticator app at first sign-in "
            "(scan the QR code shown, or type its key)."
        )


class DemoBuilder:
    """Writes the demo records through the services, deterministically."""

    def __init__(
        self,
        *,
        areas: dict[str, LocalArea],
        agencies: dict[str, Agency],
        users: dict[str, User],
    ):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.areas = areas
        self.agencies = agencies
        self.users = users
        self.children: list[Child] = []
        self.persons: list[PersonOfInterest] = []
        self.vehicles: list[Vehicle] = []
        self.locations: list[Location] = []
        self.counts: dict[str, int] = {}

    def u(self, username: str) -> User:
        return self.users[username]

    def a(self, slug: str) -> Agency:
        return self.agencies[slug]

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def build(self) -> None:
        self.make_children()
        self.make_persons()
        self.make_vehicles()
        self.make_locations()
        self.make_shares()
        self.make_links()
        self.make_warnings()

    def summary(self) -> str:
        parts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return f"Created demo records: {parts}."

    def bump(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    # --- children --------------------------------------------------------------------

    def dob_for_age(self, age: int) -> datetime.date:
        """The 1st of a month, giving exactly `age` today."""
        month = self.rng.randint(1, 12)
        year = (
            self.today.year
            - age
            - (1 if (month, 1) > (self.today.month, self.today.day) else 0)
        )
        return datetime.date(year, month, 1)

    def make_children(self) -> None:
        rng = self.rng
        used_names: set[tuple[str, str]] = set()
        number = 0
        older = {7, 31, 52}  # a few care leavers and young adults, 20 to 24
        for agency_slug, how_many, recorders in CHILD_OWNERS:
            agency = self.a(agency_slug)
            spec = demo.AREA_BY_SLUG[agency.local_area.slug]
            for i in range(how_many):
                number += 1
                by = self.u(recorders[i % len(recorders)])
                gender = rng.choices(*GENDERS)[0]
                forenames = (
                    demo.MALE_FORENAMES
                    if gender == Gender.MALE
                    else demo.FEMALE_FORENAMES
                )
                while True:
                    forename, surname = rng.choice(forenames), rng.choice(demo.SURNAMES)
                    if (forename, surname) not in used_names:
                        used_names.add((forename, surname))
                        break
                age = rng.randint(20, 24) if number in older else rng.randint(10, 19)
                legal_status = rng.choices(*LEGAL_STATUSES)[0]
                looked_after = legal_status in Child.LOOKED_AFTER_STATUSES
                placement, placing, responsible = Child.Placement.NOT_PLACED, "", ""
                if looked_after:
                    responsible = spec.name
                    roll = rng.random()
                    if roll < 0.3:
                        placement, placing = (
                            Child.Placement.PLACED_OUT_OF_AREA,
                            rng.choice(
                                [
                                    *demo.OTHER_AUTHORITIES,
                                    "Coventry"
                                    if spec.slug != "coventry"
                                    else "Solihull",
                                ]
                            ),
                        )
                    elif roll < 0.4:
                        responsible = rng.choice(demo.OTHER_AUTHORITIES)
                        placement, placing = Child.Placement.PLACED_IN_AREA, responsible
                language = rng.choices(*LANGUAGES)[0]
                education = rng.choices(*EDUCATION)[0]
                if age >= 18 and education == Child.EducationStatus.SCHOOL:
                    education = Child.EducationStatus.COLLEGE
                lives_with = (
                    rng.choice(
                        [
                            "Foster carers",
                            "Example House children's home",
                            "Supported accommodation",
                        ]
                    )
                    if looked_after
                    else rng.choice(
                        [
                            "Mother",
                            "Mother and stepfather",
                            "Father",
                            "Grandmother",
                            "Both parents",
                        ]
                    )
                )
                social_care = agency.kind == Agency.Kind.SOCIAL_CARE
                child = Child(
                    local_reference=f"{DEMO_REFERENCE_PREFIX}{number:04d}",
                    forename=forename,
                    middle_names=rng.choice(forenames) if rng.random() < 0.3 else "",
                    surname=surname,
                    known_as=rng.choice(KNOWN_AS) if rng.random() < 0.15 else "",
                    date_of_birth=self.dob_for_age(age),
                    gender=gender,
                    ethnicity=rng.choices(*ETHNICITIES)[0],
                    disability=rng.choices(*DISABILITIES)[0],
                    first_language=language,
                    interpreter_needed=language != "English" and rng.random() < 0.5,
                    lives_with=lives_with,
                    parental_responsibility=(
                        "Mother; the local authority shares parental responsibility"
                        if legal_status in Child.IN_CARE_STATUSES
                        else "Mother and father"
                    ),
                    legal_status=legal_status,
                    responsible_authority=responsible,
                    placement=placement,
                    placing_authority=placing,
                    education_status=education,
                    school=rng.choice(demo.SCHOOLS)
                    if education != Child.EducationStatus.NEET
                    else "",
                    lead_professional=by if social_care else None,
                    allocated_social_worker=by if social_care else None,
                    case_status=Child.CaseStatus.CLOSED
                    if number in {12, 44}
                    else Child.CaseStatus.OPEN,
                    home_area=agency.local_area,
                )
                aliases = []
                if number % 6 == 0:
                    aliases.append(
                        rng.choice(STREET_ALIASES)
                        if rng.random() < 0.5
                        else f"{rng.choice(forenames)} {surname}"
                    )
                services.create_subject(by=by, subject=child, aliases=aliases)
                self.children.append(child)
                self.bump("children")
                if rng.random() < 0.85:
                    services.add_address(
                        by=by,
                        subject=child,
                        address=Address(
                            line_1=demo.street_address(rng),
                            town=spec.town,
                            postcode=demo.postcode(rng, spec),
                            from_date=self.days_ago(60, 1500),
                        ),
                    )
                self.add_categories(child, by)
                self.add_flags(child, by)
                self.add_plan(child, by)

    def add_categories(self, child: Child, by: User) -> None:
        if self.rng.random() >= 0.75:
            return
        history = self.rng.choice(CATEGORY_HISTORIES)
        day = self.today - datetime.timedelta(
            days=90 * len(history) + self.rng.randint(0, 60)
        )
        for step, category in enumerate(history):
            services.record_category(
                by=by,
                child=child,
                category=category,
                assessed_on=day,
                source=CategoryAssessment.Source.SCREENING
                if step == 0
                else self.rng.choice(
                    [
                        CategoryAssessment.Source.MEETING,
                        CategoryAssessment.Source.RISK_ASSESSMENT,
                    ]
                ),
                rationale=CATEGORY_RATIONALE[category],
            )
            self.bump("category assessments")
            day += datetime.timedelta(days=self.rng.randint(30, 90))
            day = min(day, self.today)

    def add_flags(self, child: Child, by: User) -> None:
        if self.rng.random() >= 0.25:
            return
        for kind in self.rng.sample(sorted(FLAG_REASONS), k=self.rng.randint(1, 2)):
            services.set_flag(
                by=by,
                child=child,
                kind=kind,
                reason=FLAG_REASONS[kind],
                set_on=self.days_ago(5, 200),
            )
            self.bump("flags")

    def add_plan(self, child: Child, by: User) -> None:
        if self.rng.random() >= 0.45:
            return
        if child.is_looked_after:
            kind = ChildPlan.Kind.CARE_PLAN
        else:
            kind = self.rng.choice(
                [
                    ChildPlan.Kind.CHILD_PROTECTION,
                    ChildPlan.Kind.CHILD_IN_NEED,
                    ChildPlan.Kind.EARLY_HELP,
                ]
            )
        start = self.days_ago(30, 400)
        reviewed = start + datetime.timedelta(days=self.rng.randint(20, 80))
        plan = ChildPlan(
            kind=kind,
            start_date=start,
            last_reviewed_on=reviewed if reviewed < self.today else None,
        )
        services.add_plan(by=by, child=child, plan=plan)
        self.bump("plans")

    # --- persons of interest, vehicles, locations ---------------------------------------

    def make_persons(self) -> None:
        rng = self.rng
        owners = (
            [("birmingham-police", "police-intelligence")] * 18
            + [("coventry-police", "demo-coventry-police")] * 3
            + [("birmingham-social-care", "practitioner")] * 4
        )
        nicknames = list(demo.NICKNAMES)
        rng.shuffle(nicknames)
        for i, (agency_slug, username) in enumerate(owners):
            by = self.u(username)
            spec = demo.AREA_BY_SLUG[self.a(agency_slug).local_area.slug]
            female = i % 7 == 3
            name_known = i % 5 != 4
            person = PersonOfInterest(
                forename=rng.choice(
                    demo.FEMALE_FORENAMES if female else demo.MALE_FORENAMES
                )
                if name_known
                else "",
                surname=rng.choice(demo.SURNAMES) if name_known else "",
                nickname=nicknames[i % len(nicknames)]
                if i % 4 != 1 or not name_known
                else "",
                gender=Gender.FEMALE if female else Gender.MALE,
                description=rng.choice(demo.DESCRIPTIONS),
                offending_history=(
                    "Previous conviction for supplying class A drugs (synthetic)."
                    if i % 3 == 0
                    else "Cautioned for harassment; intelligence of sexual contact with under-16s (synthetic)."
                    if i % 3 == 1
                    else ""
                ),
                status=rng.choices(list(PersonOfInterest.Status), [50, 25, 8, 7, 10])[
                    0
                ],
            )
            if i % 2 == 0:
                person.date_of_birth = datetime.date(
                    self.today.year - rng.randint(19, 45), rng.randint(1, 12), 1
                )
            else:
                low = rng.randint(18, 40)
                person.age_from, person.age_to = low, low + 5
            aliases = (
                [f"{rng.choice(demo.MALE_FORENAMES)} {rng.choice(demo.SURNAMES)}"]
                if i % 4 == 0
                else []
            )
            services.create_subject(by=by, subject=person, aliases=aliases)
            self.persons.append(person)
            self.bump("persons of interest")
            if i % 5 != 2:
                services.add_phone_number(
                    by=by,
                    subject=person,
                    number=demo.drama_mobile(100 + i * 13),
                    notes="Number given to children (synthetic).",
                )
                self.bump("phone numbers")
            if i % 3 == 0:
                services.add_address(
                    by=by,
                    subject=person,
                    address=Address(
                        line_1=demo.street_address(rng),
                        town=spec.town,
                        postcode=demo.postcode(rng, spec),
                        from_date=self.days_ago(100, 900),
                    ),
                )

    def make_vehicles(self) -> None:
        rng = self.rng
        for i in range(12):
            by = self.u("demo-coventry-police" if i >= 10 else "police-intelligence")
            make, model = rng.choice(demo.VEHICLES)
            vehicle = Vehicle(
                registration=demo.registration(rng),
                make=make,
                model=model,
                colour=rng.choice(demo.COLOURS),
                notes="Seen outside hotels late at night with young people inside (synthetic)."
                if i % 3 == 0
                else "",
            )
            services.create_subject(by=by, subject=vehicle)
            self.vehicles.append(vehicle)
            self.bump("vehicles")

    def make_locations(self) -> None:
        rng = self.rng
        for i, (name, kind, trading_name, hotspot) in enumerate(LOCATIONS):
            if i >= 17:
                agency_slug, username = "coventry-police", "demo-coventry-police"
            elif i % 4 == 3:
                agency_slug, username = "birmingham-social-care", "practitioner"
            else:
                agency_slug, username = "birmingham-police", "police-officer"
            area = self.a(agency_slug).local_area
            spec = demo.AREA_BY_SLUG[area.slug]
            online = kind == Location.Type.ONLINE
            location = Location(
                name=name,
                type=kind,
                trading_name=trading_name,
                address_line_1="" if online else demo.street_address(rng),
                town="" if online else spec.town,
                postcode="" if online else demo.postcode(rng, spec),
                online_identifier="ExampleChat: “link ups” group (synthetic)"
                if online
                else "",
                local_area=area,
                is_hotspot=hotspot,
                hotspot_since=self.days_ago(30, 500) if hotspot else None,
                description="Young people reported being taken here by adults (synthetic)."
                if hotspot
                else "",
            )
            services.create_subject(by=self.u(username), subject=location)
            self.locations.append(location)
            self.bump("locations")

    # --- sharing ------------------------------------------------------------------------

    def share(
        self,
        by: str,
        subject: Subject,
        agency: str,
        purpose: int,
        consent: int,
        decision: str = Decision.SHARE,
    ) -> None:
        consent_value, reason = CONSENTS[consent]
        services.record_sharing_decision(
            by=self.u(by),
            subject=subject,
            agency=self.a(agency),
            decision=decision,
            purpose=SHARE_PURPOSES[purpose],
            consent=consent_value,
            consent_reason=reason,
        )
        self.bump("sharing decisions")

    def owned(self, items: list, agency_slug: str) -> list:
        return [
            item for item in items if item.owner_agency_id == self.a(agency_slug).pk
        ]

    def make_shares(self) -> None:
        bham_sc = self.owned(self.children, "birmingham-social-care")
        for i, child in enumerate(bham_sc[:12]):
            self.share(
                "cse-coordinator" if i % 2 else "practitioner",
                child,
                "birmingham-police",
                0,
                i % 3,
            )
        for i, child in enumerate(bham_sc[8:12]):
            self.share("practitioner", child, "birmingham-health", 2, i % 2)
        placed = [
            c for c in bham_sc if c.placement == Child.Placement.PLACED_OUT_OF_AREA
        ] or bham_sc[-1:]
        self.share("cse-coordinator", placed[0], "coventry-social-care", 3, 0)
        # A recorded decision not to share: no access follows from it.
        self.share(
            "practitioner",
            bham_sc[14],
            "birmingham-education",
            1,
            3,
            Decision.DO_NOT_SHARE,
        )
        for i, child in enumerate(self.owned(self.children, "birmingham-police")[:3]):
            self.share("police-officer", child, "birmingham-social-care", 1, i % 2)
        for child in self.owned(self.children, "coventry-social-care")[:2]:
            self.share("practitioner-coventry", child, "coventry-police", 0, 0)
        for i, person in enumerate(self.owned(self.persons, "birmingham-police")[:8]):
            self.share(
                "police-intelligence", person, "birmingham-social-care", 1, 1 + i % 2
            )
        for vehicle in self.owned(self.vehicles, "birmingham-police")[:4]:
            self.share("police-intelligence", vehicle, "birmingham-social-care", 1, 4)
        for i, location in enumerate(
            [
                loc
                for loc in self.owned(self.locations, "birmingham-police")
                if loc.is_hotspot
            ]
        ):
            self.share("police-officer", location, "birmingham-social-care", 1, 4)
            self.share(
                "police-officer",
                location,
                "birmingham-licensing" if i % 2 else "birmingham-community-safety",
                1,
                4,
            )

    # --- links ----------------------------------------------------------------------------

    def link(self, by: str, a: Subject, b: Subject, kind: str) -> None:
        rng = self.rng
        first = self.days_ago(30, 400)
        last = min(first + datetime.timedelta(days=rng.randint(0, 120)), self.today)
        services.create_link(
            by=self.u(by),
            from_subject=a,
            to_subject=b,
            kind=kind,
            source=rng.choice(
                [
                    Link.Source.POLICE_INTELLIGENCE,
                    Link.Source.INFORMATION_REPORT,
                    Link.Source.RETURN_INTERVIEW,
                    Link.Source.OBSERVATION,
                    Link.Source.DISCLOSURE,
                ]
            ),
            source_detail=f"Report DEMO-IR-{rng.randint(1000, 9999)}",
            confidence=rng.choice(list(Link.Confidence)),
            first_seen=first,
            last_seen=last,
        )
        self.bump("links")

    def make_links(self) -> None:
        rng = self.rng
        police = self.a("birmingham-police").pk
        seen_by_police = [
            c
            for c in self.children
            if c.owner_agency_id == police or c.access.filter(agency_id=police).exists()
        ]
        police_persons = self.owned(self.persons, "birmingham-police")
        police_vehicles = self.owned(self.vehicles, "birmingham-police")
        police_locations = self.owned(self.locations, "birmingham-police")
        for i, child in enumerate(seen_by_police):
            for person in rng.sample(police_persons, k=1 + i % 2):
                self.link(
                    "police-intelligence",
                    child,
                    person,
                    rng.choice(
                        [Link.Kind.SEEN_WITH, Link.Kind.RELATIONSHIP_OF_CONCERN]
                    ),
                )
            if i % 2 == 0:
                self.link(
                    "police-intelligence",
                    child,
                    rng.choice(police_locations),
                    Link.Kind.SEEN_AT,
                )
            if i % 3 == 0:
                self.link(
                    "police-intelligence",
                    child,
                    rng.choice(police_vehicles),
                    Link.Kind.SEEN_IN,
                )
        for i, vehicle in enumerate(police_vehicles):
            self.link(
                "police-intelligence",
                police_persons[i % len(police_persons)],
                vehicle,
                Link.Kind.DRIVES,
            )
        for i, person in enumerate(police_persons[:12]):
            self.link(
                "police-intelligence",
                person,
                rng.choice(police_locations),
                Link.Kind.WORKS_AT if i % 4 == 0 else Link.Kind.FREQUENTS,
            )
        for a, b in zip(police_persons[0:10:2], police_persons[1:10:2], strict=True):
            self.link("police-intelligence", a, b, Link.Kind.ASSOCIATE)

        # Social care links what it can see: its children, its own persons and
        # locations, and those the police shared with it.
        social = self.a("birmingham-social-care").pk
        sc_children = self.owned(self.children, "birmingham-social-care")
        sc_persons = [
            p for p in self.persons if p.access.filter(agency_id=social).exists()
        ]
        sc_locations = [
            loc
            for loc in self.locations
            if loc.access.filter(agency_id=social).exists()
        ]
        for a, b in zip(sc_children[0:12:2], sc_children[1:12:2], strict=True):
            self.link("practitioner", a, b, Link.Kind.PEER)
        for child in sc_children[12:20]:
            self.link(
                "practitioner",
                child,
                rng.choice(sc_persons),
                Link.Kind.RELATIONSHIP_OF_CONCERN,
            )
            self.link(
                "practitioner", child, rng.choice(sc_locations), Link.Kind.FREQUENTS
            )

        coventry_children = [
            c
            for c in self.children
            if c.owner_agency.local_area.slug == "coventry"
            and c.access.filter(agency_id=self.a("coventry-police").pk).exists()
        ]
        coventry_persons = self.owned(self.persons, "coventry-police")
        coventry_locations = self.owned(self.locations, "coventry-police")
        for i, child in enumerate(coventry_children):
            self.link(
                "demo-coventry-police",
                child,
                coventry_persons[i % len(coventry_persons)],
                Link.Kind.SEEN_WITH,
            )
        for person, location in zip(coventry_persons, coventry_locations, strict=False):
            self.link("demo-coventry-police", person, location, Link.Kind.FREQUENTS)
        coventry_vehicles = self.owned(self.vehicles, "coventry-police")
        for person, vehicle in zip(coventry_persons, coventry_vehicles, strict=False):
            self.link("demo-coventry-police", person, vehicle, Link.Kind.DRIVES)

    def make_warnings(self) -> None:
        review = self.today + datetime.timedelta(days=60)
        sc_children = self.owned(self.children, "birmingham-social-care")
        services.add_warning(
            by=self.u("cse-coordinator"),
            subject=sc_children[1],
            text="Do not disclose the placement address to family members (synthetic warning).",
            review_on=review,
        )
        services.add_warning(
            by=self.u("practitioner"),
            subject=sc_children[4],
            text="Child has been threatened by associates of an adult of concern; "
            "two workers to attend visits (synthetic warning).",
            review_on=review,
        )
        services.add_warning(
            by=self.u("police-intelligence"),
            subject=self.owned(self.persons, "birmingham-police")[0],
            text="Believed to carry a knife; do not approach alone (synthetic warning).",
            review_on=review,
        )
        self.bump("warnings", 3)
