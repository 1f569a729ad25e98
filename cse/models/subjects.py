"""The people, places and vehicles the partnership holds records on.

Children, persons of interest, locations and vehicles share one parent table,
`Subject`, which carries what every record has in common: the owning agency, the
agency access rows, sharing decisions, links, audit events and a normalised search
text. One access table and one scoping function then serve every kind of record, and
a link or an audit event points at any of them through a real foreign key.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from cse.dates import add_months, age_on

from .organisation import Agency, LocalArea

MAX_AGE = 25  # CEMOG covers young people up to 25


class Subject(models.Model):
    class Kind(models.TextChoices):
        CHILD = "child", "Child or young person"
        PERSON = "person", "Person of interest"
        LOCATION = "location", "Location"
        VEHICLE = "vehicle", "Vehicle"

    kind = models.CharField(max_length=10, choices=Kind.choices, editable=False)
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="owned_subjects", editable=False
    )
    # Lower-cased names, aliases and identifiers, written by the services that change
    # them; the trigram index on it makes spelling-tolerant search fast at scale.
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "owner_agency"], name="cse_subject_kind_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def specific(self) -> Subject:
        """The child, person, location or vehicle row behind this subject."""
        return getattr(self, SPECIFIC_ATTR[self.kind])

    @property
    def reference(self) -> str:
        """A short non-identifying reference, safe for URLs, e-mails and printouts."""
        return f"{_REFERENCE_PREFIX[self.kind]}-{self.pk:06d}"


SPECIFIC_ATTR = {
    Subject.Kind.CHILD: "child",
    Subject.Kind.PERSON: "personofinterest",
    Subject.Kind.LOCATION: "location",
    Subject.Kind.VEHICLE: "vehicle",
}
_REFERENCE_PREFIX = {
    Subject.Kind.CHILD: "C",
    Subject.Kind.PERSON: "P",
    Subject.Kind.LOCATION: "L",
    Subject.Kind.VEHICLE: "V",
}


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Identifies in another way"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """The census 2021 (England) ethnic groups, as used in children's services returns."""

    WHITE_BRITISH = (
        "WBRI",
        "White – English, Welsh, Scottish, Northern Irish or British",
    )
    WHITE_IRISH = "WIRI", "White – Irish"
    TRAVELLER_IRISH = "WIRT", "White – Traveller of Irish heritage"
    GYPSY_ROMA = "WROM", "White – Gypsy or Roma"
    WHITE_OTHER = "WOTH", "White – any other White background"
    MIXED_WHITE_CARIBBEAN = "MWBC", "Mixed – White and Black Caribbean"
    MIXED_WHITE_AFRICAN = "MWBA", "Mixed – White and Black African"
    MIXED_WHITE_ASIAN = "MWAS", "Mixed – White and Asian"
    MIXED_OTHER = "MOTH", "Mixed – any other mixed background"
    INDIAN = "AIND", "Asian or Asian British – Indian"
    PAKISTANI = "APKN", "Asian or Asian British – Pakistani"
    BANGLADESHI = "ABAN", "Asian or Asian British – Bangladeshi"
    CHINESE = "CHNE", "Asian or Asian British – Chinese"
    ASIAN_OTHER = "AOTH", "Asian or Asian British – any other Asian background"
    AFRICAN = "BAFR", "Black or Black British – African"
    CARIBBEAN = "BCRB", "Black or Black British – Caribbean"
    BLACK_OTHER = "BOTH", "Black or Black British – any other Black background"
    ARAB = "OARA", "Other ethnic group – Arab"
    OTHER = "OOTH", "Other ethnic group – any other ethnic group"
    REFUSED = "REFU", "Refused"
    NOT_OBTAINED = "NOBT", "Information not yet obtained"


class Category(models.IntegerChoices):
    """The regional CSE risk categories (seed 001 ch. 9), with 0 for no concerns."""

    NONE = 0, "No CSE concerns identified"
    AT_RISK = 1, "Category 1: at risk of harm"
    SIGNIFICANT = 2, "Category 2: significant risk of harm"
    SERIOUS = 3, "Category 3: serious risk of harm"


