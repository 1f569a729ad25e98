"""A rich synthetic data set with distinctive markers, the cast that works on it, and
the resolver walk the security tests share.

Every personal detail of the marker records is a string no page furniture contains
("Zqxname", a date of birth of 3 February 2011, postcode ZZ9 9ZZ, ...), so a test can
look for it anywhere personal data must never go: URLs, logs, e-mail subjects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cse import services as core
from cse.models import (
    Address,
    ChildPlan,
    Link,
    Referral,
    Role,
    SharingDecision,
    Vehicle,
)
from tests.factories import UserFactory, make_child, make_location, make_person

TODAY = timezone.localdate()


@dataclass(frozen=True)
class Marker:
    """A personal detail and the ways it could be written out."""

    label: str
    forms: tuple[str, ...]


MARKERS = (
    Marker("forename", ("Zqxname",)),
    Marker("surname", ("Zqxsurname",)),
    Marker("alias", ("Zqxalias",)),
    Marker(
        "date of birth",
        (
            "2011-02-03",
            "03/02/2011",
            "3/2/2011",
            "3 February 2011",
            "03 February 2011",
            "3 Feb 2011",
            "03-02-2011",
            "20110203",
        ),
    ),
    Marker("postcode", ("ZZ9 9ZZ", "ZZ99ZZ", "ZZ9+9ZZ", "ZZ9%209ZZ")),
    Marker("phone", ("07700 900481", "07700900481", "447700900481")),
    Marker("registration", ("ZQ00 XQZ", "ZQ00XQZ")),
    Marker("person of interest", ("Zqxperson", "Zqxvillain")),
    Marker("place", ("Zqxplace",)),
    Marker("street", ("Zqxstreet",)),
)


def markers_in(text: str) -> list[str]:
    """The marker forms found in text (case-insensitive)."""
    lowered = text.lower()
    return [
        form for marker in MARKERS for form in marker.forms if form.lower() in lowered
    ]


# --- the cast ------------------------------------------------------------------------


@pytest.fixture
def ian(agency_b):
    """A police intelligence analyst in dave's agency B (grades reports)."""
    return UserFactory(
        username="ian",
        first_name="Ian",
        agency=agency_b,
        roles=[Role.POLICE_INTELLIGENCE],
    )


@pytest.fixture
def chris(agency_b):
    """A meeting chair in agency B."""
    return UserFactory(
        username="chris",
        first_name="Chris",
        agency=agency_b,
        roles=[Role.MEETING_CHAIR],
    )


@pytest.fixture
def cast(alice, bob, carol, dave, erin, pam, sam, ian, chris):
    return {
        u.username: u for u in (carol, alice, bob, chris, dave, ian, erin, pam, sam)
    }


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path / "private"


# --- the data set --------------------------------------------------------------------


def _share(by, subject, agency):
    core.record_sharing_decision(
        by=by,
        subject=subject,
        agency=agency,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint safeguarding work",
        consent=SharingDecision.Consent.GIVEN,
    )


