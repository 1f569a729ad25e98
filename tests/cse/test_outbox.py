"""The outbox: every e-mail is a row written with its change and sent, exactly once in
all but one window, by the task enqueued after commit or by the periodic sweep."""

from __future__ import annotations

import datetime
import logging
import smtplib
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cse import outbox, services
from cse.models import (
    AuditEvent,
    Notification,
    OutboundEmail,
    SharingDecision,
    User,
)
from cse.tasks import email_notification, send_email, sweep_outbox
from tests.factories import UserFactory

Status = OutboundEmail.Status


def _message_id(message) -> str:
    return message.message()["Message-ID"]


def _security_notice_rows(users: list[User]) -> list[OutboundEmail]:
    """Rows as queue_security_notice writes them, without enqueueing a send."""
    return [
        OutboundEmail.objects.create(
            kind=OutboundEmail.Kind.SECURITY_NOTICE, notice="password_changed", user=u
        )
        for u in users
    ]


# --- the broker is down while a change commits --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_share_posted_while_the_broker_refuses_succeeds_and_the_sweep_emails_once(
    client, alice, child, agency_b, broker_refused, caplog
):
    coordinator = UserFactory(agency=agency_b, roles=["cse_coordinator"])
    client.force_login(alice)
    client.raise_request_exception = False
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="cse.tasks"):
        response = client.post(
            reverse("cse:share_create", args=[child.pk]),
            {
                "agency": agency_b.pk,
                "decision": SharingDecision.Decision.SHARE,
                "purpose": "Joint investigation of exploitation concerns",
                "consent": SharingDecision.Consent.GIVEN,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("cse:sharing", args=[child.pk])
    assert time.monotonic() - started < 10  # the refused broker did not hang it
    assert SharingDecision.objects.filter(subject=child, agency=agency_b).exists()
    notification = Notification.objects.get(user=coordinator)
    email = OutboundEmail.objects.get(notification=notification)
    assert email.status == Status.PENDING
    assert mail.outbox == []
    # The failure to enqueue is logged, naming the task and nothing personal.
    warning = [r.getMessage() for r in caplog.records if "enqueue" in r.getMessage()]
    assert warning and "cse.tasks.send_email" in warning[0]
    assert child.reference not in warning[0] and str(email.pk) not in warning[0]

    assert sweep_outbox.apply().get() == 1
    assert sweep_outbox.apply().get() == 0  # the next tick sends nothing more
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [coordinator.email]
    assert _message_id(mail.outbox[0]) == email.message_id
    email.refresh_from_db()
    notification.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 1
    assert notification.emailed_at == email.sent_at


def test_the_email_row_commits_or_rolls_back_with_its_change(alice, child, agency_b):
    UserFactory(agency=agency_b, roles=["cse_coordinator"])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record_sharing_decision(
            by=alice,
            subject=child,
            agency=agency_b,
            decision=SharingDecision.Decision.SHARE,
            purpose="Joint investigation",
            consent=SharingDecision.Consent.GIVEN,
        )
        assert OutboundEmail.objects.count() == 1
        raise RuntimeError("the change fails after its e-mail was queued")
    assert not SharingDecision.objects.exists()
    assert not OutboundEmail.objects.exists()


# --- the database fails while sending ---------------------------------------------


def test_a_database_error_in_the_send_task_is_retried_and_sends_once(alice):
    (email,) = _security_notice_rows([alice])
    failures = []

    def fail_first_claim(execute, sql, params, many, context):
        claim = sql.lstrip().upper().startswith("SELECT")
        if claim and "cse_outboundemail" in sql and not failures:
            failures.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_first_claim):
        result = send_email.apply(args=[email.pk])
    assert failures, "the fault was injected"
    assert result.get() == Status.SENT  # the retry ran and sent
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 1
    assert email.last_error == ""


def test_a_database_error_in_the_sweep_is_retried(alice, bob):
    _security_notice_rows([alice, bob])
    failures = []

    def fail_first_update(execute, sql, params, many, context):
        if "cse_heartbeat" in sql and not failures:
            failures.append(sql)
            raise OperationalError("the database system is starting up")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_first_update):
        assert sweep_outbox.apply().get() == 2
    assert failures and len(mail.outbox) == 2


# --- the process dies after the mail server took the message ------------------------


class DiesAfterSending(EmailBackend):
    """The mail server accepts the message, then the worker is killed before the
    row is marked sent."""

    deaths = 0

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if DiesAfterSending.deaths:
            DiesAfterSending.deaths -= 1
            raise SystemExit("worker killed")
        return sent


def test_a_worker_killed_after_the_smtp_accepted_is_resent_with_the_same_message_id(
    alice, settings
):
    settings.EMAIL_BACKEND = "tests.cse.test_outbox.DiesAfterSending"
    DiesAfterSending.deaths = 1
    (email,) = _security_notice_rows([alice])
    with pytest.raises(SystemExit):
        outbox.send(email.pk)
    email.refresh_from_db()
    assert email.status == Status.PENDING  # the mark was rolled back with the process
    assert len(mail.outbox) == 1

    assert sweep_outbox.apply().get() == 1
    assert len(mail.outbox) == 2  # the duplicate the README warns about, and no loss
    first, second = mail.outbox
    assert _message_id(first) == _message_id(second) == email.message_id
    assert first.subject == second.subject
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert sweep_outbox.apply().get() == 0 and len(mail.outbox) == 2


