"""Break-glass: a time-boxed, read-only look at one record not shared with the
user's agency, for an emergency, recorded with its reason and reviewed afterwards
by the owning agency's CSE coordinators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .organisation import Agency
from .subjects import Subject


class BreakGlass(models.Model):
    class Reason(models.TextChoices):
        IMMEDIATE_RISK_TO_CHILD = "immediate_risk", "Immediate risk to a child"
        MISSING_CHILD = "missing_child", "A child is missing now"
        RISK_TO_LIFE = "risk_to_life", "Risk to someone's life"
        URGENT_REFERRAL = (
            "urgent_referral",
            "Urgent referral from another agency outside office hours",
        )
        OTHER_EMERGENCY = "other_emergency", "Another emergency"

    class Review(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        APPROPRIATE = "appropriate", "Appropriate"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The agencies at the time: the user's may change later, the owner's may not.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    reason_category = models.CharField(max_length=30, choices=Reason.choices)
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    review = models.CharField(
        max_length=20, choices=Review.choices, default=Review.PENDING
    )
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = "break-glass access"
        verbose_name_plural = "break-glass accesses"
        indexes = [
            models.Index(fields=["user", "-expires_at"], name="cse_breakglass_user"),
            models.Index(
                fields=["owner_agency", "review", "-granted_at"],
                name="cse_breakglass_review",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")),
                name="cse_breakglass_expires_after_grant",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="cse_breakglass_has_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(review="pending")
                | (models.Q(reviewed_at__isnull=False) & ~models.Q(review_comment="")),
                name="cse_breakglass_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Break-glass BG-{self.pk:06d}"

    @property
    def reference(self) -> str:
        return f"BG-{self.pk:06d}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()


__all__ = ["BreakGlass"]
