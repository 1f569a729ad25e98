"""Outcome measures: distance travelled per child (with the better direction of each
measure), corrections that supersede, the child's tab, the area's aggregate and CSV."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cse.models import Agency, AuditEvent, ChronologyEntry, LocalArea, Role
from reports import outcomes
from reports.models import OutcomeAssessment
from tests.factories import UserFactory, make_child
from tests.page_forms import read_version
from tests.reports.helpers import episode, local

pytestmark = pytest.mark.django_db
D = datetime.date
SPRING = D(2026, 3, 1)

BASELINE = {
    "awareness_of_risk": 2,  # higher better: 2 -> 4 improved
    "abusive_contact": 4,  # lower better: 4 -> 2 improved
    "substance_misuse": 1,  # lower better: 1 -> 3 worse
    "self_esteem": 5,  # 5 -> 5 no change
    "stable_accommodation": 0,  # yes better: no -> yes improved
    "missing_episodes": 3,  # lower better: 3 -> 5 worse
    "offending": 2,  # only at the baseline: not compared
}
REVIEW = {
    "awareness_of_risk": 4,
    "abusive_contact": 2,
    "substance_misuse": 3,
    "self_esteem": 5,
    "stable_accommodation": 1,
    "missing_episodes": 5,
}


def record(by, child, day, values, occasion="review", **kwargs):
    return outcomes.record_assessment(
        by=by,
        child=child,
        occasion=occasion,
        assessed_on=day,
        values=values,
        **kwargs,
    )


def directions(child) -> dict:
    result = outcomes.distance_travelled(list(outcomes.current(child)))
    return {r["measure"].key: r["direction"] for r in result["rows"]}, result


def test_distance_travelled_follows_each_measures_better_direction(alice, child):
    record(alice, child, D(2026, 1, 10), BASELINE, occasion="plan_start")
    record(alice, child, D(2026, 4, 10), REVIEW)
    found, result = directions(child)
    assert found["awareness_of_risk"] == "improved"
    assert found["abusive_contact"] == "improved"
    assert found["substance_misuse"] == "worse"
    assert found["self_esteem"] == "same"
    assert found["stable_accommodation"] == "improved"
    assert found["missing_episodes"] == "worse"
    assert found["offending"] is None
    assert found["sexual_health"] is None
    assert result["counts"] == {"improved": 3, "same": 1, "worse": 2}
    assert result["overall"] == "improved"


def test_a_correction_supersedes_and_changes_the_distance(alice, child):
    record(alice, child, D(2026, 1, 10), BASELINE, occasion="plan_start")
    review = record(alice, child, D(2026, 4, 10), REVIEW)
    correction = record(
        alice,
        child,
        D(2026, 4, 10),
        REVIEW | {"awareness_of_risk": 1, "abusive_contact": 5},
        supersedes=review,
        correction_reason="Scores were entered the wrong way round",
    )
    found, result = directions(child)
    assert result["latest"] == correction
    assert found["awareness_of_risk"] == "worse"
    assert found["abusive_contact"] == "worse"
    assert result["overall"] == "worse"
    # The old one is kept, marked as superseded, with who corrected it.
    review.refresh_from_db()
    assert review.superseded_by == correction
    assert correction.recorded_by == alice
    assert OutcomeAssessment.objects.filter(child=child).count() == 3
    assert (
        ChronologyEntry.objects.filter(subject=child, kind="outcome_measures").count()
        == 3
    )
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CREATE,
            object_type="reports.outcomeassessment",
            subject_id=child.pk,
        ).count()
        == 3
    )
    with pytest.raises(ValidationError):
        record(
            alice,
            child,
            D(2026, 4, 10),
            REVIEW,
            supersedes=review,
            correction_reason="Again",
        )


def test_a_correction_needs_a_reason_and_saved_assessments_never_change(alice, child):
    first = record(alice, child, D(2026, 1, 10), BASELINE, occasion="plan_start")
    with pytest.raises(ValidationError):
        record(alice, child, D(2026, 1, 10), BASELINE, supersedes=first)
    first.values = {"self_esteem": 9}
    with pytest.raises(ValidationError):
        first.save()


def test_values_outside_a_measures_scale_are_refused(alice, child):
    with pytest.raises(ValidationError):
        record(alice, child, D(2026, 1, 10), {"awareness_of_risk": 6})
    with pytest.raises(ValidationError):
        record(alice, child, D(2026, 1, 10), {"education_attendance": 101})
    with pytest.raises(ValidationError):
        record(alice, child, D(2026, 1, 10), {})


def test_only_recording_staff_who_can_see_the_child_may_record(bob, dave, child):
    with pytest.raises(PermissionDenied):
        record(bob, child, D(2026, 1, 10), BASELINE)
    with pytest.raises(PermissionDenied):
        record(dave, child, D(2026, 1, 10), BASELINE)


def test_missing_episodes_are_prefilled_from_the_previous_assessment(
    client, alice, child
):
    record(alice, child, D(2026, 1, 10), BASELINE, occasion="plan_start")
    episode(child, local(2026, 1, 10))  # on the baseline day: counted then
    episode(child, local(2026, 1, 11, 0, 30))
    episode(child, local(2026, 2, 1))
    episode(child, local(2026, 2, 2), kind="absent")
    assert outcomes.missing_episodes_between(child, D(2026, 1, 11), D(2026, 3, 1)) == 2
    client.force_login(alice)
    page = client.get(reverse("reports:assessment_create", args=[child.pk]))
    html = page.content.decode()
    assert "Missing episodes recorded from 11 January 2026 to today: 2" in html
    assert 'name="m_missing_episodes" type="text" value="2"' in html


def post_data(**values) -> dict:
    data = {
        "occasion": "plan_start",
        "assessed_on_0": "10",
        "assessed_on_1": "1",
        "assessed_on_2": "2026",
        "plan": "",
        "notes": "",
    }
    data.update({f"m_{k}": v for k, v in values.items()})
    return data


def test_recording_and_correcting_through_the_pages(client, alice, child):
    client.force_login(alice)
    url = reverse("reports:assessment_create", args=[child.pk])
    response = client.post(url, post_data(awareness_of_risk="2", self_esteem="4"))
    assert response.status_code == 302
    first = OutcomeAssessment.objects.get(child=child)
    assert first.values == {"awareness_of_risk": 2, "self_esteem": 4}
    correct = reverse("reports:assessment_correct", args=[child.pk, first.pk])
    opened = read_version(client, correct)
    # No reason: the form says so and nothing is saved.
    page = client.post(correct, {**post_data(awareness_of_risk="3"), **opened})
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()
    data = post_data(awareness_of_risk="3", self_esteem="4")
    data["correction_reason"] = "Typed in error"
    data.update(opened)
    assert client.post(correct, data).status_code == 302
    assert OutcomeAssessment.objects.filter(child=child).count() == 2
    html = client.get(reverse("reports:child_outcomes", args=[child.pk])).content
    html = html.decode()
    assert "Superseded" in html
    assert "Typed in error" in html
    # Corrected once from that form only: sent again, it says who corrected it
    # since it was opened and writes nothing.
    again = client.post(correct, data)
    assert again.status_code == 409
    assert "You saved it" in again.content.decode()
    assert OutcomeAssessment.objects.filter(child=child).count() == 2
    opened_again = client.get(correct, follow=True)
    assert "That assessment has already been corrected" in opened_again.content.decode()


def test_another_agency_cannot_open_or_correct_an_assessment(
    client, alice, dave, child
):
    assessment = outcomes.record_assessment(
        by=alice,
        child=child,
        occasion=OutcomeAssessment.Occasion.PLAN_START,
        assessed_on=child.date_of_birth.replace(year=child.date_of_birth.year + 12),
        values={"self_esteem": 5},
    )
    client.force_login(dave)
    for name, args in (
        ("reports:child_outcomes", [child.pk]),
        ("reports:assessment_correct", [child.pk, assessment.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404


def test_an_empty_form_shows_an_error(client, alice, child):
    client.force_login(alice)
    url = reverse("reports:assessment_create", args=[child.pk])
    page = client.post(url, post_data())
    assert page.status_code == 200
    assert "Record at least one measure" in page.content.decode()


def test_the_outcomes_tab_shows_the_table_and_the_chart(client, alice, child):
    record(alice, child, D(2026, 1, 10), BASELINE, occasion="plan_start")
    record(alice, child, D(2026, 4, 10), REVIEW)
    client.force_login(alice)
    detail = client.get(child.get_absolute_url()).content.decode()
    assert reverse("reports:child_outcomes", args=[child.pk]) in detail
    html = client.get(
        reverse("reports:child_outcomes", args=[child.pk])
    ).content.decode()
    assert "<svg" in html
    assert "Increased awareness of risk/exploitative behaviour" in html
    assert "3 measures improved, 1 unchanged, 2 worse" in html
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, subject_id=child.pk
    ).exists()


def test_the_outcomes_tab_takes_a_bounded_number_of_queries(
    client, alice, child, django_assert_max_num_queries
):
    record(alice, child, D(2026, 1, 10), BASELINE, occasion="plan_start")
    previous = record(alice, child, D(2026, 2, 10), REVIEW)
    for month in (3, 4, 5, 6):
        previous = record(
            alice,
            child,
            D(2026, month, 10),
            REVIEW,
            supersedes=previous,
            correction_reason="Synthetic correction",
        )
        record(alice, child, D(2026, month, 11), REVIEW)
    client.force_login(alice)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("reports:child_outcomes", args=[child.pk]))
    assert page.status_code == 200


# --- the area's aggregate ----------------------------------------------------------------


@pytest.fixture
def cohort(alice):
    """Reviewed in 2026: improved, worse, the same; one with only a baseline; one
    reviewed in 2025 only; one whose improving review was corrected to worse."""
    made = {}

    def child(name, baseline, review, review_day=SPRING):
        kid = make_child(alice, forename=name)
        record(alice, kid, D(2025, 6, 1), baseline, occasion="plan_start")
        if review is not None:
            made[name + "_review"] = record(alice, kid, review_day, review)
        made[name] = kid
        return kid

    child("Testup", {"self_esteem": 3, "abusive_contact": 4}, {"self_esteem": 6})
    child("Testdown", {"self_esteem": 6, "abusive_contact": 2}, {"abusive_contact": 5})
    child("Testlevel", {"self_esteem": 4}, {"self_esteem": 4})
    child("Testbaseline", {"self_esteem": 4}, None)
    child("Testlastyear", {"self_esteem": 1}, {"self_esteem": 9}, D(2025, 9, 1))
    child("Testcorrected", {"self_esteem": 5}, {"self_esteem": 8})
    record(
        alice,
        made["Testcorrected"],
        D(2026, 3, 1),
        {"self_esteem": 2},
        supersedes=made["Testcorrected_review"],
        correction_reason="Synthetic correction",
    )
    return made


def test_the_aggregate_counts_children_reviewed_in_the_period(area, cohort):
    result = outcomes.aggregate(area=area, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert result["children"] == {"improved": 1, "same": 1, "worse": 2}
    esteem = next(m for m in result["measures"] if m["key"] == "self_esteem")
    # up 3->6 (+3), level 4->4 (0), corrected 5->2 (-3); down has no review value.
    assert esteem["counts"] == {"improved": 1, "same": 1, "worse": 1}
    assert esteem["mean_change"] == 0
    contact = next(m for m in result["measures"] if m["key"] == "abusive_contact")
    assert contact["counts"] == {"improved": 0, "same": 0, "worse": 1}
    assert contact["mean_change"] == 3
    earlier = outcomes.aggregate(area=area, start=D(2025, 7, 1), end=D(2025, 12, 31))
    assert earlier["children"] == {"improved": 1, "same": 0, "worse": 0}


def report_url(area, name="reports:outcomes_report") -> str:
    return (
        reverse(name)
        + f"?area={area.slug}&start_0=1&start_1=1&start_2=2026"
        + "&end_0=31&end_1=12&end_2=2026"
    )


def test_the_partnership_manager_sees_counts_and_no_names(client, pam, area, cohort):
    client.force_login(pam)
    for name in ("reports:outcomes_report", "reports:outcomes_report_csv"):
        response = client.get(report_url(area, name))
        assert response.status_code == 200
        text = response.content.decode()
        for key, kid in cohort.items():
            if not key.endswith("_review"):
                assert kid.forename not in text
                assert kid.reference not in text
    html = client.get(report_url(area)).content.decode()
    assert "Children: 4" in html
    assert "<svg" in html


def test_outside_their_area_counts_are_rounded_and_means_withheld(client, area, cohort):
    elsewhere = LocalArea.objects.create(name="Otherton", slug="otherton")
    agency = Agency.objects.create(
        name="Otherton Partnership",
        slug="otherton-partnership",
        kind=Agency.Kind.PARTNERSHIP,
        local_area=elsewhere,
    )
    manager = UserFactory(agency=agency, roles=[Role.PARTNERSHIP_MANAGER])
    client.force_login(manager)
    html = client.get(report_url(area)).content.decode()
    # 1 improved, 1 the same, 2 worse: each ~0, and the total is their sum as shown.
    assert "Children: ~0" in html
    assert "+0.00" not in html
    assert "fewer than 10 children" in html
    csv = client.get(report_url(area, "reports:outcomes_report_csv")).content
    assert "Overall (children),,~0,~0,~0,~0," in csv.decode()


def test_the_csv_is_exact_in_the_coordinators_area_and_audited(
    client, carol, area, cohort
):
    client.force_login(carol)
    csv = client.get(report_url(area, "reports:outcomes_report_csv")).content.decode()
    assert "Overall (children),,1,1,2,4," in csv
    assert "Increased self-esteem" in csv
    # Means are numbers (a signed text like "-3.00" would be taken for a formula).
    assert (
        "Increased self-esteem (self-report: measured pre and post intervention)"
        ",Higher,1,1,1,3,0.0" in csv
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_report_page_takes_a_bounded_number_of_queries(
    client, carol, area, cohort, django_assert_max_num_queries, audit_event_queries
):
    client.force_login(carol)
    # 15, and the audit event of a coordinator's visit
    with django_assert_max_num_queries(15 + audit_event_queries):
        assert client.get(report_url(area)).status_code == 200


def test_a_correction_from_a_stale_form_shows_the_correction_saved_since(
    client, alice, carol, child
):
    first = outcomes.record_assessment(
        by=alice,
        child=child,
        occasion="plan_start",
        assessed_on=datetime.date(2026, 1, 10),
        values={"awareness_of_risk": 2, "self_esteem": 4},
    )
    correct = reverse("reports:assessment_correct", args=[child.pk, first.pk])
    client.force_login(alice)
    opened = read_version(client, correct)
    outcomes.record_assessment(
        by=carol,
        child=child,
        occasion="plan_start",
        assessed_on=datetime.date(2026, 1, 10),
        values={"awareness_of_risk": 5, "self_esteem": 4},
        supersedes=first,
        correction_reason="Scored on the wrong scale",
    )
    data = post_data(awareness_of_risk="2", self_esteem="6")
    data.update(correction_reason="Self-esteem typed in error", **opened)
    response = client.post(correct, data)
    assert response.status_code == 409
    page = response.content.decode()
    changes = page.split('id="edit-conflict-changes"')[1].split("</table>")[0]
    assert "Carol" in page and "5" in changes
    assert OutcomeAssessment.objects.filter(child=child).count() == 2

    # Saved again from the refilled form, the correction replaces the one in force:
    # Carol's awareness score, and Alice's self-esteem.
    from tests.page_forms import edit_form, submitted

    again = client.post(correct, submitted(edit_form(response)))
    assert again.status_code == 302
    latest = outcomes.current(child).get()
    assert latest.values == {"awareness_of_risk": 5, "self_esteem": 6}
    assert latest.supersedes.recorded_by == carol
