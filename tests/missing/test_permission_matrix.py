"""Every URL of the missing part × every role × children shared and not shared."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cse import services as core
from cse.models import SharingDecision
from missing.models import MatchingQueueItem
from tests.factories import make_child
from tests.missing.helpers import at, episode

CASTS = ["alice", "bob", "carol", "dave", "erin", "pam", "sam"]
RECORDERS = {"alice", "carol", "dave", "erin"}
CASEWORKERS = RECORDERS | {"bob"}
SEE, EDIT, ADD, CASEWORK, ADMINISTRATOR, AGGREGATE = (
    "see",
    "edit",
    "add",
    "casework",
    "administrator",
    "aggregate",
)

# url name -> (rule, what the URL names: a child, an episode, a queue item, nothing)
MATRIX: dict[str, tuple[str, str | None]] = {
    "missing:child_missing": (SEE, "child"),
    "missing:episode_create": (ADD, "child"),
    "missing:episode_detail": (SEE, "episode"),
    "missing:episode_edit": (ADD, "episode"),
    "missing:interview_edit": (ADD, "episode"),
    "missing:interview_share": (EDIT, "episode"),
    "missing:interview_link": (ADD, "episode"),
    "missing:interviews_due": (CASEWORK, None),
    "missing:compliance": (AGGREGATE, None),
    "missing:cmog_list": (ADMINISTRATOR, None),
    "missing:import_upload": (ADMINISTRATOR, None),
    "missing:queue": (ADMINISTRATOR, None),
    "missing:queue_resolve": (ADMINISTRATOR, "item"),
}
POST_ONLY: set[str] = set()


def expected(user: str, rule: str, state: str | None) -> int:
    visible = user in {"alice", "bob", "carol"} or (
        user == "dave" and state == "shared"
    )
    if rule == CASEWORK:
        return 200 if user in CASEWORKERS else 403
    if rule == AGGREGATE:
        return 200 if user in CASEWORKERS | {"pam"} else 403
    if rule == ADMINISTRATOR:
        return 200 if user in {"bob", "carol"} else 403
    if not visible:
        return 404
    if rule == SEE:
        return 200
    if rule == EDIT:
        return 200 if user in {"alice", "carol"} else 403
    if rule == ADD:
        return 200 if user in RECORDERS else 403
    raise AssertionError(rule)


@pytest.fixture
def records(alice, agency_b, area):
    made = {}
    shared, private = make_child(alice), make_child(alice)
    core.record_sharing_decision(
        by=alice,
        subject=shared,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint work",
        consent=SharingDecision.Consent.GIVEN,
    )
    made["child"] = {"shared": shared, "private": private}
    made["episode"] = {
        state: episode(child, alice, at(2020, 1, 1, 10), returned=at(2020, 1, 2, 10))
        for state, child in made["child"].items()
    }
    item = MatchingQueueItem.objects.create(
        police_reference="TP/Q1",
        local_area=area,
        row={"forename": "Nomatch"},
        reason="no_match",
    )
    made["item"] = {"shared": item, "private": item}
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
    states = ["shared", "private"] if kind in {"child", "episode"} else [None]
    failures = []
    for state in states:
        if kind is None:
            url = reverse(url_name)
        else:
            url = reverse(url_name, args=[records[kind][state or "shared"].pk])
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
