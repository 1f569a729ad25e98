"""Field-level restriction: the content of a police information report reaches only
its submitter and the police intelligence staff of its area.

A unique marker goes into every free-text field of a report (and its sanitised
text, handling conditions and action taken); the report is linked to a child shared
with other agencies, to a person and a location created from it, and the child is on
a meeting's agenda, has a screening and appears in the area's dataset. Every cast
member then fetches every page, PDF and CSV that could show it.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cse import services as core
from cse.models import Agency, Link, Location, PersonOfInterest, Role, Subject
from cse.views.common import TABS
from disruption import services as disruption
from disruption.models import IntelligenceReport
from meetings import services as meetings
from meetings.models import MeetingType
from meetings.pdf import render_agenda_pdf
from meetings.summaries import summarise_item
from screening import tooldefs
from screening.models import ToolDefinition
from tests.disruption.conftest import share
from tests.factories import AgencyFactory, LocalAreaFactory, UserFactory, make_child
from tests.screening.conftest import submit

pytestmark = pytest.mark.django_db(transaction=False)

MARK = "QZXMARK"
FREE_TEXT = [
    "submitter_contact",
    "who_at_risk",
    "who_putting_at_risk",
    "where",
    "third_party_contact",
    "premises_trading_name",
    "premises_address",
    "information",
]
ALLOWED = {"erin", "ian"}  # the submitter; police intelligence of the area


def marker(field: str) -> str:
    return f"{MARK}{field.replace('_', '')}"


@pytest.fixture
def ian(agency_b):
    return UserFactory(
        username="ian", agency=agency_b, roles=[Role.POLICE_INTELLIGENCE]
    )


@pytest.fixture
def ivy(db):
    """Police intelligence of another area: not the report's."""
    elsewhere = LocalAreaFactory(name="Otherton", slug="otherton")
    police = AgencyFactory(
        name="Otherton Police", kind=Agency.Kind.POLICE, local_area=elsewhere
    )
    return UserFactory(username="ivy", agency=police, roles=[Role.POLICE_INTELLIGENCE])


@pytest.fixture
def world(alice, bob, carol, dave, erin, ian, agency_b, agency_c, area):
    child = make_child(alice, forename="Testchild", surname="Markerton")
    for agency in (agency_b, agency_c):
        share(alice, child, agency)
    report = disruption.submit_report(
        by=erin,
        report=IntelligenceReport(
            received_at=timezone.now() - datetime.timedelta(hours=2),
            source="professional",
            reliability="2",
            accuracy="3",
            would_engage="yes",
            licensed_premises=True,
            **{field: marker(field) for field in FREE_TEXT},
        ),
    )
    disruption.grade_report(
        by=ian,
        report=report,
        source_evaluation="2",
        assessment="B",
        handling_code="C",
        handling_conditions=marker("handling_conditions"),
        sanitised_text=marker("sanitised_text"),
    )
    disruption.attach_subject(by=ian, report=report, subject=child)
    person = disruption.create_subject_from_report(
        by=ian,
        report=report,
        subject=PersonOfInterest(nickname="Testnick"),
    )
    location = disruption.create_subject_from_report(
        by=ian,
        report=report,
        subject=Location(
            name="Test Chicken", type="fast_food", address_line_1="2 Sample St"
        ),
    )
    for subject in (person, location):
        share(ian, subject, alice.agency)
        share(ian, subject, agency_c)
    disruption.link_from_report(
        by=ian,
        report=report,
        from_subject=child,
        to_subject=person,
        kind=Link.Kind.SEEN_WITH,
        confidence=Link.Confidence.PROBABLE,
    )
    disruption.mark_actioned(by=ian, report=report, action_taken=marker("action"))
    # A screening, a meeting with the child, person and location on the agenda.
    for name in ("regional-v1.json",):
        tooldefs.load(ToolDefinition, tooldefs.read(name))
    screening = submit(alice, child, ToolDefinition.objects.get(key="regional"))
    meeting_type = MeetingType.objects.create(
        local_area=area,
        name="Testshire CMOG",
        slug="cmog",
        forum="cmog",
        core_agency_kinds=["social_care", "police", "health"],
        virtual_agency_kinds=[],
        standard_items=["Introductions and apologies"],
        subject_sections=["child", "person", "location"],
    )
    meeting = meetings.create_meeting(
        by=bob,
        meeting_type=meeting_type,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        chair=UserFactory(
            username="chris", agency=agency_b, roles=[Role.MEETING_CHAIR]
        ),
    )
    items = [
        meetings._append_item(meeting=meeting, subject=subject, by=bob)
        for subject in (child, person, location)
    ]
    core.add_chronology_entry(
        subject=child,
        occurred_at=timezone.now(),
        kind="note",
        title="Ordinary note",
        by=alice,
    )
    return {
        "child": child,
        "person": person,
        "location": location,
        "report": report,
        "screening": screening,
        "meeting": meeting,
        "items": items,
    }


