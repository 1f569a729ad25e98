"""Background jobs of the core: thin shells that take ids and do one idempotent thing.

E-mails are rows of the outbox (cse.outbox): `send_email` sends one after its change
commits, `sweep_outbox` every minute sends whatever is still due, so a broker, worker
or database outage delays an e-mail without losing it.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from cse import kept_work, outbox
from cse.models import Notification, OutboundEmail, User
from cse.outbox import SECURITY_NOTICES  # noqa: F401 (imported from here too)

# A database restarting or failing over: try again shortly, backing off.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def send_email(email_id: int) -> str:
    """Send one outbox row, if it is still pending (a repeat does nothing)."""
    return outbox.send(email_id)


@shared_task(
    acks_late=True,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
)
def sweep_outbox() -> int:
    """Every OUTBOX_SWEEP_SECONDS (beat): send every e-mail that is due. Records the
    heartbeat first, so the readiness check sees beat and a worker alive however
    long the sending takes."""
    outbox.record_heartbeat("beat")
    return outbox.send_due()


# Messages queued by releases before the outbox name these tasks: each turns its
# message into an outbox row and sends it, so an upgrade loses none of them.


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True)
def email_notification(notification_id: int) -> None:
    notification = Notification.objects.filter(
        pk=notification_id, emailed_at__isnull=True
    ).first()
    if notification is not None:
        email = OutboundEmail.objects.filter(notification=notification).first()
        outbox.send((email or outbox.queue_notification_email(notification)).pk)


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True)
def email_security_notice(user_id: int, kind: str) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        outbox.send(outbox.queue_security_notice(user=user, kind=kind).pk)


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True)
def email_password_reset(user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        outbox.send(outbox.queue_password_reset(user=user).pk)


@shared_task
def delete_old_submission_tokens() -> int:
    """Forget the form tokens claimed more than SUBMISSION_TOKEN_DAYS ago (refused by
    then anyway). Running it twice deletes nothing the second time."""
    from cse import submission_tokens

    return submission_tokens.delete_expired()


@shared_task
def delete_expired_kept_work() -> int:
    """Delete forms kept after an idle sign-out that nobody came back for in
    KEPT_WORK_MINUTES (cse/kept_work.py). Running it twice deletes nothing twice."""
    return kept_work.delete_expired()
