"""DPA 2018 s.62: reading an information report needs a justification, kept for the
session and logged with every view; collection, alteration, combination and
consultation are logged; system administrators export the log as CSV."""

from __future__ import annotations

import csv
import datetime
import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from cse import stepup
from cse.models import AuditEvent, Link
from disruption import services
from disruption.models import IntelligenceReport
from tests.disruption.conftest import share
from tests.factories import make_child, make_person

pytestmark = pytest.mark.django_db

WHY = {
    "step": "justify",
    "purpose": "grading",
    "justification": "Grading the new report for the daily tasking meeting",
}


@pytest.fixture
def report(alice, ian):
    return services.submit_report(
        by=alice,
        report=IntelligenceReport(
            submitter_contact="x",
            received_at=timezone.now() - datetime.timedelta(hours=1),
            who_at_risk="A child",
            source="witnessed",
            reliability="not_known",
            accuracy="not_known",
            would_engage="not_applicable",
            information="Testinformation about Sample Street",
        ),
    )


def _views(report):
    return AuditEvent.objects.filter(
        action="view", object_type="disruption.intelligencereport", object_id=report.pk
    )


def test_the_report_is_not_shown_before_a_justification(client, ian, report):
    client.force_login(ian)
    url = reverse("disruption:report_detail", args=[report.pk])
    page = client.get(url).content.decode()
    assert "Why are you opening this report?" in page
    assert "Testinformation" not in page
    assert not _views(report).exists()
    empty = client.post(url, {"step": "justify", "purpose": "grading"})
    assert empty.status_code == 200 and "Testinformation" not in empty.content.decode()
    assert client.post(url, WHY)["Location"] == url
    page = client.get(url).content.decode()
    assert "Testinformation" in page
    event = _views(report).get()
    assert event.user == ian
    assert event.detail["operation"] == "consultation"
    assert event.detail["justification"]["purpose"] == "grading"
    assert event.detail["justification"]["text"] == WHY["justification"]


def test_reopening_in_the_session_does_not_ask_again_but_is_logged(client, ian, report):
    client.force_login(ian)
    url = reverse("disruption:report_detail", args=[report.pk])
    client.post(url, WHY)
    client.get(url)
    again = client.get(url).content.decode()
    assert "Testinformation" in again
    assert _views(report).count() == 2
    assert all(
        e.detail["justification"]["text"] == WHY["justification"]
        for e in _views(report)
    )
    # A new session asks again.
    client.logout()
    client.force_login(ian)
    assert "Why are you opening" in client.get(url).content.decode()


def test_the_justification_is_per_report(client, alice, ian, report):
    other = services.submit_report(
        by=alice,
        report=IntelligenceReport(
            submitter_contact="x",
            received_at=timezone.now() - datetime.timedelta(hours=1),
            where="Sample Park",
            source="witnessed",
            reliability="not_known",
            accuracy="not_known",
            would_engage="not_applicable",
            information="Otherinformation",
        ),
    )
    client.force_login(ian)
    client.post(reverse("disruption:report_detail", args=[report.pk]), WHY)
    page = client.get(reverse("disruption:report_detail", args=[other.pk]))
    assert "Why are you opening" in page.content.decode()


def test_the_grading_form_is_a_consultation_too(client, ian, report):
    client.force_login(ian)
    url = reverse("disruption:report_grade", args=[report.pk])
    assert "Why are you opening" in client.get(url).content.decode()
    assert client.post(url, WHY)["Location"] == url
    assert "Grade the report" in client.get(url).content.decode()
    assert _views(report).filter(path=url).exists()


def test_the_submitter_goes_straight_to_their_new_report(client, alice):
    from tests.disruption.test_reports import report_data

    client.force_login(alice)
    response = client.post(reverse("disruption:report_create"), report_data())
    page = client.get(response["Location"]).content.decode()
    assert "Grey Testmake" in page
    event = AuditEvent.objects.get(action="view", user=alice)
    assert event.detail["justification"]["purpose"] == "own_report"


