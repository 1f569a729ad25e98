"""Referrals of a child, person of interest or location to a multi-agency forum.

Screening (categories 2 and 3), missing-pattern rules, meetings and professionals all
refer here; the meetings part of the product triages them onto agendas. Until it does,
they wait as pending referrals for the area's CSE coordinator.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .organisation import Agency, LocalArea
from .subjects import Subject


class Forum(models.TextChoices):
    """The standing multi-agency meetings of the regional framework."""

    MASE = "mase", "Multi-agency sexual exploitation meeting (MASE)"
    CMOG = "cmog", "Child exploitation and missing operational group (CMOG/CEMOG)"
    MISPER = "misper", "Missing persons meeting"
    PERPETRATOR = "perpetrator", "Perpetrator case-management forum"
    LOCATIONAL = "locational", "Locational tasking"
    STRATEGY = "strategy", "Strategy meeting"


class Referral(models.Model):
    class Source(models.TextChoices):
        SCREENING = "screening", "Screening tool"
        MISSING_PATTERN = "missing_pattern", "Missing pattern"
        MEETING = "meeting", "Multi-agency meeting"
        PROFESSIONAL = "professional", "Professional's referral"
        INTELLIGENCE = "intelligence", "Intelligence report"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for triage"
        ACCEPTED = "accepted", "Accepted onto an agenda"
        DEFERRED = "deferred", "Deferred"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CLOSED = "closed", "Closed"

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="referrals"
    )
    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, related_name="referrals"
    )
    forum = models.CharField(max_length=20, choices=Forum.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    # What raised it (a screening, a pattern flag, a meeting decision), if anything.
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    synopsis = models.TextField()
    is_urgent = models.BooleanField("urgent", default=False)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    referred_by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="+"
    )
    referred_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-is_urgent", "referred_at", "pk"]
        indexes = [
            models.Index(
                fields=["local_area", "forum", "status"], name="cse_referral_queue"
            ),
        ]
        constraints = [
            # An automatic referral is raised once per source and forum.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "forum", "subject"],
                condition=models.Q(source_id__isnull=False),
                name="cse_referral_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_forum_display()} referral of {self.subject.reference}"
