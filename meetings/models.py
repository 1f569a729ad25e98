"""Multi-agency meetings: their types (local configuration), agendas, attendance,
notes, decisions, actions and the documents printed from them."""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.db import models
from django.utils import timezone

from cse.dates import LONDON, add_months, add_working_days, working_days_between
from cse.models import Agency, Category, Forum, LocalArea, Referral, Role, Subject

DEFAULT_CONFIDENTIALITY = (
    "All information discussed at this meeting is strictly confidential and must not "
    "be disclosed to third parties. All documents circulated in connection with this "
    "meeting are to be considered restricted documents and must not be disclosed to "
    "third parties. Information given at this meeting is confidential. Matters "
    "discussed here should only be disclosed to professional colleagues with a real "
    "need to know. It is important that it is clear from individual contributions "
    "what is fact and what is opinion."
)


class MeetingType(models.Model):
    """A kind of meeting with its agenda template and rules.

    Rows without a local area are the regional defaults shipped with the product;
    an area copies and adjusts them (local rules are data). Member agencies are given
    by agency kind, so one template serves every area; a meeting gets the area's
    agencies of those kinds when it is created.
    """

    local_area = models.ForeignKey(
        LocalArea,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_types",
    )
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=60)
    forum = models.CharField(max_length=20, choices=Forum.choices)
    chair_role = models.CharField(
        max_length=40, choices=Role.choices, default=Role.MEETING_CHAIR
    )
    core_agency_kinds = models.JSONField(default=list)
    virtual_agency_kinds = models.JSONField(default=list, blank=True)
    # Quorum: at least this share of core member agencies present.
    quorum_fraction = models.DecimalField(max_digits=3, decimal_places=2, default=0.5)
    circulation_lead_days = models.PositiveSmallIntegerField(
        "circulation lead time (working days before the meeting)", default=7
    )
    minutes_deadline_days = models.PositiveSmallIntegerField(
        "minutes deadline (working days after the meeting)", default=10
    )
    # Standard agenda items, in order (seed 000 appendices 3 and 4; seed 004).
    standard_items = models.JSONField(default=list)
    # Which kinds of record have their own section on the agenda, in order.
    subject_sections = models.JSONField(default=list)
    confidentiality_statement = models.TextField(default=DEFAULT_CONFIDENTIALITY)
    # A MASE reviews each child's plan at most three months after the last.
    review_interval_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_area", "slug"], name="meetings_meetingtype_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CIRCULATED = "circulated", "Agenda circulated"
        HELD = "held", "Held"
        CLOSED = "closed", "Minutes approved"

    meeting_type = models.ForeignKey(
        MeetingType, on_delete=models.PROTECT, related_name="meetings"
    )
    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, related_name="meetings"
    )
    organiser_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="organised_meetings"
    )
    starts_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_meetings",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    circulated_at = models.DateTimeField(null=True, blank=True)
    late_circulation_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    late_circulation_allowed_at = models.DateTimeField(null=True, blank=True)
    late_circulation_reason = models.TextField(blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(
                fields=["local_area", "meeting_type", "starts_at"],
                name="meetings_meeting_by_type",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_type} on {self.day:%d %B %Y}"

    @property
    def day(self) -> datetime.date:
        return self.starts_at.astimezone(LONDON).date()

    @property
    def circulation_deadline(self) -> datetime.date:
        """The last day the agenda may go out without the chair allowing it late."""
        return add_working_days(self.day, -self.meeting_type.circulation_lead_days)

    @property
    def minutes_due(self) -> datetime.date:
        return add_working_days(self.day, self.meeting_type.minutes_deadline_days)

    def circulation_is_late(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.circulation_deadline

    def minutes_warning(self, today: datetime.date | None = None) -> str:
        """A warning while minutes are unapproved and their deadline is near or past."""
        today = today or timezone.localdate()
        if self.minutes_approved_at or today < self.day:
            return ""
        left = working_days_between(today, self.minutes_due)
        if left < 0:
            return f"The minutes were due on {self.minutes_due:%d %B %Y}"
        if left <= 3:
            return (
                f"The minutes are due on {self.minutes_due:%d %B %Y} "
                f"({left} working day{'s' if left != 1 else ''} left)"
            )
        return ""

    @property
    def review_limit(self) -> datetime.date | None:
        months = self.meeting_type.review_interval_months
        return add_months(self.day, months) if months else None


class MeetingMember(models.Model):
    """An agency invited to a meeting: core members count towards quorum; virtual
    members receive what is circulated to them."""

    class Kind(models.TextChoices):
        CORE = "core", "Core member"
        VIRTUAL = "virtual", "Virtual member"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="members"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    circulated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency"], name="meetings_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_kind_display().lower()})"


