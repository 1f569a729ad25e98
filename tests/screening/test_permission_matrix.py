"""Every screening URL × every role × screenings of a shared and a private child.

Drafts are visible only to their author's agency; submitted screenings follow the
child's visibility (dave, agency B, sees those of the child shared with B).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cse import services as core_services
from cse.concurrency import VERSION_FIELD
from cse.models import SharingDecision
from screening import services
from screening.forms import ActionUpdateForm
from tests.factories import make_child
from tests.screening.conftest import submit

CASTS = ["alice", "bob", "carol", "dave", "erin", "pam", "sam"]
RECORDERS = {"alice", "carol", "dave", "erin"}
CASEWORKERS = RECORDERS | {"bob"}
SEE, ADD, CASEWORK, RECORD, DRAFT_SEE, DRAFT_EDIT = (
    "see",
    "add",
    "casework",
    "record",
    "draft_see",
    "draft_edit",
)

# url name -> (rule, what the URL's id is: "child", "draft", "submitted" or None)
MATRIX: dict[str, tuple[str, str | None]] = {
    "screening:index": (CASEWORK, None),
    "screening:start_fresh": (RECORD, None),
    "screening:child_screenings": (SEE, "child"),
    "screening:start": (ADD, "child"),
    "screening:detail": (SEE, "submitted"),
    "screening:pdf": (SEE, "submitted"),
    "screening:edit": (DRAFT_EDIT, "draft"),
}
POST_ONLY = {
    "screening:correct",
    "screening:acknowledge",
    "screening:action_update",
    "screening:autosave",
}


def expected(user: str, rule: str, state: str | None) -> int:
    if rule == CASEWORK:
        return 200 if user in CASEWORKERS else 403
    if rule == RECORD:
        return 200 if user in RECORDERS else 403
    agency_a = user in {"alice", "bob", "carol"}
    if rule in {DRAFT_SEE, DRAFT_EDIT}:
        if not agency_a:
            return 404
        return 200 if rule == DRAFT_SEE or user != "bob" else 403
    visible = agency_a or (user == "dave" and state == "shared")
    if not visible:
        return 404
    if rule == SEE:
        return 200
    if rule == ADD:
        return 200 if user in RECORDERS else 403
    raise AssertionError(rule)


@pytest.fixture
def records(alice, carol, agency_b, tools):
    made = {}
    for state in ("shared", "private"):
        child = make_child(alice, surname=f"Sampleton{state}")
        if state == "shared":
            core_services.record_sharing_decision(
                by=alice,
                subject=child,
                agency=agency_b,
                decision=SharingDecision.Decision.SHARE,
                purpose="Joint safeguarding work",
                consent=SharingDecision.Consent.GIVEN,
            )
        made[state] = {
            "child": child,
            "submitted": submit(alice, child, tools["regional"], category=2),
            "draft": services.start_screening(
                by=alice, child=child, definition=tools["regional"]
            ),
        }
    return made


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(
    url_name, records, client, alice, bob, carol, dave, erin, pam, sam
):
    rule, kind = MATRIX[url_name]
    users = {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "erin": erin,
        "pam": pam,
        "sam": sam,
    }
    failures = []
    for state in ["shared", "private"] if kind else [None]:
        url = (
            reverse(url_name, args=[records[state][kind].pk])
            if kind
            else reverse(url_name)
        )
        client.logout()
        response = client.get(url)
        if response.status_code != 302:
            failures.append(("anonymous", state, response.status_code))
        for name in CASTS:
            client.force_login(users[name])
            status = client.get(url).status_code
            want = expected(name, rule, state)
            if status != want:
                failures.append((name, state, status, want))
    assert not failures, failures


@pytest.mark.parametrize("url_name", sorted(POST_ONLY))
def test_post_only_views_refuse_get(url_name, client, alice, submitted):
    client.force_login(alice)
    pk = (
        submitted.actions.first().pk
        if url_name == "screening:action_update"
        else submitted.pk
    )
    assert client.get(reverse(url_name, args=[pk])).status_code == 405


def test_a_draft_of_another_agency_is_not_found_even_on_a_shared_child(
    client, records, dave
):
    client.force_login(dave)
    draft = records["shared"]["draft"]
    assert client.get(reverse("screening:detail", args=[draft.pk])).status_code == 404
    assert (
        client.post(
            reverse("screening:edit", args=[draft.pk]), {"action": "save"}
        ).status_code
        == 404
    )


def test_correction_is_for_the_submitting_agency(
    client, records, alice, bob, dave, erin
):
    screening = records["shared"]["submitted"]
    url = reverse("screening:correct", args=[screening.pk])
    for user, want in ((erin, 404), (dave, 403), (bob, 403)):
        client.force_login(user)
        assert client.post(url).status_code == want
    client.force_login(alice)
    response = client.post(url)
    assert response.status_code == 302
    assert screening.superseded_by.is_draft


def test_acknowledging_is_for_a_coordinator_who_sees_the_child(
    client, records, alice, carol, erin
):
    screening = records["private"]["submitted"]
    url = reverse("screening:acknowledge", args=[screening.pk])
    client.force_login(erin)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.post(url).status_code == 403
    client.force_login(carol)
    assert client.post(url).status_code == 302
    screening.refresh_from_db()
    assert screening.acknowledged_by == carol


def test_action_updates_follow_the_owner_rule(client, records, alice, bob, dave, erin):
    action = records["shared"]["submitted"].actions.get(key="refer_social_care")
    url = reverse("screening:action_update", args=[action.pk])
    data = {"status": "done", "notes": "Referral made"}
    client.force_login(erin)
    assert client.post(url, data).status_code == 404
    client.force_login(dave)  # sees the screening; his agency does not own the action
    assert client.post(url, data).status_code == 403
    client.force_login(bob)
    assert client.post(url, data).status_code == 403
    client.force_login(alice)
    # the version the action's page was read at, as the form carries it
    version = ActionUpdateForm(version_of=action).fresh_version()
    assert client.post(url, {**data, VERSION_FIELD: version}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
