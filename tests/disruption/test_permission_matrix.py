"""Every disruption URL × the cast (plus ian, police intelligence in agency B).

Records are owned by agency A: "shared" ones are shared with B (dave, ian), "private"
ones are not. The shared notice was issued by dave (police, B); the private one by
alice (social care, A) for a looked-after 16-year-old. The information report was
submitted by alice.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from disruption import services
from disruption.models import DisruptionTactic, Plan, TacticType
from tests.disruption.conftest import issue, share, years_ago
from tests.factories import make_child, make_location, make_person

CASTS = ["alice", "bob", "carol", "dave", "erin", "pam", "sam", "ian"]
RECORDERS = {"alice", "carol", "dave", "erin", "ian"}
CASEWORKERS = RECORDERS | {"bob"}
(SEE, ADD, CASEWORK, ANY, CAWN_SEE, CAWN_MANAGE, REPORT_SEE, REPORT_GRADE) = (
    "see",
    "add",
    "casework",
    "any",
    "cawn_see",
    "cawn_manage",
    "report_see",
    "report_grade",
)
ADMIN = "admin"

MATRIX: dict[str, tuple[str, str | None]] = {
    "disruption:intelligence_log": (ADMIN, None),
    "disruption:subject_disruption": (SEE, "person"),
    "disruption:tactic_create": (ADD, "location"),
    "disruption:tactic_update": (ADD, "tactic"),
    "disruption:plan_create": (ADD, "person"),
    "disruption:plan_review": (ADD, "plan"),
    "disruption:plan_deselect": (ADD, "plan"),
    "disruption:cawn_create": (ADD, "person"),
    "disruption:cawn_register": (CASEWORK, None),
    "disruption:cawn_detail": (CAWN_SEE, "cawn"),
    "disruption:cawn_pdf": (CAWN_SEE, "cawn"),
    "disruption:cawn_signed_copy": (CAWN_SEE, "cawn"),
    "disruption:cawn_serve": (CAWN_MANAGE, "cawn"),
    "disruption:cawn_breach_create": (CAWN_MANAGE, "cawn"),
    "disruption:report_list": (ANY, None),
    "disruption:report_create": (ANY, None),
    "disruption:report_detail": (REPORT_SEE, "report"),
    "disruption:report_grade": (REPORT_GRADE, "report"),
    "disruption:report_new_subject": (REPORT_GRADE, "report_new"),
}
POST_ONLY = {
    "disruption:cawn_upload",
    "disruption:cawn_withdraw",
    "disruption:report_attach",
    "disruption:report_link",
    "disruption:report_actioned",
}


def expected(user: str, rule: str, state: str | None) -> int:
    if rule == ANY:
        return 200
    if rule == CASEWORK:
        return 200 if user in CASEWORKERS else 403
    if rule == ADMIN:
        return 200 if user == "sam" else 403
    if rule in {REPORT_SEE, REPORT_GRADE}:
        if user not in {"alice", "ian"}:
            return 404
        return 200 if rule == REPORT_SEE or user == "ian" else 403
    visible = user in {"alice", "bob", "carol"} or (
        user in {"dave", "ian"} and state == "shared"
    )
    if not visible:
        return 404
    if rule in {SEE, CAWN_SEE}:
        return 200
    if rule == ADD:
        return 200 if user in RECORDERS else 403
    if rule == CAWN_MANAGE:
        police = user in {"dave", "ian"}
        issuer_agency = user in {"alice", "carol"} and state == "private"
        return 200 if police or issuer_agency else 403
    raise AssertionError(rule)


@pytest.fixture
def records(alice, dave, ian, agency_b):
    dave.collar_number = "PC 1"
    dave.save()
    made: dict = {}
    people = {state: make_person(alice) for state in ("shared", "private")}
    places = {state: make_location(alice) for state in ("shared", "private")}
    for obj in (people["shared"], places["shared"]):
        share(alice, obj, agency_b)
    made["person"], made["location"] = people, places
    young = make_child(alice, date_of_birth=years_ago(13))
    share(alice, young, agency_b)
    cared = make_child(alice, date_of_birth=years_ago(17), legal_status="care_order")
    made["cawn"] = {
        "shared": issue(dave, people["shared"], young),
        "private": issue(alice, people["private"], cared),
    }
    for cawn in made["cawn"].values():
        cawn.signed_copy = default_storage.save("disruption/cawns/x.pdf", _pdf())
        cawn.signed_copy_type = "application/pdf"
        cawn.save()
    closure = TacticType.objects.get(code="closure_notice")
    made["tactic"] = {
        state: services.record_tactic(
            by=alice,
            subject=places[state],
            tactic=DisruptionTactic(
                tactic=closure,
                status="proposed",
                started_on=datetime.date(2025, 1, 1),
                lead_agency=alice.agency,
            ),
        )
        for state in ("shared", "private")
    }
    made["plan"] = {
        state: services.start_plan(
            by=alice,
            subject=people[state],
            plan=Plan(
                risk="high",
                risk_summary="Linked to three children",
                actions="SRO",
                exit_criteria="No contact for 6 months",
                started_on=datetime.date(2025, 1, 1),
            ),
        )
        for state in ("shared", "private")
    }
    report = services.submit_report(by=alice, report=_report())
    made["report"] = {None: report}
    return made


def _pdf():
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4\n%%EOF\n")


def _report():
    from disruption.models import IntelligenceReport

    return IntelligenceReport(
        submitter_contact="0121 496 0100",
        received_at=timezone.now() - datetime.timedelta(hours=2),
        who_at_risk="A girl of about 14",
        source="witnessed",
        reliability="not_known",
        accuracy="3",
        would_engage="not_applicable",
        information="A grey car collects her from school most days.",
    )


def url_for(url_name: str, kind: str | None, records: dict, state) -> str:
    if kind is None:
        return reverse(url_name)
    if kind == "report":
        return reverse(url_name, args=[records["report"][None].pk])
    if kind == "report_new":
        return reverse(url_name, args=[records["report"][None].pk, "person"])
    if kind == "tactic":
        tactic = records["tactic"][state]
        return reverse(url_name, args=[tactic.subject_id, tactic.pk])
    if kind == "plan":
        plan = records["plan"][state]
        return reverse(url_name, args=[plan.subject_id, plan.pk])
    return reverse(url_name, args=[records[kind][state].pk])


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(
    url_name, records, client, alice, bob, carol, dave, erin, pam, sam, ian
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
        "ian": ian,
    }
    if kind in {"report", "report_new"}:
        states = [None]
    else:
        states = ["shared", "private"] if kind else [None]
    failures = []
    for state in states:
        url = url_for(url_name, kind, records, state)
        client.logout()
        response = client.get(url)
        if response.status_code != 302 or not response["Location"].startswith(
            reverse("login")
        ):
            failures.append(("anonymous", state, response.status_code))
        for name in CASTS:
            client.force_login(users[name])
            status = client.get(url).status_code
            want = expected(name, rule, state)
            if status != want:
                failures.append((name, state, status, want))
    assert not failures, failures


@pytest.mark.parametrize("url_name", sorted(POST_ONLY))
def test_post_only_views_refuse_get(url_name, client, records, dave):
    client.force_login(dave)
    pk = (
        records["report"][None].pk
        if "report" in url_name
        else records["cawn"]["shared"].pk
    )
    assert client.get(reverse(url_name, args=[pk])).status_code == 405
