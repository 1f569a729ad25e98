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


# --- The CSE delivery plan (seed 002): objectives, sub-objectives and actions, each
# action with its RAG ratings, evidence and the history of every rating change. The
# plan is the partnership's strategic document: it holds no child's identity.


class Rag(models.TextChoices):
    """Red, amber, green and blue (complete). Shown as a tag with the word, never
    the colour alone."""

    NOT_RATED = "none", "Not rated"
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue – complete"


class DeliveryPlan(models.Model):
    """A local area's delivery plan for a period, or the regional one (no area)."""

    local_area = models.ForeignKey(
        LocalArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the regional plan.",
    )
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["local_area__name", "-period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="reports_deliveryplan_period_order",
            ),
            models.UniqueConstraint(
                fields=["local_area", "title"],
                name="reports_deliveryplan_unique_title",
            ),
            models.UniqueConstraint(
                fields=["title"],
                condition=models.Q(local_area__isnull=True),
                name="reports_deliveryplan_unique_regional_title",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def area_name(self) -> str:
        return self.local_area.name if self.local_area_id else "Regional"

    @property
    def period(self) -> str:
        return (
            f"{self.period_start:%B %Y} to {self.period_end:%B %Y}"
            if self.period_start and self.period_end
            else ""
        )


class DeliveryObjective(models.Model):
    """A numbered strategic objective (1, 2 ...)."""

    plan = models.ForeignKey(
        DeliveryPlan, on_delete=models.CASCADE, related_name="objectives"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="reports_deliveryobjective_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class DeliverySubObjective(models.Model):
    """A sub-objective of an objective (1.1, 1.2 ...)."""

    objective = models.ForeignKey(
        DeliveryObjective, on_delete=models.CASCADE, related_name="sub_objectives"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["objective__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "number"],
                name="reports_deliverysubobjective_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.text[:80]}"

    @property
    def reference(self) -> str:
        return f"{self.objective.number}.{self.number}"


class DeliveryAction(models.Model):
    """One action of the plan. Its ratings change only through
    `reports.delivery_plan.change_rag`, which writes the history."""

    objective = models.ForeignKey(
        DeliveryObjective, on_delete=models.CASCADE, related_name="actions"
    )
    sub_objective = models.ForeignKey(
        DeliverySubObjective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
    )
    position = models.PositiveSmallIntegerField()
    description = models.TextField()
    evidence = models.TextField(
        "evidence expected", blank=True, help_text="What will show it is done."
    )
    outcomes = models.TextField("intended outcomes", blank=True)
    accountable_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accountable_name = models.CharField(
        "accountable (name or role)", max_length=200, blank=True
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_name = models.CharField(
        "responsible person or team", max_length=200, blank=True
    )
    target_date = models.DateField(null=True, blank=True)
    timescale = models.CharField(
        "timescale", max_length=100, blank=True, help_text='For example "Quarterly".'
    )
    partners = models.ManyToManyField(
        "cse.Agency", blank=True, related_name="delivery_actions"
    )
    action_rag = models.CharField(
        "action RAG", max_length=5, choices=Rag.choices, default=Rag.NOT_RATED
    )
    outcome_rag = models.CharField(
        "outcome RAG", max_length=5, choices=Rag.choices, default=Rag.NOT_RATED
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["objective__number", "sub_objective__number", "position", "pk"]
        indexes = [
            models.Index(fields=["objective", "action_rag"], name="reports_daction_rag")
        ]

    def __str__(self) -> str:
        return f"Action {self.reference}"

    @property
    def reference(self) -> str:
        if self.sub_objective_id:
            return f"{self.sub_objective.reference}.{self.position}"
        return f"{self.objective.number}.{self.position}"

    @property
    def is_complete(self) -> bool:
        return self.action_rag == Rag.BLUE

    def is_overdue_on(self, day) -> bool:
        """Past its target date (the day after it, not on it) and not complete."""
        return (
            self.target_date is not None
            and day > self.target_date
            and not self.is_complete
        )

    @property
    def accountable(self) -> str:
        return _person(self.accountable_user, self.accountable_name)

    @property
    def responsible(self) -> str:
        return _person(self.responsible_user, self.responsible_name)

    @property
    def when(self) -> str:
        date = f"{self.target_date:%-d %B %Y}" if self.target_date else ""
        return ", ".join(part for part in (self.timescale, date) if part)


def _person(user, name: str) -> str:
    if user is None:
        return name
    return f"{user}, {name}" if name else str(user)


class AppendOnly(models.Model):
    """Rows that are written once: the trail of what happened is never rewritten."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            raise ValidationError("This entry cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("This entry cannot be deleted")


class DeliveryEvidence(AppendOnly):
    """A dated note of progress or evidence on an action."""

    action = models.ForeignKey(
        DeliveryAction, on_delete=models.CASCADE, related_name="evidence_entries"
    )
    text = models.TextField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-entered_at", "-pk"]

    def __str__(self) -> str:
        return f"Evidence on {self.action_id} at {self.entered_at:%Y-%m-%d}"


class RagChange(AppendOnly):
    """One change of an action's or outcome's rating, with the reason given."""

    class Which(models.TextChoices):
        ACTION = "action", "Action RAG"
        OUTCOME = "outcome", "Outcome RAG"

    action = models.ForeignKey(
        DeliveryAction, on_delete=models.CASCADE, related_name="rag_changes"
    )
    which = models.CharField(max_length=7, choices=Which.choices)
    from_rag = models.CharField(max_length=5, choices=Rag.choices)
    to_rag = models.CharField(max_length=5, choices=Rag.choices)
    comment = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_rag=models.F("to_rag")),
                name="reports_ragchange_changes",
            ),
            models.CheckConstraint(
                condition=~models.Q(comment=""), name="reports_ragchange_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_which_display()}: {self.from_rag} to {self.to_rag}"


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
