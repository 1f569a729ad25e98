"""Missing and absent episodes, return-home interviews against the 72-hour clock,
the pattern rules each local area configures, and the police-import matching queue."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from cse.models import Agency, Child, LocalArea

RHI_HOURS = 72


class MissingRules(models.Model):
    """One local area's pattern thresholds, created on demand with the regional
    defaults (seed 000 appendix 7 CMOG criteria; seed 001 ch. 11; seed 004 MisPer)."""

    local_area = models.OneToOneField(
        LocalArea, on_delete=models.CASCADE, related_name="missing_rules"
    )
    cmog_short_count = models.PositiveSmallIntegerField(
        "CMOG: missing episodes within the short period", default=3
    )
    cmog_short_days = models.PositiveSmallIntegerField(
        "CMOG: short period in days", default=30
    )
    cmog_long_count = models.PositiveSmallIntegerField(
        "CMOG: missing episodes within the long period", default=3
    )
    cmog_long_months = models.PositiveSmallIntegerField(
        "CMOG: long period in calendar months", default=12
    )
    cmog_duration_hours = models.PositiveSmallIntegerField(
        "CMOG: one episode lasting this many hours or more", default=72
    )
    mase_count = models.PositiveSmallIntegerField(
        "MASE prompt: missing episodes", default=3
    )
    mase_months = models.PositiveSmallIntegerField(
        "MASE prompt: within calendar months", default=3
    )
    recidivist_count = models.PositiveSmallIntegerField(
        "recidivist: missing episodes", default=4
    )
    recidivist_months = models.PositiveSmallIntegerField(
        "recidivist: within calendar months", default=3
    )
    frequent_count = models.PositiveSmallIntegerField(
        "frequently missing: episodes in a quarter", default=3
    )
    rhi_provider = models.CharField(
        "independent return-home interview provider",
        max_length=200,
        blank=True,
        help_text="The person or agency, independent of the child's care, who offers interviews.",
    )

    class Meta:
        verbose_name = "missing rules"
        verbose_name_plural = "missing rules"

    def __str__(self) -> str:
        return f"Missing rules for {self.local_area}"

    @classmethod
    def for_area(cls, area: LocalArea | int | None) -> MissingRules:
        """The area's rules, created with the regional defaults the first time; an
        unsaved default set when the child has no area."""
        if area is None:
            return cls()
        area_id = area if isinstance(area, int) else area.pk
        rules, _ = cls.objects.get_or_create(local_area_id=area_id)
        return rules


class MissingEpisode(models.Model):
    class Category(models.TextChoices):
        MISSING = "missing", "Missing"
        ABSENT = "absent", "Absent"

    class From(models.TextChoices):
        HOME = "home", "Home"
        CARE = "care", "Care placement"
        EDUCATION = "education", "Education"
        OTHER = "other", "Other"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    # Wording from seed 004 (the MisPer definitions, after the Metropolitan Police's).
    DEFINITIONS = {
        Category.MISSING: (
            "Anyone whose whereabouts cannot be established and where the "
            "circumstances are out of character or the context suggests the person "
            "may be subject of crime or at risk of harm to themselves or another."
        ),
        Category.ABSENT: (
            "A child is absent when he or she is not at a place where he or she is "
            "expected or required to be, and there is no apparent risk of harm. "
            "Where a child has been identified as at risk of sexual exploitation he "
            "or she should not be considered as absent, but as missing."
        ),
    }

    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="missing_episodes"
    )
    category = models.CharField(max_length=10, choices=Category.choices)
    missing_from = models.CharField(max_length=10, choices=From.choices)
    police_reference = models.CharField(max_length=50, blank=True)
    reported_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # When the episode began for every rule: last seen, or reported when not known.
    started_at = models.DateTimeField(editable=False)
    returned_at = models.DateTimeField("returned or found at", null=True, blank=True)
    found_location = models.CharField("where found", max_length=300, blank=True)
    found_with = models.CharField("found with whom", max_length=300, blank=True)
    risk_level = models.CharField(
        "police risk level", max_length=10, choices=Risk.choices, blank=True
    )
    safe_and_well_by = models.CharField(
        "safe and well check by", max_length=200, blank=True
    )
    safe_and_well_at = models.DateTimeField(
        "safe and well check at", null=True, blank=True
    )
    notes = models.TextField(blank=True)
    review_as_missing = models.BooleanField(
        "flagged for review as missing", default=False, editable=False
    )
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(
                fields=["child", "category", "started_at"], name="missing_ep_child"
            ),
            models.Index(
                fields=["started_at"],
                name="missing_ep_ongoing",
                condition=models.Q(returned_at__isnull=True, category="missing"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["police_reference"],
                condition=~models.Q(police_reference=""),
                name="missing_missingepisode_unique_police_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True)
                | models.Q(returned_at__gte=models.F("started_at")),
                name="missing_missingepisode_returns_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} from {self.started_at:%d/%m/%Y %H:%M}"

    @property
    def is_ongoing(self) -> bool:
        return self.returned_at is None

    def duration_at(self, moment: datetime.datetime) -> datetime.timedelta:
        """How long the episode lasted, or has lasted by `moment` while ongoing."""
        end = self.returned_at or moment
        return max(end - self.started_at, datetime.timedelta(0))

    @property
    def rhi_due_at(self) -> datetime.datetime | None:
        """72 hours of elapsed time after the return, so clock changes do not move it."""
        if self.returned_at is None:
            return None
        return rhi_due(self.returned_at)


def rhi_due(returned_at: datetime.datetime) -> datetime.datetime:
    """The interview deadline, added in UTC (a wall-clock sum is an hour out across a
    clock change)."""
    utc = returned_at.astimezone(datetime.UTC)
    return utc + datetime.timedelta(hours=RHI_HOURS)


class ReturnInterviewQuerySet(models.QuerySet):
    def open(self) -> ReturnInterviewQuerySet:
        """Interviews still to be held: not completed, not declined or impossible."""
        return self.filter(
            completed_at__isnull=True,
            outcome__in=[
                ReturnInterview.Outcome.PENDING,
                ReturnInterview.Outcome.ACCEPTED,
            ],
        )


class ReturnInterview(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", "Not yet offered or answered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        NOT_POSSIBLE = "not_possible", "Not possible"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        OVERDUE = "overdue", "Overdue"
        COMPLETED_IN_TIME = "completed_in_time", "Completed within 72 hours"
        COMPLETED_LATE = "completed_late", "Completed late"
        DECLINED = "declined", "Declined or not possible"

    episode = models.OneToOneField(
        MissingEpisode, on_delete=models.CASCADE, related_name="interview"
    )
    # Copied from the episode so the deadline scan reads one indexed table.
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    responsible_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(null=True, blank=True)
    offered_by = models.CharField(
        "offered by (independent person or agency)", max_length=200, blank=True
    )
    outcome = models.CharField(
        max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_reason = models.TextField(
        "reason", blank=True, help_text="Why it was declined or not possible."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    why_missing = models.TextField("why the child went missing", blank=True)
    where_went = models.TextField("where they went and who with", blank=True)
    harm_suffered = models.TextField("harm suffered", blank=True)
    push_factors = models.TextField("push factors", blank=True)
    pull_factors = models.TextField("pull factors", blank=True)
    what_would_help = models.TextField("what would help", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ReturnInterviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="missing_rhi_open",
                condition=models.Q(
                    completed_at__isnull=True, outcome__in=["pending", "accepted"]
                ),
            ),
            models.Index(fields=["agency", "due_at"], name="missing_rhi_agency"),
        ]

    def __str__(self) -> str:
        return f"Return-home interview due {self.due_at:%d/%m/%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.outcome in {
            self.Outcome.PENDING,
            self.Outcome.ACCEPTED,
        }

    def status_at(self, moment: datetime.datetime) -> str:
        if self.completed_at is not None:
            return (
                self.Status.COMPLETED_IN_TIME
                if self.completed_at <= self.due_at
                else self.Status.COMPLETED_LATE
            )
        if self.outcome in {self.Outcome.DECLINED, self.Outcome.NOT_POSSIBLE}:
            return self.Status.DECLINED
        return self.Status.OVERDUE if moment >= self.due_at else self.Status.DUE

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class InterviewAlert(models.Model):
    """An alert sent about one interview: the unique row is what makes each alert
    go exactly once, however often (or concurrently) the scan runs."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder, 24 hours left"
        OVERDUE = "overdue", "Overdue"

    interview = models.ForeignKey(
        ReturnInterview, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "kind"], name="missing_interviewalert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for interview {self.interview_id}"