class AgendaItem(models.Model):
    class Section(models.TextChoices):
        STANDARD = "standard", "Standard items"
        CHILD = "child", "Children and young people"
        PERSON = "person", "Persons of interest"
        LOCATION = "location", "Locations"
        VEHICLE = "vehicle", "Vehicles"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    section = models.CharField(max_length=10, choices=Section.choices)
    title = models.CharField(max_length=200, blank=True)
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_standing = models.BooleanField(default=False)
    is_late_addition = models.BooleanField("urgent late addition", default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "subject"],
                condition=models.Q(subject__isnull=False),
                name="meetings_agendaitem_subject_once",
            )
        ]

    def __str__(self) -> str:
        # Never the record's reference: whoever reads this may not see the record
        # (meetings.permissions.item_label names it for a given reader).
        return self.title or f"Item {self.pk}"


class ItemNote(models.Model):
    """An update or discussion note on an item, marked as fact or opinion (seed 000:
    "it is important that it is clear ... what is fact and what is opinion")."""

    class Basis(models.TextChoices):
        FACT = "fact", "Fact"
        OPINION = "opinion", "Opinion"

    class Kind(models.TextChoices):
        UPDATE = "update", "Update"
        DISCUSSION = "discussion", "Discussion"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    text = models.TextField()
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} note {self.pk}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue to monitor"
        DISCHARGE = "discharge", "Discharge from the meeting"
        ESCALATE = "escalate", "Refer to another meeting"
        NO_FURTHER_ACTION = "no_further_action", "No further action"

    # Outcomes that take the record off the meeting's standing list.
    REMOVES = frozenset({Outcome.DISCHARGE, Outcome.NO_FURTHER_ACTION})

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rationale = models.TextField()
    category_reviewed = models.PositiveSmallIntegerField(
        choices=Category.choices, null=True, blank=True
    )
    next_review_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return self.get_outcome_display()


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        DEPUTY = "deputy", "Present as deputy"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance"
    )
    name = models.CharField(max_length=150)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("role or job title", max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    deputy_for = models.CharField(max_length=150, blank=True)
    accepted_confidentiality_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.agency}"

    @property
    def is_present(self) -> bool:
        return self.status in {self.Status.PRESENT, self.Status.DEPUTY}


def quorum_for(meeting: Meeting, attendance: list[Attendance]) -> dict:
    """Core member agencies present against the number needed (at least half by
    default, rounded up)."""
    core = {
        m.agency_id for m in meeting.members.all() if m.kind == MeetingMember.Kind.CORE
    }
    present = {a.agency_id for a in attendance if a.is_present} & core
    needed = math.ceil(len(core) * float(meeting.meeting_type.quorum_fraction))
    return {
        "core": len(core),
        "present": len(present),
        "needed": needed,
        "quorate": len(core) > 0 and len(present) >= needed,
    }


class Action(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"
        DISMISSED = "dismissed", "Dismissed"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="actions"
    )
    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField()
    assigned_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="meeting_actions"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="meetings_action_due"),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.due_on < (
            today or timezone.localdate()
        )


class ActionUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Update {self.pk} on action {self.action_id}"


class ActionReminder(models.Model):
    """One row per overdue action reminded: the idempotency key of the daily job."""

    action = models.OneToOneField(
        Action, on_delete=models.CASCADE, related_name="reminder"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reminder for action {self.action_id}"


class MeetingDocument(models.Model):
    """A printed agenda, action document or minutes, rendered in the background into
    private storage; the row holds the progress the page shows.

    A document belongs to the agency that receives it: it is built as that agency
    may see the records (never as the person who asked for it) and only that
    agency's staff find or download it."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        ACTIONS = "actions", "Action document"
        MINUTES = "minutes", "Minutes"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Rendering"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="meetings/", blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="built for",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0