def test_each_row_has_its_own_message_id_on_the_sending_domain(alice, bob):
    first, second = _security_notice_rows([alice, bob])
    assert first.message_id != second.message_id
    assert first.message_id.startswith("<outbox-")
    assert first.message_id.endswith("@example.org>")


# --- two sweeps at once --------------------------------------------------------------


class SlowBackend(EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.03)  # a mail server's round trip: the sweeps overlap
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_at_once_send_each_row_once(agency_a, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks that skip held rows: PostgreSQL only")
    settings.EMAIL_BACKEND = "tests.cse.test_outbox.SlowBackend"
    users = [UserFactory(agency=agency_a) for _ in range(24)]
    rows = _security_notice_rows(users)
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        try:
            start.wait()
            sent.append(sweep_outbox.apply().get())
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(sent) == len(rows)
    assert all(n > 0 for n in sent), sent  # both sweeps really ran at the same time
    assert len(mail.outbox) == len(rows)
    assert len({_message_id(m) for m in mail.outbox}) == len(rows)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}


# --- the mail server refuses -------------------------------------------------------


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {messages[0].to[0]: (550, b"5.1.1 mailbox unavailable")}
        )


def test_a_refused_email_is_tried_later_then_given_up_and_logged_without_the_address(
    alice, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.cse.test_outbox.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    (email,) = _security_notice_rows([alice])
    send_email.apply(args=[email.pk])
    email.refresh_from_db()
    assert email.status == Status.PENDING and email.attempts == 1
    assert email.last_error == "SMTPRecipientsRefused SMTP 550"
    assert email.next_attempt_at > timezone.now()
    assert sweep_outbox.apply().get() == 0
    email.refresh_from_db()
    assert email.attempts == 1  # not due yet: the sweep left it alone

    with caplog.at_level(logging.WARNING, logger="cse.outbox"):
        for _ in range(2):
            OutboundEmail.objects.filter(pk=email.pk).update(
                next_attempt_at=timezone.now()
            )
            sweep_outbox.apply()
    email.refresh_from_db()
    assert email.status == Status.GAVE_UP and email.attempts == 3
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Gave up" in logged and alice.email not in logged
    # A given-up row is not swept again.
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    sweep_outbox.apply()
    email.refresh_from_db()
    assert email.attempts == 3


def test_the_backoff_doubles_up_to_an_hour():
    waits = [outbox.backoff(n) for n in (1, 2, 3, 7, 8, 20)]
    assert waits == [
        datetime.timedelta(minutes=1),
        datetime.timedelta(minutes=2),
        datetime.timedelta(minutes=4),
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=1),
    ]


def test_a_system_administrator_sees_given_up_emails_and_tries_them_again(
    client, sam, alice
):
    sam.is_staff = True
    sam.save()
    (email,) = _security_notice_rows([alice])
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.GAVE_UP, attempts=8, last_error="SMTPServerDisconnected"
    )
    client.force_login(sam)
    page = client.get("/administration/site/cse/outboundemail/", follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 e-mail(s) could not be sent after 8 tries" in text
    assert "SMTPServerDisconnected" in text
    response = client.post(
        "/administration/site/cse/outboundemail/",
        {"action": "try_again", "_selected_action": [email.pk]},
    )
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == Status.PENDING and email.attempts == 0
    assert AuditEvent.objects.filter(
        user=sam, object_type="cse.outboundemail", object_id=str(email.pk)
    ).exists()
    assert sweep_outbox.apply().get() == 1 and len(mail.outbox) == 1


def test_others_may_not_see_the_outbox(client, alice):
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get("/administration/site/cse/outboundemail/").status_code == 403


# --- what is sent -------------------------------------------------------------------


def test_nothing_is_sent_to_an_account_without_an_address(alice):
    alice.email = ""
    alice.save()
    (email,) = _security_notice_rows([alice])
    assert outbox.send(email.pk) == Status.NOT_SENT
    email.refresh_from_db()
    assert email.last_error == "recipient has no e-mail address"
    assert mail.outbox == []


def test_a_notification_email_names_no_one_and_marks_the_notification(
    alice, child, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = services.notify(
            users=[alice], message=f"Record {child.reference} shared", url="/"
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[CSE case management] You have a new notification"
    assert child.reference not in message.subject + message.body
    assert "Sampleton" not in message.subject + message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_notification_without_email_owes_none(alice):
    services.notify(users=[alice], message="Something", email=False)
    assert not OutboundEmail.objects.exists()


def test_a_message_queued_by_the_previous_release_is_sent_once(alice):
    notification = Notification.objects.create(user=alice, message="Something")
    email_notification.apply(args=[notification.pk])
    email_notification.apply(args=[notification.pk])  # redelivered
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().status == Status.SENT
