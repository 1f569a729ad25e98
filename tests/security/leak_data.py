"""The data set of the content-level leak test: records of every kind with a distinct
marker in each free-text and identifying field, used as a real user would use them.

Each marker names its record and field ("ZqlkUchildForename": the forename of the
unshared child), so a failure says what leaked. Each planted value knows who may
read it (`may_see(user)`), the rule of its record (cse.permissions.can_see), of its
link (both ends), of its notice (both parties), of its report (the submitter and the
area's police intelligence), or of its held police row (the area's administrators).

The records:
  U*  held by agency A (social care) and shared with nobody: a child, a person of
      interest, a location, a vehicle, all linked to the shared child S, so the
      shared child's pages, chronology and summaries stand next to them;
  S*  held by A and shared with agency B (police): the positive controls, whose
      markers must appear for B, so the test can fail;
  M   a child held by A, referred to a meeting administered by B and accepted as an
      urgent late addition after the agenda went out (never circulated), with an
      action, a note and a decision on it, and the agenda, action and minutes
      documents rendered through the Celery task; and referred to a MASE that A
      administers, accepted there late too, whose agenda and action list A's
      administrator asks for and the members download;
  PB  a person held by B alone, named with S on a notice (CAWN) B served.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cse import permissions
from cse import services as core
from cse.models import (
    Address,
    CategoryAssessment,
    Child,
    ChildPlan,
    Link,
    Location,
    PersonOfInterest,
    Referral,
    SharingDecision,
    Subject,
    User,
    Vehicle,
)

PREFIX = "Zqlk"
TODAY = timezone.localdate()


def normalise(text: str) -> str:
    """Lower case, without whitespace or the hyphens a PDF puts where it wraps a
    word: "ZZ1 4QK", "ZZ14QK" and "zz1\\n4qk" read the same."""
    text = re.sub(r"[-\u2010\xad]\s+", "", text)
    return re.sub(r"[\s\xad]+", "", text).lower()


@dataclass
class Planted:
    """One value written into one field of one record."""

    record: str  # "unshared child U"
    field: str  # "forename"
    forms: tuple[str, ...]  # the ways it may be written out, normalised
    may_see: Callable[[User], bool] = field(repr=False)
    shared: bool = False  # a positive control: must appear for someone

    @property
    def label(self) -> str:
        return f"{self.record}: {self.field}"


def marker(tag: str, name: str) -> str:
    return f"{PREFIX}{tag}{name[0].upper()}{name[1:].replace('_', '')}"


def date_forms(day: datetime.date) -> tuple[str, ...]:
    return tuple(
        normalise(f)
        for f in (
            day.isoformat(),
            f"{day:%d/%m/%Y}",
            f"{day.day}/{day.month}/{day.year}",
            f"{day:%d %B %Y}",
            f"{day.day} {day:%B %Y}",
            f"{day:%d %b %Y}",
            f"{day.day} {day:%b %Y}",
            f"{day:%d-%m-%Y}",
            f"{day:%d.%m.%Y}",
            f"{day:%Y%m%d}",
        )
    )


class LeakData:
    """The records and the values planted in them."""

    def __init__(self) -> None:
        self.planted: list[Planted] = []
        self.subjects: dict[str, Subject] = {}
        self.ids: dict[str, object] = {}
        self.variants: dict[str, list[object]] = {}
        self.meeting_variants: list[dict[str, object]] = []
        self.documents: dict[int, str] = {}  # meeting document id -> what it is

    def text(self, record: str, tag: str, name: str, may_see, shared=False) -> str:
        value = marker(tag, name)
        self.planted.append(
            Planted(record, name, (normalise(value),), may_see, shared=shared)
        )
        return value

    def value(self, record, name, shown: str, forms, may_see, shared=False):
        self.planted.append(
            Planted(record, name, tuple(normalise(f) for f in forms), may_see, shared)
        )
        return shown

    def sees(self, subject: Subject) -> Callable[[User], bool]:
        return lambda user: permissions.can_see(user, subject)

    def record_fields(
        self, record: str, tag: str, subject_kind, names, shared=False
    ) -> dict:
        """Markers for the named fields of a record not yet created (its rule is
        bound once it exists, through `bind`)."""
        holder: dict = {}
        fields = {}
        for name in names:
            fields[name] = self.text(
                record,
                tag,
                name,
                lambda user, h=holder: permissions.can_see(user, h["subject"]),
                shared,
            )
        fields["_holder"] = holder
        return fields

    def reference(self, record: str, subject: Subject) -> None:
        """A record's printed reference is not to be shown where it is not shared."""
        self.planted.append(
            Planted(
                record,
                "reference",
                (normalise(subject.reference),),
                self.sees(subject),
            )
        )

    def check_distinct(self) -> None:
        forms = [f for p in self.planted for f in p.forms]
        for a in forms:
            clash = [b for b in forms if a != b and a in b]
            assert not clash, (a, clash)