class Child(Subject):
    class LegalStatus(models.TextChoices):
        NOT_LOOKED_AFTER = "not_looked_after", "Not looked after"
        CARE_ORDER = "care_order", "Looked after under a care order (section 31)"
        INTERIM_CARE_ORDER = (
            "interim_care_order",
            "Looked after under an interim care order",
        )
        SECTION_20 = "section_20", "Accommodated under section 20"
        EMERGENCY_PROTECTION_ORDER = (
            "emergency_protection_order",
            "Emergency protection order",
        )
        POLICE_PROTECTION = "police_protection", "Police protection"

    class Placement(models.TextChoices):
        NOT_PLACED = "not_placed", "Not placed away from home area"
        PLACED_OUT_OF_AREA = "out_of_area", "Placed out of area by this area"
        PLACED_IN_AREA = "into_area", "Placed in this area by another authority"

    class EducationStatus(models.TextChoices):
        SCHOOL = "school", "In school"
        ALTERNATIVE_PROVISION = (
            "alternative_provision",
            "Alternative provision or pupil referral unit",
        )
        COLLEGE = "college", "College or further education"
        TRAINING = "training", "Training or apprenticeship"
        EMPLOYMENT = "employment", "Employment"
        ELECTIVE_HOME = "elective_home", "Elective home education"
        MISSING_EDUCATION = "missing_education", "Child missing education"
        NEET = "neet", "Not in education, employment or training"
        EXCLUDED = "excluded", "Excluded"
        NOT_KNOWN = "not_known", "Not known"

    class Disability(models.TextChoices):
        NONE = "none", "None known"
        SEN_SUPPORT = "sen_support", "Special educational needs support"
        EHC_PLAN = "ehc_plan", "Education, health and care plan"
        DISABILITY = "disability", "Disability"
        NOT_KNOWN = "not_known", "Not known"

    class CaseStatus(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    # Legal statuses under which the local authority has the child in its care:
    # the CAWN rules and the quarterly dataset both turn on this.
    IN_CARE_STATUSES = frozenset(
        {LegalStatus.CARE_ORDER, LegalStatus.INTERIM_CARE_ORDER}
    )
    LOOKED_AFTER_STATUSES = frozenset(
        {LegalStatus.CARE_ORDER, LegalStatus.INTERIM_CARE_ORDER, LegalStatus.SECTION_20}
    )

    local_reference = models.CharField(
        "local reference",
        max_length=50,
        blank=True,
        help_text="The owning agency's own case number.",
    )
    forename = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=150, blank=True)
    surname = models.CharField(max_length=100)
    known_as = models.CharField("known as", max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        "estimated age in years",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE)],
        help_text="Only when the date of birth is not known.",
    )
    gender = models.CharField(
        max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN
    )
    ethnicity = models.CharField(
        max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOT_OBTAINED
    )
    disability = models.CharField(
        "disability or special educational needs",
        max_length=20,
        choices=Disability.choices,
        default=Disability.NOT_KNOWN,
    )
    disability_notes = models.TextField("disability or SEN details", blank=True)
    first_language = models.CharField(max_length=80, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    lives_with = models.CharField(max_length=200, blank=True)
    parental_responsibility = models.CharField(
        "who has parental responsibility", max_length=200, blank=True
    )
    legal_status = models.CharField(
        max_length=30, choices=LegalStatus.choices, default=LegalStatus.NOT_LOOKED_AFTER
    )
    responsible_authority = models.CharField(
        "responsible local authority",
        max_length=100,
        blank=True,
        help_text="The authority that looks after the child, where looked after.",
    )
    placement = models.CharField(
        max_length=20, choices=Placement.choices, default=Placement.NOT_PLACED
    )
    placing_authority = models.CharField(
        "placing or host authority", max_length=100, blank=True
    )
    education_status = models.CharField(
        max_length=30,
        choices=EducationStatus.choices,
        default=EducationStatus.NOT_KNOWN,
    )
    school = models.CharField("school, college or provider", max_length=200, blank=True)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_professional_for",
    )
    allocated_social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocated_children",
    )
    case_status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    home_area = models.ForeignKey(
        LocalArea,
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    # The category of the newest entry in the category history, kept by
    # cse.services.record_category (its only writer) so that lists and datasets can
    # filter on it at regional scale without a subquery per child.
    current_category = models.PositiveSmallIntegerField(
        choices=Category.choices,
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = "child or young person"
        verbose_name_plural = "children and young people"
        indexes = [
            models.Index(fields=["surname", "forename"], name="cse_child_name"),
            models.Index(fields=["date_of_birth"], name="cse_child_dob"),
            models.Index(fields=["current_category"], name="cse_child_category"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("cse:child_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        name = f"{self.forename} {self.surname}"
        return f"{name} ({self.known_as})" if self.known_as else name

    def age_on(self, day: datetime.date) -> int | None:
        """Age in whole years on `day`, or None when the date of birth is unknown."""
        if self.date_of_birth is None:
            return None
        return age_on(self.date_of_birth, day)

    @property
    def age(self) -> int | None:
        age = self.age_on(timezone.localdate())
        return self.estimated_age if age is None else age

    @property
    def is_looked_after(self) -> bool:
        return self.legal_status in self.LOOKED_AFTER_STATUSES


class PersonOfInterest(Subject):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"
        CHARGED = "charged", "Charged"
        CONVICTED = "convicted", "Convicted"
        INACTIVE = "inactive", "No longer of interest"

    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    nickname = models.CharField(
        "nickname or street name",
        max_length=100,
        blank=True,
        help_text="The name the person goes by.",
    )
    date_of_birth = models.DateField(null=True, blank=True)
    age_from = models.PositiveSmallIntegerField(
        "estimated age from", null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_to = models.PositiveSmallIntegerField(
        "estimated age to", null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    gender = models.CharField(
        max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN
    )
    description = models.TextField(
        "description",
        blank=True,
        help_text="Build, hair, tattoos, scars and other marks.",
    )
    offending_history = models.TextField("offending history summary", blank=True)
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = "person of interest"
        verbose_name_plural = "persons of interest"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(forename="", surname="", nickname=""),
                name="cse_personofinterest_has_a_name",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("cse:person_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        name = f"{self.forename} {self.surname}".strip()
        if self.nickname:
            return f"{name} (“{self.nickname}”)" if name else f"“{self.nickname}”"
        return name

    @property
    def age_description(self) -> str:
        if self.date_of_birth:
            return str(age_on(self.date_of_birth, timezone.localdate()))
        if self.age_from and self.age_to:
            return f"{self.age_from} to {self.age_to} (estimated)"
        if self.age_from or self.age_to:
            return f"about {self.age_from or self.age_to} (estimated)"
        return "Not known"


class Location(Subject):
    class Type(models.TextChoices):
        HOTEL = "hotel", "Hotel or bed and breakfast"
        FAST_FOOD = "fast_food", "Fast-food outlet or takeaway"
        TAXI_RANK = "taxi_rank", "Taxi rank or private-hire office"
        LICENSED_PREMISES = "licensed_premises", "Licensed premises"
        PARK = "park", "Park or open space"
        RESIDENTIAL = "residential", "Residential address"
        SCHOOL_VICINITY = "school_vicinity", "School vicinity"
        SHOPPING = "shopping", "Shopping centre or shop"
        TRANSPORT = "transport", "Transport hub"
        ONLINE = "online", "Online platform"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=Type.choices)
    trading_name = models.CharField(
        max_length=200, blank=True, help_text="For licensed premises, hotels and shops."
    )
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    online_identifier = models.CharField(
        "platform and account or group", max_length=200, blank=True
    )
    local_area = models.ForeignKey(
        LocalArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
    )
    is_hotspot = models.BooleanField("hotspot", default=False)
    hotspot_since = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(Upper("postcode"), name="cse_location_postcode")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cse:location_detail", args=[self.pk])

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(part for part in parts if part)


class Vehicle(Subject):
    registration = models.CharField(max_length=12, help_text="For example, AB12 CDE.")
    registration_normalised = models.CharField(
        max_length=12, editable=False, db_index=True
    )
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        details = " ".join(
            part for part in [self.colour, self.make, self.model] if part
        )
        return f"{self.registration} {details}".strip()

    def get_absolute_url(self) -> str:
        return reverse("cse:vehicle_detail", args=[self.pk])


class Alias(models.Model):
    """Another name a child or person of interest is known by."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(max_length=150)
    notes = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """An address a child or person of interest lives or has lived at."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="addresses"
    )
    line_1 = models.CharField("address line 1", max_length=200)
    line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    postcode_normalised = models.CharField(max_length=8, blank=True, editable=False)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-from_date", "-pk"]
        verbose_name_plural = "addresses"
        indexes = [
            models.Index(fields=["postcode_normalised"], name="cse_address_postcode")
        ]

    def __str__(self) -> str:
        return ", ".join(
            p for p in [self.line_1, self.line_2, self.town, self.postcode] if p
        )

    @property
    def is_current(self) -> bool:
        return self.to_date is None or self.to_date >= timezone.localdate()


class PhoneNumber(models.Model):
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="phone_numbers"
    )
    number = models.CharField(max_length=30)
    number_normalised = models.CharField(max_length=20, editable=False, db_index=True)
    notes = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.number


class CategoryAssessment(models.Model):
    """One entry in a child's CSE risk category history; the newest one is current."""

    class Source(models.TextChoices):
        SCREENING = "screening", "Screening tool"
        RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
        MEETING = "meeting", "Multi-agency meeting"
        PROFESSIONAL = "professional", "Professional judgement"
        IMPORT = "import", "Imported record"

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="category_history"
    )
    category = models.PositiveSmallIntegerField(choices=Category.choices)
    assessed_on = models.DateField()
    source = models.CharField(max_length=20, choices=Source.choices)
    rationale = models.TextField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-recorded_at", "-pk"]
        indexes = [
            models.Index(
                fields=["child", "-assessed_on", "-recorded_at", "-id"],
                name="cse_category_latest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} on {self.assessed_on:%d/%m/%Y}"


class ChildFlag(models.Model):
    class Kind(models.TextChoices):
        TRAFFICKING = "trafficking", "Trafficking / NRM referral"
        COUNTY_LINES = "county_lines", "County lines"
        GANG_ASSOCIATION = "gang_association", "Gang association"
        HARMFUL_SEXUAL_BEHAVIOUR = (
            "harmful_sexual_behaviour",
            "Harmful sexual behaviour",
        )
        CAWN_IN_FORCE = "cawn_in_force", "Child abduction warning notice in force"
        CRIMINAL_EXPLOITATION = "criminal_exploitation", "Child criminal exploitation"
        ONLINE_EXPLOITATION = "online_exploitation", "Online exploitation"
        MISSING_PATTERN = "missing_pattern", "Repeat missing pattern"
        RISK_TO_OTHERS = "risk_to_others", "Risk to other children"
        OTHER = "other", "Other"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    reason = models.TextField()
    set_on = models.DateField(default=timezone.localdate)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system set it (a rule met, a notice served).",
    )
    set_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-set_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True)
                | ~models.Q(removal_reason=""),
                name="cse_childflag_removal_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class WarningNote(models.Model):
    """A warning every professional opening the record must see, until it is reviewed."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="warnings"
    )
    text = models.TextField()
    review_on = models.DateField("review date")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_on"]

    def __str__(self) -> str:
        return f"Warning, review by {self.review_on:%d/%m/%Y}"

    @property
    def is_due_for_review(self) -> bool:
        return self.review_on <= timezone.localdate()


class ChildPlan(models.Model):
    class Kind(models.TextChoices):
        EARLY_HELP = "early_help", "Early help"
        CHILD_IN_NEED = "child_in_need", "Child in need"
        CHILD_PROTECTION = "child_protection", "Child protection"
        CARE_PLAN = "care_plan", "Care plan (looked after)"

    REVIEW_INTERVAL_MONTHS = 3

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="cse_childplan_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} plan from {self.start_date:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None or self.end_date >= timezone.localdate()

    @property
    def next_review_due(self) -> datetime.date | None:
        """Plans are reviewed at least every three months."""
        if not self.is_active:
            return None
        return add_months(
            self.last_reviewed_on or self.start_date, self.REVIEW_INTERVAL_MONTHS
        )


__all__ = [
    "Address",
    "Alias",
    "Category",
    "CategoryAssessment",
    "Child",
    "ChildFlag",
    "ChildPlan",
    "Ethnicity",
    "Gender",
    "Location",
    "PersonOfInterest",
    "PhoneNumber",
    "Subject",
    "Vehicle",
    "WarningNote",
]