class PatternRule(models.TextChoices):
    THREE_IN_30_DAYS = "three_in_30_days", "CMOG: 3 missing episodes within 30 days"
    THREE_IN_12_MONTHS = (
        "three_in_12_months",
        "CMOG: 3 missing episodes within 12 months",
    )
    ONE_OVER_72_HOURS = (
        "one_over_72_hours",
        "CMOG: 1 missing episode lasting 72 hours or more",
    )
    MASE_THREE_IN_3_MONTHS = (
        "mase_three_in_3_months",
        "MASE prompt: 3 missing episodes within 3 months",
    )
    RECIDIVIST = "recidivist", "Recidivist: 4 or more missing episodes within 3 months"


CMOG_RULES = (
    PatternRule.THREE_IN_30_DAYS,
    PatternRule.THREE_IN_12_MONTHS,
    PatternRule.ONE_OVER_72_HOURS,
)


class PatternMatch(models.Model):
    """A child first meeting a pattern rule: the source of its flag and referral."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="missing_pattern_matches"
    )
    rule = models.CharField(max_length=30, choices=PatternRule.choices)
    first_met_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_met_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "rule"], name="missing_patternmatch_once"
            )
        ]

    def __str__(self) -> str:
        return self.get_rule_display()


class MatchingQueueItem(models.Model):
    """A police report row that matched no child, or more than one: held for the
    administrator, never turned into a new child without a person deciding."""

    class Reason(models.TextChoices):
        NO_MATCH = "no_match", "No matching child"
        AMBIGUOUS = "ambiguous", "More than one possible child"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        MATCHED = "matched", "Matched to a child"
        CREATED = "created", "New child record created"
        DISMISSED = "dismissed", "Dismissed"

    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, null=True, related_name="+"
    )
    police_reference = models.CharField(max_length=50, unique=True)
    row = models.JSONField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    candidate_ids = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING
    )
    received_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    episode = models.ForeignKey(
        MissingEpisode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"Police report {self.police_reference}"
