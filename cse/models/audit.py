"""The append-only audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .organisation import Agency
from .subjects import Subject


class AuditEvent(models.Model):
    """Who did what to which record, when, and from where.

    Rows are only ever inserted (cse.audit.record). On PostgreSQL the app's database
    role may only INSERT and SELECT here, and triggers refuse UPDATE, DELETE and
    TRUNCATE even to the owner, so not even a bug or a console session can rewrite
    history; users who have events are deactivated, never deleted.

    Each event is a link in one of a few hash chains (`chain`, numbered from 0):
    `digest` is SHA-256 over its own fields, `hash` over that, its place and the
    previous link's hash, and `seq` counts the links of its chain from 1
    (cse.audit_chain). A changed, removed or inserted row breaks the chain where it
    happened (`manage.py verify_audit`).
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        SEARCH = "search", "Searched"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        SHARE = "share", "Shared"
        DECLINE_SHARE = "decline_share", "Decided not to share"
        WITHDRAW_SHARE = "withdraw_share", "Withdrew a share"
        EXPORT = "export", "Exported"
        PRINT = "print", "Printed"
        IMPORT = "import", "Imported"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOCKED_OUT = "locked_out", "Sign-in paused after failures"
        VIEW_AUDIT = "view_audit", "Viewed the audit trail"
        DENIED = "denied", "Refused access"
        STEP_UP = "step_up", "Confirmed identity again"
        STEP_UP_FAILED = "step_up_failed", "Failed to confirm identity"
        SECOND_FACTOR = "second_factor", "Passed the second sign-in step"
        SECOND_FACTOR_FAILED = "second_factor_failed", "Failed the second sign-in step"
        FACTOR_CHANGE = "factor_change", "Changed sign-in factors"
        PASSWORD_RESET = "password_reset", "Reset a password"
        SESSIONS_ENDED = "sessions_ended", "Ended a user's sessions"
        BREAK_GLASS = "break_glass", "Opened a record through break-glass"
        BREAK_GLASS_REVIEW = "break_glass_review", "Reviewed a break-glass access"
        DELETE = "delete", "Deleted"
        ADMIN_REQUEST = "admin_request", "Asked a second administrator to approve"
        ADMIN_APPROVE = "admin_approve", "Approved another administrator's change"
        ADMIN_REFUSE = "admin_refuse", "Refused another administrator's change"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # The record the event is about (for events on a child's screening, the child),
    # so "who accessed this child" is one indexed lookup.
    subject = models.ForeignKey(
        Subject,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=40, blank=True)
    # Set when the request was served under a break-glass grant (cse.audit.record
    # reads it from the request context), so the owning agency can review exactly
    # what was looked at.
    break_glass = models.ForeignKey(
        "cse.BreakGlass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    digest = models.CharField(max_length=64, blank=True)
    # The place in the chain: on PostgreSQL the insert trigger sets these (fields
    # with a database default are read back from the insert).
    chain = models.PositiveSmallIntegerField(db_default=0)
    seq = models.PositiveBigIntegerField(db_default=0)
    prev_hash = models.CharField(max_length=64, blank=True, db_default="")
    hash = models.CharField(max_length=64, blank=True, db_default="")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "-at"], name="cse_audit_subject"),
            models.Index(fields=["user", "-at"], name="cse_audit_user"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="cse_audit_one_link_per_place"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"
        )
