"""Logging of police intelligence under the Data Protection Act 2018, s.62.

Law-enforcement processing must be logged for collection, alteration, consultation,
disclosure (with recipients), combination and erasure; logs of consultation and
disclosure must show the justification, the date and time, and who did it. Here:

* collection: submitting a report (CREATE; the analysts told of it are its
  recipients, a disclosure);
* alteration: grading and marking actioned (CHANGE);
* combination: linking a report to a record, or two records through a report (CHANGE
  with operation "combination");
* consultation: opening a report (VIEW) — asked for a justification first, kept for
  the rest of the session and written into every later view event of that report —
  and listing reports (LIST, references only);
* erasure: reports are never deleted through the application (there is no view or
  service that does it), so there is nothing to log.

Every event is an AuditEvent on the report; `export_rows` turns them into the rows
of the CSV given to the Information Commissioner.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cse.models import AuditEvent
from disruption.models import IntelligenceReport

SESSION_KEY = "intelligence_justifications"
REPORT_TYPE = "disruption.intelligencereport"
LIST_SUMMARY = "information report list"

COLLECTION, ALTERATION, CONSULTATION, DISCLOSURE, COMBINATION, ERASURE = (
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
)
_BY_ACTION = {
    AuditEvent.Action.CREATE: COLLECTION,
    AuditEvent.Action.CHANGE: ALTERATION,
    AuditEvent.Action.VIEW: CONSULTATION,
    AuditEvent.Action.LIST: CONSULTATION,
    AuditEvent.Action.EXPORT: DISCLOSURE,
    AuditEvent.Action.PRINT: DISCLOSURE,
}

PURPOSES = [
    ("grading", "Grading, assessing or developing the intelligence"),
    ("investigation", "Investigating or preventing an offence"),
    ("safeguarding", "Safeguarding a child or young person at risk"),
    ("meeting", "Preparing for a multi-agency meeting or tasking"),
    ("own_report", "Checking a report I submitted"),
    ("quality_assurance", "Supervision, audit or quality assurance"),
    ("other", "Another purpose (say which)"),
]
PURPOSE_LABELS = dict(PURPOSES)


def justification_for(request: HttpRequest, report: IntelligenceReport) -> dict | None:
    """The justification the user gave for this report in this session, if any."""
    return request.session.get(SESSION_KEY, {}).get(str(report.pk))


def remember_justification(
    request: HttpRequest, report: IntelligenceReport, *, purpose: str, text: str
) -> dict:
    justification = {
        "purpose": purpose,
        "purpose_label": PURPOSE_LABELS.get(purpose, purpose),
        "text": text.strip(),
        "given_at": timezone.now().isoformat(),
    }
    saved = dict(request.session.get(SESSION_KEY, {}))
    saved[str(report.pk)] = justification
    request.session[SESSION_KEY] = saved
    return justification


def logged_events(
    *, start: datetime.date, end: datetime.date, report: IntelligenceReport | None
) -> QuerySet[AuditEvent]:
    """Events on information reports from `start` to `end` inclusive (local days)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    on_reports = Q(object_type=REPORT_TYPE) | Q(
        action=AuditEvent.Action.LIST, summary=LIST_SUMMARY
    )
    events = AuditEvent.objects.filter(on_reports, at__gte=since, at__lt=until)
    if report is not None:
        events = events.filter(
            Q(object_type=REPORT_TYPE, object_id=str(report.pk))
            | _listed_with(events, report)
        )
    return events.select_related("agency").order_by("at", "pk")


def _listed_with(events: QuerySet[AuditEvent], report: IntelligenceReport) -> Q:
    """List events whose page showed the report. SQLite (the embedded default) has no
    JSON containment lookup, so there the period's list events are read and matched
    here: a bounded set, for an export an administrator asks for."""
    if connection.features.supports_json_field_contains:
        return Q(detail__report_ids__contains=[report.pk])
    listed = events.filter(action=AuditEvent.Action.LIST, summary=LIST_SUMMARY)
    return Q(
        pk__in=[
            pk
            for pk, detail in listed.values_list("pk", "detail")
            if report.pk in (detail or {}).get("report_ids", [])
        ]
    )


HEADER = [
    "Date and time (UK)",
    "Username",
    "Agency",
    "Operation",
    "Report reference",
    "Justification purpose",
    "Justification",
    "Recipients",
    "Detail",
    "IP address",
    "Request id",
]


def _reference(pk: object) -> str:
    return f"IR-{int(pk):06d}" if str(pk).isdigit() else ""


def export_rows(events: QuerySet[AuditEvent]):
    for event in events.iterator(chunk_size=500):
        detail = event.detail or {}
        justification = detail.get("justification") or {}
        if event.object_type == REPORT_TYPE:
            references = _reference(event.object_id)
        else:
            references = " ".join(_reference(pk) for pk in detail.get("report_ids", []))
        yield [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.username,
            str(event.agency) if event.agency_id else "",
            detail.get("operation") or _BY_ACTION.get(event.action, event.action),
            references,
            justification.get("purpose_label", ""),
            justification.get("text", ""),
            "; ".join(detail.get("recipients", [])),
            event.summary,
            event.ip_address or "",
            event.request_id,
        ]
