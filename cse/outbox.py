"""Every e-mail the app sends goes through here: durable before anyone is told.

A change that calls for an e-mail writes an `OutboundEmail` row in its own
transaction (`queue_*`), so the change and the e-mail commit or roll back together.
After commit a task to send it is enqueued, best-effort; the periodic sweep
(`cse.tasks.sweep_outbox`, every OUTBOX_SWEEP_SECONDS) sends whatever is still due,
so an e-mail waits at most one sweep for a broker that was down, a worker that died
or a database that restarted.

Sending one row (`send`) holds its row lock (skipping rows another sender holds)
from before the message goes to the mail server until the row is marked sent, so
two senders never send the same row. The one window for a duplicate is a process
dying after the mail server accepted the message and before that commit: the row
is still pending and is sent again, with the same Message-ID, so the copy is
recognisable. A failure to send is counted on the row with its kind (never its
text, which can repeat an address) and tried again later, backing off; after
OUTBOX_MAX_ATTEMPTS tries the row is given up and shown to system administrators
in the administration site, where it can be tried again.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cse.models import Heartbeat, Notification, OutboundEmail, User

logger = logging.getLogger("cse.outbox")

Kind, Status = OutboundEmail.Kind, OutboundEmail.Status

# What a security notice says: a fixed subject and text, naming no one.
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


# --- queueing (inside the change's transaction) ----------------------------------


def queue_notification_email(notification: Notification) -> OutboundEmail:
    """Owe the notification's user an e-mail saying there is something to look at."""
    return _queue(
        kind=Kind.NOTIFICATION, user=notification.user, notification=notification
    )


def queue_security_notice(*, user: User, kind: str) -> OutboundEmail:
    """Owe an account holder a notice of a security event (SECURITY_NOTICES)."""
    if kind not in SECURITY_NOTICES:
        raise ValueError(f"Unknown security notice {kind!r}")
    return _queue(kind=Kind.SECURITY_NOTICE, user=user, notice=kind)


def queue_password_reset(*, user: User) -> OutboundEmail:
    """Owe a user a password reset link; the link is made when the e-mail is sent."""
    return _queue(kind=Kind.PASSWORD_RESET, user=user)


def _queue(**fields) -> OutboundEmail:
    from cse.tasks import send_email

    email = OutboundEmail.objects.create(**fields)
    send_email.delay_on_commit(email.pk)
    return email


# --- sending (any number of times, by any number of processes) ---------------------


