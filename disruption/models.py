"""Disruption: child abduction warning notices, the tactics log against persons,
locations and vehicles, perpetrator and locational tasking plans, and the
information reports practitioners send to police intelligence."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cse.models import (
    Agency,
    Child,
    ChildFlag,
    LocalArea,
    PersonOfInterest,
    Subject,
)
from disruption.cawn_rules import Variant


class Cawn(models.Model):
    """A child abduction warning notice given to a person of interest about a child.

    The notice's printed particulars (names, dates, addresses, officer, department
    and phone numbers) are copied in when it is issued, so the printout and the
    police file stay the same whatever later changes to the records.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "Prepared, not yet served"
        SERVED = "served", "In force"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    class Signature(models.TextChoices):
        SIGNED = "signed", "Signed by the recipient"
        REFUSED = "refused", "Recipient refused to sign"

    person = models.ForeignKey(
        PersonOfInterest, on_delete=models.PROTECT, related_name="cawns"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cawns")
    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, related_name="cawns"
    )
    variant = models.CharField(max_length=20, choices=Variant.choices)
    cites_section_2 = models.BooleanField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ISSUED
    )
    issue_date = models.DateField()
    ends_on = models.DateField(help_text="The 16th or 18th birthday.")
    # Particulars printed on the notice.
    child_name = models.CharField(
        "child's name on the notice",
        max_length=200,
        help_text="The name the recipient knows the child by, if not their real name.",
    )
    child_age = models.PositiveSmallIntegerField()
    child_date_of_birth = models.DateField()
    parental_responsibility = models.CharField(
        "person or department with parental responsibility", max_length=200
    )
    department_name = models.CharField(max_length=200)
    contact_phones = models.CharField(max_length=300)
    recipient_name = models.CharField(max_length=200)
    recipient_date_of_birth = models.DateField(null=True, blank=True)
    recipient_address = models.TextField()
    officer_name = models.CharField(max_length=200)
    officer_collar_number = models.CharField(max_length=20, blank=True)
    officer_station = models.CharField(max_length=150, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issuing_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Service record.
    served_at = models.DateTimeField(null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    photograph_shown = models.BooleanField(null=True, blank=True)
    knowledge_verified_by = models.TextField(
        "how the person's knowledge of the child was verified", blank=True
    )
    signature = models.CharField(max_length=10, choices=Signature.choices, blank=True)
    refusal_reason = models.TextField("reason given for refusing to sign", blank=True)
    # A server-chosen name in private storage; served only by a checked view.
    signed_copy = models.CharField(max_length=200, blank=True, editable=False)
    signed_copy_type = models.CharField(max_length=50, blank=True, editable=False)
    review_on = models.DateField("review date", null=True, blank=True)
    flag = models.ForeignKey(
        ChildFlag, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(
                fields=["local_area", "issue_date"], name="disruption_cawn_register"
            ),
            models.Index(fields=["status", "ends_on"], name="disruption_cawn_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(signature="refused") | ~models.Q(refusal_reason=""),
                name="disruption_cawn_refusal_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("disruption:cawn_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"CAWN-{self.pk:06d}"

    @property
    def is_in_force(self) -> bool:
        return self.status == self.Status.SERVED

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.ISSUED, self.Status.SERVED}

    @property
    def is_looked_after(self) -> bool:
        return self.variant == Variant.LOOKED_AFTER

    @property
    def age_limit(self) -> int:
        return 18 if self.is_looked_after else 16


class CawnBreach(models.Model):
    class Outcome(models.TextChoices):
        ARREST = "arrest", "Arrest"
        SRO_APPLICATION = "sro_application", "Application for a Sexual Risk Order"
        FURTHER_WARNING = "further_warning", "Words of advice or further warning"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        OTHER = "other", "Other"

    cawn = models.ForeignKey(Cawn, on_delete=models.CASCADE, related_name="breaches")
    occurred_on = models.DateField("date of breach")
    details = models.TextField()
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    outcome_details = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"Breach on {self.occurred_on:%d/%m/%Y}"


class TacticType(models.Model):
    """The catalogue of disruption tactics from the documents (seed 001 ch. 10, seed
    004 around l.2020), loaded as data by a migration; areas may add their own."""

    class Category(models.TextChoices):
        CIVIL = "civil", "Civil order or notice"
        CRIMINAL = "criminal", "Criminal justice"
        LICENSING = "licensing", "Licensing"
        POLICE_SYSTEMS = "police_systems", "Police systems marker"
        SAFEGUARDING = "safeguarding", "Safeguarding referral"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    category = models.CharField(max_length=20, choices=Category.choices)
    # Comma-separated Subject kinds the tactic is used against.
    applies_to = models.CharField(max_length=50)
    counts_as_prosecution = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def applies_to_kind(self, kind: str) -> bool:
        return kind in self.applies_to.split(",")


class DisruptionTactic(models.Model):
    """One tactic used (or being pursued) against a person, location or vehicle."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        IN_PROGRESS = "in_progress", "In progress"
        IN_PLACE = "in_place", "Granted or in place"
        REFUSED = "refused", "Refused or not granted"
        COMPLETED = "completed", "Completed"
        ENDED = "ended", "Ended or discharged"

    # Statuses meaning the tactic took effect: "offenders disrupted".
    EFFECTIVE = frozenset({Status.IN_PLACE, Status.COMPLETED})

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="disruption_tactics"
    )
    tactic = models.ForeignKey(TacticType, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    started_on = models.DateField("start date")
    ends_on = models.DateField("end or expiry date", null=True, blank=True)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    details = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [
            models.Index(
                fields=["subject", "-started_on"], name="disruption_tactic_subj"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("started_on")),
                name="disruption_tactic_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tactic} ({self.get_status_display().lower()})"


class Plan(models.Model):
    """A perpetrator case-management plan (a person of interest) or a locational
    tasking plan (a location): risk, actions or interventions, monthly reviews,
    exit criteria and de-selection (seed 001 from l.1083)."""

    class Kind(models.TextChoices):
        PERPETRATOR = "perpetrator", "Perpetrator case-management plan"
        LOCATIONAL = "locational", "Locational tasking plan"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        VERY_HIGH = "very_high", "Very high"

    REVIEW_INTERVAL_MONTHS = 1  # "All cases will be reviewed and updated monthly"

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="disruption_plans"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, editable=False)
    risk = models.CharField(max_length=20, choices=Risk.choices)
    risk_summary = models.TextField("risk and protective factors")
    actions = models.TextField("actions or interventions")
    exit_criteria = models.TextField()
    started_on = models.DateField("start date")
    next_review_on = models.DateField("next review date")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    deselected_on = models.DateField("de-selection date", null=True, blank=True)
    deselection_reason = models.TextField(blank=True)
    deselected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(deselected_on__isnull=True),
                name="disruption_plan_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(deselected_on__isnull=True)
                | ~models.Q(deselection_reason=""),
                name="disruption_plan_deselection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.deselected_on is None

    @property
    def is_review_overdue(self) -> bool:
        return self.is_open and self.next_review_on < timezone.localdate()


class PlanReview(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("review date")
    progress = models.TextField("progress and milestones")
    risk = models.CharField(max_length=20, choices=Plan.Risk.choices)
    next_review_on = models.DateField("next review date")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review on {self.reviewed_on:%d/%m/%Y}"


class IntelligenceReport(models.Model):
    """A partnership information report to police intelligence (the information
    sharing tool, seed 000 Appendix 5; the police information report, seed 001
    l.1232). Seen only by police intelligence users and its submitter: see
    `disruption.permissions.visible_reports`."""

    class Source(models.TextChoices):
        WITNESSED = "witnessed", "Witnessed by me"
        PROFESSIONAL = "professional", "From another professional"
        PUBLIC = "public", "From a member of the public"

    # The form's scales (seed 001 l.1232), with "not known" rather than a guess.
    class Reliability(models.TextChoices):
        UNRELIABLE = "1", "1 = Unreliable"
        USUALLY = "2", "2 = Usually reliable"
        ALWAYS = "3", "3 = Always reliable"
        NOT_KNOWN = "not_known", "Not known"

    class Accuracy(models.TextChoices):
        FALSE = "1", "1 = Suspected to be false"
        SUSPECTED_TRUE = "2", "2 = Not known to source, but suspected to be true"
        BELIEVED = "3", "3 = Believed to be true"
        KNOWN = "4", "4 = Known to be true beyond doubt"
        NOT_KNOWN = "not_known", "Not known"

    class Engage(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_APPLICABLE = "not_applicable", "Not applicable: not from a third party"

    # The national 3x5x2 model.
    class SourceEvaluation(models.TextChoices):
        RELIABLE = "1", "1 – Reliable"
        UNTESTED = "2", "2 – Untested"
        NOT_RELIABLE = "3", "3 – Not reliable"

    class Assessment(models.TextChoices):
        A = "A", "A – Known directly to the source"
        B = "B", "B – Known indirectly to the source but corroborated"
        C = "C", "C – Known indirectly to the source"
        D = "D", "D – Not known"
        E = "E", "E – Suspected to be false or malicious"

    class Handling(models.TextChoices):
        P = "P", "P – Lawful sharing permitted"
        C = "C", "C – Lawful sharing permitted with conditions"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        GRADED = "graded", "Graded"
        ACTIONED = "actioned", "Actioned"

    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitter_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+"
    )
    submitter_contact = models.CharField("your contact details", max_length=200)
    submitted_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField("date and time the information was received")
    who_at_risk = models.TextField("who may be at risk", blank=True)
    who_putting_at_risk = models.TextField(
        "who may be putting them at risk", blank=True
    )
    where = models.TextField("where the risk may be happening", blank=True)
    source = models.CharField(
        "how the information came to you", max_length=20, choices=Source.choices
    )
    reliability = models.CharField(max_length=10, choices=Reliability.choices)
    accuracy = models.CharField(max_length=10, choices=Accuracy.choices)
    would_engage = models.CharField(
        "would the third party engage with the police",
        max_length=20,
        choices=Engage.choices,
    )
    third_party_contact = models.TextField(blank=True)
    licensed_premises = models.BooleanField("involves licensed premises", default=False)
    premises_trading_name = models.CharField(max_length=200, blank=True)
    premises_address = models.TextField(blank=True)
    information = models.TextField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    source_evaluation = models.CharField(
        max_length=1, choices=SourceEvaluation.choices, blank=True
    )
    assessment = models.CharField(
        "intelligence assessment", max_length=1, choices=Assessment.choices, blank=True
    )
    handling_code = models.CharField(max_length=1, choices=Handling.choices, blank=True)
    handling_conditions = models.TextField(blank=True)
    sanitised_text = models.TextField("sanitised text for dissemination", blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actioned_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)
    subjects = models.ManyToManyField(
        Subject, through="ReportSubject", related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(
                fields=["local_area", "status", "-submitted_at"],
                name="disruption_report_queue",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(handling_code="C")
                | ~models.Q(handling_conditions=""),
                name="disruption_report_conditions_for_c",
            ),
            models.CheckConstraint(
                condition=~models.Q(licensed_premises=True)
                | ~models.Q(premises_trading_name=""),
                name="disruption_report_premises_named",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"IR-{self.pk:06d}"

    @property
    def grading(self) -> str:
        if not self.source_evaluation:
            return "Not graded"
        return f"{self.source_evaluation}{self.assessment}{self.handling_code}"


class ReportSubject(models.Model):
    """A record an information report concerns, as linked by police intelligence."""

    report = models.ForeignKey(
        IntelligenceReport, on_delete=models.CASCADE, related_name="report_subjects"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    created_from_report = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "subject"], name="disruption_reportsubject_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.subject.reference}"


def default_review_on(issued: datetime.date) -> datetime.date:
    from cse.dates import add_months

    months = getattr(settings, "CAWN_REVIEW_MONTHS", 3)
    return add_months(issued, months)
