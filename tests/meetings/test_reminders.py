"""The daily overdue-action reminder: each overdue action reminded once, however
often the job runs, including on a real Celery worker."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker

from cse import celery_app
from cse.models import Notification
from meetings import services
from meetings.models import ActionReminder
from meetings.tasks import remind_overdue_actions


def make_action(meeting, bob, agency, due, assigned_to=None):
    return services.add_action(
        by=bob,
        meeting=meeting,
        description="Speak to the sample school",
        assigned_agency=agency,
        assigned_to=assigned_to,
        due_on=due,
    )


def reminders_for(user):
    return Notification.objects.filter(user=user, message__contains="still open")


def test_an_overdue_action_is_reminded_once(meeting, bob, dave, agency_b):
    make_action(meeting, bob, agency_b, datetime.date(2020, 1, 6), assigned_to=dave)
    make_action(meeting, bob, agency_b, datetime.date(2099, 1, 6), assigned_to=dave)
    assert services.send_overdue_reminders() == 1
    assert services.send_overdue_reminders() == 0
    assert remind_overdue_actions.delay().get() == 0
    assert reminders_for(dave).count() == 1
    assert "Testchild" not in reminders_for(dave).get().message


def test_an_unassigned_action_reminds_its_agency(meeting, bob, dave, agency_b):
    make_action(meeting, bob, agency_b, datetime.date(2020, 1, 6))
    services.send_overdue_reminders()
    assert reminders_for(dave).count() == 1


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


def test_a_real_worker_running_the_job_twice_reminds_once(
    worker, meeting, bob, dave, agency_b
):
    make_action(meeting, bob, agency_b, datetime.date(2020, 1, 6), assigned_to=dave)
    remind_overdue_actions.delay()
    remind_overdue_actions.delay()
    assert wait_for(lambda: ActionReminder.objects.exists())
    time.sleep(1.5)  # let the second run finish
    assert ActionReminder.objects.count() == 1
    assert reminders_for(dave).count() == 1
