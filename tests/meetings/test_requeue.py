"""A document asked for while the broker is down is rendered all the same: the
request succeeds, and the periodic requeue picks the waiting document up."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cse import celery_app
from meetings import services
from meetings.models import MeetingDocument
from meetings.tasks import requeue_waiting_documents


def test_a_document_asked_for_while_the_broker_is_down_is_rendered_later(
    bob, meeting, broker_refused, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lost = services.request_document(by=bob, meeting=meeting, kind="agenda")
    assert MeetingDocument.objects.get(pk=lost.pk).status == "queued"
    MeetingDocument.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.request_document(by=bob, meeting=meeting, kind="actions")

    celery_app.conf.task_always_eager = True  # the broker is back: run in-process
    assert requeue_waiting_documents.apply().get() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == MeetingDocument.Status.DONE and lost.file
    assert fresh.status == MeetingDocument.Status.QUEUED  # its message may yet come
    assert requeue_waiting_documents.apply().get() == 0
