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
CHILD_TAB, CHILD_RECORD = "child_tab", "child_record"
OUTCOMES, MASE_FOLLOW = "outcomes", "mase_follow"

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
    # outcome measures and the MASE monthly snapshot
    "reports:child_outcomes": (CHILD_TAB, "child"),
    "reports:assessment_create": (CHILD_RECORD, "child"),
    "reports:assessment_correct": (CHILD_RECORD, "assessment"),
    "reports:outcomes_report": (OUTCOMES, None),
    "reports:outcomes_report_csv": (OUTCOMES, None),
    "reports:mase_report": (VIEW, None),
    "reports:mase_report_csv": (VIEW, None),
    "reports:mase_children": (MASE_FOLLOW, "mase"),
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
    # the area's distance travelled: partnership managers and CSE coordinators
    OUTCOMES: {"carol", "pam"},
    # the children behind a MASE figure: coordinators and meeting staff
    MASE_FOLLOW: {"bob", "carol"},
}
# Rules on one child (agency A's, not shared): 404 for anyone who cannot see it,
# 403 for those who can see it but may not record.
EXPECT = {
    CHILD_TAB: {
        "alice": 200,
        "bob": 200,
        "carol": 200,
        "dave": 404,
        "erin": 404,
        "ivy": 404,
        "pam": 404,
        "sam": 404,
    },
    CHILD_RECORD: {
        "alice": 200,
        "bob": 403,
        "carol": 200,
        "dave": 404,
        "erin": 404,
        "ivy": 404,
        "pam": 404,
        "sam": 404,
    },
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


@pytest.fixture
def assessment(child, alice):
    from reports import outcomes

    return outcomes.record_assessment(
        by=alice,
        child=child,
        occasion="plan_start",
        assessed_on=timezone.localdate(),
        values={"self_esteem": 4},
    )


def url_for(name: str, kind: str | None, snapshot: Snapshot, assessment=None) -> str:
    if kind == "child":
        return reverse(name, args=[assessment.child_id])
    if kind == "assessment":
        return reverse(name, args=[assessment.child_id, assessment.pk])
    if kind == "mase":
        return reverse(name, args=["testshire", 2026, 2, "new"])
    if name == "reports:figure_children":
        return reverse(name, args=[snapshot.pk, "i_victims", "quarter"])
    if name == "reports:figure_persons":
        return reverse(name, args=[snapshot.pk, "quarter"])
    return reverse(name, args=[snapshot.pk]) if kind else reverse(name)


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(
    url_name, snapshot, assessment, client, alice, bob, carol, dave, erin, ivy, pam, sam
):
    rule, kind = MATRIX[url_name]
    users = {u.username: u for u in (alice, bob, carol, dave, erin, ivy, pam, sam)}
    url = url_for(url_name, kind, snapshot, assessment)
    failures = []
    client.logout()
    response = client.get(url)
    if response.status_code != 302:
        failures.append(("anonymous", response.status_code))
    for name in CASTS:
        client.force_login(users[name])
        status = client.get(url).status_code
        if rule in EXPECT:
            want = EXPECT[rule][name]
        else:
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


def test_the_manager_sees_no_names_on_the_outcome_and_mase_pages(
    client, pam, alice, bob, child, assessment
):
    from meetings.models import AgendaItem, Meeting, MeetingType
    from reports import outcomes

    outcomes.record_assessment(
        by=alice,
        child=child,
        occasion="review",
        assessed_on=timezone.localdate(),
        values={"self_esteem": 6},
    )
    kind = MeetingType.objects.create(
        local_area=alice.agency.local_area, name="MASE", slug="mase", forum="mase"
    )
    meeting = Meeting.objects.create(
        meeting_type=kind,
        local_area=kind.local_area,
        organiser_agency=bob.agency,
        starts_at=timezone.now(),
        created_by=bob,
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, section="child", subject=child, added_by=bob
    )
    today = timezone.localdate()
    month = f"?area=testshire&year={today.year}&month={today.month}"
    client.force_login(pam)
    for name in (
        "reports:outcomes_report",
        "reports:outcomes_report_csv",
        "reports:mase_report",
        "reports:mase_report_csv",
        "reports:dataset",
    ):
        query = month if name.startswith("reports:mase") else ""
        response = client.get(reverse(name) + query)
        text = response.content.decode()
        assert response.status_code == 200
        assert "Testchild" not in text and "Sampleton" not in text
        assert child.reference not in text
