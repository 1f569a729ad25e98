"""Synthetic data shared by `manage.py seed_demo` and `manage.py seed_scale`.

Everything here is invented and looks it: surnames like Testington and Sampleton,
streets like Example Road, telephone numbers only from Ofcom's ranges reserved for
drama (0121 496 0000–0999 and 07700 900000–900999), e-mail addresses at
example.org, and vehicle registrations with the age identifier 00, which the DVLA
has never issued.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from cse.models import Agency, LocalArea
from cse.search import normalise

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo credentials)
POLICE_FORCE = "West Midlands Police"


# --- areas and agencies ------------------------------------------------------------


@dataclass(frozen=True)
class AreaSpec:
    name: str
    slug: str
    index: int  # picks this area's block of drama-range numbers
    town: str
    postcode_districts: tuple[str, ...]
    stations: tuple[str, ...]

    def phone(self, line: int) -> str:
        """A number in Ofcom's drama range 0121 496 0000–0999: 0121 496 0<index><line>."""
        return drama_landline(self.index * 100 + line)


AREAS: tuple[AreaSpec, ...] = (
    AreaSpec(
        "Birmingham",
        "birmingham",
        1,
        "Birmingham",
        ("B1", "B5", "B12", "B19", "B23", "B29"),
        ("Example Street", "Sample Lane"),
    ),
    AreaSpec(
        "Coventry",
        "coventry",
        2,
        "Coventry",
        ("CV1", "CV2", "CV6"),
        ("Testington Road",),
    ),
    AreaSpec("Dudley", "dudley", 3, "Dudley", ("DY1", "DY2", "DY5"), ("Demo Way",)),
    AreaSpec(
        "Sandwell",
        "sandwell",
        4,
        "West Bromwich",
        ("B66", "B69", "B70"),
        ("Mockridge Lane",),
    ),
    AreaSpec(
        "Solihull", "solihull", 5, "Solihull", ("B90", "B91", "B92"), ("Fakeley Road",)
    ),
    AreaSpec(
        "Walsall",
        "walsall",
        6,
        "Walsall",
        ("WS1", "WS2", "WS3"),
        ("Placeholder Street",),
    ),
    AreaSpec(
        "Wolverhampton",
        "wolverhampton",
        7,
        "Wolverhampton",
        ("WV1", "WV2", "WV10"),
        ("Sampleton Road",),
    ),
)
AREA_BY_SLUG = {spec.slug: spec for spec in AREAS}

K = Agency.Kind
# kind -> (name template, slug suffix)
AGENCY_NAMING: dict[str, tuple[str, str]] = {
    K.POLICE: ("West Midlands Police – {area}", "police"),
    K.SOCIAL_CARE: ("{area} Children's Social Care", "social-care"),
    K.HEALTH: ("{area} Children's Health Services", "health"),
    K.EDUCATION: ("{area} Education Services", "education"),
    K.YOUTH_OFFENDING: ("{area} Youth Offending Service", "youth-offending"),
    K.HOUSING: ("{area} Housing Services", "housing"),
    K.PROBATION: ("{area} Probation Delivery Unit", "probation"),
    K.LICENSING: ("{area} Licensing and Regulatory Services", "licensing"),
    K.COMMUNITY_SAFETY: ("{area} Community Safety Partnership", "community-safety"),
    K.VOLUNTARY: ("{area} Voluntary Sector Partners", "voluntary-sector"),
    K.PARTNERSHIP: (
        "{area} Safeguarding Children Partnership",
        "safeguarding-partnership",
    ),
}


def agency_slug(area_slug: str, kind: str) -> str:
    """`birmingham-social-care`, `coventry-police`..."""
    return f"{area_slug}-{AGENCY_NAMING[kind][1]}"


def area_config(spec: AreaSpec) -> dict:
    return {
        "name": spec.name,
        "children_services_department": f"{spec.name} Children's Services",
        "police_force": POLICE_FORCE,
        "cse_team_phone": spec.phone(10),
        "children_services_phone": spec.phone(20),
        "out_of_hours_phone": spec.phone(30),
        "police_phone": spec.phone(40),
        "secure_email": f"cse-team.{spec.slug}@example.org",
    }


def ensure_areas(specs: Iterable[AreaSpec] = AREAS) -> dict[str, LocalArea]:
    """The areas, created if missing, their configuration filled where blank.

    Found by slug or, failing that, by name, so an area someone created by hand is
    reused rather than duplicated; values already set are never overwritten.
    """
    areas = {}
    for spec in specs:
        config = area_config(spec)
        area = LocalArea.objects.filter(Q(slug=spec.slug) | Q(name=spec.name)).first()
        if area is None:
            area = LocalArea.objects.create(slug=spec.slug, **config)
        else:
            blank = [name for name, value in config.items() if not getattr(area, name)]
            for name in blank:
                setattr(area, name, config[name])
            if blank:
                area.save(update_fields=blank)
        areas[spec.slug] = area
    return areas


