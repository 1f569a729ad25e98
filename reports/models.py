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


class ProfileGap(models.Model):
    """An intelligence gap the analyst records for an area's quarterly problem profile
    (what is not known and should be), in words that name no one. Entries are never
    changed: a newer entry for the same quarter is added beside it."""

    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("reporting year (the year it starts in)")
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    text = models.TextField("intelligence gap")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entered_at", "pk"]
        indexes = [
            models.Index(
                fields=["local_area", "year", "quarter"], name="reports_gap_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"Intelligence gap, Q{self.quarter} {self.year}"
