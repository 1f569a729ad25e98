import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cse.concurrency import VERSION_FIELD
from cse.models import Link, Role
from disruption import permissions as rules
from disruption import services
from disruption.forms import ActionedForm, GradeForm
from disruption.models import IntelligenceReport
from tests.factories import UserFactory, make_person


def report_data(**extra):
    received = timezone.localtime() - datetime.timedelta(hours=3)
    data = {
        "submitter_contact": "0121 496 0100",
        "received_at_0": received.day,
        "received_at_1": received.month,
        "received_at_2": received.year,
        "received_at_3": received.strftime("%H:%M"),
        "who_at_risk": "A girl of about 14 from Sample School",
        "who_putting_at_risk": "A man called 'Tizzy'",
        "where": "Sample Chicken Shop",
        "source": "professional",
        "reliability": "2",
        "accuracy": "not_known",
        "would_engage": "no",
        "licensed_premises": "on",
        "premises_trading_name": "Sample Chicken Shop",
        "premises_address": "2 Sample Street",
        "information": "Grey Testmake AB12 CDE seen collecting her at 15:30.",
    }
    data.update(extra)
    return data


@pytest.fixture
def report(alice):
    services_report = IntelligenceReport(
        submitter_contact="x",
        received_at=timezone.now() - datetime.timedelta(hours=1),
        who_at_risk="A child",
        source="witnessed",
        reliability="not_known",
        accuracy="not_known",
        would_engage="not_applicable",
        information="Details",
    )
    return services.submit_report(by=alice, report=services_report)


def test_any_user_submits_a_report_and_intelligence_is_told(client, alice, ian):
    client.force_login(alice)
    response = client.post(reverse("disruption:report_create"), report_data())
    report = IntelligenceReport.objects.get()
    assert response["Location"] == reverse("disruption:report_detail", args=[report.pk])
    assert (
        report.licensed_premises
        and report.premises_trading_name == "Sample Chicken Shop"
    )
    assert (
        ian.notifications.get().message
        == f"New information report {report.reference} to grade."
    )


def test_licensed_premises_need_the_trading_name(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("disruption:report_create"), report_data(premises_trading_name="")
    )
    assert response.status_code == 200
    assert not IntelligenceReport.objects.exists()


def test_only_the_submitter_and_police_intelligence_see_a_report(
    report, alice, bob, carol, dave, erin, pam, sam, ian, agency_b
):
    assert list(rules.visible_reports(alice)) == [report]
    assert list(rules.visible_reports(ian)) == [report]
    for user in (bob, carol, dave, erin, pam, sam):
        assert not rules.visible_reports(user).exists()
    other_area_analyst = UserFactory(roles=[Role.POLICE_INTELLIGENCE])
    assert not rules.visible_reports(other_area_analyst).exists()


def test_the_submitters_colleague_gets_404_and_the_list_stays_empty(
    client, report, carol
):
    client.force_login(carol)
    assert (
        client.get(reverse("disruption:report_detail", args=[report.pk])).status_code
        == 404
    )
    assert (
        report.reference
        not in client.get(reverse("disruption:report_list")).content.decode()
    )


def test_the_submitter_may_not_grade_their_own_report(client, report, alice):
    client.force_login(alice)
    assert (
        client.get(reverse("disruption:report_grade", args=[report.pk])).status_code
        == 403
    )


def test_handling_code_c_needs_its_conditions(client, report, ian):
    client.force_login(ian)
    url = reverse("disruption:report_grade", args=[report.pk])
    data = {"source_evaluation": "2", "assessment": "B", "handling_code": "C"}
    # The version the grading form was read at, as its page gives it.
    data[VERSION_FIELD] = GradeForm(version_of=report).fresh_version()
    response = client.post(url, data)
    assert "Enter the conditions for sharing" in response.content.decode()
    response = client.post(
        url, {**data, "handling_conditions": "Not to be shared with the family"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.grading == "2BC" and report.status == "graded"


def test_intelligence_links_records_with_the_report_as_source(
    client, report, ian, alice, young_child
):
    client.force_login(ian)
    attach = reverse("disruption:report_attach", args=[report.pk])
    assert client.post(attach, {"reference": young_child.reference}).status_code == 302
    response = client.post(
        reverse("disruption:report_new_subject", args=[report.pk, "person"]),
        {"forename": "", "surname": "", "nickname": "Tizzy"},
    )
    assert response.status_code == 302
    person = report.report_subjects.get(created_from_report=True).subject
    response = client.post(
        reverse("disruption:report_link", args=[report.pk]),
        {
            "from_subject": young_child.pk,
            "to_subject": person.pk,
            "kind": "seen_with",
            "confidence": "possible",
        },
    )
    assert response.status_code == 302
    link = Link.objects.get(to_subject=person)
    assert link.source == Link.Source.INFORMATION_REPORT
    assert link.source_detail == f"Information report {report.reference}"


def test_a_record_the_analyst_cannot_see_cannot_be_attached(client, report, ian, alice):
    hidden = make_person(alice)
    client.force_login(ian)
    response = client.post(
        reverse("disruption:report_attach", args=[report.pk]),
        {"reference": hidden.reference},
    )
    assert response.status_code == 200
    assert not report.report_subjects.exists()


def test_a_graded_report_is_marked_actioned(client, report, ian):
    services.grade_report(
        by=ian,
        report=report,
        source_evaluation="1",
        assessment="A",
        handling_code="P",
        handling_conditions="",
        sanitised_text="A child seen with an adult",
    )
    client.force_login(ian)
    url = reverse("disruption:report_actioned", args=[report.pk])
    # The version the report's page (behind its s.62 justification) gives the form.
    opened = {VERSION_FIELD: ActionedForm(version_of=report).fresh_version()}
    data = {"action_taken": "Patrols tasked", **opened}
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.status == "actioned"
