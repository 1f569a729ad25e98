"""Reminders and overdue alerts: each exactly once, with a real Celery worker, two
scans at once, and a scan that dies mid-run."""

import datetime
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection

from cse import celery_app
from cse.models import Notification
from missing import services
from missing.models import InterviewAlert
from missing.tasks import scan_return_interviews
from tests.missing.helpers import episode


def _returned(child, by, hours_ago):
    now = datetime.datetime.now(datetime.UTC)
    return episode(
        child,
        by,
        now - datetime.timedelta(hours=hours_ago + 2),
        returned=now - datetime.timedelta(hours=hours_ago),
    )


def test_a_reminder_at_24_hours_left_and_an_overdue_alert_at_72(alice, carol, child):
    _returned(child, alice, 50)  # 22 hours left
    assert services.send_due_alerts() == 1
    assert InterviewAlert.objects.get().kind == "reminder"
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {"alice", "carol"}
    assert all("Testchild" not in m.subject + m.body for m in mail.outbox)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=23)
    assert services.send_due_alerts(now=later) == 1
    assert services.send_due_alerts(now=later) == 0
    assert set(InterviewAlert.objects.values_list("kind", flat=True)) == {
        "reminder",
        "overdue",
    }


def test_a_completed_interview_gets_no_alert(alice, child):
    ep = _returned(child, alice, 80)
    ep.interview.outcome = "declined"
    ep.interview.save()
    assert services.send_due_alerts() == 0


def test_a_scan_dying_mid_run_leaves_nothing_half_sent(alice, child, monkeypatch):
    for n in range(4):
        _returned(child, alice, 80 + n)
    real = services.core.notify
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(services.core, "notify", dying)
    with pytest.raises(RuntimeError):
        services.send_due_alerts(batch_size=2)
    # The first batch committed; the second rolled back with its alert rows.
    assert InterviewAlert.objects.count() == 2
    assert Notification.objects.count() == 2
    monkeypatch.setattr(services.core, "notify", real)
    assert services.send_due_alerts(batch_size=2) == 2
    assert InterviewAlert.objects.count() == 4
    assert Notification.objects.count() == 4


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


def test_a_real_worker_and_a_concurrent_scan_send_each_alert_once(worker, alice, child):
    for n in range(6):
        _returned(child, alice, 75 + n)
    Notification.objects.all().delete()
    mail.outbox.clear()
    errors = []

    def scan_in_thread():
        try:
            services.send_due_alerts(batch_size=2)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    scan_return_interviews.delay()
    scan_return_interviews.delay()
    thread = threading.Thread(target=scan_in_thread)
    thread.start()
    thread.join()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and InterviewAlert.objects.count() < 6:
        time.sleep(0.2)
    time.sleep(1.5)  # let the second queued scan finish
    assert not errors, errors
    assert InterviewAlert.objects.count() == 6
    assert Notification.objects.filter(user=alice).count() == 6