@pytest.fixture
def dataset(cast, agency_b, area, private_storage, django_capture_on_commit_callbacks):
    """One record of every kind the app keeps, owned by agency A and shared with B,
    each carrying the markers. Returns the ids a URL may name."""
    from disruption import services as disruption
    from disruption.models import DisruptionTactic, IntelligenceReport, Plan, TacticType
    from meetings import services as meetings
    from meetings.models import MeetingDocument, MeetingType
    from missing import services as missing
    from missing.models import MatchingQueueItem
    from reports import services as reports
    from reports.models import Snapshot
    from screening import services as screening
    from screening import tooldefs
    from screening.models import ToolDefinition
    from tests.screening.conftest import full_answers

    alice, bob, dave = cast["alice"], cast["bob"], cast["dave"]
    dave.collar_number = "PC 1"
    dave.save()
    ids: dict[str, int] = {}
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        child = make_child(
            alice,
            forename="Zqxname",
            surname="Zqxsurname",
            date_of_birth=datetime.date(2011, 2, 3),
            aliases=["Zqxalias"],
        )
        _share(alice, child, agency_b)
        core.add_address(
            by=alice,
            subject=child,
            address=Address(line_1="1 Zqxstreet", town="Testtown", postcode="ZZ9 9ZZ"),
        )
        core.add_phone_number(by=alice, subject=child, number="07700 900481")
        person = make_person(
            alice,
            forename="Zqxperson",
            surname="Zqxvillain",
            date_of_birth=datetime.date(1980, 4, 5),
        )
        _share(alice, person, agency_b)
        core.add_phone_number(by=alice, subject=person, number="07700 900481")
        place = make_location(alice, name="Zqxplace", postcode="ZZ9 9ZZ")
        _share(alice, place, agency_b)
        core.add_warning(
            by=alice,
            subject=place,
            text="Zqxperson is seen here",
            review_on=TODAY + datetime.timedelta(days=60),
        )
        vehicle = core.create_subject(
            by=alice, subject=Vehicle(registration="ZQ00 XQZ", make="Testmake")
        )
        _share(alice, vehicle, agency_b)
        link = core.create_link(
            by=alice,
            from_subject=child,
            to_subject=person,
            kind=Link.Kind.SEEN_WITH,
            source=Link.Source.OBSERVATION,
            confidence=Link.Confidence.PROBABLE,
        )
        core.create_link(
            by=alice,
            from_subject=person,
            to_subject=vehicle,
            kind=Link.Kind.DRIVES,
            source=Link.Source.OBSERVATION,
            confidence=Link.Confidence.PROBABLE,
        )
        flag = core.set_flag(
            by=alice,
            child=child,
            kind="county_lines",
            reason="Seen with Zqxperson",
            set_on=TODAY,
        )
        core.add_plan(
            by=alice,
            child=child,
            plan=ChildPlan(kind=ChildPlan.Kind.CHILD_PROTECTION, start_date=TODAY),
        )

        # Screening: the tools, a submitted screening (which refers the child and
        # tells the coordinators) and a draft.
        for name in ("regional-v1.json", "sandwell-v1.json", "nwg-v1.json"):
            tooldefs.load(ToolDefinition, tooldefs.read(name))
        regional = ToolDefinition.objects.get(key="regional", is_active=True)
        draft = screening.start_screening(by=alice, child=child, definition=regional)
        submitted = screening.submit_screening(
            by=alice,
            screening=draft,
            answers=full_answers(draft),
            category=2,
            rationale="Seen with Zqxperson at Zqxplace",
        )
        new_draft = screening.start_screening(
            by=alice, child=child, definition=regional
        )
        screening_action = submitted.actions.first()

        # Missing: an episode whose child has returned (an interview is due) and an
        # unmatched row of a police import.
        episode = missing.record_episode(
            by=alice,
            child=child,
            fields={
                "category": "missing",
                "missing_from": "home",
                "reported_at": now - datetime.timedelta(days=5),
                "last_seen_at": now - datetime.timedelta(days=5, hours=1),
                "returned_at": now - datetime.timedelta(days=4),
            },
        )
        item = MatchingQueueItem.objects.create(
            police_reference="TP/Q1",
            local_area=area,
            row={"forename": "Zqxname", "surname": "Zqxsurname"},
            reason="no_match",
        )

        # Meetings: a CMOG with the child on the agenda, an action, a document.
        meeting_type = MeetingType.objects.create(
            local_area=area,
            name="Testshire CMOG",
            slug="cmog",
            forum="cmog",
            core_agency_kinds=["social_care", "police"],
            virtual_agency_kinds=[],
            standard_items=["Introductions and apologies"],
            subject_sections=["child", "person", "location"],
        )
        meeting = meetings.create_meeting(
            by=bob,
            meeting_type=meeting_type,
            starts_at=timezone.now() + datetime.timedelta(days=30),
            chair=cast["chris"],
        )
        referral = core.create_referral(
            by=alice,
            subject=child,
            forum="cmog",
            source=Referral.Source.PROFESSIONAL,
            synopsis="Zqxname seen at Zqxplace",
        )
        meetings.triage_referral(
            by=bob, meeting=meeting, referral=referral, decision="accept"
        )
        pending = core.create_referral(
            by=alice,
            subject=place,
            forum="cmog",
            source=Referral.Source.PROFESSIONAL,
            synopsis="Zqxplace hotspot",
        )
        agenda_item = meeting.items.get(subject=child)
        action = meetings.add_action(
            by=bob,
            meeting=meeting,
            item=agenda_item,
            description="Visit Zqxname",
            assigned_agency=dave.agency,
            due_on=TODAY + datetime.timedelta(days=10),
        )
        document = MeetingDocument.objects.create(
            meeting=meeting,
            kind="agenda",
            agency=bob.agency,
            requested_by=bob,
            status="done",
        )
        document.file.save(
            f"test/{document.pk}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True
        )
        meetings.circulate_meeting(by=bob, meeting=meeting)

        # Disruption: a CAWN, a tactic, a plan, an intelligence report.
        cawn = disruption.issue_cawn(
            by=dave,
            person=person,
            child=child,
            issue_date=TODAY,
            child_name="Zqxname Zqxsurname",
            parental_responsibility="Testmother Zqxsurname",
            recipient_name="Zqxperson Zqxvillain",
            recipient_date_of_birth=datetime.date(1980, 4, 5),
            recipient_address="1 Zqxstreet, Testtown, ZZ9 9ZZ",
        )
        cawn = disruption.serve_cawn(
            by=dave,
            cawn=cawn,
            served_at=now - datetime.timedelta(hours=1),
            photograph_shown=True,
            knowledge_verified_by="",
            signature="signed",
            refusal_reason="",
            review_on=None,
        )
        cawn.signed_copy = default_storage.save(
            "disruption/cawns/x.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n")
        )
        cawn.signed_copy_type = "application/pdf"
        cawn.save()
        tactic = disruption.record_tactic(
            by=alice,
            subject=place,
            tactic=DisruptionTactic(
                tactic=TacticType.objects.get(code="closure_notice"),
                status="proposed",
                started_on=TODAY,
                lead_agency=alice.agency,
            ),
        )
        plan = disruption.start_plan(
            by=alice,
            subject=person,
            plan=Plan(
                risk="high",
                risk_summary="Linked to Zqxname",
                actions="SRO",
                exit_criteria="No contact for 6 months",
                started_on=TODAY,
            ),
        )
        report = disruption.submit_report(
            by=alice,
            report=IntelligenceReport(
                submitter_contact="0121 496 0100",
                received_at=timezone.now() - datetime.timedelta(hours=2),
                who_at_risk="Zqxname, about 15",
                source="witnessed",
                reliability="not_known",
                accuracy="3",
                would_engage="not_applicable",
                information="A car ZQ00 XQZ collects Zqxname at ZZ9 9ZZ.",
            ),
        )

        snapshot = Snapshot.objects.create(
            local_area=area,
            year=TODAY.year,
            quarter=(TODAY.month - 1) // 3 + 1,
            trigger=Snapshot.Trigger.ON_DEMAND,
            as_at=timezone.now(),
        )
        reports.run_snapshot(snapshot.pk)

        # A delivery plan, an outcome assessment and a break-glass grant, so the
        # pages that name them are visited too.
        from cse import break_glass
        from cse.models import BreakGlass
        from reports import outcomes
        from reports.models import OutcomeAssessment
        from tests.reports.delivery_helpers import add_action, make_plan

        delivery_plan = make_plan(cast["pam"])
        delivery_action = add_action(
            cast["pam"], delivery_plan, responsible=cast["carol"]
        )
        assessment = outcomes.record_assessment(
            by=cast["alice"],
            child=child,
            occasion=OutcomeAssessment.Occasion.PLAN_START,
            assessed_on=TODAY - datetime.timedelta(days=1),
            values={"self_esteem": 6, "missing_episodes": 2},
            notes="Zqxname said she felt safer at ZZ9 9ZZ.",
        )
        grant = break_glass.open_break_glass(
            by=cast["erin"],
            subject=child,
            reason_category=BreakGlass.Reason.IMMEDIATE_RISK_TO_CHILD,
            reason="Zqxname was reported at risk by phone.",
        )

    ids.update(
        child=child.pk,
        person=person.pk,
        location=place.pk,
        vehicle=vehicle.pk,
        link=link.pk,
        flag=flag.pk,
        screening=submitted.pk,
        draft=new_draft.pk,
        screening_action=screening_action.pk if screening_action else 0,
        episode=episode.pk,
        queue_item=item.pk,
        meeting=meeting.pk,
        referral=pending.pk,
        item=agenda_item.pk,
        action=action.pk,
        document=document.pk,
        cawn=cawn.pk,
        tactic=tactic.pk,
        plan=plan.pk,
        report=report.pk,
        snapshot=snapshot.pk,
        area=area.slug,
        delivery_plan=delivery_plan.pk,
        delivery_objective=delivery_action.objective_id,
        delivery_sub_objective=delivery_action.sub_objective_id,
        delivery_action=delivery_action.pk,
        assessment=assessment.pk,
        grant=grant.pk,
        alice=cast["alice"].pk,
    )
    return ids


