"""The notification e-mail task, run by a real Celery worker on the configured broker
(Redis in CI, the filesystem broker on a laptop)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from cse import celery_app
from cse.models import Notification
from cse.tasks import email_notification


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
    notification = Notification.objects.create(
        user=alice, message="Record C-000001 shared"
    )
    email_notification.delay(notification.pk)
    email_notification.delay(notification.pk)  # a redelivered or repeated message
    assert wait_for(
        lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None
    )
    time.sleep(1)  # give the second message time to be consumed
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("You have a new notification")
    assert "C-000001" not in mail.outbox[0].body


def test_it_does_nothing_for_a_notification_already_emailed(db, alice):
    notification = Notification.objects.create(user=alice, message="Something")
    email_notification(notification.pk)
    email_notification(notification.pk)
    assert len(mail.outbox) == 1


def test_it_skips_users_without_an_email_address(db, alice):
    alice.email = ""
    alice.save()
    notification = Notification.objects.create(user=alice, message="Something")
    email_notification(notification.pk)
    assert mail.outbox == []
