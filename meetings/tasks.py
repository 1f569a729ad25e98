"""Background work for meetings: thin tasks taking ids; the services and the rows
hold the state."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cse.permissions import AgencyReader

from . import services
from .models import MeetingDocument
from .pdf import RENDERERS


@shared_task(acks_late=True, max_retries=2, default_retry_delay=30)
def render_document(document_id: int) -> None:
    """Render a queued meeting document into private storage, built for the agency
    it belongs to (never with the rights of the person who asked for it), reporting
    progress on its row. Idempotent: a finished document is left alone; a redelivered task after a
    worker died picks the running row up again (acks_late)."""
    with transaction.atomic():
        document = (
            MeetingDocument.objects.select_for_update(skip_locked=True)
            .filter(pk=document_id)
            .exclude(status=MeetingDocument.Status.DONE)
            .first()
        )
        if document is None:
            return
        document.status = MeetingDocument.Status.RUNNING
        document.save(update_fields=["status"])
    document = MeetingDocument.objects.select_related(
        "meeting__meeting_type", "meeting__local_area", "agency"
    ).get(pk=document_id)

    def progress(done: int, total: int) -> None:
        # Report every few items: one UPDATE per item is wasteful on long agendas.
        if done == total or done % 5 == 0:
            MeetingDocument.objects.filter(pk=document_id).update(
                progress=done, total=total
            )

    try:
        pdf = RENDERERS[document.kind](
            document.meeting, AgencyReader(document.agency), progress
        )
    except Exception as error:
        MeetingDocument.objects.filter(pk=document_id).update(
            status=MeetingDocument.Status.FAILED, error=str(error)[:500]
        )
        raise
    name = f"{document.meeting_id}/{document.kind}-{document.pk}.pdf"
    document.file.save(name, ContentFile(pdf), save=False)
    MeetingDocument.objects.filter(pk=document_id).update(
        file=document.file.name,
        status=MeetingDocument.Status.DONE,
        finished_at=timezone.now(),
        error="",
    )


@shared_task
def requeue_waiting_documents() -> int:
    """Every few minutes (beat): documents whose render message was lost are
    enqueued again."""
    return services.requeue_waiting_documents(
        waiting_longer_than=datetime.timedelta(minutes=5)
    )


@shared_task
def remind_overdue_actions() -> int:
    """Daily: remind owners of overdue open actions, each action once."""
    return services.send_overdue_reminders()