def ensure_agency(area: LocalArea, area_slug: str, kind: str) -> Agency:
    """The area's agency of this kind, created if missing (found by slug, then name)."""
    template, _ = AGENCY_NAMING[kind]
    slug = agency_slug(area_slug, kind)
    name = template.format(area=area.name)
    agency = Agency.objects.filter(Q(slug=slug) | Q(local_area=area, name=name)).first()
    if agency is None:
        agency = Agency.objects.create(slug=slug, name=name, kind=kind, local_area=area)
    return agency


def ensure_agencies(
    areas: dict[str, LocalArea], kinds: Iterable[str] = tuple(AGENCY_NAMING)
) -> dict[str, Agency]:
    """Agencies of each kind in each area, keyed by slug."""
    agencies = {}
    for area_slug, area in areas.items():
        for kind in kinds:
            agencies[agency_slug(area_slug, kind)] = ensure_agency(
                area, area_slug, kind
            )
    return agencies


# --- names and identifiers -----------------------------------------------------------

FEMALE_FORENAMES = (
    "Amy",
    "Chloe",
    "Ella",
    "Grace",
    "Isla",
    "Jade",
    "Kayla",
    "Mia",
    "Olivia",
    "Priya",
    "Sana",
    "Zara",
    "Aisha",
    "Maya",
    "Leah",
    "Nadia",
    "Ruby",
    "Tia",
    "Courtney",
    "Skye",
)
MALE_FORENAMES = (
    "Ben",
    "Dan",
    "Finn",
    "Harry",
    "Jack",
    "Leo",
    "Noah",
    "Ravi",
    "Tyler",
    "Kofi",
    "Ryan",
    "Liam",
    "Jayden",
    "Kai",
    "Omar",
    "Callum",
    "Ethan",
    "Reece",
    "Josh",
    "Adam",
)
SURNAMES = (
    "Testington",
    "Sampleton",
    "Exampleby",
    "Demoson",
    "Fakeley",
    "Mockridge",
    "Dummington",
    "Trialby",
    "Specimenson",
    "Fixtureby",
    "Stubbington",
    "Pretendale",
    "Placeholder",
    "Protoley",
    "Fictionby",
    "Mockwell",
    "Samplewood",
    "Testcroft",
)
# For regional-scale data: 48 x 16 = 768 surnames, every one of them obviously made up.
# Each stem's 16 surnames are alike to trigram search, so one surname search finds
# about 2% of records as candidates, as a common real surname would.
SURNAME_STEMS = (
    "Test",
    "Sample",
    "Example",
    "Demo",
    "Fake",
    "Mock",
    "Dummy",
    "Trial",
    "Specimen",
    "Fixture",
    "Stub",
    "Proto",
    "Pretend",
    "Fiction",
    "Placeholder",
    "Synth",
    "Pseudo",
    "Faux",
    "Ersatz",
    "Figment",
    "Fable",
    "Phantom",
    "Sham",
    "Simul",
    "Template",
    "Draft",
    "Sketch",
    "Mimic",
    "Replica",
    "Decoy",
    "Dupli",
    "Facsim",
    "Notional",
    "Nominal",
    "Hypo",
    "Surrog",
    "Standin",
    "Lorem",
    "Ipsum",
    "Foobar",
    "Widget",
    "Gadget",
    "Gizmo",
    "Bogus",
    "Spoof",
    "Imit",
    "Makebel",
    "Unreal",
)
SURNAME_ENDINGS = (
    "ington",
    "ton",
    "by",
    "son",
    "ley",
    "ridge",
    "field",
    "wood",
    "worth",
    "well",
    "dale",
    "ham",
    "more",
    "croft",
    "stone",
    "bury",
)
SCALE_SURNAMES = tuple(
    stem + ending for stem in SURNAME_STEMS for ending in SURNAME_ENDINGS
)