# --- the resolver walk ---------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # the path pattern, e.g. "children/<int:pk>/edit/"
    params: tuple[str, ...]


def all_routes() -> list[Route]:
    """Every named URL of the project except Django's admin site (which guards itself)."""
    found: list[Route] = []

    def walk(patterns, prefix: str, route: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                namespace = pattern.namespace
                walk(
                    pattern.url_patterns,
                    f"{prefix}{namespace}:" if namespace else prefix,
                    route + str(pattern.pattern),
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                full = route + str(pattern.pattern)
                found.append(
                    Route(
                        prefix + pattern.name,
                        full,
                        tuple(pattern.pattern.converters),
                    )
                )

    walk(get_resolver().url_patterns, "", "")
    return found


# URL arguments that cannot be told from the path: url name -> kwargs from the ids.
EXPLICIT_KWARGS = {
    "cse:flag_remove": lambda i: {"pk": i["child"], "flag_pk": i["flag"]},
    "cse:link_end": lambda i: {"pk": i["child"], "link_pk": i["link"]},
    "cse:notification_open": lambda i: {"pk": i.get("notification", 0)},
    "disruption:tactic_update": lambda i: {
        "pk": i["location"],
        "tactic_pk": i["tactic"],
    },
    "disruption:plan_review": lambda i: {"pk": i["person"], "plan_pk": i["plan"]},
    "disruption:plan_deselect": lambda i: {"pk": i["person"], "plan_pk": i["plan"]},
    "disruption:report_new_subject": lambda i: {"pk": i["report"], "kind": "person"},
    "reports:figure_children": lambda i: {
        "pk": i["snapshot"],
        "item": "i_victims",
        "period": "quarter",
    },
    "screening:edit": lambda i: {"pk": i["draft"]},
    "screening:action_update": lambda i: {"pk": i["screening_action"]},
    "missing:queue_resolve": lambda i: {"pk": i["queue_item"]},
    "password_reset_confirm": lambda i: _reset_link(i["alice"]),
}


def _reset_link(user_id: int) -> dict:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from cse.models import User

    user = User.objects.get(pk=user_id)
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


# Otherwise each parameter by name, then by the path it sits under.
BY_PARAM = {
    "flag_pk": "flag",
    "link_pk": "link",
    "item_pk": "item",
    "action_pk": "action",
    "document_pk": "document",
    "referral_pk": "referral",
    "tactic_pk": "tactic",
    "plan_pk": "plan",
    "assessment": "assessment",
}
# Arguments that are not ids.
VALUES = {
    "period": lambda i: "quarter",
    "area": lambda i: i["area"],
    "year": lambda i: TODAY.year,
    "month": lambda i: TODAY.month,
    "figure": lambda i: "new",
}
BY_PREFIX = (
    ("screening/children/", "child"),
    ("screening/", "screening"),
    ("missing/children/", "child"),
    ("missing/episodes/", "episode"),
    ("meetings/", "meeting"),
    ("disruption/persons/", "person"),
    ("disruption/records/", "person"),
    ("disruption/cawns/", "cawn"),
    ("disruption/reports/", "report"),
    ("reports/dataset/snapshots/", "snapshot"),
    ("reports/children/", "child"),
    ("break-glass/", "grant"),
    ("reports/delivery/objectives/", "delivery_objective"),
    ("reports/delivery/sub-objectives/", "delivery_sub_objective"),
    ("reports/delivery/actions/", "delivery_action"),
    ("reports/delivery/", "delivery_plan"),
    ("children/", "child"),
    ("persons/", "person"),
    ("locations/", "location"),
    ("vehicles/", "vehicle"),
    ("records/", "child"),
)


def kwargs_for(route: Route, ids: dict) -> dict | None:
    """The URL arguments naming the data set's records, or None when not known."""
    if not route.params:
        return {}
    if route.name in EXPLICIT_KWARGS:
        return EXPLICIT_KWARGS[route.name](ids)
    kwargs = {}
    for param in route.params:
        if param in BY_PARAM:
            kwargs[param] = ids[BY_PARAM[param]]
            continue
        if param in VALUES:
            kwargs[param] = VALUES[param](ids)
            continue
        if param != "pk":
            return None
        kind = next((k for p, k in BY_PREFIX if route.route.startswith(p)), None)
        if kind is None:
            return None
        kwargs[param] = ids[kind]
    return kwargs
