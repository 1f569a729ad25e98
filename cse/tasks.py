"""Background jobs of the core: thin shells that take ids and do one idempotent thing."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cse.models import Notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notification(notification_id: int) -> None:
    """E-mail a user that something awaits them in the app.

    The row lock and `emailed_at` make this safe to run twice (a redelivered message,
    two workers): the second run finds it sent and does nothing. The e-mail has a
    fixed subject and a link; the message itself stays in the app.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.user.email:
            return
        body = render_to_string(
            "emails/notification.txt",
            {"user": notification.user, "site_url": settings.SITE_URL},
        )
        send_mail(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}You have a new notification",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.user.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])


SECURITY_NOTICES = {
    "locked_out": (
        "Sign-in paused after failed attempts",
        "There have been several failed attempts to sign in to your account, so signing "
        "in from that address is paused for a while. If this was not you, tell your "
        "system administrator.",
    ),
    "password_changed": (
        "Your password was changed",
        "The password for your account was changed and your other sessions were ended. "
        "If you did not do this, tell your system administrator now.",
    ),
}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_security_notice(user_id: int, kind: str) -> None:
    """Tell an account holder about a security event on their account."""
    from cse.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return
    subject, body = SECURITY_NOTICES[kind]
    send_mail(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        message=f"{body}\n\n{settings.SITE_URL}\n\nOFFICIAL-SENSITIVE",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
