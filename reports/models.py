"""The LSCB quarterly CSE dataset (seed 000 Appendix 8; seed 001 ch. 19 l.1440):
per-area reporting years, the figures entered by hand, and immutable snapshots."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cse.models import LocalArea


class ReportingYear(models.Model):
    """When an area's reporting year starts (1 April unless the board says otherwise)."""

    local_area = models.OneToOneField(
        LocalArea, on_delete=models.CASCADE, related_name="reporting_year"
    )
    start_month = models.PositiveSmallIntegerField(
        "month the reporting year starts",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )

    def __str__(self) -> str:
        return f"Reporting year for {self.local_area}"

    @classmethod
    def start_month_for(cls, area_id: int | None) -> int:
        if area_id is None:
            return 4
        row = cls.objects.filter(local_area_id=area_id).first()
        return row.start_month if row else 4


class ManualItem(models.TextChoices):
    """Dataset items with no source in the records, entered by the responsible role."""

    SOLVED_OFFENCES = "v", "(v) Solved and resolved rape and serious sexual offences"
    OPERATIONS = "vi", "(vi) CSE police operations and investigations"
    TRAINING = "ix", "(ix) Attendance by partner agencies at LSCB CSE training"
    PSHE = "x", "(x) Delivery of PSHE"


class ManualFigure(models.Model):
    """One entry of a hand-entered figure. Entries are never changed: a correction is a
    newer entry, so who entered which value and when is kept."""

    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("reporting year (the year it starts in)")
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    item = models.CharField(max_length=3, choices=ManualItem.choices)
    value = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-entered_at", "-pk"]
        indexes = [
            models.Index(
                fields=["local_area", "year", "item", "quarter"],
                name="reports_manual_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.value} (Q{self.quarter} {self.year})"


class Snapshot(models.Model):
    """One computation of the dataset. Once complete its figures never change: a later
    re-run is a new row, so a published figure can be compared with a re-run."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Computing"
        DONE = "done", "Complete"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "Quarter end (scheduled)"
        ON_DEMAND = "on_demand", "On demand"

    local_area = models.ForeignKey(
        LocalArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for all areas together.",
    )
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    as_at = models.DateTimeField(
        "inputs as at", help_text="The data as it stood at this moment."
    )
    inputs = models.JSONField(default=dict)
    figures = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # The quarter-end job runs once per area and quarter, however often beat fires.
            models.UniqueConstraint(
                fields=["local_area", "year", "quarter"],
                condition=models.Q(trigger="scheduled", local_area__isnull=False),
                name="reports_snapshot_one_scheduled",
            ),
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=models.Q(trigger="scheduled", local_area__isnull=True),
                name="reports_snapshot_one_scheduled_all",
            ),
        ]

    def __str__(self) -> str:
        return f"Dataset Q{self.quarter} {self.year}/{(self.year + 1) % 100:02d}"

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            stored = Snapshot.objects.filter(pk=self.pk).values("status").first()
            if stored and stored["status"] == self.Status.DONE:
                raise ValidationError("A completed snapshot cannot be changed")
        super().save(*args, **kwargs)

    @property
    def area_name(self) -> str:
        return self.local_area.name if self.local_area_id else "All areas"


# --- outcome measures (seed 000 Appendix 9; seed 001 ch. 19) ------------------------------


class OutcomeAssessment(models.Model):
    """One recording of a child's outcome measures, at the start of a plan or at a
    review. Never changed once saved: a correction is a new assessment that
    supersedes this one, so who recorded which values and when is kept."""

    class Occasion(models.TextChoices):
        PLAN_START = "plan_start", "Start of the plan (baseline)"
        REVIEW = "review", "Plan review"

    child = models.ForeignKey(
        "cse.Child", on_delete=models.CASCADE, related_name="outcome_assessments"
    )
    plan = models.ForeignKey(
        "cse.ChildPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    occasion = models.CharField(max_length=12, choices=Occasion.choices)
    assessed_on = models.DateField()
    # {measure key: value}; a measure not assessed is left out. The measures and their
    # scales are data in reports.outcomes.MEASURES.
    values = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(blank=True)
    agency = models.ForeignKey("cse.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessed_on", "recorded_at", "pk"]
        indexes = [
            models.Index(
                fields=["child", "assessed_on"], name="reports_outcome_child_day"
            )
        ]

    def __str__(self) -> str:
        return f"Outcome measures of {self.assessed_on:%d/%m/%Y}"

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            raise ValidationError("An outcome assessment cannot be changed")
        super().save(*args, **kwargs)


# --- the MASE monthly data snapshot (seed 004 MASE terms of reference) -------------------


class MaseSnapshot(models.Model):
    """The MASE figures for one calendar month, stored once the month has ended so
    that what was reported to the sub-group can be shown again unchanged."""

    local_area = models.ForeignKey(
        LocalArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for all areas together.",
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_area", "year", "month"],
                condition=models.Q(local_area__isnull=False),
                name="reports_masesnapshot_one_per_month",
            ),
            models.UniqueConstraint(
                fields=["year", "month"],
                condition=models.Q(local_area__isnull=True),
                name="reports_masesnapshot_one_per_month_all",
            ),
        ]

    def __str__(self) -> str:
        return f"MASE data snapshot {self.month:02d}/{self.year}"

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            raise ValidationError("A stored MASE snapshot cannot be changed")
        super().save(*args, **kwargs)
