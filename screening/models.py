"""Screening tools as data, and the screenings practitioners complete with them.

A `ToolDefinition` is one version of a tool (the regional screening tool, a local
variant such as Sandwell's, the NWG risk assessment): its sections, questions,
category descriptions and associated actions are JSON loaded by a data migration,
so a new local variant or a new version needs no code. A `Screening` keeps the
definition row it was answered against, so later versions never change how an old
screening reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cse.models import Agency, Category, Child, Referral

# Section types a definition may use (checked by screening.tooldefs), and how each is answered:
#   details       one short text answer per item (prefilled from the record/user)
#   text          one long text answer per item
#   timed         per item, any of "current" (current or during the past 6 months)
#                 and "prior" (prior to 6 months ago)
#   tick          the list of ticked item keys
#   action_table  per item, "Done (date) / To be done (timescales)" text
#   persons       persons of interest, by reference, linked to the child on submit

TIMED_CHOICES = [
    ("current", "Current or during the past 6 months"),
    ("prior", "Prior to 6 months ago"),
]


class ToolDefinition(models.Model):
    class Kind(models.TextChoices):
        SCREENING = "screening", "Screening tool"
        RISK_ASSESSMENT = "risk_assessment", "Risk assessment"

    key = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    definition = models.JSONField()
    is_active = models.BooleanField(
        default=True, help_text="Offered for new screenings."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="screening_tooldefinition_key_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def sections(self) -> list[dict]:
        return self.definition.get("sections", [])

    @property
    def categories(self) -> list[dict]:
        return self.definition.get("categories", [])

    def category(self, value: int | None) -> dict | None:
        return next((c for c in self.categories if c["value"] == value), None)

    @property
    def category_source(self) -> str:
        return self.definition.get("category_source", "screening")


class Screening(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    definition = models.ForeignKey(
        ToolDefinition, on_delete=models.PROTECT, related_name="screenings"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # {section key: answer}; the shape of each answer depends on the section type.
    answers = models.JSONField(default=dict, blank=True)
    category = models.PositiveSmallIntegerField(
        choices=Category.choices, null=True, blank=True
    )
    rationale = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    author_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # A correction of a submitted screening is a new screening pointing at it.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["child", "status", "-submitted_at"],
                name="screening_child_latest",
            ),
            models.Index(fields=["status", "acknowledged_at"], name="screening_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (
                    models.Q(submitted_at__isnull=False, category__isnull=False)
                    & ~models.Q(rationale="")
                ),
                name="screening_screening_submitted_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("screening:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"S-{self.pk:06d}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def answer(self, section_key: str, default=None):
        return self.answers.get(section_key, default)

    def significant_count(self) -> int:
        """How many significant indicators are ticked (either period)."""
        return sum(
            1
            for section in self.definition.sections
            if section["type"] == "timed"
            for periods in (self.answers.get(section["key"]) or {}).values()
            if periods
        )

    @property
    def needs_action(self) -> bool:
        """One significant indicator necessitates action under LSCB procedures."""
        return self.significant_count() > 0

    def ticked_count(self, section_key: str) -> int:
        return len(self.answers.get(section_key) or [])

    @property
    def category_label(self) -> str:
        category = self.definition.category(self.category)
        return category["title"] if category else "Not chosen"


class ScreeningAction(models.Model):
    """An associated action of the chosen category, tracked to completion."""

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Not needed"

    screening = models.ForeignKey(
        Screening, on_delete=models.CASCADE, related_name="actions"
    )
    key = models.SlugField(max_length=50)
    title = models.CharField(max_length=300)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "key"], name="screening_screeningaction_once"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


def display_sections(screening: Screening, persons: dict | None = None) -> list[dict]:
    """The answers laid out for reading (page and PDF): every section, with its
    questions and answers as text, in the definition's order."""
    persons = persons or {}
    periods = dict(TIMED_CHOICES)
    result = []
    for section in screening.definition.sections:
        kind = section["type"]
        answer = screening.answers.get(section["key"])
        rows: list[tuple[str, str]] = []
        if kind == "tick":
            ticked = set(answer or [])
            rows = [
                (item["label"], "Ticked")
                for item in section["items"]
                if item["key"] in ticked
            ]
            result.append(
                {
                    "title": section["title"],
                    "type": kind,
                    "rows": rows,
                    "count": len(rows),
                    "total": len(section["items"]),
                }
            )
            continue
        values = answer or {}
        for item in section["items"]:
            if kind == "timed":
                chosen = values.get(item["key"]) or []
                text = "; ".join(periods[p] for p in chosen if p in periods) or "No"
            elif kind == "persons" and item["key"] == "persons":
                text = ", ".join(
                    str(persons.get(pk, f"P-{pk:06d}"))
                    for pk in values.get("person_ids", [])
                )
                text = text or "None named"
            else:
                text = values.get(item["key"], "") or "Not answered"
            rows.append((item["label"], text))
        result.append(
            {
                "title": section["title"],
                "type": kind,
                "rows": rows,
                "count": sum(
                    1 for _, v in rows if v not in {"No", "Not answered", "None named"}
                ),
                "total": len(rows),
            }
        )
    return result