NICKNAMES = (
    "Tiny",
    "Smiley",
    "Boss",
    "Specs",
    "Ghost",
    "Ace",
    "Dizzy",
    "Flash",
    "Uncle T",
    "Big Man",
    "Shadow",
    "Prince",
    "Lucky",
    "Skinny",
    "Red",
    "Jay-Jay",
    "Scooter",
    "Slim",
)
STREETS = (
    "Example Road",
    "Sample Street",
    "Test Lane",
    "Placeholder Avenue",
    "Demo Close",
    "Fictional Way",
    "Mock Crescent",
    "Specimen Grove",
    "Dummy Drive",
    "Synthetic Terrace",
    "Trial Walk",
    "Prototype Place",
)
SCHOOLS = (
    "Example Academy",
    "Sample High School",
    "Testington College",
    "Demo Park School",
    "Mockridge Pupil Referral Unit",
    "Fakeley Sixth Form College",
)
OTHER_AUTHORITIES = (
    "Staffordshire",
    "Shropshire",
    "Worcestershire",
    "Warwickshire",
    "Telford and Wrekin",
)
VEHICLES = (
    ("Ford", "Fiesta"),
    ("Vauxhall", "Corsa"),
    ("Volkswagen", "Golf"),
    ("BMW", "3 Series"),
    ("Toyota", "Prius"),
    ("Mercedes-Benz", "C-Class"),
    ("Audi", "A3"),
    ("Skoda", "Octavia"),
    ("Nissan", "Qashqai"),
    ("Peugeot", "208"),
)
COLOURS = ("Black", "White", "Silver", "Grey", "Blue", "Red")
DESCRIPTIONS = (
    "Slim build, short dark hair, small star tattoo on left wrist.",
    "Stocky build, shaved head, beard, gold chain, often in a grey tracksuit.",
    "Tall, thin, long fair hair tied back, scar through right eyebrow.",
    "Medium build, glasses, usually wears a black puffer jacket.",
    "Heavy build, tattoo sleeve on right arm, walks with a limp.",
    "Short, curly brown hair, piercing in left eyebrow, drives for a private-hire firm.",
)
_REG_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # no I, Q or Z, as on real plates


def drama_landline(n: int) -> str:
    """0121 496 0000–0999, Ofcom's Birmingham numbers reserved for drama."""
    if not 0 <= n <= 999:
        raise ValueError("Only 0121 496 0000–0999 are reserved for drama")
    return f"0121 496 {n:04d}"


def drama_mobile(n: int) -> str:
    """07700 900000–900999, Ofcom's mobile numbers reserved for drama."""
    if not 0 <= n <= 999:
        raise ValueError("Only 07700 900000–900999 are reserved for drama")
    return f"07700 900{n:03d}"


def registration(rng: random.Random) -> str:
    """A current-format registration with age identifier 00, which is never issued."""
    letters = rng.choices(_REG_LETTERS, k=5)
    return f"{letters[0]}{letters[1]}00 {letters[2]}{letters[3]}{letters[4]}"


def postcode(rng: random.Random, spec: AreaSpec) -> str:
    district = rng.choice(spec.postcode_districts)
    return f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXY')}{rng.choice('ABDEFGHJLNPQRSTUWXY')}"


def street_address(rng: random.Random) -> str:
    return f"{rng.randint(1, 199)} {rng.choice(STREETS)}"


# --- search text without touching the database ----------------------------------------


def _compact(values: Iterable[str]) -> list[str]:
    """As cse.search does: spaced and unspaced forms of postcodes and registrations."""
    forms = []
    for value in values:
        if value:
            forms.append(normalise(value))
            forms.append("".join(value.split()).lower())
    return forms


def _join(parts: Iterable[str]) -> str:
    return " ".join(normalise(part) for part in parts if part)


def child_search_text(
    *,
    forename: str,
    surname: str,
    middle_names: str = "",
    known_as: str = "",
    local_reference: str = "",
    aliases: Iterable[str] = (),
    postcodes: Iterable[str] = (),
) -> str:
    """What cse.search.build_search_text gives a child with these details."""
    parts = [forename, middle_names, surname, known_as, *aliases, local_reference]
    return _join([*parts, *_compact(postcodes)])


def person_search_text(
    *,
    forename: str = "",
    surname: str = "",
    nickname: str = "",
    aliases: Iterable[str] = (),
    phones: Iterable[str] = (),
    postcodes: Iterable[str] = (),
) -> str:
    """What build_search_text gives a person of interest (`phones` normalised)."""
    return _join([forename, surname, nickname, *aliases, *phones, *_compact(postcodes)])


def location_search_text(
    *,
    name: str,
    trading_name: str = "",
    address_line_1: str = "",
    town: str = "",
    online_identifier: str = "",
    postcode: str = "",
) -> str:
    return _join(
        [
            name,
            trading_name,
            address_line_1,
            town,
            online_identifier,
            *_compact([postcode]),
        ]
    )


def vehicle_search_text(
    *, registration: str, make: str = "", model: str = "", colour: str = ""
) -> str:
    return _join([*_compact([registration]), make, model, colour])