def test_collection_alteration_and_combination_are_logged(alice, ian, report, agency_b):
    create = AuditEvent.objects.get(action="create", object_id=report.pk)
    assert create.detail["operation"] == "collection"
    assert create.detail["recipients"] == ["ian"]
    services.grade_report(
        by=ian,
        report=report,
        source_evaluation="2",
        assessment="B",
        handling_code="P",
        handling_conditions="",
        sanitised_text="Sanitised",
    )
    child = make_child(alice)
    person = make_person(alice)
    for subject in (child, person):
        share(alice, subject, agency_b)
        services.attach_subject(by=ian, report=report, subject=subject)
    services.link_from_report(
        by=ian,
        report=report,
        from_subject=child,
        to_subject=person,
        kind=Link.Kind.SEEN_WITH,
        confidence=Link.Confidence.PROBABLE,
    )
    services.mark_actioned(by=ian, report=report, action_taken="Visited")
    operations = [
        e.detail.get("operation")
        for e in AuditEvent.objects.filter(
            object_type="disruption.intelligencereport", object_id=report.pk
        ).order_by("at", "pk")
    ]
    assert operations == [
        "collection",
        "alteration",
        "combination",
        "combination",
        "combination",
        "alteration",
    ]


def test_the_report_list_is_logged(client, ian, report):
    client.force_login(ian)
    client.get(reverse("disruption:report_list"))
    event = AuditEvent.objects.get(action="list", user=ian)
    assert event.detail["report_ids"] == [report.pk]


def _export(client, **extra):
    today = timezone.localdate()
    data = {
        "start_0": today.day,
        "start_1": today.month,
        "start_2": today.year,
        "end_0": today.day,
        "end_1": today.month,
        "end_2": today.year,
        **extra,
    }
    return client.post(reverse("disruption:intelligence_log"), data)


def test_the_administrator_exports_the_log_as_csv(client, ian, sam, report):
    client.force_login(ian)
    client.post(reverse("disruption:report_detail", args=[report.pk]), WHY)
    client.get(reverse("disruption:report_detail", args=[report.pk]))
    client.get(reverse("disruption:report_list"))
    client.force_login(sam)
    response = _export(client, report=report.reference)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == [
        "Date and time (UK)",
        "Username",
        "Agency",
        "Operation",
        "Report reference",
    ]
    body = rows[1:]
    assert [r[3] for r in body] == ["collection", "consultation", "consultation"]
    assert body[0][1] == "alice" and body[0][7] == "ian"
    consulted = body[1]
    assert consulted[1] == "ian" and consulted[2] == "Testshire Police"
    assert consulted[4] == report.reference
    assert consulted[5].startswith("Grading")
    assert consulted[6] == WHY["justification"]
    export = AuditEvent.objects.get(action="export", user=sam)
    assert export.detail["rows"] == 3
    # A day with nothing logged gives just the header.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    empty = _export(
        client,
        start_0=yesterday.day,
        start_1=yesterday.month,
        start_2=yesterday.year,
        end_0=yesterday.day,
        end_1=yesterday.month,
        end_2=yesterday.year,
    )
    assert len(list(csv.reader(io.StringIO(empty.content.decode())))) == 1


def test_the_export_is_formula_safe(client, ian, sam, report):
    client.force_login(ian)
    client.post(
        reverse("disruption:report_detail", args=[report.pk]),
        {**WHY, "justification": "=HYPERLINK(1)"},
    )
    client.get(reverse("disruption:report_detail", args=[report.pk]))
    client.force_login(sam)
    text = _export(client).content.decode()
    assert "'=HYPERLINK(1)" in text


def test_only_administrators_export_and_only_after_step_up(
    client, alice, ian, sam, settings
):
    for user in (alice, ian):
        client.force_login(user)
        assert _export(client).status_code == 403
    client.force_login(sam)
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - settings.STEP_UP_MINUTES * 60 - 5
    session.save()
    response = _export(client)
    assert response.status_code == 302
    assert response["Location"] == stepup.confirm_url(
        reverse("disruption:intelligence_log")
    )
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_unknown_report_reference_is_an_error(client, sam):
    client.force_login(sam)
    response = _export(client, report="IR-999999")
    assert response.status_code == 200
    assert "There is no report with that reference" in response.content.decode()