def send_due(*, limit: int | None = None) -> int:
    """Send the rows that are due, oldest first; the number sent."""
    limit = limit or settings.OUTBOX_SWEEP_BATCH
    due = list(
        OutboundEmail.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return 0
    sent = 0
    connection = get_connection()  # opened by the first send, reused by the rest
    try:
        for pk in due:
            sent += send(pk, connection=connection) == Status.SENT
    finally:
        _close(connection)
    return sent


def send(pk: int, *, connection=None) -> str:
    """Send one row if it is still pending and no other sender holds it; the row's
    status afterwards ("" when another sender holds it or it is no longer pending).
    The sweep sends only rows whose retry time has come; the task enqueued after
    commit sends its row at once.

    Database errors propagate (the caller's task retries); any other failure is
    counted on the row. Anything that stops the process (SystemExit, a killed
    worker) rolls the transaction back: the row stays pending and is sent again.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "notification")
            .filter(pk=pk, status=Status.PENDING)
            .first()
        )
        if email is None:
            return ""
        try:
            message, reason = _message(email)
            if message is not None:
                if connection is not None:
                    connection.open()
                    message.connection = connection
                message.send()
        except DatabaseError:
            raise
        except Exception as error:
            _count_failure(email, error)
            if connection is not None:
                _close(connection)  # the next row starts a fresh one
            return email.status
        now = timezone.now()
        email.attempts += 1
        email.last_error = reason
        if message is None:
            email.status = Status.NOT_SENT
        else:
            email.status, email.sent_at = Status.SENT, now
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        if email.notification_id and message is not None:
            Notification.objects.filter(pk=email.notification_id).update(emailed_at=now)
        return email.status


def _close(connection) -> None:
    try:
        connection.close()
    except Exception as error:  # a connection that already failed
        logger.info("Closing the mail connection failed (%s)", type(error).__name__)


def _count_failure(email: OutboundEmail, error: Exception) -> None:
    email.attempts += 1
    email.last_error = describe(error)
    if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        email.status = Status.GAVE_UP
        logger.error(
            "Gave up on outgoing e-mail %s (%s) after %s attempts: %s",
            email.pk,
            email.kind,
            email.attempts,
            email.last_error,
        )
    else:
        email.next_attempt_at = timezone.now() + backoff(email.attempts)
        logger.warning(
            "Outgoing e-mail %s (%s) not sent, attempt %s: %s",
            email.pk,
            email.kind,
            email.attempts,
            email.last_error,
        )
    email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, ... minutes after the first, second, third failure; at most an hour."""
    return datetime.timedelta(seconds=min(60 * 2 ** (attempts - 1), 3600))


def describe(error: BaseException) -> str:
    """The kind of failure, safe to store and show: the class, an SMTP reply code or
    an errno, never the message (an SMTP refusal repeats the address)."""
    parts = [type(error).__name__]
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({reply[0] for reply in error.recipients.values()})
        parts.append("SMTP " + ", ".join(str(c) for c in codes))
    elif isinstance(code, int):
        parts.append(f"SMTP {code}")
    elif isinstance(getattr(error, "errno", None), int):
        parts.append(f"errno {error.errno}")
    return " ".join(parts)[:200]


def try_again(email: OutboundEmail) -> bool:
    """Put a given-up e-mail back in the queue, its count restarted."""
    updated = OutboundEmail.objects.filter(pk=email.pk, status=Status.GAVE_UP).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    return bool(updated)


# --- the messages ------------------------------------------------------------------


def _message(email: OutboundEmail) -> tuple[EmailMessage | None, str]:
    """The message for a row, or None and why there is none to send. Subjects are
    fixed; bodies carry a link to the app, never personal data."""
    user = email.user
    if not user.email:
        return None, "recipient has no e-mail address"
    if email.kind == Kind.NOTIFICATION:
        subject = "You have a new notification"
        body = render_to_string(
            "emails/notification.txt", {"user": user, "site_url": settings.SITE_URL}
        )
    elif email.kind == Kind.SECURITY_NOTICE:
        subject, text = SECURITY_NOTICES[email.notice]
        body = f"{text}\n\n{settings.SITE_URL}\n\nOFFICIAL-SENSITIVE"
    elif email.kind == Kind.PASSWORD_RESET:
        if not user.is_active or not user.has_usable_password():
            return None, "account inactive or without a password"
        subject = "Reset your password"
        body = render_to_string(
            "emails/password_reset.txt",
            {
                "link": _password_reset_link(user),
                "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
        )
    else:  # pragma: no cover - the choices are closed
        raise ValueError(f"Unknown kind {email.kind!r}")
    message = EmailMessage(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": email.message_id},
    )
    return message, ""


def _password_reset_link(user: User) -> str:
    """A link that works once and for PASSWORD_RESET_TIMEOUT seconds from now."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


# --- heartbeats ----------------------------------------------------------------------


def record_heartbeat(name: str) -> None:
    """Note that a periodic job ran now (cse.health reads it)."""
    now = timezone.now()
    with transaction.atomic():  # a failure leaves a caller's transaction usable
        updated = Heartbeat.objects.filter(name=name).update(at=now)
    if not updated:
        try:
            with transaction.atomic():
                Heartbeat.objects.create(name=name, at=now)
        except IntegrityError:  # another run created it a moment ago
            Heartbeat.objects.filter(name=name).update(at=now)