def _share(by: User, subject: Subject, agency) -> None:
    core.record_sharing_decision(
        by=by,
        subject=subject,
        agency=agency,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint safeguarding work",
        consent=SharingDecision.Consent.GIVEN,
    )


def _create(data: LeakData, by: User, model, fields: dict, aliases=()) -> Subject:
    holder = fields.pop("_holder")
    subject = core.create_subject(by=by, subject=model(**fields), aliases=aliases)
    holder["subject"] = subject
    return subject


def build(cast: dict[str, User], *, area, agency_b, agency_c) -> LeakData:
    """The data set, made through the services and views a user would use.
    Call inside `django_capture_on_commit_callbacks(execute=True)`."""
    from disruption import services as disruption
    from disruption.models import DisruptionTactic, IntelligenceReport, Plan, TacticType
    from meetings import services as meetings
    from meetings.models import MeetingType
    from missing import permissions as missing_permissions
    from missing import services as missing
    from missing.models import MatchingQueueItem, ReturnInterview
    from reports import outcomes
    from reports.models import OutcomeAssessment
    from screening import services as screening
    from screening import tooldefs
    from screening.models import ToolDefinition
    from tests.screening.conftest import full_answers

    alice, carol, chris, dave = (cast[n] for n in ("alice", "carol", "chris", "dave"))
    dave.collar_number = "PC 7"
    dave.save()
    data = LeakData()
    now = timezone.now()

    # --- the shared child S and person S (positive controls) --------------------------
    s_dob = datetime.date(TODAY.year - 14, 9, 21)
    fields = data.record_fields(
        "shared child S",
        "Schild",
        Child,
        ["forename", "surname", "known_as", "lives_with"],
        shared=True,
    )
    holder = fields["_holder"]

    def s_sees(user):
        return permissions.can_see(user, holder["subject"])

    fields["date_of_birth"] = data.value(
        "shared child S", "date of birth", s_dob, date_forms(s_dob), s_sees, True
    )
    s_alias = data.text("shared child S", "Schild", "alias", s_sees, True)
    child_s = _create(data, alice, Child, fields, aliases=[s_alias])
    _share(alice, child_s, agency_b)
    core.add_address(
        by=alice,
        subject=child_s,
        address=Address(
            line_1=data.text("shared child S", "Schild", "address_line", s_sees, True),
            postcode=data.value(
                "shared child S", "postcode", "ZZ3 7QF", ["ZZ3 7QF"], s_sees, True
            ),
        ),
    )
    core.add_phone_number(
        by=alice,
        subject=child_s,
        number=data.value(
            "shared child S",
            "phone",
            "07700 900731",
            ["07700 900731", "447700900731"],
            s_sees,  # a child's telephone numbers are not shown on any page yet
        ),
    )
    core.set_flag(
        by=alice,
        child=child_s,
        kind="county_lines",
        reason=data.text("shared child S", "Schild", "flag_reason", s_sees, True),
        set_on=TODAY,
    )
    core.add_warning(
        by=alice,
        subject=child_s,
        text=data.text("shared child S", "Schild", "warning", s_sees, True),
        review_on=TODAY + datetime.timedelta(days=60),
    )
    data.subjects["S"] = child_s

    # --- the unshared records U ---------------------------------------------------------
    u_dob = datetime.date(TODAY.year - 14, 5, 17)
    fields = data.record_fields(
        "unshared child U",
        "Uchild",
        Child,
        [
            "forename",
            "middle_names",
            "surname",
            "known_as",
            "disability_notes",
            "lives_with",
            "parental_responsibility",
            "school",
        ],
    )
    holder_u = fields["_holder"]

    def u_sees(user):
        return permissions.can_see(user, holder_u["subject"])

    fields["date_of_birth"] = data.value(
        "unshared child U", "date of birth", u_dob, date_forms(u_dob), u_sees
    )
    u_alias = data.text("unshared child U", "Uchild", "alias", u_sees)
    child_u = _create(data, alice, Child, fields, aliases=[u_alias])
    data.reference("unshared child U", child_u)
    core.add_address(
        by=alice,
        subject=child_u,
        address=Address(
            line_1=data.text("unshared child U", "Uchild", "address_line", u_sees),
            town=data.text("unshared child U", "Uchild", "town", u_sees),
            postcode=data.value(
                "unshared child U", "postcode", "ZZ1 4QK", ["ZZ1 4QK"], u_sees
            ),
            notes=data.text("unshared child U", "Uchild", "address_notes", u_sees),
        ),
    )
    core.add_phone_number(
        by=alice,
        subject=child_u,
        number=data.value(
            "unshared child U",
            "phone",
            "07700 900517",
            ["07700 900517", "447700900517"],
            u_sees,
        ),
        notes=data.text("unshared child U", "Uchild", "phone_notes", u_sees),
    )
    core.set_flag(
        by=alice,
        child=child_u,
        kind="county_lines",
        reason=data.text("unshared child U", "Uchild", "flag_reason", u_sees),
        set_on=TODAY,
    )
    core.add_warning(
        by=alice,
        subject=child_u,
        text=data.text("unshared child U", "Uchild", "warning", u_sees),
        review_on=TODAY + datetime.timedelta(days=60),
    )
    core.record_category(
        by=carol,
        child=child_u,
        category=2,
        assessed_on=TODAY,
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale=data.text("unshared child U", "Uchild", "category_rationale", u_sees),
    )
    core.add_plan(
        by=alice,
        child=child_u,
        plan=ChildPlan(kind=ChildPlan.Kind.CHILD_PROTECTION, start_date=TODAY),
    )
    data.subjects["U"] = child_u

    fields = data.record_fields(
        "unshared person U",
        "Uperson",
        PersonOfInterest,
        ["forename", "surname", "nickname", "description", "offending_history"],
    )
    holder_p = fields["_holder"]

    def p_sees(user):
        return permissions.can_see(user, holder_p["subject"])

    p_dob = datetime.date(1979, 11, 23)
    fields["date_of_birth"] = data.value(
        "unshared person U", "date of birth", p_dob, date_forms(p_dob), p_sees
    )
    p_alias = data.text("unshared person U", "Uperson", "alias", p_sees)
    person_u = _create(data, alice, PersonOfInterest, fields, aliases=[p_alias])
    data.reference("unshared person U", person_u)
    core.add_phone_number(
        by=alice,
        subject=person_u,
        number=data.value(
            "unshared person U",
            "phone",
            "07700 900923",
            ["07700 900923", "447700900923"],
            p_sees,
        ),
    )
    core.add_address(
        by=alice,
        subject=person_u,
        address=Address(
            line_1=data.text("unshared person U", "Uperson", "address_line", p_sees),
            postcode=data.value(
                "unshared person U", "postcode", "ZZ2 8WX", ["ZZ2 8WX"], p_sees
            ),
        ),
    )
    core.add_warning(
        by=alice,
        subject=person_u,
        text=data.text("unshared person U", "Uperson", "warning", p_sees),
        review_on=TODAY + datetime.timedelta(days=60),
    )
    data.subjects["PU"] = person_u

    fields = data.record_fields(
        "unshared location U",
        "Uplace",
        Location,
        [
            "name",
            "trading_name",
            "address_line_1",
            "address_line_2",
            "town",
            "online_identifier",
            "description",
        ],
    )
    holder_l = fields["_holder"]

    def l_sees(user):
        return permissions.can_see(user, holder_l["subject"])

    fields["type"] = Location.Type.FAST_FOOD
    fields["postcode"] = data.value(
        "unshared location U", "postcode", "ZZ4 6JH", ["ZZ4 6JH"], l_sees
    )
    location_u = _create(data, alice, Location, fields)
    data.reference("unshared location U", location_u)
    core.add_warning(
        by=alice,
        subject=location_u,
        text=data.text("unshared location U", "Uplace", "warning", l_sees),
        review_on=TODAY + datetime.timedelta(days=60),
    )
    data.subjects["LU"] = location_u

    fields = data.record_fields(
        "unshared vehicle U", "Uvehicle", Vehicle, ["model", "colour", "notes"]
    )
    holder_v = fields["_holder"]

    def v_sees(user):
        return permissions.can_see(user, holder_v["subject"])

    fields["registration"] = data.value(
        "unshared vehicle U", "registration", "QZ51 LKU", ["QZ51 LKU"], v_sees
    )
    fields["make"] = "Testmake"
    vehicle_u = _create(data, alice, Vehicle, fields)
    data.reference("unshared vehicle U", vehicle_u)
    data.subjects["VU"] = vehicle_u

    # Links from the shared child to each unshared record, as alice (who holds both)
    # would record them: S's pages and chronology now stand next to U's.
    def both(a, b):
        return lambda user: (
            permissions.can_see(user, a) and permissions.can_see(user, b)
        )

    links = []
    for kind, from_subject, to_subject, tag in (
        (Link.Kind.SEEN_WITH, child_s, person_u, "SwithPU"),
        (Link.Kind.SEEN_WITH, child_s, child_u, "SwithU"),
        (Link.Kind.FREQUENTS, child_s, location_u, "SatLU"),
        (Link.Kind.SEEN_IN, child_s, vehicle_u, "SinVU"),
        (Link.Kind.DRIVES, person_u, vehicle_u, "PUdrivesVU"),
    ):
        links.append(
            core.create_link(
                by=alice,
                from_subject=from_subject,
                to_subject=to_subject,
                kind=kind,
                source=Link.Source.OBSERVATION,
                confidence=Link.Confidence.PROBABLE,
                source_detail=data.text(
                    f"link {tag}",
                    "Link",
                    f"{tag}_source",
                    both(from_subject, to_subject),
                ),
                notes=data.text(
                    f"link {tag}",
                    "Link",
                    f"{tag}_notes",
                    both(from_subject, to_subject),
                ),
            )
        )

    # Screening of U (category 2 refers U to the area's CMOG and tells the
    # coordinators), a missing episode with its return interview, an outcome
    # assessment, disruption on U's person and place, an information report.
    for name in ("regional-v1.json", "sandwell-v1.json", "nwg-v1.json"):
        tooldefs.load(ToolDefinition, tooldefs.read(name))
    regional = ToolDefinition.objects.get(key="regional", is_active=True)
    draft = screening.start_screening(by=alice, child=child_u, definition=regional)
    submitted = screening.submit_screening(
        by=alice,
        screening=draft,
        answers=full_answers(draft),
        category=2,
        rationale=data.text(
            "unshared child U", "Uchild", "screening_rationale", u_sees
        ),
    )
    episode = missing.record_episode(
        by=alice,
        child=child_u,
        fields={
            "category": "missing",
            "missing_from": "home",
            "reported_at": now - datetime.timedelta(days=5),
            "last_seen_at": now - datetime.timedelta(days=5, hours=1),
            "returned_at": now - datetime.timedelta(days=4),
            "found_location": data.text(
                "unshared child U", "Uchild", "found_location", u_sees
            ),
            "found_with": data.text("unshared child U", "Uchild", "found_with", u_sees),
            "notes": data.text("unshared child U", "Uchild", "episode_notes", u_sees),
        },
    )
    interview = ReturnInterview.objects.get(episode=episode)
    missing.record_interview(
        by=alice,
        interview=interview,
        fields={
            "offered_at": now - datetime.timedelta(days=3, hours=2),
            "offered_by": "Testshire RHI service",
            "outcome": ReturnInterview.Outcome.ACCEPTED,
            "completed_at": now - datetime.timedelta(days=3),
            **{
                name: data.text("unshared child U", "Uchild", name, u_sees)
                for name in (
                    "why_missing",
                    "where_went",
                    "harm_suffered",
                    "push_factors",
                    "pull_factors",
                    "what_would_help",
                )
            },
        },
    )
    assessment = outcomes.record_assessment(
        by=alice,
        child=child_u,
        occasion=OutcomeAssessment.Occasion.PLAN_START,
        assessed_on=TODAY - datetime.timedelta(days=1),
        values={"self_esteem": 6, "missing_episodes": 2},
        notes=data.text("unshared child U", "Uchild", "outcome_notes", u_sees),
    )
    tactic = disruption.record_tactic(
        by=alice,
        subject=location_u,
        tactic=DisruptionTactic(
            tactic=TacticType.objects.get(code="closure_notice"),
            status="proposed",
            started_on=TODAY,
            lead_agency=alice.agency,
            details=data.text(
                "unshared location U", "Uplace", "tactic_details", l_sees
            ),
            outcome=data.text(
                "unshared location U", "Uplace", "tactic_outcome", l_sees
            ),
        ),
    )
    plan = disruption.start_plan(
        by=alice,
        subject=person_u,
        plan=Plan(
            risk="high",
            risk_summary=data.text(
                "unshared person U", "Uperson", "risk_summary", p_sees
            ),
            actions=data.text("unshared person U", "Uperson", "plan_actions", p_sees),
            exit_criteria=data.text(
                "unshared person U", "Uperson", "exit_criteria", p_sees
            ),
            started_on=TODAY,
        ),
    )
    from disruption.permissions import visible_reports

    report_holder: dict = {}

    def report_rule(user):
        return visible_reports(user).filter(pk=report_holder["report"].pk).exists()

    report = disruption.submit_report(
        by=alice,
        report=IntelligenceReport(
            submitter_contact="0121 496 0100",
            received_at=now - datetime.timedelta(hours=2),
            who_at_risk=data.text("report R", "Report", "who_at_risk", report_rule),
            where=data.text("report R", "Report", "where", report_rule),
            source="witnessed",
            reliability="not_known",
            accuracy="3",
            would_engage="not_applicable",
            information=data.text("report R", "Report", "information", report_rule),
        ),
    )
    report_holder["report"] = report

    # --- a person held by B, on a notice B served with the shared child -----------------
    fields = data.record_fields(
        "police-held person PB", "PBperson", PersonOfInterest, ["forename", "surname"]
    )
    person_b = _create(data, dave, PersonOfInterest, fields)
    data.reference("police-held person PB", person_b)
    from disruption.permissions import visible_cawns

    cawn_holder: dict = {}

    def cawn_rule(user):
        return visible_cawns(user).filter(pk=cawn_holder["cawn"].pk).exists()

    cawn = disruption.issue_cawn(
        by=dave,
        person=person_b,
        child=child_s,
        issue_date=TODAY,
        child_name=data.text("notice N", "Cawn", "child_name", cawn_rule),
        parental_responsibility=data.text(
            "notice N", "Cawn", "parental_responsibility", cawn_rule
        ),
        recipient_name=data.text("notice N", "Cawn", "recipient_name", cawn_rule),
        recipient_date_of_birth=None,
        recipient_address=data.text("notice N", "Cawn", "recipient_address", cawn_rule),
    )
    cawn_holder["cawn"] = cawn
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
        "disruption/cawns/leak.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n")
    )
    cawn.signed_copy_type = "application/pdf"
    cawn.save()

    # --- held police rows: one of the area, one without an area --------------------------
    def area_admins(area_id):
        return lambda user: bool(
            area_id is not None
            and user.agency_id
            and user.agency.local_area_id == area_id
            and missing_permissions.may_administer_reports(user)
        )

    queue_items = []
    for tag, item_area, born in (
        ("Qarea", area, datetime.date(2009, 6, 12)),
        ("Qnoarea", None, datetime.date(2009, 3, 14)),
    ):
        rule = area_admins(item_area.pk if item_area else None)
        queue_items.append(
            MatchingQueueItem.objects.create(
                police_reference=f"TP/{tag}",
                local_area=item_area,
                row={
                    "forename": data.text(f"held row {tag}", tag, "forename", rule),
                    "surname": data.text(f"held row {tag}", tag, "surname", rule),
                    "date_of_birth": born.isoformat(),
                },
                reason="no_match",
            )
        )
        data.planted.append(
            Planted(f"held row {tag}", "date of birth", date_forms(born), rule)
        )

    # --- the meeting administered by B -------------------------------------------------
    fields = data.record_fields(
        "late-added child M", "Mchild", Child, ["forename", "surname", "known_as"]
    )
    holder_m = fields["_holder"]

    def m_sees(user):
        return permissions.can_see(user, holder_m["subject"])

    m_dob = datetime.date(TODAY.year - 13, 8, 29)
    fields["date_of_birth"] = data.value(
        "late-added child M", "date of birth", m_dob, date_forms(m_dob), m_sees
    )
    child_m = _create(data, alice, Child, fields)
    data.reference("late-added child M", child_m)
    core.create_link(
        by=alice,
        from_subject=child_m,
        to_subject=person_u,
        kind=Link.Kind.SEEN_WITH,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.PROBABLE,
    )
    data.subjects["M"] = child_m

    meeting_type = MeetingType.objects.create(
        local_area=area,
        name="Testshire CMOG",
        slug="cmog",
        forum="cmog",
        core_agency_kinds=["social_care", "police"],
        virtual_agency_kinds=["health"],
        standard_items=["Introductions and apologies"],
        subject_sections=["child", "person", "location"],
    )
    meeting = meetings.create_meeting(
        by=chris,
        meeting_type=meeting_type,
        starts_at=now + datetime.timedelta(days=30),
        chair=chris,
    )
    from meetings.permissions import visible_meetings

    def in_meeting(rule):
        return lambda user: (
            rule(user) and visible_meetings(user).filter(pk=meeting.pk).exists()
        )

    # S is referred and accepted before the agenda goes out: circulation shares it.
    referral_s = core.create_referral(
        by=alice,
        subject=child_s,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis=data.text(
            "shared child S", "Schild", "synopsis", in_meeting(s_sees), True
        ),
    )
    meetings.triage_referral(
        by=chris, meeting=meeting, referral=referral_s, decision="accept"
    )
    meetings.circulate_meeting(by=chris, meeting=meeting)
    # M after circulation, as an urgent late addition; U's location referred too and
    # left waiting in the queue.
    m_rule = in_meeting(m_sees)
    referral_m = core.create_referral(
        by=alice,
        subject=child_m,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis=data.text("late-added child M", "Mchild", "synopsis", m_rule),
        urgent=True,
    )
    meetings.triage_referral(
        by=chris, meeting=meeting, referral=referral_m, decision="accept", urgent=True
    )
    pending = core.create_referral(
        by=alice,
        subject=location_u,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis=data.text("unshared location U", "Uplace", "synopsis", l_sees),
    )
    item_m = meeting.items.get(subject=child_m)
    item_s = meeting.items.get(subject=child_s)
    action_m = meetings.add_action(
        by=chris,
        meeting=meeting,
        item=item_m,
        description=data.text("late-added child M", "Mchild", "action_text", m_rule),
        assigned_agency=dave.agency,
        due_on=TODAY + datetime.timedelta(days=10),
    )
    meetings.add_action_update(
        by=dave,
        action=action_m,
        text=data.text("late-added child M", "Mchild", "action_update", m_rule),
    )
    action_s = meetings.add_action(
        by=chris,
        meeting=meeting,
        item=item_s,
        description=data.text(
            "shared child S", "Schild", "action_text", in_meeting(s_sees), True
        ),
        assigned_agency=dave.agency,
        due_on=TODAY + datetime.timedelta(days=10),
    )
    meetings.add_note(
        by=chris,
        item=item_m,
        kind="discussion",
        basis="fact",
        text=data.text("late-added child M", "Mchild", "note", m_rule),
    )
    meetings.record_decision(
        by=chris,
        item=item_m,
        outcome="continue",
        rationale=data.text("late-added child M", "Mchild", "decision", m_rule),
    )

    # The documents, requested through the page as the administrator would, rendered
    # by the Celery task; then the meeting is held and its minutes approved.
    client = Client()
    client.force_login(chris)
    for kind in ("agenda", "actions"):
        response = client.post(
            reverse("meetings:document_create", args=[meeting.pk]), {"kind": kind}
        )
        assert response.status_code < 400, (kind, response.status_code)
    meetings.record_attendance(
        by=chris,
        meeting=meeting,
        name="Chris Chair",
        agency=chris.agency,
        status="present",
        accepted_confidentiality=True,
    )
    meetings.approve_minutes(by=chris, meeting=meeting)
    for user in (chris, dave):
        client.force_login(user)
        response = client.post(
            reverse("meetings:document_create", args=[meeting.pk]), {"kind": "minutes"}
        )
        assert response.status_code < 400, ("minutes", response.status_code)

    # The same child, referred to a MASE that A administers, accepted there too as an
    # urgent late addition: the administrator (who holds the child) asks for the
    # agenda and the action list, which the members' staff then download.
    mase_type = MeetingType.objects.create(
        local_area=area,
        name="Testshire MASE",
        slug="mase",
        forum="mase",
        core_agency_kinds=["social_care", "police"],
        virtual_agency_kinds=["health"],
        standard_items=["Introductions and apologies"],
        subject_sections=["child", "person", "location"],
    )
    bob = cast["bob"]
    mase = meetings.create_meeting(
        by=bob, meeting_type=mase_type, starts_at=now + datetime.timedelta(days=20)
    )
    meetings.circulate_meeting(by=bob, meeting=mase)

    def in_mase(user):
        return m_sees(user) and visible_meetings(user).filter(pk=mase.pk).exists()

    referral_mase = core.create_referral(
        by=alice,
        subject=child_m,
        forum="mase",
        source=Referral.Source.PROFESSIONAL,
        synopsis=data.text("late-added child M", "Mchild", "mase_synopsis", in_mase),
        urgent=True,
    )
    meetings.triage_referral(
        by=bob, meeting=mase, referral=referral_mase, decision="accept", urgent=True
    )
    item_mase = mase.items.get(subject=child_m)
    action_mase = meetings.add_action(
        by=bob,
        meeting=mase,
        item=item_mase,
        description=data.text("late-added child M", "Mchild", "mase_action", in_mase),
        assigned_agency=dave.agency,
        due_on=TODAY + datetime.timedelta(days=10),
    )
    client.force_login(bob)
    for kind in ("agenda", "actions"):
        response = client.post(
            reverse("meetings:document_create", args=[mase.pk]), {"kind": kind}
        )
        assert response.status_code < 400, (kind, response.status_code)

    data.check_distinct()
    documents = list(meeting.documents.values_list("pk", flat=True))
    for document in [*meeting.documents.all(), *mase.documents.all()]:
        data.documents[document.pk] = (
            f"{document.kind} of {document.meeting.meeting_type.name} "
            f"requested by {document.requested_by.username}"
        )
    children = [child_u.pk, child_s.pk, child_m.pk]
    subjects = children + [person_u.pk, location_u.pk, vehicle_u.pk, person_b.pk]
    data.ids = {
        "child": child_u.pk,
        "person": person_u.pk,
        "location": location_u.pk,
        "vehicle": vehicle_u.pk,
        "link": links[0].pk,
        "flag": child_u.flags.first().pk,
        "screening": submitted.pk,
        "draft": submitted.pk,
        "screening_action": getattr(submitted.actions.first(), "pk", 0),
        "episode": episode.pk,
        "queue_item": queue_items[0].pk,
        "meeting": meeting.pk,
        "referral": pending.pk,
        "item": item_m.pk,
        "action": action_m.pk,
        "document": documents[0],
        "cawn": cawn.pk,
        "tactic": tactic.pk,
        "plan": plan.pk,
        "report": report.pk,
        "area": area.slug,
        "assessment": assessment.pk,
        "alice": alice.pk,
    }
    data.variants = {
        "child": children,
        "subject": subjects,
        "form_record": [child_u.pk, child_s.pk],
        "person": [person_u.pk, person_b.pk],
        "item": [item_m.pk, item_s.pk],
        "action": [action_m.pk, action_s.pk],
        "document": documents,
        "referral": [pending.pk, referral_m.pk],
        "queue_item": [q.pk for q in queue_items],
        "link": [link.pk for link in links],
    }
    # The second meeting's own rows, named together in its URLs.
    data.meeting_variants = [
        {"meeting": mase.pk, "item": item_mase.pk, "action": action_mase.pk}
    ] + [
        {"meeting": mase.pk, "document": pk}
        for pk in mase.documents.values_list("pk", flat=True)
    ]
    del agency_c
    return data
