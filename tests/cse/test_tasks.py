"""The outbox e-mail tasks, run by a real Celery worker on the configured broker
(Redis in CI, the filesystem broker on a laptop)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from cse import celery_app, services
from cse.models import Notification, OutboundEmail
from cse.tasks import send_email, sweep_outbox


@pytest.fixture
def worker(transactional_db):
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ):
            yield
    finally:
        celery_app.conf.task_always_eager = True


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_sends_each_notification_email_once(worker, alice):
    with transaction.atomic():
        (notification,) = services.notify(
            users=[alice], message="Record C-000001 shared"
        )
    email = OutboundEmail.objects.get(notification=notification)
    send_email.delay(email.pk)  # a redelivered or repeated message
    sweep_outbox.delay()  # and the sweep, at the same moment
    assert wait_for(
        lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None
    )
    time.sleep(1)  # give the other messages time to be consumed
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("You have a new notification")
    assert "C-000001" not in mail.outbox[0].body
    assert mail.outbox[0].message()["Message-ID"] == email.message_id


def test_it_does_nothing_for_an_email_already_sent(db, alice):
    (notification,) = services.notify(users=[alice], message="Something")
    email = OutboundEmail.objects.get(notification=notification)
    send_email(email.pk)
    send_email(email.pk)
    assert len(mail.outbox) == 1


def test_it_skips_users_without_an_email_address(db, alice):
    alice.email = ""
    alice.save()
    (notification,) = services.notify(users=[alice], message="Something")
    send_email(OutboundEmail.objects.get(notification=notification).pk)
    assert mail.outbox == []
