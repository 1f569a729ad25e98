"""Category and action logic of submitting a screening."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cse.models import (
    CategoryAssessment,
    ChronologyEntry,
    Forum,
    Notification,
    Referral,
)
from screening import services
from screening.models import Screening, ScreeningAction
from tests.screening.conftest import full_answers, submit


def test_a_new_draft_is_prefilled_from_the_record_and_the_user(alice, child, regional):
    screening = services.start_screening(by=alice, child=child, definition=regional)
    assert screening.answers["child"]["name"] == "Testchild Sampleton"
    assert screening.answers["child"]["date_of_birth"] == "01/01/2011"
    assert screening.answers["referrer"]["agency"] == "Testshire Children's Services"
    assert screening.is_draft


def test_no_concerns_is_category_0_and_the_coordinator_is_told_once(
    alice, carol, child, regional
):
    screening = submit(alice, child, regional, category=0)
    child.refresh_from_db()
    assert child.current_category == 0
    entry = child.category_history.get()
    assert entry.source == CategoryAssessment.Source.SCREENING
    assert [a.key for a in screening.actions.all()] == ["inform_coordinator"]
    assert screening.actions.get().status == ScreeningAction.Status.DONE
    assert Notification.objects.filter(user=carol).count() == 1
    assert not Referral.objects.exists()


def test_category_1_creates_single_agency_actions_owned_by_the_author(
    alice, carol, child, regional
):
    screening = submit(alice, child, regional, category=1)
    actions = {a.key: a for a in screening.actions.all()}
    assert set(actions) == {
        "liaise_dsa",
        "inform_coordinator",
        "awareness_work",
        "review_risk",
    }
    assert actions["liaise_dsa"].owner_user == alice
    assert actions["liaise_dsa"].due_on is not None
    assert not Referral.objects.exists()


@pytest.mark.parametrize("category", [2, 3])
def test_categories_2_and_3_refer_to_mase_social_care_and_risk_assessment(
    alice, carol, child, regional, category
):
    screening = submit(alice, child, regional, category=category)
    actions = {a.key: a for a in screening.actions.all()}
    assert {"refer_social_care", "specialist_risk_assessment", "mase_request"} <= set(
        actions
    )
    referral = Referral.objects.get()
    assert referral.forum == Forum.MASE
    assert referral.source == Referral.Source.SCREENING
    assert referral.is_urgent is (category == 3)
    assert actions["mase_request"].referral == referral
    assert actions["refer_social_care"].owner_agency == alice.agency
    # create_referral told the coordinator; the screening does not tell them again.
    assert Notification.objects.filter(user=carol).count() == 1


def test_submitting_adds_to_the_chronology_and_makes_it_read_only(
    alice, child, regional
):
    screening = submit(alice, child, regional, category=1)
    assert screening.status == Screening.Status.SUBMITTED
    assert ChronologyEntry.objects.filter(subject=child, kind="screening").count() == 1
    with pytest.raises(PermissionDenied):
        services.save_draft(
            by=alice, screening=screening, answers={}, category=1, rationale="x"
        )


def test_the_rationale_and_required_details_are_needed_to_submit(alice, child, draft):
    answers = full_answers(draft)
    answers["reason"] = {"reason": ""}
    with pytest.raises(ValidationError) as error:
        services.submit_screening(
            by=alice, screening=draft, answers=answers, category=2, rationale=" "
        )
    assert set(error.value.message_dict) == {"rationale", "reason__reason"}
    draft.refresh_from_db()
    assert draft.is_draft
    assert not child.category_history.exists()


def test_a_category_must_be_chosen(alice, draft):
    with pytest.raises(ValidationError) as error:
        services.submit_screening(
            by=alice,
            screening=draft,
            answers=full_answers(draft),
            category=None,
            rationale="Because",
        )
    assert "category" in error.value.message_dict


def test_significant_indicators_are_counted(alice, draft):
    answers = full_answers(draft)
    answers["significant"] = {"s1": ["current"], "s2": [], "s3": ["prior"]}
    screening = services.save_draft(
        by=alice, screening=draft, answers=answers, category=None, rationale=""
    )
    assert screening.significant_count() == 2
    assert screening.needs_action


def test_a_correction_is_a_new_linked_version_without_repeating_actions(
    alice, carol, child, submitted
):
    correction = services.correct_screening(by=alice, screening=submitted)
    assert correction.supersedes == submitted and correction.is_draft
    assert services.correct_screening(by=alice, screening=submitted) == correction
    services.submit_screening(
        by=alice,
        screening=correction,
        answers=correction.answers,
        category=3,
        rationale="Worse",
    )
    child.refresh_from_db()
    assert child.current_category == 3
    assert child.category_history.count() == 2
    assert Referral.objects.count() == 1
    assert not correction.actions.filter(key="mase_request").exists()
    submitted.refresh_from_db()
    assert submitted.status == Screening.Status.SUBMITTED


def test_a_coordinator_acknowledges_once(carol, submitted):
    services.acknowledge_screening(by=carol, screening=submitted)
    assert submitted.acknowledged_by == carol
    with pytest.raises(ValidationError):
        services.acknowledge_screening(by=carol, screening=submitted)


def test_an_action_not_needed_needs_a_reason(alice, submitted):
    action = submitted.actions.get(key="refer_social_care")
    with pytest.raises(ValidationError):
        services.update_action(by=alice, action=action, status="cancelled")
    services.update_action(by=alice, action=action, status="done", notes="Referred")
    action.refresh_from_db()
    assert action.status == "done" and action.completed_by == alice


def test_known_suspects_named_by_reference_are_linked(alice, child, tools):
    from tests.factories import make_person

    person = make_person(alice)
    screening = services.start_screening(by=alice, child=child, definition=tools["nwg"])
    answers = full_answers(screening)
    answers["suspects"] = {
        "person_refs": person.reference,
        "person_ids": [person.pk],
        "details": "",
    }
    services.submit_screening(
        by=alice, screening=screening, answers=answers, category=1, rationale="Concern"
    )
    from cse.models import Link

    assert Link.objects.filter(from_subject=child, to_subject=person).count() == 1
    assert (
        child.category_history.get().source == CategoryAssessment.Source.RISK_ASSESSMENT
    )
