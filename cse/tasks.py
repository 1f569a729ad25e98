"""Background jobs of the core: thin shells that take ids and do one idempotent thing."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cse import kept_work
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
    "password_reset": (
        "Your password was reset",
        "The password for your account was reset through the link sent to this "
        "address, and your sessions were ended. If you did not do this, tell your "
        "system administrator now.",
    ),
    "factor_changed": (
        "Your sign-in factors were changed",
        "An authenticator app, security key or set of recovery codes was added to or "
        "replaced on your account. If you did not do this, tell your system "
        "administrator now.",
    ),
    "factors_reset": (
        "Your sign-in factors were reset",
        "A system administrator removed the authenticator apps, security keys and "
        "recovery codes from your account and ended your sessions. You will set up "
        "an authenticator app the next time you sign in. If you did not ask for "
        "this, tell your system administrator now.",
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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_password_reset(user_id: int) -> None:
    """Send an active user a link to choose a new password. The link works once and
    for PASSWORD_RESET_TIMEOUT seconds; the subject is fixed and the e-mail names no one.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from cse.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    body = render_to_string(
        "emails/password_reset.txt",
        {
            "link": settings.SITE_URL.rstrip("/") + path,
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )
    send_mail(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}Reset your password",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@shared_task
def delete_expired_kept_work() -> int:
    """Delete forms kept after an idle sign-out that nobody came back for in
    KEPT_WORK_MINUTES (cse/kept_work.py). Running it twice deletes nothing twice."""
    return kept_work.delete_expired()