def _text(response) -> str:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body.startswith(b"%PDF"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", "replace")


def _record_urls(subject: Subject) -> list[str]:
    urls = []
    for tab in TABS:
        if subject.kind not in tab.kinds:
            continue
        if tab.url_name == "detail":
            urls.append(subject.specific.get_absolute_url())
        else:
            urls.append(reverse(tab.url_name, args=[subject.pk]))
    return urls


def _pages(world) -> list[str]:
    child, meeting = world["child"], world["meeting"]
    today = timezone.localdate()
    urls = [
        reverse("cse:home"),
        reverse("cse:notifications"),
        reverse("cse:child_list"),
        reverse("cse:person_list"),
        reverse("cse:location_list"),
        reverse("cse:referral_list"),
        reverse("cse:audit_search"),
        reverse("cse:audit_search") + f"?record={child.reference}",
        reverse("disruption:report_list"),
        reverse("disruption:cawn_register"),
        reverse("meetings:meeting_list"),
        reverse("meetings:meeting_detail", args=[meeting.pk]),
        reverse("screening:detail", args=[world["screening"].pk]),
        reverse("screening:pdf", args=[world["screening"].pk]),
        reverse("missing:cmog_list")
        + f"?as_of_0={today.day}&as_of_1={today.month}&as_of_2={today.year}",
        reverse("missing:cmog_list")
        + f"?as_of_0={today.day}&as_of_1={today.month}&as_of_2={today.year}"
        "&format=csv",
        reverse("reports:dataset"),
    ]
    for item in world["items"]:
        urls.append(reverse("meetings:item_detail", args=[meeting.pk, item.pk]))
    for subject in (child, world["person"], world["location"]):
        urls += _record_urls(subject)
    return urls


def _snapshot_urls(area) -> list[str]:
    from reports import services as reports
    from reports.models import Snapshot

    snapshot = Snapshot.objects.create(
        local_area=area,
        year=timezone.localdate().year,
        quarter=1,
        trigger=Snapshot.Trigger.ON_DEMAND,
        as_at=timezone.now(),
    )
    reports.run_snapshot(snapshot.pk)
    return [
        reverse("reports:snapshot_detail", args=[snapshot.pk]),
        reverse("reports:snapshot_csv", args=[snapshot.pk]),
        reverse("reports:snapshot_pdf", args=[snapshot.pk]),
    ]


def _search(client, query: str) -> str:
    """The results part of the page (the form above it echoes the query)."""
    client.post(reverse("cse:search"), {"query": query})
    page = _text(client.get(reverse("cse:search")))
    return page[page.find('id="results"') :] if 'id="results"' in page else ""


def test_report_content_reaches_only_the_submitter_and_area_intelligence(
    client, world, area, alice, bob, carol, dave, erin, ian, ivy, pam, sam
):
    cast = {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "erin": erin,
        "ian": ian,
        "ivy": ivy,
        "pam": pam,
        "sam": sam,
    }
    pages = _pages(world) + _snapshot_urls(area)
    report = world["report"]
    report_pages = [
        reverse("disruption:report_detail", args=[report.pk]),
        reverse("disruption:report_grade", args=[report.pk]),
    ]
    leaks = []
    statuses: dict[tuple[str, str], int] = {}
    for name, user in cast.items():
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            statuses[name, url] = response.status_code
            if MARK in _text(response):
                leaks.append((name, url))
        for query in ("Markerton", MARK, marker("information")):
            results = _search(client, query)
            if MARK in results:
                leaks.append((name, f"search {query}"))
            if query == "Markerton" and name in {"alice", "dave", "erin"}:
                assert world["child"].reference in results, name
        # Printed agenda and agenda item summaries, as circulated to this user.
        pdf = render_agenda_pdf(world["meeting"], user)
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        if MARK in text:
            leaks.append((name, "agenda PDF"))
        if name == "bob":
            assert "Markerton" in text and world["person"].reference in text
        for item in world["items"]:
            if MARK in repr(summarise_item(user, item, None, None)):
                leaks.append((name, f"summary of item {item.pk}"))
        # The report itself: after giving a justification.
        seen = []
        for url in report_pages:
            client.post(
                url,
                {
                    "step": "justify",
                    "purpose": "quality_assurance",
                    "justification": "Checking what each role can see",
                },
            )
            seen.append(_text(client.get(url)))
        if name in ALLOWED:
            detail = seen[0]
            expected = [marker(f) for f in FREE_TEXT] + [
                marker("sanitised_text"),
                marker("handling_conditions"),
                marker("action"),
            ]
            missing = [m for m in expected if m not in detail]
            assert not missing, (name, missing)
        elif any(MARK in text for text in seen):
            leaks.append((name, "report pages"))
    # The pages were really reached by those who may see the records and figures.
    reached = [
        url
        for url in _record_urls(world["child"]) + _record_urls(world["person"])
        if statuses["alice", url] == 200
        and statuses["dave", url] == 200
        and statuses["erin", url] == 200
    ]
    assert len(reached) >= 8, reached
    assert all(statuses["pam", url] == 200 for url in _snapshot_urls_of(pages))
    assert all(
        statuses["bob", url] == 200
        for url in pages
        if "cmog" in url or "/items/" in url
    )
    assert (
        statuses["carol", reverse("screening:pdf", args=[world["screening"].pk])] == 200
    )
    assert statuses["sam", reverse("cse:audit_search")] == 200
    assert not leaks, leaks


def _snapshot_urls_of(pages: list[str]) -> list[str]:
    return [url for url in pages if "/snapshots/" in url]
