"""Four-eyes administration: a change that would let an account see case records
(a case-working or administrator role, a move to another agency, a new e-mail
address for an account holding such a role) waits for a second system
administrator, who is neither the one who asked nor the account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .organisation import Agency, Role


class AdministrationRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Awaiting a second administrator"
        APPROVED = "approved", "Approved and applied"
        REFUSED = "refused", "Refused"

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="administration_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # The agency the account moves to; empty when only roles are asked for.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The account's agency when it was asked, so the approver sees the move.
    agency_before = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    roles_to_add = models.JSONField(default=list, blank=True)
    # A new e-mail address for an account that holds such a role: password-reset
    # links go there, so changing it alone would hand the account over.
    email = models.EmailField("new e-mail address", blank=True)
    email_before = models.EmailField(blank=True)
    reason = models.TextField(blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "administration change awaiting approval"
        verbose_name_plural = "administration changes awaiting approval"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="pending")
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="cse_administrationrequest_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Change to {self.account} asked by {self.requested_by}"

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles_to_add]

    @property
    def change_description(self) -> str:
        parts = []
        if self.agency_id is not None:
            before = self.agency_before or "no agency"
            parts.append(f"move from {before} to {self.agency}")
        if self.roles_to_add:
            parts.append("add " + ", ".join(self.role_labels))
        if self.email:
            parts.append(
                f"change e-mail from {self.email_before or 'none'} to {self.email}"
            )
        return "; ".join(parts)
