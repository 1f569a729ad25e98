"""Every reports URL × every role. Partnership managers see aggregates only: the
children behind a figure are refused to them, and no page they can open names a
child (see test_views.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Snapshot

CASTS = ["alice", "bob", "carol", "dave", "erin", "ivy", "pam", "sam"]
VIEW, IDENTITIES, ENTER = "view", "identities", "enter"
PROFILE = "profile"

MATRIX: dict[str, tuple[str, str | None]] = {
    "reports:dataset": (VIEW, None),
    "reports:dashboard": (VIEW, None),
    "reports:definitions": (VIEW, None),
    "reports:snapshot_detail": (VIEW, "snapshot"),
    "reports:snapshot_csv": (VIEW, "snapshot"),
    "reports:snapshot_pdf": (VIEW, "snapshot"),
    "reports:figure_children": (IDENTITIES, "snapshot"),
    "reports:manual_entry": (ENTER, None),
    "reports:profile": (PROFILE, None),
    "reports:profile_csv": (PROFILE, None),
    "reports:profile_pdf": (PROFILE, None),
    "reports:figure_persons": (IDENTITIES, "snapshot"),
}
POST_ONLY = {"reports:snapshot_create", "reports:profile_gap_create"}

WANT = {
    # caseworkers and the partnership manager; never the system administrator
    VIEW: {"alice", "bob", "carol", "dave", "erin", "ivy", "pam"},
    # caseworkers only: partnership managers never see identities
    IDENTITIES: {"alice", "bob", "carol", "dave", "erin", "ivy"},
    # police (v, vi), the partnership manager (ix, x), education staff (x)
    ENTER: {"dave", "ivy", "pam"},
    # The problem profile is the analysts' and the board's: the CSE coordinator,
    # police intelligence and the partnership manager (aggregates only). Not
    # practitioners, meeting staff or response officers, whose work is case by case.
    PROFILE: {"carol", "ivy", "pam"},
}


@pytest.fixture
def ivy(agency_b):
    from cse.models import Role
    from tests.factories import UserFactory

    return UserFactory(
        username="ivy", agency=agency_b, roles=[Role.POLICE_INTELLIGENCE]
    )


@pytest.fixture
def snapshot(db, area):
    made = Snapshot.objects.create(
        local_area=area,
        year=2026,
        quarter=2,
        trigger=Snapshot.Trigger.ON_DEMAND,
        as_at=timezone.now(),
    )
    from reports import services

    services.run_snapshot(made.pk)
    return made


def url_for(name: str, kind: str | None, snapshot: Snapshot) -> str:
    if name == "reports:figure_children":
        return reverse(name, args=[snapshot.pk, "i_victims", "quarter"])
    if name == "reports:figure_persons":
        return reverse(name, args=[snapshot.pk, "quarter"])
    return reverse(name, args=[snapshot.pk]) if kind else reverse(name)


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(
    url_name, snapshot, client, alice, bob, carol, dave, erin, ivy, pam, sam
):
    rule, kind = MATRIX[url_name]
    users = {u.username: u for u in (alice, bob, carol, dave, erin, ivy, pam, sam)}
    url = url_for(url_name, kind, snapshot)
    failures = []
    client.logout()
    response = client.get(url)
    if response.status_code != 302:
        failures.append(("anonymous", response.status_code))
    for name in CASTS:
        client.force_login(users[name])
        status = client.get(url).status_code
        want = 200 if name in WANT[rule] else 403
        if status != want:
            failures.append((name, status, want))
    assert not failures, failures


def test_a_snapshot_that_does_not_exist_is_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("reports:snapshot_detail", args=[999])).status_code == 404


@pytest.mark.parametrize("url_name", sorted(POST_ONLY))
def test_post_only_views_refuse_get(url_name, client, carol):
    client.force_login(carol)
    assert client.get(reverse(url_name)).status_code == 405


def test_only_coordinators_and_managers_may_compute(
    client, area, alice, bob, carol, dave, erin, pam, sam
):
    data = {"area": area.slug, "year": 2026, "quarter": 2}
    for user, want in (
        (alice, 403),
        (bob, 403),
        (dave, 403),
        (erin, 403),
        (sam, 403),
        (carol, 302),
        (pam, 302),
    ):
        client.force_login(user)
        assert client.post(reverse("reports:snapshot_create"), data).status_code == want


# --- The CSE delivery plan ----------------------------------------------------------
# The plan is the partnership's strategic document, with no child in it. Readers: the
# case-working roles and the partnership manager, for their own area's plans and the
# regional ones (another area's plan is 404). Managing (plan, objectives, actions):
# the area's partnership manager. Progress and ratings: the manager, the area's CSE
# coordinators, and staff named accountable or responsible for the action (dave
# here). System administrators: nothing (403).
READ, MANAGE, UPDATE = "read", "manage", "update"
DELIVERY_MATRIX: dict[str, tuple[str, str | None]] = {
    "reports:delivery_index": (READ, None),
    "reports:delivery_plan_create": (MANAGE, None),
    "reports:delivery_plan_detail": (READ, "plan"),
    "reports:delivery_plan_edit": (MANAGE, "plan"),
    "reports:delivery_plan_csv": (READ, "plan"),
    "reports:delivery_plan_pdf": (READ, "plan"),
    "reports:delivery_plan_import": (MANAGE, "plan"),
    "reports:delivery_objective_create": (MANAGE, "plan"),
    "reports:delivery_objective_edit": (MANAGE, "objective"),
    "reports:delivery_sub_objective_create": (MANAGE, "objective"),
    "reports:delivery_sub_objective_edit": (MANAGE, "sub_objective"),
    "reports:delivery_action_create": (MANAGE, "plan"),
    "reports:delivery_action_detail": (READ, "action"),
    "reports:delivery_action_edit": (MANAGE, "action"),
    "reports:delivery_action_rag": (UPDATE, "action"),
    "reports:delivery_evidence_add": (UPDATE, "action"),
}
DELIVERY_WANT = {
    READ: {"alice", "bob", "carol", "dave", "erin", "ivy", "pam"},
    MANAGE: {"pam"},
    UPDATE: {"pam", "carol", "dave"},
}
OTHER = set(DELIVERY_MATRIX)  # checked by the delivery-plan tests just below


@pytest.fixture
def delivery(pam, dave):
    from tests.reports.delivery_helpers import add_action, make_plan

    plan = make_plan(pam)
    action = add_action(pam, plan, responsible=dave)
    return {
        "plan": plan,
        "objective": action.objective,
        "sub_objective": action.sub_objective,
        "action": action,
    }


def delivery_url(name: str, kind: str | None, delivery: dict) -> str:
    return reverse(name, args=[delivery[kind].pk]) if kind else reverse(name)


@pytest.mark.parametrize("url_name", sorted(DELIVERY_MATRIX))
def test_each_role_gets_what_the_delivery_matrix_says(
    url_name, delivery, client, alice, bob, carol, dave, erin, ivy, pam, sam
):
    rule, kind = DELIVERY_MATRIX[url_name]
    users = {u.username: u for u in (alice, bob, carol, dave, erin, ivy, pam, sam)}
    url = delivery_url(url_name, kind, delivery)
    failures = []
    client.logout()
    if client.get(url).status_code != 302:
        failures.append("anonymous")
    for name in CASTS:
        client.force_login(users[name])
        status = client.get(url).status_code
        want = 200 if name in DELIVERY_WANT[rule] else 403
        if status != want:
            failures.append((name, status, want))
    assert not failures, failures


@pytest.mark.parametrize(
    "url_name", sorted(n for n, (_, kind) in DELIVERY_MATRIX.items() if kind)
)
def test_another_areas_plan_is_not_found(url_name, delivery, client):
    from tests.factories import AgencyFactory, LocalAreaFactory, UserFactory

    elsewhere = LocalAreaFactory(name="Otherton", slug="otherton")
    agency = AgencyFactory(name="Otherton Partnership", local_area=elsewhere)
    for role in ("partnership_manager", "cse_coordinator", "practitioner"):
        outsider = UserFactory(username=f"other-{role}", agency=agency, roles=[role])
        client.force_login(outsider)
        url = delivery_url(url_name, DELIVERY_MATRIX[url_name][1], delivery)
        assert client.get(url).status_code == 404, (role, url)
