"""E-mails owed, and when the periodic jobs last ran."""

from __future__ import annotations

import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .records import Notification


class OutboundEmail(models.Model):
    """An e-mail the app owes someone, written in the same transaction as the change
    that calls for it, so the change and the promise to tell commit together.

    `cse.outbox` sends it: any number of times, from the task enqueued after commit
    or from the periodic sweep; the row says whether it has gone. The body is built
    when it is sent (a password reset link is never stored) and carries no personal
    data; `last_error` holds the kind of failure only, never an address or text.
    """

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", "Notification"
        SECURITY_NOTICE = "security_notice", "Security notice"
        PASSWORD_RESET = "password_reset", "Password reset link"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        NOT_SENT = "not_sent", "Not needed (no address, or account inactive)"
        GAVE_UP = "gave_up", "Gave up after repeated failures"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Which security notice (cse.outbox.SECURITY_NOTICES); empty for other kinds.
    notice = models.CharField(max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="recipient",
    )
    notification = models.OneToOneField(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email",
    )
    # Names the message: its Message-ID is the same on every try, so a resend after a
    # crash is recognisable as the same e-mail.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outgoing e-mail"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="cse_outboundemail_due"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="notification") | Q(notification__isnull=False),
                name="cse_outboundemail_notification_has_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} e-mail {self.pk}"

    @property
    def message_id(self) -> str:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
        return f"<outbox-{self.token}@{domain or 'localhost'}>"


class Heartbeat(models.Model):
    """When a periodic job last ran; the readiness check reads it to tell that beat
    schedules and a worker runs."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
